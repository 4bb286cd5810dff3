"""The bundled Grafana dashboard 14574, read panel by panel, and dashboards that cannot be read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gpu_conformance.monitoring.bundled import DASHBOARD
from gpu_conformance.monitoring.dashboard import dashboard_from_model, load_dashboard
from gpu_conformance.monitoring.dashboard_series import need_of


def test_the_bundled_dashboard_is_14574_with_its_panels_and_pickers() -> None:
    dashboard = load_dashboard(DASHBOARD)
    assert (dashboard.uid, dashboard.title) == ("vlvPlrgnk", "Nvidia GPU Metrics")
    reads = {p.title: {str(s) for q in p.queries for s in q.selectors} for p in dashboard.variables}
    assert reads == {"variable $job": {"nvidia_smi_index"}, "variable $node": {"nvidia_smi_index"},
                     "variable $gpu": {"nvidia_smi_gpu_info"}}
    panels = {p.title: {str(s) for q in p.queries for s in q.selectors} for p in dashboard.panels}
    assert panels["Recovery Action"] == {"nvidia_smi_gpu_recovery_action"}
    assert panels["Memory Alloc"] == {"nvidia_smi_memory_used_bytes", "nvidia_smi_memory_total_bytes"}
    assert panels["ECC Uncorrected (detail)"] == {'{__name__=~"nvidia_smi_ecc_errors_uncorrected_.+"}'}
    assert "Graphics Clock Speed" in panels  # a panel inside a collapsed row
    assert "Overview" not in panels  # a row reads nothing


def test_hidden_targets_and_non_query_variables_read_nothing() -> None:
    model = {"uid": "u", "title": "t", "templating": {"list": [{"type": "datasource", "name": "ds"},
                                                               {"type": "query", "name": "v", "query": ""}]},
             "panels": [{"title": "p", "targets": [{"expr": "a"}, {"expr": "b", "hide": True}]}]}
    dashboard = dashboard_from_model(model, "inline")
    assert dashboard.variables == ()
    assert [str(s) for s in dashboard.panels[0].queries[0].selectors] == ["a"]
    assert len(dashboard.panels[0].queries) == 1


def test_a_query_that_is_not_promql_is_named_with_its_panel() -> None:
    with pytest.raises(ValueError, match=r"^Temperature: "):
        dashboard_from_model({"panels": [{"title": "Temperature", "targets": [{"expr": "sum(a"}]}]}, "inline")


@pytest.mark.parametrize("text", ["{", "[1, 2]"])
def test_a_file_that_is_no_dashboard_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "d.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=str(path)):
        load_dashboard(path)


def test_the_bundled_file_is_the_exporters_own() -> None:
    """Bundled byte for byte: the source file says from where."""
    source = (DASHBOARD.parent / "SOURCE.md").read_text()
    assert "v1.14.0/docs/grafana/dashboard.json" in source
    assert json.loads(DASHBOARD.read_text())["uid"] == "vlvPlrgnk"


def test_every_panel_that_may_stay_empty_is_in_the_sources_table() -> None:
    """Served every series no condition guards, the panels left empty are exactly those SOURCE.md lists."""
    dashboard = load_dashboard(DASHBOARD)
    unguarded = frozenset(s.name for p in (*dashboard.variables, *dashboard.panels) for q in p.queries
                          for s in q.selectors if s.name and need_of(s.name) is None)
    empty = {p.title for p in dashboard.panels if not p.returns_data(unguarded)}
    table = (DASHBOARD.parent / "SOURCE.md").read_text().split("## Panels that may be empty")[1]
    listed = {title for row in table.splitlines() if row.startswith("| ") and not row.startswith(("| panel", "|---"))
              for title in row.split(" | ")[0].removeprefix("| ").split(", ")}
    assert empty == listed
