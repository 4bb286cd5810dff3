"""The probe's read of the NVIDIA driver's Xids from the host's kernel log: real lines, only the tail of a large
file, and a host without such a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpu_conformance.facts.node import XidEvent
from gpu_conformance.node import kernel_log
from gpu_conformance.node.hostfs import HostRoot

pytestmark = pytest.mark.unit

# As the driver writes them (NVIDIA's Xid catalogue), behind rsyslog's and journald's export timestamps.
LINES = """\
Dec  4 03:10:11 gpu-7 kernel: [ 5123.456789] NVRM: Xid (PCI:0000:3B:00): 79, pid='<unknown>', name=<unknown>, \
GPU has fallen off the bus.
Dec  4 03:10:12 gpu-7 kernel: [ 5124.000001] NVRM: GPU 0000:3b:00.0: GPU has fallen off the bus.
2026-12-04T03:11:00.123456+00:00 gpu-7 kernel: NVRM: Xid (PCI:0000:86:00): 13, Graphics Exception: ESR 0x404490
"""


def test_xid_lines_are_read_with_their_times() -> None:
    events, lines = kernel_log.xid_events(LINES)
    assert events == (XidEvent("0000:3b:00", 79, "Dec  4 03:10:11"),
                      XidEvent("0000:86:00", 13, "2026-12-04T03:11:00.123456+00:00"))
    assert len(lines) == 2


def test_only_the_tail_of_a_large_log_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kernel_log, "TAIL_BYTES", 1024)
    log = tmp_path / "var" / "log" / "kern.log"
    log.parent.mkdir(parents=True)
    log.write_text(LINES.splitlines()[0] + "\n" + "x" * 4096 + "\n" + LINES.splitlines()[2] + "\n")
    read = kernel_log.collect(HostRoot(tmp_path))
    assert read.value == (XidEvent("0000:86:00", 13, "2026-12-04T03:11:00.123456+00:00"),)
    assert read.source == str(log)


def test_a_host_without_a_kernel_log_file_says_so(tmp_path: Path) -> None:
    read = kernel_log.collect(HostRoot(tmp_path))
    assert not read.ok and read.error == "no kernel log file (a host logging to journald only keeps none)"
