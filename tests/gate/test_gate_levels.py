"""The gate's admission levels: failures of a level in ``admission-levels`` keep the node out, failures of the
other levels are reported and do not; the suite's exit status 1 is then explained by them, any other is not."""

from __future__ import annotations

from pathlib import Path

from gpu_conformance.commands.gate_verdict import gate_verdict
from gpu_conformance.facts.cluster_identity import ClusterIdentity
from gpu_conformance.reporting.results import Result
from gpu_conformance.reporting.summary import RunInfo, Summary, write_summary

NODE = "gpu-1"
RESULTS = (Result("PRE-DRIVER", NODE, "passed", "", 0.1),
           Result("PRE-RUNTIME-DEFAULT", NODE, "failed", "[PRE-RUNTIME-DEFAULT] found runc\nmore", 0.1),
           Result("SEC-POD-ISOLATION", NODE, "failed", "[SEC-POD-ISOLATION] found the same GPU", 0.1,
                  level="hardening"),
           Result("SEC-ENV-NO-GPU", NODE, "broken", "could not inspect: ...", 0.1, ("PRE-RUNTIME-DEFAULT",),
                  level="hardening"))
TUTORIAL_LINE = "PRE-RUNTIME-DEFAULT on gpu-1: failed: [PRE-RUNTIME-DEFAULT] found runc"
HARDENING_LINES = ("SEC-POD-ISOLATION on gpu-1: failed: [SEC-POD-ISOLATION] found the same GPU",
                   "SEC-ENV-NO-GPU on gpu-1: broken as a consequence of PRE-RUNTIME-DEFAULT")


def summary(tmp_path: Path, admission_levels: tuple[str, ...], results: tuple[Result, ...] = RESULTS) -> Path:
    path = tmp_path / "summary.json"
    run = RunInfo(ClusterIdentity("prod", "https://10.0.0.1:6443"), "gpu-conformance",
                  admission_levels=admission_levels)
    write_summary(path, Summary(run, results))
    return path


def test_by_default_every_level_blocks(tmp_path: Path) -> None:
    verdict = gate_verdict(summary(tmp_path, ("tutorial", "hardening")), NODE, 1)
    assert verdict.blocking == (TUTORIAL_LINE, HARDENING_LINES[0], HARDENING_LINES[1]) and verdict.reported == ()


def test_failures_of_other_levels_are_reported_not_blocking(tmp_path: Path) -> None:
    verdict = gate_verdict(summary(tmp_path, ("tutorial",)), NODE, 1)
    assert verdict.blocking == (TUTORIAL_LINE,)
    assert verdict.reported == HARDENING_LINES
    assert verdict.admission_levels == ("tutorial",)


def test_a_node_failing_only_levels_that_do_not_block_is_admitted(tmp_path: Path) -> None:
    passing_tutorial = (RESULTS[0], RESULTS[2])
    verdict = gate_verdict(summary(tmp_path, ("tutorial",), passing_tutorial), NODE, 1)
    assert verdict.blocking == () and verdict.reported == (HARDENING_LINES[0],)


def test_only_hardening_blocks_when_the_profile_says_so(tmp_path: Path) -> None:
    verdict = gate_verdict(summary(tmp_path, ("hardening",)), NODE, 1)
    assert verdict.blocking == HARDENING_LINES and verdict.reported == (TUTORIAL_LINE,)


def test_an_exit_status_the_reported_failures_do_not_explain_blocks(tmp_path: Path) -> None:
    passing_tutorial = (RESULTS[0], RESULTS[2])
    verdict = gate_verdict(summary(tmp_path, ("tutorial",), passing_tutorial), NODE, 3)
    assert verdict.blocking == ("the suite exited with status 3: see its output above",)
    nothing_failed = gate_verdict(summary(tmp_path, ("tutorial",), RESULTS[:1]), NODE, 1)
    assert nothing_failed.blocking == ("the suite exited with status 1: see its output above",)
