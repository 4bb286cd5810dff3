"""Alert rules that load, pass their tests, can fire and resolve on real values, and read served metrics
(tutorial 三、Prometheus监控GPU, 告警规则)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from gpu_conformance.checks import RULES_CAN_FIRE, RULES_METRICS_EXIST, RULES_UNIT_TESTS, RULES_VALID, Check
from gpu_conformance.facts.fire_range import FireRange
from gpu_conformance.facts.promtool import PromtoolRun
from gpu_conformance.facts.rules import AlertRule, RuleFile
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.requirements.wording import plural, quoted
from gpu_conformance.verdict import Verdict

# Series Prometheus makes itself for every target or alert: no exporter serves them.
PROMETHEUS_SERIES = frozenset({"up", "scrape_duration_seconds", "scrape_samples_scraped",
                               "scrape_samples_post_metric_relabeling", "scrape_series_added",
                               "ALERTS", "ALERTS_FOR_STATE"})
_RUNTIME_PREFIXES = ("go_", "process_", "promhttp_")  # every Go exporter's own series, not GPU metrics
_FAMILY_SIZE = 3  # names sharing a prefix that make it worth naming as what the exporters serve


def _promtool_runs(check: Check, runs: Sequence[PromtoolRun], what: str, expected: str) -> Verdict:
    """Every run succeeded, or the failing ones with promtool's own words."""
    if not runs:
        raise FactsUnavailable(f"[{check.id}] no {what} to run promtool on")
    failed = [r for r in runs if not r.ok]
    commands = "; ".join(f"`{r.command}`" for r in (failed or runs))
    if not failed:
        return Verdict.passed(check, f"{plural(len(runs), what)} passing", commands)
    found = "; ".join(f"{quoted(r.summary())} (exit {r.returncode})" for r in failed)
    return Verdict.failed(check, found, commands, expected)


def rules_valid(runs: Sequence[PromtoolRun]) -> Verdict:
    """RULES-VALID: `promtool check rules` succeeds on every rule file (one run per file)."""
    return _promtool_runs(RULES_VALID, runs, "rule file", "every rule file to load (exit 0)")


def rule_tests_pass(runs: Sequence[PromtoolRun]) -> Verdict:
    """RULES-UNIT-TESTS: `promtool test rules` succeeds on the bundled and the user's test files."""
    return _promtool_runs(RULES_UNIT_TESTS, runs, "rule test file", "every unit test to pass (exit 0)")


def _threshold(alert: AlertRule) -> str:
    comparisons = alert.expression.comparisons
    return ", ".join(f"threshold {c.op} {c.literal}" for c in comparisons) if comparisons else "no threshold"


def _range_text(result: FireRange) -> str:
    return " with " + ", ".join(r.describe() for r in result.ranges)


def _finding(result: FireRange) -> str | None:
    """What is wrong with one judged alert, or None."""
    alert = result.alert
    name = f"alert {alert.name} (`{alert.expr}`, {alert.where})"
    if not result.can_fire:
        return (f"{name} never fires{_range_text(result)}, nor with the metrics absent: "
                f"{_threshold(alert)} lies outside what the metric can read")
    if not result.can_resolve:
        return f"{name} fires everywhere{_range_text(result)}, so it never resolves: {_threshold(alert)}"
    return None


def alerts_can_fire(results: Sequence[FireRange]) -> Verdict:
    """RULES-CAN-FIRE: each judged alert fires somewhere in its metrics' range and is quiet somewhere."""
    check = RULES_CAN_FIRE
    broken = [r for r in results if r.problem is not None]
    if broken:
        first = broken[0]
        raise FactsUnavailable(f"[{check.id}] could not drive alert {first.alert.name}: {first.problem}")
    judged = [r for r in results if r.judged]
    not_judged = [f"{r.alert.name} (reads {', '.join(r.unknown or r.alert.metrics) or 'no metric'}, "
                  "of no known range)" for r in results if not r.judged]
    if not judged:
        raise FactsUnavailable(f"[{check.id}] no alert to judge: {'; '.join(not_judged) or 'no alerts'}")
    source = "`promtool test rules` on generated tests driving each metric across its range"
    note = f"; not judged: {'; '.join(not_judged)}" if not_judged else ""
    findings = [f for f in map(_finding, judged) if f]
    if findings:
        return Verdict.failed(check, "; ".join(findings) + note, source,
                              "every alert to fire somewhere in that range and stay quiet somewhere")
    fired = ", ".join(f"{r.alert.name} from {r.fires_at[0].describe() if r.fires_at else 'absent metrics'}"
                      for r in judged)
    return Verdict.passed(check, f"{plural(len(judged), 'alert')} firing and resolving in range "
                                 f"({fired}){note}", source)


def alert_metrics(rule_files: Iterable[RuleFile]) -> dict[str, list[AlertRule]]:
    """Metric -> the alerts reading it (through recording rules), Prometheus' own series left out."""
    readers: dict[str, list[AlertRule]] = {}
    for rule_file in rule_files:
        for alert in rule_file.alerts:
            for metric in alert.metrics:
                if metric not in PROMETHEUS_SERIES:
                    readers.setdefault(metric, []).append(alert)
    return readers


def rule_metrics_served(rule_files: Sequence[RuleFile], served: frozenset[str], source: str) -> Verdict:
    """RULES-METRICS-EXIST: every metric an alert reads is among the metrics the exporters serve."""
    check = RULES_METRICS_EXIST
    if not served:
        raise FactsUnavailable(f"[{check.id}] no exporter metrics to compare with: {source}")
    readers = alert_metrics(rule_files)
    missing = {metric: alerts for metric, alerts in readers.items() if metric not in served}
    if not missing:
        return Verdict.passed(check, f"all {plural(len(readers), 'metric')} the alerts read "
                                     f"({', '.join(readers) or 'none'}) served", source)
    families = Counter("_".join(name.split("_")[:2]) + "_" for name in served
                       if not name.startswith(_RUNTIME_PREFIXES) and name.count("_") >= 2)
    serving = ", ".join(f"{prefix}*" for prefix, count in families.most_common() if count >= _FAMILY_SIZE)
    found = "; ".join(f"{metric} (read by {', '.join(a.name for a in alerts)}) not served" for metric, alerts
                      in missing.items())
    return Verdict.failed(check, f"{found}; the exporters serve {serving or 'no GPU'} metrics", source,
                          "every metric the alerts read among the exporters' metrics")
