"""CNCF AI Conformance evidence: each requirement's page quotes it, gives the run's verdict from its checks, and says
so when the run did not show it."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpu_conformance.checks import by_id
from gpu_conformance.facts.cluster_identity import ClusterIdentity
from gpu_conformance.reporting.cncf_evidence import REQUIREMENTS, write_evidence
from gpu_conformance.reporting.results import Result
from gpu_conformance.reporting.summary import RunInfo, Summary

pytestmark = pytest.mark.unit

CLUSTER = ClusterIdentity("prod-a", "https://10.0.0.1:6443")
LEAK = "[SEC-NO-REQUEST-NO-GPU] found a pod without a GPU request seeing 2 GPUs | nvidia0 at pod sec-nogpu"


def summary(*results: Result) -> Summary:
    return Summary(RunInfo(CLUSTER, "gpu-conformance"), results)


def test_every_requirement_names_known_checks() -> None:
    for requirement in REQUIREMENTS:
        assert [by_id(check).id for check in requirement.checks] == list(requirement.checks)


def test_a_failing_check_fails_its_requirement_and_is_shown(tmp_path: Path) -> None:
    leak = Result("SEC-NO-REQUEST-NO-GPU", "k8s-node05", "failed", LEAK, 1.0, level="hardening")
    write_evidence(tmp_path, summary(leak, Result("SEC-ENV-NO-GPU", "k8s-node05", "passed", "found none", 1.0)))
    page = (tmp_path / "secure-accelerator-access.md").read_text()
    assert page.startswith("# secure_accelerator_access (MUST)\n\n> Ensure that access to accelerators")
    assert "**Verdict: FAIL** for cluster `prod-a` (https://10.0.0.1:6443)" in page
    assert "| SEC-NO-REQUEST-NO-GPU | k8s-node05 | failed | [SEC-NO-REQUEST-NO-GPU] found a pod without a GPU " \
           "request seeing 2 GPUs \\| nvidia0 at pod sec-nogpu |" in page
    index = (tmp_path / "index.md").read_text()
    link = "[secure-accelerator-access.md](secure-accelerator-access.md)"
    assert f"| secure_accelerator_access | MUST | FAIL | {link} |" in index


def test_passing_checks_pass_and_unrun_checks_show_nothing(tmp_path: Path) -> None:
    write_evidence(tmp_path, summary(Result("MON-EXPORTER-UP", "k8s-node05", "passed", "found HTTP 200", 0.1),
                                     Result("MON-PROM-TARGETS", "cluster", "skipped", "no --prometheus-config", 0.0)))
    assert "**Verdict: PASS**" in (tmp_path / "accelerator-metrics.md").read_text()
    dra = (tmp_path / "dra-support.md").read_text()
    assert "**Verdict: NOT SHOWN by this run**" in dra and "None of its checks (DRA-API," in dra
