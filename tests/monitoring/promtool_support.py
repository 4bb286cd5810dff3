"""What the monitoring tests share: the real promtool (a missing one fails the test, never skips it), the
test data folder, and rule files written for one test."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.monitoring.promtool import Promtool, find_promtool

DATA = Path(__file__).resolve().parent / "data"
TUTORIAL_RULES = DATA / "tutorial-alerts.yml"
TUTORIAL_CONFIG = DATA / "tutorial-prometheus.yml"


def real_promtool() -> Promtool:
    try:
        return find_promtool("promtool", timeout=30)
    except FactsUnavailable as exc:
        pytest.fail(f"these tests run the real promtool: {exc}", pytrace=False)


def rule_file(folder: Path, expr: str, name: str = "Probe", for_: str = "1m", extra: str = "") -> Path:
    """A rule file with one alert ``name`` on ``expr`` (and ``extra`` rules, YAML list items)."""
    path = folder / f"{name.lower()}-rules.yml"
    path.write_text(textwrap.dedent(f"""\
        groups:
        - name: probe
          rules:
          - alert: {name}
            expr: {expr}
            for: {for_}
        """) + textwrap.indent(textwrap.dedent(extra), "  "), encoding="utf-8")
    return path
