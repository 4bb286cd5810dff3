"""Keeps the conformance suite out of sessions that did not name it; loads no plugin itself.

The suite's plugin and fixtures load from conformance/conftest.py, which pytest honours only as an
initial conftest, that is when the suite is named (``pytest conformance ...``). A session that would
only come across conformance/ (``pytest .``) leaves it out instead of failing on it, and the project's
own tests (``pytest tests``) never load the suite.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SUITE_DIR = Path(__file__).resolve().parent / "conformance"
SUITE_PLUGIN = "conformance.plugin.session"  # registered when conformance/conftest.py was loaded


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path == SUITE_DIR and not config.pluginmanager.has_plugin(SUITE_PLUGIN):
        return True
    return None
