"""CUDA samples' bandwidthTest, human-readable output (NVIDIA/cuda-samples Samples/1_Utilities/bandwidthTest/
bandwidthTest.cu: runTest prints `` Device N: NAME``, printResultsReadable each table, main ``Result = PASS``)::

     Device 0: NVIDIA GeForce RTX 4090
     Host to Device Bandwidth, 2 Device(s)
     PINNED Memory Transfers
       Transfer Size (Bytes)	Bandwidth(GB/s)
       32000000			50.3

With ``--device=all`` the figure is the sum over the devices. The largest transfer's row is taken.
"""

from __future__ import annotations

import re

from gpu_conformance.diagnostics import UnreadableOutput
from gpu_conformance.facts.diagnostics import Bandwidth

_DEVICE = re.compile(r"^ Device (\d+): (.+?)\s*$", re.MULTILINE)
_TABLE = re.compile(r"^ (Host to Device|Device to Host) Bandwidth, (\d+) Device\(s\)\s*\n PINNED Memory Transfers\s*\n"
                    r"(?: Write-Combined Memory Writes are Enabled)?\s*Transfer Size \(Bytes\)\s+Bandwidth\(GB/s\)\s*\n"
                    r"(?P<rows>(?:[ \t]+\d+[ \t]+[\d.]+[ \t]*(?:\n|$))+)", re.MULTILINE)


class NotBandwidthTest(UnreadableOutput):
    """The text is not bandwidthTest's output; the message says what is missing."""


def parse_bandwidth_test(text: str) -> Bandwidth:
    devices = tuple(name for _, name in sorted((int(i), n) for i, n in _DEVICE.findall(text)))
    found: dict[str, float] = {}
    for table in _TABLE.finditer(text):
        rows = [line.split() for line in table.group("rows").strip().splitlines()]
        found[table.group(1)] = float(max(rows, key=lambda row: int(row[0]))[1])
    if not devices or not found:
        missing = "no ' Device N: NAME' line" if not devices else "no pinned-memory bandwidth table"
        raise NotBandwidthTest(f"{missing} in the log")
    return Bandwidth(devices, found.get("Host to Device"), found.get("Device to Host"), "Result = PASS" in text)
