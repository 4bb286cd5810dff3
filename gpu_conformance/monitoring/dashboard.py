"""A Grafana dashboard's Prometheus queries, panel by panel: what each panel (and each template variable) reads.

Read from the dashboard's JSON model (Grafana's export format: ``panels[]``, rows nesting ``panels[]`` of their
own, each panel's ``targets[].expr``; ``templating.list[]`` with ``query`` as text or ``{query: ...}``). Grafana's
own ``label_values(metric, label)`` variable function reads the metric; a variable of another kind
(datasource, custom, interval) reads nothing. Hidden targets (``hide: true``) are left out, as Grafana does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gpu_conformance.monitoring.promql_presence import Query, parse

_LABEL_VALUES = re.compile(r"^\s*label_values\((?P<selector>.*),\s*[a-zA-Z_]\w*\s*\)\s*$", re.DOTALL)


@dataclass(frozen=True)
class Panel:
    """A panel, or a template variable (``title`` ``variable $gpu``): the queries Grafana sends for it."""

    title: str
    queries: tuple[Query, ...]

    def returns_data(self, served: frozenset[str]) -> bool:
        return any(query.returns_data(served) for query in self.queries)


@dataclass(frozen=True)
class Dashboard:
    uid: str
    title: str
    source: str  # where the model was read
    variables: tuple[Panel, ...]
    panels: tuple[Panel, ...]


def _panels(items: list[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    for item in items:
        yield item
        yield from _panels(item.get("panels") or [])


def _variable_query(variable: Mapping[str, Any]) -> str | None:
    if variable.get("type") != "query":
        return None
    query = variable.get("query")
    text = query.get("query") if isinstance(query, Mapping) else query
    if not isinstance(text, str) or not text.strip():
        return None
    values = _LABEL_VALUES.match(text)
    return values.group("selector") if values else text


def dashboard_from_model(model: Mapping[str, Any], source: str) -> Dashboard:
    """The dashboard's queries; ValueError naming the panel whose query is not PromQL this suite reads."""
    variables = []
    for variable in (model.get("templating") or {}).get("list") or []:
        text = _variable_query(variable)
        if text is not None:
            title = f"variable ${variable.get('name')}"
            variables.append(Panel(title, (_parsed(text, title),)))
    panels = []
    for panel in _panels(model.get("panels") or []):
        title = str(panel.get("title") or f"panel {panel.get('id')}")
        exprs = [t["expr"] for t in panel.get("targets") or [] if t.get("expr") and not t.get("hide")]
        if exprs:
            panels.append(Panel(title, tuple(_parsed(expr, title) for expr in exprs)))
    return Dashboard(str(model.get("uid") or ""), str(model.get("title") or ""), source, tuple(variables),
                     tuple(panels))


def _parsed(text: str, where: str) -> Query:
    try:
        return parse(text)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from exc


def load_dashboard(path: Path) -> Dashboard:
    """The dashboard exported to ``path``; ValueError for a file that is not one (OSError where unreadable)."""
    try:
        model = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not JSON: {exc}") from exc
    if not isinstance(model, Mapping):
        raise ValueError(f"{path}: not a Grafana dashboard model (a JSON object)")
    return dashboard_from_model(model, str(path))
