"""Fixtures for the cluster-gathering library's tests: connections to simulated clusters, request counts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from gpusim.api import ApiServer, Authorizer
from gpusim.cluster import SimCluster
from gpusim.kubeconfig import write_kubeconfig

from gpu_conformance.kube.client import Connection, connect
from gpu_conformance.settings import Settings

Connect = Callable[..., tuple[Connection, Settings]]
FrontServer = Callable[[SimCluster, Authorizer], Path]


@pytest.fixture
def front_server(tmp_path: Path) -> Iterator[FrontServer]:
    """``front_server(cluster, authorizer)`` -> a kubeconfig for a second API server over the same cluster
    that refuses what ``authorizer`` refuses, in the apiserver's 403 wording."""
    servers: list[ApiServer] = []

    def make(cluster: SimCluster, authorizer: Authorizer) -> Path:
        server = ApiServer(cluster.store, cluster.logs, cluster.scenario.version, token=cluster.token, tls=None,
                           authorizer=authorizer)
        server.start()
        servers.append(server)
        path = tmp_path / f"front-{len(servers)}.kubeconfig"
        write_kubeconfig(path, server.url, cluster.token, None)
        return path

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def connect_to() -> Iterator[Connect]:
    """``connect_to(cluster, **options)`` -> (Connection, Settings) with timeout 30 s unless given."""
    opened: list[Connection] = []

    def make(cluster: SimCluster, **options: Any) -> tuple[Connection, Settings]:
        settings = Settings(kubeconfig=str(cluster.kubeconfig), **{"timeout": 30.0, **options})
        conn = connect(settings)
        opened.append(conn)
        return conn, settings

    yield make
    for conn in opened:
        conn.close()


@dataclass
class RequestLog:
    """Every API call a Connection makes (retries below the client are not separate calls)."""

    calls: list[tuple[str, str, bool]] = field(default_factory=list)  # (method, path, watch)

    def count(self, method: str, watch: bool = False, path_suffix: str = "") -> int:
        return sum(1 for m, p, w in self.calls if m == method and w == watch and p.endswith(path_suffix))


def count_requests(conn: Connection) -> RequestLog:
    log = RequestLog()
    original = conn.api_client.call_api

    def counting(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(url)
        log.calls.append((method, parts.path, parse_qs(parts.query).get("watch") == ["true"]))
        return original(method, url, *args, **kwargs)

    conn.api_client.call_api = counting
    return log


@pytest.fixture
def request_log() -> Callable[[Connection], RequestLog]:
    return count_requests
