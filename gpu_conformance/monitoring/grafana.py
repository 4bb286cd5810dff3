"""A live Grafana, through its HTTP API: is a dashboard installed (by uid, else by title), and does the Prometheus
data source its panels read answer Grafana's health check?

Grafana's API (docs/sources/developers/http_api/dashboard.md, data_source.md, search.md; pkg/api/plugins.go):
``GET /api/dashboards/uid/UID`` -> ``{dashboard, meta}`` or 404; ``GET /api/search?type=dash-db&query=TITLE`` ->
``[{uid, title, ...}]``; ``GET /api/datasources`` -> ``[{uid, name, type, isDefault, ...}]``;
``GET /api/datasources/uid/UID/health`` -> 200 ``{status: "OK", message}`` or 400 ``{status: "ERROR", message}``.
The token goes as ``Authorization: Bearer`` (a service account token) and is never shown: it is a
:class:`~gpu_conformance.secret.Secret`. TLS is verified (requests' defaults; REQUESTS_CA_BUNDLE for a private
CA). What keeps the suite from asking at all (no answer, TLS, a refused token, not Grafana's JSON) is
``GrafanaUnreadable``: the check reads "could not inspect", not a finding about the cluster.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import requests

from gpu_conformance.facts.grafana import DataSourceHealth, GrafanaFacts, InstalledDashboard
from gpu_conformance.secret import Secret, mask_url_password, reveal

_REFUSED = (401, 403)


class GrafanaUnreadable(ValueError):
    """Grafana could not be asked: the reason, with what the user can do."""


class _Api:
    def __init__(self, url: str, token: Secret | None, token_env: str, timeout: float) -> None:
        self.base, self.token, self.token_env, self.timeout = url.rstrip("/"), token, token_env, timeout

    def get(self, path: str) -> tuple[int, Any]:
        """(HTTP status, JSON body) of ``GET path``; GrafanaUnreadable where Grafana did not answer its JSON."""
        shown = f"GET {mask_url_password(self.base)}{path}"
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + reveal(self.token)
        try:
            answer = requests.get(self.base + path, headers=headers, timeout=(self.timeout, self.timeout))
        except requests.exceptions.SSLError as exc:
            raise GrafanaUnreadable(f"{shown}: TLS verification failed ({exc.__class__.__name__}): for a private "
                                    "CA set REQUESTS_CA_BUNDLE to its certificate file") from None
        except requests.RequestException as exc:
            raise GrafanaUnreadable(f"{shown}: {exc}") from None
        try:
            body = answer.json()
        except ValueError:
            raise GrafanaUnreadable(f"{shown}: HTTP {answer.status_code}, not Grafana's JSON (body starts "
                                    f"{answer.text[:60]!r})") from None
        if answer.status_code in _REFUSED:
            raise GrafanaUnreadable(f"{shown}: HTTP {answer.status_code} {_message(body)}: {self._token_hint()}")
        return answer.status_code, body

    def _token_hint(self) -> str:
        if not self.token:
            return (f"${self.token_env} is not set: set it to a Grafana service account token (role Viewer, and "
                    "data source read for the health check), or name another variable with --grafana-token-env")
        return f"the token in ${self.token_env} was refused or lacks a permission: check its service account's role"


def _message(body: Any) -> str:
    return str(body.get("message", "")) if isinstance(body, Mapping) else ""


def _installed(api: _Api, uid: str) -> tuple[InstalledDashboard, Mapping[str, Any]] | None:
    status, body = api.get(f"/api/dashboards/uid/{quote(uid)}")
    if status != 200 or not isinstance(body, Mapping) or not isinstance(body.get("dashboard"), Mapping):
        return None
    model, meta = body["dashboard"], body.get("meta") or {}
    version = model.get("version")
    return InstalledDashboard(str(model.get("uid", uid)), str(model.get("title", "")),
                              version if isinstance(version, int) else None, str(meta.get("url", ""))), model


def _find_dashboard(api: _Api, uid: str, title: str) -> tuple[str, InstalledDashboard | None, Mapping[str, Any]]:
    """(where it was looked for, the dashboard or None, its JSON model)."""
    found = _installed(api, uid)
    looked = f"GET /api/dashboards/uid/{uid}"
    if found is not None:
        return looked, *found
    search = f"/api/search?type=dash-db&query={quote(title)}"
    _, hits = api.get(search)
    same = [h for h in hits if isinstance(h, Mapping) and h.get("title") == title] if isinstance(hits, list) else []
    looked += f" (not found), GET {search}"
    if not same:
        return looked + f" (no dashboard titled {title!r})", None, {}
    found = _installed(api, str(same[0].get("uid", "")))
    return (looked, *found) if found is not None else (looked + " (its uid not found)", None, {})


def _referenced(model: Mapping[str, Any]) -> set[str]:
    """The data sources (uid or name) the dashboard names outright: its datasource variable's current choice and
    its panels' ``datasource.uid``; ``${...}`` references name none."""
    refs = set()
    for variable in (model.get("templating") or {}).get("list") or []:
        if variable.get("type") == "datasource":
            current = (variable.get("current") or {}).get("value")
            refs.add(current if isinstance(current, str) else "")
    for panel in model.get("panels") or []:
        source = panel.get("datasource")
        refs.add(str(source.get("uid", "")) if isinstance(source, Mapping) else "")
    return {ref for ref in refs if ref and not ref.startswith("$") and ref != "default"}


def _datasource(api: _Api, model: Mapping[str, Any]) -> Mapping[str, Any] | str:
    """The Prometheus data source the dashboard reads (its own choice, else Grafana's default), or why none."""
    status, listed = api.get("/api/datasources")
    sources = [s for s in listed if isinstance(s, Mapping)] if status == 200 and isinstance(listed, list) else []
    prometheus = [s for s in sources if s.get("type") == "prometheus"]
    refs = _referenced(model)
    chosen = [s for s in prometheus if s.get("uid") in refs or s.get("name") in refs]
    default = [s for s in prometheus if s.get("isDefault")]
    if chosen or default or prometheus:
        return (chosen or default or prometheus)[0]
    names = ", ".join(f"{s.get('name')} ({s.get('type')})" for s in sources) or "none"
    return f"GET /api/datasources lists no Prometheus data source (data sources: {names})"


def _health(api: _Api, source: Mapping[str, Any]) -> DataSourceHealth:
    uid = str(source.get("uid", ""))
    path = f"/api/datasources/uid/{quote(uid)}/health"
    status, body = api.get(path)
    said = body.get("status") if isinstance(body, Mapping) else None
    return DataSourceHealth(uid, str(source.get("name", "")), str(source.get("type", "")), status,
                            str(said or f"HTTP {status}"), _message(body), f"GET {path}")


def read_grafana(url: str, uid: str, title: str, token: Secret | None, token_env: str,
                 timeout: float = 10.0) -> GrafanaFacts:
    """The dashboard ``uid`` (else the one titled ``title``) at ``url`` and its data source's health.

    GrafanaUnreadable when Grafana could not be asked."""
    api = _Api(url, token, token_env, timeout)
    looked, dashboard, model = _find_dashboard(api, uid, title)
    source = _datasource(api, model)
    if isinstance(source, str):
        return GrafanaFacts(url, looked, dashboard, datasource_problem=source)
    return GrafanaFacts(url, looked, dashboard, _health(api, source))
