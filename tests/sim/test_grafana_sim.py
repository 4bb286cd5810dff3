"""The simulated Grafana answers as Grafana's HTTP API does: bearer tokens, dashboards by uid and title, data
sources and their health check, which really queries the data source's Prometheus."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from gpusim.grafana import PROMETHEUS_ERROR, PROMETHEUS_OK
from gpusim.tls import make_tls

from tests.sim.grafana_support import NOTHING_LISTENS, TOKEN, grafana, prometheus

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_requests_without_or_with_a_wrong_token_are_refused() -> None:
    with grafana(NOTHING_LISTENS) as server:
        anonymous = requests.get(server.url + "/api/dashboards/uid/vlvPlrgnk", timeout=5)
        wrong = requests.get(server.url + "/api/datasources", headers={"Authorization": "Bearer x"}, timeout=5)
    assert (anonymous.status_code, anonymous.json()) == (401, {"message": "Unauthorized"})
    assert (wrong.status_code, wrong.json()["message"]) == (401, "Invalid API key")


def test_an_installed_dashboard_is_found_by_uid_and_by_title() -> None:
    with grafana(NOTHING_LISTENS) as server:
        by_uid = requests.get(server.url + "/api/dashboards/uid/vlvPlrgnk", headers=AUTH, timeout=5).json()
        hits = requests.get(server.url + "/api/search?type=dash-db&query=nvidia%20gpu", headers=AUTH, timeout=5)
        missing = requests.get(server.url + "/api/dashboards/uid/nope", headers=AUTH, timeout=5)
    assert by_uid["dashboard"]["title"] == "Nvidia GPU Metrics"
    assert by_uid["meta"]["url"] == "/d/vlvPlrgnk/nvidia-gpu-metrics"
    assert [(h["uid"], h["type"]) for h in hits.json()] == [("vlvPlrgnk", "dash-db")]
    assert (missing.status_code, missing.json()) == (404, {"message": "Dashboard not found"})


@pytest.mark.parametrize("reachable", [True, False])
def test_the_health_check_queries_the_data_sources_prometheus(reachable: bool) -> None:
    with prometheus() as live, grafana(live if reachable else NOTHING_LISTENS) as server:
        [source] = requests.get(server.url + "/api/datasources", headers=AUTH, timeout=5).json()
        health = requests.get(server.url + f"/api/datasources/uid/{source['uid']}/health", headers=AUTH, timeout=5)
    assert (source["type"], source["isDefault"]) == ("prometheus", True)
    expected = (200, {"message": PROMETHEUS_OK, "status": "OK"}) if reachable else (
        400, {"message": PROMETHEUS_ERROR, "status": "ERROR"})
    assert (health.status_code, health.json()) == expected


def test_it_serves_tls_that_only_its_ca_verifies(tmp_path: Path) -> None:
    tls = make_tls()
    ca = tmp_path / "ca.pem"
    ca.write_bytes(tls.ca_pem)
    with grafana(NOTHING_LISTENS, tls=tls) as server:
        assert server.url.startswith("https://")
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(server.url + "/api/datasources", headers=AUTH, timeout=5)
        assert requests.get(server.url + "/api/datasources", headers=AUTH, timeout=5, verify=str(ca)).ok
