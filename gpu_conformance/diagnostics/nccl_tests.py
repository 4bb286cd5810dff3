"""nccl-tests' all_reduce_perf, its text output (NVIDIA/nccl-tests src/util.cu: the ``# Using devices`` list,
writeResultHeader, the result lines ``%12li  %12li  %8s  %6s  %6s`` then out-of-place and in-place ``time algbw
busbw #wrong``, writeResultFooter ``# Out of bounds values : N OK`` and ``# Avg bus bandwidth    : %g``).

The average covers every message size run, small ones too, so the largest message's out-of-place bus bandwidth is
what is judged; the average is kept for the report.
"""

from __future__ import annotations

import re

from gpu_conformance.diagnostics import UnreadableOutput
from gpu_conformance.facts.diagnostics import AllReduce

_DEVICE = re.compile(r"^#\s+Rank\s+\d+ Group\s+\d+ Pid\s+\d+ on\s+\S+ device\s+\d+ \[[^\]]*\] (.+?)\s*$", re.MULTILINE)
_ROW = re.compile(r"^\s*(\d+)\s+(\d+)\s+\S+\s+\S+\s+-?\d+\s+[\d.]+\s+([\d.]+)\s+([\d.]+)\s+(\d+|N/A)", re.MULTILINE)
_AVERAGE = re.compile(r"^# Avg bus bandwidth\s*:\s*([\d.eE+-]+)", re.MULTILINE)
_OUT_OF_BOUNDS = re.compile(r"^# Out of bounds values\s*:\s*(\d+)", re.MULTILINE)


class NotNcclTests(UnreadableOutput):
    """The text is not all_reduce_perf's output; the message says what is missing."""


def parse_all_reduce(text: str) -> AllReduce:
    devices = tuple(_DEVICE.findall(text))
    rows = [(int(m.group(1)), float(m.group(4)), m.group(5)) for m in _ROW.finditer(text)]
    if not devices or not rows:
        missing = "no '# Using devices' list" if not devices else "no result line"
        raise NotNcclTests(f"{missing} in the log")
    size, bus, _ = max(rows)
    average = _AVERAGE.search(text)
    bounds = _OUT_OF_BOUNDS.search(text)
    wrong = int(bounds.group(1)) if bounds else sum(int(w) for _, _, w in rows if w.isdigit())
    return AllReduce(devices, size, bus, float(average.group(1)) if average else None, wrong)
