"""Can an alert fire, and can it resolve? Ask promtool, driving its metrics across their physical range.

For each alert the suite writes a promtool unit-test file: one test group per point of the range
(41 even steps, plus points at and just around every number literal of the expression that falls
in the range), each holding the metrics at that point long enough for ``for:`` to elapse, and one
group where the metrics are absent (so ``absent()`` rules are judged fairly). Each group expects
no alert; promtool names every group where the alert did fire (``alertname: A, time: T``), and the
group's distinct evaluation time says which point that was.

All driven metrics of an alert move together (``fraction`` of their range); totals are held at
their maximum and free-memory metrics fall as used memory rises, so ``used / total`` sweeps 0..1.
The alert runs alone (with the recording rules of its files) so same-named alerts do not mix.
"""

from __future__ import annotations

import json
import math
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from gpu_conformance.facts.fire_range import FireRange, Point, sample_text
from gpu_conformance.facts.rules import AlertRule, RuleFile

from .promql import Selector
from .promtool import Promtool
from .rules import duration_seconds
from .units import MetricRange, metric_range

STEPS = 40
NUDGE = 1e-6  # of the range: points just below and above a literal, for strict comparisons
_FAILED_ALERT = re.compile(r"^\s*alertname: (.*), time: ([0-9a-z.]+), *$", re.MULTILINE)
_SIMPLE_ALTERNATION = re.compile(r"^[\w.:/-]+(\|[\w.:/-]+)*$")
_GPU_LABELS = {
    "nvidia_smi_": {"uuid": "df6e7a7c-7314-46f8-abc4-b88b36dcf3aa"},
    "DCGM_": {"gpu": "0", "UUID": "GPU-df6e7a7c-7314-46f8-abc4-b88b36dcf3aa", "device": "nvidia0",
              "pci_bus_id": "00000000:01:00.0", "modelName": "NVIDIA H100 80GB HBM3", "Hostname": "gpu-node"},
}
_TARGET_LABELS = {"instance": "gpu-node:9835", "job": "gpu-exporter"}


def fractions(ranges: Sequence[MetricRange], literals: Iterable[float]) -> list[float]:
    """Even steps of 0..1, plus the fractions where a driven metric meets a literal, and just around it."""
    found = {step / STEPS for step in range(STEPS + 1)}
    for metric in ranges:
        if metric.role == "capacity" or metric.high == metric.low:
            continue
        for literal in literals:
            for value in (literal, -literal):
                if math.isfinite(value) and metric.low <= value <= metric.high:
                    at = (value - metric.low) / (metric.high - metric.low)
                    at = 1 - at if metric.role == "complement" else at
                    found.update(min(1.0, max(0.0, at + nudge)) for nudge in (-NUDGE, 0.0, NUDGE))
    return sorted(found)


def series_labels(selector: Selector, selectors: Sequence[Selector]) -> dict[str, str]:
    """The labels of the series fed for ``selector``: its exporter's usual ones, the job's, and what
    the expression's equality (or simple regex) matchers ask for, the same on every series."""
    labels = dict(_TARGET_LABELS)
    for prefix, extra in _GPU_LABELS.items():
        if selector.metric.startswith(prefix):
            labels.update(extra)
    for each in (*selectors, selector):  # the selector's own matchers last: they win
        for label, op, value in each.matchers:
            if op == "=":
                labels[label] = value
            elif op == "=~" and _SIMPLE_ALTERNATION.match(value):
                labels[label] = value.split("|")[0]
    return labels


def _series(metric: str, labels: Mapping[str, str]) -> str:
    inner = ", ".join(f"{name}={json.dumps(value, ensure_ascii=False)}" for name, value in labels.items())
    return f"{metric}{{{inner}}}"


def _rules_document(alert: AlertRule, files: Sequence[RuleFile]) -> dict[str, Any]:
    """Every recording rule of the files, and the alert alone in its group (evaluated every interval)."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for rule_file in files:
        for recording in rule_file.recordings:
            groups.setdefault(f"{rule_file.path}:{recording.group}", []).append(dict(recording.source))
    named = [{"name": f"recording {i}", "rules": rules} for i, rules in enumerate(groups.values())]
    return {"groups": [*named, {"name": "alert under test", "rules": [dict(alert.source)]}]}


def _test_document(alert: AlertRule, points: Sequence[Point], selectors: Sequence[Selector],
                   hold_minutes: int) -> dict[str, Any]:
    tests = []
    for index, point in enumerate(points):
        minutes = hold_minutes + index
        inputs = [{"series": _series(s.metric, series_labels(s, selectors)),
                   "values": f"{sample_text(point.values[s.metric])}x{minutes + 1}"}
                  for s in {s.metric: s for s in selectors}.values() if s.metric in point.values]
        tests.append({"interval": "1m", "input_series": inputs,
                      "alert_rule_test": [{"eval_time": f"{minutes}m", "alertname": alert.name,
                                           "exp_alerts": []}]})
    return {"rule_files": ["rules.yml"], "evaluation_interval": "1m", "tests": tests}


def fire_range(promtool: Promtool, alert: AlertRule, files: Sequence[RuleFile],
               memory_bytes: int | None = None) -> FireRange:
    """Drive ``alert``'s metrics across their range with promtool and see where it fires."""
    ranges = {m: metric_range(m, memory_bytes) for m in alert.metrics}
    known = tuple(r for r in ranges.values() if r is not None)
    unknown = tuple(m for m, r in ranges.items() if r is None)
    if unknown or not known:
        return FireRange(alert, known, unknown)
    expression = alert.expression
    points = [Point(f, {r.metric: r.value_at(f) for r in known})
              for f in fractions(known, expression.numbers)]
    points.append(Point(None, {}))
    hold_minutes = math.ceil((alert.for_seconds + alert.keep_firing_seconds) / 60) + 2
    selectors = [s for s in expression.selectors if s.metric in ranges] or [
        Selector(r.metric) for r in known]  # metrics read through recording rules
    with tempfile.TemporaryDirectory(prefix="gpu-conformance-fire-range-") as folder:
        rules = _rules_document(alert, files)
        test = _test_document(alert, points, selectors, hold_minutes)
        Path(folder, "rules.yml").write_text(yaml.safe_dump(rules, allow_unicode=True))
        Path(folder, "test.yml").write_text(yaml.safe_dump(test, allow_unicode=True))
        run = promtool.test_rules("test.yml", cwd=Path(folder))
    reported = _FAILED_ALERT.findall(run.stdout + run.stderr)
    fired_minutes = {round(duration_seconds(time) / 60) for _, time in reported}
    if not run.ok and not fired_minutes:
        return FireRange(alert, known, problem=f"{run.command} on the generated test: {run.summary()}")
    fired = [hold_minutes + i in fired_minutes for i in range(len(points))]
    in_range = list(zip(points[:-1], fired[:-1], strict=True))
    return FireRange(alert, known, (), tuple(p for p, hit in in_range if hit),
                     tuple(p for p, hit in in_range if not hit), fired[-1])
