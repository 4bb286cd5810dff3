"""The gate's pieces that need no cluster: stale scratch folders, pytest's usage error as one line, Lease times."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from gpu_conformance.kube.heartbeat import micro_time
from gpu_conformance.scratch import PREFIX, remove_stale
from gpu_conformance.suite import SuiteExit


def _no_such_pid() -> int:
    pid = int(Path("/proc/sys/kernel/pid_max").read_text()) - 1
    while Path(f"/proc/{pid}").exists():
        pid -= 1
    return pid


def test_only_scratch_folders_of_gates_no_longer_running_are_removed(tmp_path: Path) -> None:
    dead, alive = tmp_path / f"{PREFIX}{_no_such_pid()}-abc", tmp_path / f"{PREFIX}{os.getpid()}-def"
    other = tmp_path / "gpu-gate-notes"
    for folder in (dead, alive, other):
        (folder / "results").mkdir(parents=True)
    assert remove_stale(tmp_path) == [dead]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([alive.name, other.name])


def test_pytests_usage_error_is_one_line() -> None:
    argparse_error = ("ERROR: usage: __main__.py [options] [file_or_dir] [file_or_dir] [...]\n"
                      "__main__.py: error: unrecognized arguments: --bogus\n  inifile: /x/pyproject.toml\n")
    assert SuiteExit(4, argparse_error).usage_error() == "unrecognized arguments: --bogus"
    assert SuiteExit(4, "ERROR: --namespace 'Bad_NS': not a DNS-1123 label\n").usage_error() == (
        "--namespace 'Bad_NS': not a DNS-1123 label")
    assert SuiteExit(4, "").usage_error() == "pytest exited 4"


def test_lease_times_have_the_six_fractional_digits_the_api_server_parses() -> None:
    assert micro_time(datetime(2026, 12, 3, 4, 0, tzinfo=UTC)) == "2026-12-03T04:00:00.000000Z"
