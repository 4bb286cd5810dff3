"""A Grafana with the bundled dashboard 14574 imported, and a Prometheus stand-in its data source can reach."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from gpusim.grafana import DataSource, SimGrafana
from gpusim.tls import TlsMaterial

TOKEN = "glsa_test0123456789abcdef"  # the shape of a service account token, not a real one
DASHBOARD_14574 = Path(__file__).parents[2] / "monitoring" / "grafana" / "nvidia-gpu-metrics-14574.json"
NOTHING_LISTENS = "http://127.0.0.1:9"  # the discard port: refused on loopback


class _PrometheusQuery(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        body = json.dumps({"status": "success", "data": {"resultType": "scalar", "result": [0, "2"]}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def prometheus() -> Iterator[str]:
    """An address answering Prometheus' /api/v1/query as a live server does (``1+1`` = 2)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PrometheusQuery)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def dashboard_14574() -> dict[str, Any]:
    """The dashboard as Grafana holds it after an import: the model, its ${datasource} variable unset."""
    model: dict[str, Any] = json.loads(DASHBOARD_14574.read_text())
    return model


@contextmanager
def grafana(prometheus_url: str, dashboards: tuple[dict[str, Any], ...] | None = None,
            tls: TlsMaterial | None = None) -> Iterator[SimGrafana]:
    source = DataSource("P1809F7CD0C75ACF3", "Prometheus", prometheus_url, is_default=True)
    shown = (dashboard_14574(),) if dashboards is None else dashboards
    with SimGrafana(TOKEN, shown, (source,), tls) as server:
        yield server
