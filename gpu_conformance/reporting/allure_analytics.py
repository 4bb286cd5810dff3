"""Allure 3's awesome report calls Google Analytics when it is opened; the report gpu-conformance hands out does not.

Allure 3 (3.18 at least) writes Google Tag Manager's loader and a ``gtag('config', ...)`` call into every awesome
report and offers no way to leave them out (allure-framework/allure3#476; Allure 2's ``ALLURE_NO_ANALYTICS`` is
read by its allure2 plugin only). A conformance report is opened inside clusters' networks, often air-gapped, and
must not reach outside them, so the two scripts are cut from the file Allure wrote. The variable is still set for
``allure generate``: the Allure versions that read it then leave the scripts out themselves.
"""

from __future__ import annotations

import re
from pathlib import Path

OPT_OUT_ENV = {"ALLURE_NO_ANALYTICS": "true"}
# The loader and the inline script after it, as the awesome plugin's template writes them.
_ANALYTICS = re.compile(
    r'[ \t]*<script async src="https://www\.googletagmanager\.com/gtag/js\?id=[^"]*"></script>\s*'
    r"<script>\s*window\.dataLayer = window\.dataLayer \|\| \[\];.*?</script>\n?", re.DOTALL)


def without_analytics(html: str) -> str:
    """``html`` without Allure's analytics scripts; unchanged when it has none."""
    return _ANALYTICS.sub("", html, count=1)


def strip_analytics(index: Path) -> None:
    """Rewrite the report at ``index`` without Allure's analytics scripts."""
    html = index.read_text(encoding="utf-8")
    stripped = without_analytics(html)
    if stripped != html:
        index.write_text(stripped, encoding="utf-8")
