"""The level label keeps the Pushgateway consistent: a real Pushgateway holding another cluster's group pushed by
a version without levels takes this version's push, both groups side by side, every per-check series of the
new group with its level."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from gpu_conformance.reporting.metrics import RunFacts, render
from gpu_conformance.reporting.pushgateway import Pushgateway
from gpu_conformance.reporting.results import Result
from tests.reporting.pushgateway_support import pushgateway

pytestmark = pytest.mark.e2e

RESULTS = [Result("PRE-DRIVER", "gpu-1", "passed", "", 0.5),
           Result("SEC-POD-ISOLATION", "gpu-1", "failed", "same GPU", 1.0, level="hardening")]


def _without_levels(text: str) -> str:
    """The exposition as a version without levels wrote it: the same families, no ``level`` label."""
    return text.replace(',level="tutorial"', "").replace(',level="hardening"', "")


def test_a_group_without_levels_and_one_with_them_sit_side_by_side(tmp_path: Path) -> None:
    with pushgateway(tmp_path) as running:
        gateway = Pushgateway.parse(running.url)
        old = _without_levels(render(RESULTS, RunFacts("old-cluster", 1.0, 2.0)))
        assert "level=" not in old
        gateway.push("old-cluster", old)
        gateway.push("new-cluster", render(RESULTS, RunFacts("new-cluster", 3.0, 4.0)))  # PublishError if refused
        exposed = running.get("/metrics").text
    levels: dict[str, set[str | None]] = {}
    for family in text_string_to_metric_families(exposed):
        for sample in family.samples:
            if family.name.startswith("gpu_conformance_check_"):
                levels.setdefault(sample.labels["cluster"], set()).add(sample.labels.get("level"))
    assert levels == {"old-cluster": {None}, "new-cluster": {"tutorial", "hardening"}}
