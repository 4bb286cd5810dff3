"""Run a Python module as ``python -m`` would, then write its peak resident memory (kB) to $PEAK_MEMORY_FILE.

wait4's ru_maxrss cannot be used for a child of the benchmark: the child is forked from a process that holds a
simulated cluster of 1000 nodes, and Linux folds the high-water mark of the address space it had before exec
into the child's ru_maxrss (fs/exec.c, setmax_mm_hiwater_rss). VmHWM in /proc/self/status is the high-water
mark of this program's own address space only.

    PEAK_MEMORY_FILE=F python benchmarks/support/peak_memory.py pytest ARGS...
"""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path


def peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    if len(sys.argv) < 2 or "PEAK_MEMORY_FILE" not in os.environ:
        sys.exit("usage: PEAK_MEMORY_FILE=F python benchmarks/support/peak_memory.py MODULE [ARGS...]")
    module, sys.argv = sys.argv[1], sys.argv[1:]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    finally:
        Path(os.environ["PEAK_MEMORY_FILE"]).write_text(f"{peak_kib()}\n")


if __name__ == "__main__":
    main()
