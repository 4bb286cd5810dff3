"""summary.json: one typed writer and one typed reader, so what a run wrote is what the gate (or CI) reads.

Its shape, schema 1::

    {"schema": 1,
     "run": {"cluster": {"name", "server", "kubeconfig", "context", "cluster"}, "namespace": "...",
             "interrupted": false, "level": "all", "admission_levels": ["tutorial", "hardening"]},
     "totals": {"passed": N, "failed": N, "broken": N, "skipped": N},
     "root_causes": [{"check", "node", "consequences": [{"check", "node"}, ...]}, ...],
     "results": [{"check", "node", "outcome", "message", "duration_s", "caused_by": [check ids], "level"}, ...]}

``root_causes`` is derived from the results' ``caused_by`` (root_causes.py): the failures to fix first. Each
result carries its check's level (``tutorial`` or ``hardening``); ``run.level`` is the run's ``--level`` and
``run.admission_levels`` the levels whose failures keep ``gpu-conformance gate`` from admitting a node. A
summary written before levels existed reads as ``tutorial`` results of a run of every level.

Messages were redacted before they became results; the cluster identity holds no credential.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, get_args

from ..checks import LEVELS, Level
from ..errors import UsageError
from ..facts.cluster_identity import ClusterIdentity
from ..levels import LEVEL_CHOICES
from .results import Outcome, Result
from .root_causes import root_causes

SCHEMA = 1
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)


@dataclass(frozen=True)
class RunInfo:
    cluster: ClusterIdentity
    namespace: str  # where the run's probe pods and vectoradd Jobs were
    interrupted: bool = False  # Ctrl-C or SIGTERM: the results are partial, no verdict on the cluster
    level: str = "all"  # --level: the levels whose checks the run selected
    admission_levels: tuple[str, ...] = LEVELS  # levels whose failures keep the gate from admitting the node


@dataclass(frozen=True)
class Summary:
    run: RunInfo
    results: tuple[Result, ...]

    def totals(self) -> dict[str, int]:
        return {outcome: sum(1 for r in self.results if r.outcome == outcome) for outcome in OUTCOMES}


def write_summary(path: Path, summary: Summary) -> None:
    results = sorted(summary.results, key=lambda r: (r.node, r.check))
    causes = [{"check": cause.check, "node": cause.node,
               "consequences": [{"check": c.check, "node": c.node} for c in consequences]}
              for cause, consequences in root_causes(results)]
    body = {"schema": SCHEMA, "run": asdict(summary.run), "totals": summary.totals(), "root_causes": causes,
            "results": [asdict(r) for r in results]}
    path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n")


def read_summary(path: Path) -> Summary:
    """The summary at ``path``; UsageError naming the file and what is wrong with it (one line)."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not JSON: {exc}") from None
    try:
        if body.get("schema") != SCHEMA:
            raise ValueError(f"schema {body.get('schema')!r}, expected {SCHEMA}")
        run = body["run"]
        cluster = ClusterIdentity(**{**run["cluster"], "kubeconfig": tuple(run["cluster"].get("kubeconfig", ()))})
        if not isinstance(run["interrupted"], bool):
            raise ValueError(f"run.interrupted {run['interrupted']!r} is not true or false")
        return Summary(RunInfo(cluster, str(run["namespace"]), run["interrupted"],
                               _one_of("run.level", run.get("level", "all"), LEVEL_CHOICES),
                               tuple(_level("run.admission_levels item", level)
                                     for level in run.get("admission_levels", LEVELS))),
                       tuple(_result(r) for r in body["results"]))
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"{path}: not a gpu-conformance summary: {_what(exc)}") from None


def _result(item: dict[str, Any]) -> Result:
    _one_of("outcome", item["outcome"], OUTCOMES)
    return Result(str(item["check"]), str(item["node"]), item["outcome"], str(item["message"]),
                  float(item["duration_s"]), tuple(str(c) for c in item.get("caused_by", ())),
                  _level(f"level of {item['check']}", item.get("level", "tutorial")))


def _one_of(what: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"{what} {value!r} is none of {', '.join(choices)}")
    return str(value)


def _level(what: str, value: Any) -> Level:
    return LEVELS[LEVELS.index(_one_of(what, value, LEVELS))]  # a Level, as mypy sees it


def _what(exc: Exception) -> str:
    return f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
