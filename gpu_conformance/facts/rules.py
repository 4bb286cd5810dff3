"""Alert and recording rules as read from rule files (by gpu_conformance.monitoring.rules)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gpu_conformance.monitoring.promql import Expression, analyse


@dataclass(frozen=True)
class AlertRule:
    name: str
    expr: str
    file: str
    group: str
    for_seconds: float = 0.0
    keep_firing_seconds: float = 0.0
    source: Mapping[str, Any] = field(default_factory=dict, compare=False)  # the rule as written
    metrics: tuple[str, ...] = ()  # exporter metrics read, through recording rules of the same files

    @property
    def expression(self) -> Expression:
        return analyse(self.expr)

    @property
    def where(self) -> str:
        return f"{self.file} group {self.group}"


@dataclass(frozen=True)
class RecordingRule:
    record: str
    expr: str
    group: str
    source: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class RuleFile:
    path: str
    alerts: tuple[AlertRule, ...] = ()
    recordings: tuple[RecordingRule, ...] = ()
    problem: str | None = None  # why it could not be read as rule groups
