"""The checks as data: an id, what the tutorial requires, and how to fix it (kube-bench style).

Conformance tests and requirement functions refer to checks by these objects; the report and the
failure messages take their wording from here, so it is written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Area = Literal["prerequisites", "device-plugin", "capacity", "workload"]
Severity = Literal["blocker", "critical", "normal", "minor"]


@dataclass(frozen=True)
class Check:
    id: str  # stable, e.g. "PRE-DRIVER"
    area: Area
    title: str  # one line, e.g. "NVIDIA driver >= 384.81"
    requirement: str  # what must hold, in the tutorial's terms
    remediation: str  # the tutorial's step that fixes it
    severity: Severity = "blocker"
    tutorial: str = ""  # the tutorial's section, e.g. "2.1 先决条件"
