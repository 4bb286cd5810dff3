"""A run's results as Prometheus metrics, and the textfile node_exporter's textfile collector reads them from.

The exposition is rendered through a private CollectorRegistry (never the process-wide one, which would mix
in this process' own metrics), so names, HELP, TYPE and escaping are prometheus_client's. Every series
carries ``cluster``; the Pushgateway's grouping key repeats it (pushgateway.py). Skipped checks have no
per-check series: a check the run did not judge is neither a pass nor a failure. Every per-check series carries
the check's ``level`` too; the families' names, types and HELP texts stay as they were, so a Pushgateway that
holds another cluster's group pushed by an earlier version (without ``level``) takes the push: it refuses a
metric whose type differs from another group's and logs a HELP text that differs, while series with and
without ``level`` sit side by side.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import CollectorRegistry, Gauge, generate_latest

from ..errors import UsageError
from .results import Outcome, Result

# Result outcomes as the metrics name them: "broken" is "could not inspect" everywhere users read it.
STATUS: dict[Outcome, str] = {"passed": "passed", "failed": "failed", "broken": "could_not_inspect",
                              "skipped": "skipped"}
JUDGED: tuple[Outcome, ...] = ("passed", "failed", "broken")  # the outcomes with per-check series
# When one (check, node) reported twice (a pass, then an error tearing its fixtures down), the worse counts.
_SEVERITY: dict[Outcome, int] = {"skipped": 0, "passed": 1, "broken": 2, "failed": 3}
TEXTFILE_SUFFIX = ".prom"


class PublishError(Exception):
    """The metrics could not be delivered; the message is one line naming where, never a credential."""


@dataclass(frozen=True)
class RunFacts:
    cluster: str  # the kubeconfig context's name, or "in-cluster"
    started: float  # Unix seconds
    finished: float


def render_interrupted(run: RunFacts) -> str:
    """The one series an interrupted run publishes: when it was cut short. Its partial results are not published,
    so they never replace the last complete run's, yet a dashboard or alert can see runs that never finish."""
    registry = CollectorRegistry(auto_describe=False)
    Gauge("gpu_conformance_last_interrupted_run_timestamp_seconds", "Unix time a run was last interrupted "
          "(Ctrl-C, SIGTERM): its partial results were not published", ("cluster",),
          registry=registry).labels(run.cluster).set(run.finished)
    return str(generate_latest(registry).decode("utf-8"))


def worst_per_check(results: Iterable[Result]) -> list[Result]:
    """One result per (check, node): the worst reported."""
    kept: dict[tuple[str, str], Result] = {}
    for result in results:
        seen = kept.get((result.check, result.node))
        if seen is None or _SEVERITY[result.outcome] > _SEVERITY[seen.outcome]:
            kept[(result.check, result.node)] = result
    return sorted(kept.values(), key=lambda r: (r.check, r.node))


def render(results: Iterable[Result], run: RunFacts) -> str:
    """The Prometheus text exposition (format 0.0.4) of one run."""
    registry = CollectorRegistry(auto_describe=False)
    per_check = ("cluster", "check", "node", "level")

    def gauge(name: str, help_text: str, labels: tuple[str, ...] = ("cluster",)) -> Gauge:
        return Gauge(name, help_text, labels, registry=registry)

    success = gauge("gpu_conformance_check_success", "1 if the check passed on the node in the last run, 0 if it "
                    "failed or the node could not be inspected; node=\"cluster\" for cluster-wide checks; "
                    "skipped checks are absent", per_check)
    status = gauge("gpu_conformance_check_status", "1 for the check's status in the last run (passed, failed: "
                   "the node does not meet it, could_not_inspect: its facts could not be gathered), 0 for the "
                   "other statuses", (*per_check, "status"))
    duration = gauge("gpu_conformance_check_duration_seconds", "Seconds the check took on the node in the last "
                     "run", per_check)
    root_cause = gauge("gpu_conformance_check_root_cause", "For a check that did not pass on the node: 1 if it is a "
                       "root cause, 0 if it is a consequence of another failing check it depends on; absent for "
                       "checks that passed or were skipped", per_check)
    counts = gauge("gpu_conformance_results", "(check, node) results of the last run per outcome",
                   ("cluster", "outcome"))
    gauge("gpu_conformance_last_run_timestamp_seconds", "Unix time the last run finished").labels(
        run.cluster).set(run.finished)
    gauge("gpu_conformance_run_duration_seconds", "Seconds the last run took, start to finish").labels(
        run.cluster).set(round(run.finished - run.started, 3))

    kept = worst_per_check(results)
    for outcome, name in STATUS.items():
        counts.labels(run.cluster, name).set(sum(1 for r in kept if r.outcome == outcome))
    for result in kept:
        if result.outcome not in JUDGED:
            continue
        labels = (run.cluster, result.check, result.node, result.level)
        success.labels(*labels).set(1 if result.outcome == "passed" else 0)
        duration.labels(*labels).set(result.duration_s)
        for outcome in JUDGED:
            status.labels(*labels, STATUS[outcome]).set(1 if outcome == result.outcome else 0)
        if result.outcome != "passed":
            root_cause.labels(*labels).set(0 if result.caused_by else 1)
    return str(generate_latest(registry).decode("utf-8"))


def textfile_path(setting: str) -> Path:
    """--metrics-file as a path; UsageError unless it ends in .prom, the only files the collector reads."""
    path = Path(setting)
    if path.suffix != TEXTFILE_SUFFIX:
        raise UsageError(f"--metrics-file {setting}: node_exporter's textfile collector reads only "
                         f"*{TEXTFILE_SUFFIX} files; name it e.g. gpu-conformance{TEXTFILE_SUFFIX}")
    return path


def write_textfile(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically: a scrape sees the previous file or this one, never half of it.

    The temporary file lies in the same directory (os.replace cannot cross file systems) and does not end
    in .prom, so the collector never reads it. Mode 0644: node_exporter usually runs as another user.
    """
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o644)
            handle.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise PublishError(f"cannot write {path}: {exc.strerror or exc}") from None
