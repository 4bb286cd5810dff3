"""A Grafana server as its HTTP API answers a reader: dashboards, search, data sources and their health check.

Shapes and status codes from Grafana's docs (docs/sources/developers/http_api/dashboard.md, data_source.md) and
pkg/api/plugins.go (the health check answers ``{"status": "OK"|"ERROR", "message": ...}`` with 200 or 400).
Authentication is a service account token sent as ``Authorization: Bearer``; without credentials Grafana answers
401 ``{"message": "Unauthorized"}``, with a wrong token 401 ``{"message": "Invalid API key", ...}`` (seen in
Grafana 10/11 answers; the exact extra fields are not confirmed). ``{"message": "Dashboard not found"}`` is
Grafana's ErrDashboardNotFound; ``{"message": "Data source not found"}`` for an unknown data source uid is not
confirmed from its source.

A Prometheus data source's health check queries ``1+1`` at its URL, as Grafana's Prometheus plugin does
(its failure text, "There was an error returned querying the Prometheus API.", is as Grafana's UI shows it), so
a data source pointing where nothing answers fails the way a real one does. Only what a reader needs is served:
no writes, no folders, no permissions beyond the one token.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.error import URLError
from urllib.parse import parse_qs, urlsplit
from urllib.request import urlopen

from gpusim.tls import TlsMaterial, server_context

PROMETHEUS_OK = "Successfully queried the Prometheus API."
PROMETHEUS_ERROR = "There was an error returned querying the Prometheus API."
_HEALTH = re.compile(r"^/api/datasources/uid/(?P<uid>[^/]+)/health$")
_DASHBOARD = re.compile(r"^/api/dashboards/uid/(?P<uid>[^/]+)$")


@dataclass(frozen=True)
class DataSource:
    uid: str
    name: str
    url: str  # where the data source's server answers
    type: str = "prometheus"
    is_default: bool = False


@dataclass
class GrafanaState:
    token: str
    dashboards: list[dict[str, Any]] = field(default_factory=list)  # dashboard JSON models, as imported
    datasources: list[DataSource] = field(default_factory=list)


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def _prometheus_health(source: DataSource) -> tuple[int, dict[str, str]]:
    try:
        with urlopen(source.url.rstrip("/") + "/api/v1/query?query=1%2B1", timeout=5) as answer:
            body = json.load(answer)
    except (URLError, OSError, ValueError):
        return 400, {"message": PROMETHEUS_ERROR, "status": "ERROR"}
    if not isinstance(body, dict) or body.get("status") != "success":
        return 400, {"message": PROMETHEUS_ERROR, "status": "ERROR"}
    return 200, {"message": PROMETHEUS_OK, "status": "OK"}


class _Handler(BaseHTTPRequestHandler):
    server: _GrafanaServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorized(self) -> bool:
        header = self.headers.get("Authorization", "")
        if not header:
            self._send(401, {"message": "Unauthorized"})
            return False
        if header != f"Bearer {self.server.state.token}":
            self._send(401, {"message": "Invalid API key", "messageId": "api-key.invalid", "statusCode": 401,
                             "traceID": ""})
            return False
        return True

    def do_GET(self) -> None:
        if not self._authorized():
            return
        parts = urlsplit(self.path)
        state = self.server.state
        if (match := _DASHBOARD.match(parts.path)) is not None:
            self._dashboard(match.group("uid"))
        elif parts.path == "/api/search":
            query = parse_qs(parts.query).get("query", [""])[0].lower()
            self._send(200, [self._hit(model) for model in state.dashboards
                             if query in str(model.get("title", "")).lower()])
        elif parts.path == "/api/datasources":
            self._send(200, [{"id": i + 1, "uid": s.uid, "orgId": 1, "name": s.name, "type": s.type,
                              "typeName": s.type.capitalize(), "access": "proxy", "url": s.url,
                              "isDefault": s.is_default, "readOnly": False}
                             for i, s in enumerate(state.datasources)])
        elif (match := _HEALTH.match(parts.path)) is not None:
            source = next((s for s in state.datasources if s.uid == match.group("uid")), None)
            if source is None:
                self._send(404, {"message": "Data source not found"})
            else:
                self._send(*_prometheus_health(source))
        else:
            self._send(404, {"message": "Not found"})

    def _hit(self, model: Mapping[str, Any]) -> dict[str, Any]:
        uid, title = str(model.get("uid")), str(model.get("title"))
        return {"id": model.get("id"), "uid": uid, "title": title, "uri": f"db/{_slug(title)}",
                "url": f"/d/{uid}/{_slug(title)}", "slug": "", "type": "dash-db", "tags": model.get("tags", []),
                "isStarred": False, "sortMeta": 0}

    def _dashboard(self, uid: str) -> None:
        model = next((m for m in self.server.state.dashboards if m.get("uid") == uid), None)
        if model is None:
            self._send(404, {"message": "Dashboard not found"})
            return
        title = str(model.get("title"))
        meta = {"type": "db", "canSave": False, "canEdit": False, "slug": _slug(title),
                "url": f"/d/{uid}/{_slug(title)}", "version": model.get("version", 1), "folderTitle": "General",
                "provisioned": False}
        self._send(200, {"dashboard": model, "meta": meta})


class _GrafanaServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: GrafanaState) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


class SimGrafana:
    """A Grafana on a loopback port (TLS with ``tls``); ``url`` once started. Dashboards are stored as imported:
    Grafana gives an imported model an ``id`` and a ``version``."""

    def __init__(self, token: str, dashboards: Sequence[Mapping[str, Any]] = (),
                 datasources: Sequence[DataSource] = (), tls: TlsMaterial | None = None) -> None:
        imported = [{**model, "id": i + 1, "version": 1} for i, model in enumerate(dashboards)]
        self.state = GrafanaState(token, imported, list(datasources))
        self._server = _GrafanaServer(self.state)
        if tls is not None:
            self._server.socket = server_context(tls).wrap_socket(self._server.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="sim-grafana", daemon=True)

    def __enter__(self) -> SimGrafana:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

