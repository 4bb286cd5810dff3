"""What driving an alert's metrics across their range showed (gpu_conformance.monitoring.fire_range)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gpu_conformance.facts.rules import AlertRule
from gpu_conformance.monitoring.units import MetricRange


@dataclass(frozen=True)
class Point:
    fraction: float | None  # of the driven metrics' ranges; None: the metrics are absent
    values: Mapping[str, float]

    def describe(self) -> str:
        if self.fraction is None:
            return "with its metrics absent"
        return ", ".join(f"{metric}={sample_text(value)}" for metric, value in self.values.items())


@dataclass(frozen=True)
class FireRange:
    """What driving one alert's metrics across their range showed."""

    alert: AlertRule
    ranges: tuple[MetricRange, ...] = ()
    unknown: tuple[str, ...] = ()  # metrics without a known range: the alert is not judged
    fires_at: tuple[Point, ...] = ()  # in-range points where it fired
    quiet_at: tuple[Point, ...] = ()  # in-range points where it did not
    fires_when_absent: bool = False
    problem: str | None = None  # promtool could not run the generated test

    @property
    def judged(self) -> bool:
        return bool(self.ranges) and not self.unknown and self.problem is None

    @property
    def can_fire(self) -> bool:
        return bool(self.fires_at) or self.fires_when_absent

    @property
    def can_resolve(self) -> bool:
        return bool(self.quiet_at)


def sample_text(value: float) -> str:
    """A sample value as promtool's series notation takes it: positional, no exponent."""
    return f"{value:.9f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
