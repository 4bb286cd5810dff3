"""MON-GRAFANA-DASHBOARD against the simulated Grafana: installed or not, by uid or title, its data source
healthy or failing, the token missing or refused, TLS verified; the token never in a message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from gpusim.grafana import DataSource, SimGrafana
from gpusim.tls import make_tls

from gpu_conformance.facts.grafana import GrafanaFacts
from gpu_conformance.monitoring.bundled import DASHBOARD
from gpu_conformance.monitoring.dashboard import load_dashboard
from gpu_conformance.monitoring.grafana import GrafanaUnreadable, read_grafana
from gpu_conformance.requirements.grafana import grafana_dashboard_live
from gpu_conformance.secret import Secret
from gpu_conformance.verdict import Verdict
from tests.sim.grafana_support import NOTHING_LISTENS, TOKEN, dashboard_14574, grafana, prometheus

BUNDLED = load_dashboard(DASHBOARD)


def ask(server: SimGrafana, token: str | None = TOKEN) -> GrafanaFacts:
    return read_grafana(server.url, BUNDLED.uid, BUNDLED.title, Secret(token) if token else None, "GRAFANA_TOKEN",
                        timeout=5)


def judged(server: SimGrafana) -> Verdict:
    verdict = grafana_dashboard_live(ask(server), BUNDLED)
    assert TOKEN not in verdict.message
    return verdict


def test_the_installed_dashboard_and_a_healthy_data_source_pass() -> None:
    with prometheus() as live, grafana(live) as server:
        verdict = judged(server)
    assert verdict.ok and not verdict.skip
    assert verdict.message == (
        "found dashboard 'Nvidia GPU Metrics' (uid vlvPlrgnk, version 1) at /d/vlvPlrgnk/nvidia-gpu-metrics; data "
        "source 'Prometheus' (uid P1809F7CD0C75ACF3, prometheus) OK: Successfully queried the Prometheus API. at "
        f"{server.url}")


def test_a_dashboard_imported_under_another_uid_is_found_by_title() -> None:
    with prometheus() as live, grafana(live, ({**dashboard_14574(), "uid": "abc123"},)) as server:
        facts = ask(server)
    assert facts.dashboard is not None and facts.dashboard.uid == "abc123"
    assert "GET /api/search?type=dash-db&query=Nvidia%20GPU%20Metrics" in facts.looked


def test_a_missing_dashboard_fails_saying_where_it_was_looked_for() -> None:
    with prometheus() as live, grafana(live, ()) as server:
        verdict = judged(server)
    assert not verdict.ok
    assert verdict.message.startswith(
        "[MON-GRAFANA-DASHBOARD] found no dashboard 'Nvidia GPU Metrics' (uid vlvPlrgnk): GET "
        "/api/dashboards/uid/vlvPlrgnk (not found), GET /api/search?type=dash-db&query=Nvidia%20GPU%20Metrics (no "
        f"dashboard titled 'Nvidia GPU Metrics') at {server.url}, expected dashboard 'Nvidia GPU Metrics' (uid "
        "vlvPlrgnk) installed; fix: import the dashboard")


def test_a_data_source_whose_prometheus_does_not_answer_fails() -> None:
    with grafana(NOTHING_LISTENS) as server:
        verdict = judged(server)
    assert not verdict.ok
    assert ("data source 'Prometheus' (uid P1809F7CD0C75ACF3, prometheus) answering HTTP 400 ERROR: There was an "
            f"error returned querying the Prometheus API. at {server.url} GET "
            "/api/datasources/uid/P1809F7CD0C75ACF3/health, expected its health check answering status OK") \
        in verdict.message


def test_no_prometheus_data_source_fails() -> None:
    loki = DataSource("L1", "Loki", NOTHING_LISTENS, type="loki")
    with SimGrafana(TOKEN, (dashboard_14574(),), (loki,)) as server:
        verdict = judged(server)
    assert "GET /api/datasources lists no Prometheus data source (data sources: Loki (loki))" in verdict.message


@pytest.mark.parametrize(("token", "said"), [
    (None, "HTTP 401 Unauthorized: $GRAFANA_TOKEN is not set"),
    ("glsa_wrong", "HTTP 401 Invalid API key: the token in $GRAFANA_TOKEN was refused"),
])
def test_a_missing_or_refused_token_is_no_finding(token: str | None, said: str) -> None:
    with grafana(NOTHING_LISTENS) as server, pytest.raises(GrafanaUnreadable, match=re.escape(said)) as caught:
        ask(server, token)
    assert "glsa_" not in str(caught.value)


def test_tls_is_verified_and_a_private_ca_comes_from_requests_ca_bundle(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    tls = make_tls()
    with prometheus() as live, grafana(live, tls=tls) as server:
        with pytest.raises(GrafanaUnreadable, match=r"TLS verification failed .*REQUESTS_CA_BUNDLE"):
            ask(server)
        (tmp_path / "ca.pem").write_bytes(tls.ca_pem)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "ca.pem"))
        assert ask(server).datasource is not None
