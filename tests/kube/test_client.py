"""connect(): a checked connection, or one clear line naming what is wrong (never a traceback or a secret)."""

from __future__ import annotations

import base64
import socket
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import trustme
import yaml
from gpusim.cluster import SimCluster
from gpusim.kubeconfig import write_kubeconfig
from gpusim.testing import StartCluster

from gpu_conformance.errors import UsageError
from gpu_conformance.kube import client as kube_client
from gpu_conformance.kube.client import connect
from gpu_conformance.kube.retry import create_retrying
from gpu_conformance.reporting.secrets import MIN_FRAGMENT
from gpu_conformance.secret import reveal
from gpu_conformance.settings import Settings

from .conftest import Connect, FrontServer

pytestmark = pytest.mark.e2e


def usage_error(settings: Settings) -> str:
    started = time.monotonic()
    with pytest.raises(UsageError) as caught:
        connect(settings)
    assert time.monotonic() - started < 8, "a connection failure must be reported within seconds"
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def edited_kubeconfig(cluster: SimCluster, tmp_path: Path, edit: dict[str, str]) -> str:
    config = yaml.safe_load(cluster.kubeconfig.read_text())
    config["users"][0]["user"].update({k: v for k, v in edit.items() if k == "token"})
    config["clusters"][0]["cluster"].update({k: v for k, v in edit.items() if k != "token"})
    path = tmp_path / "edited.kubeconfig"
    path.write_text(yaml.safe_dump(config))
    return str(path)


def test_connects_and_reports_the_server_version(start_cluster: StartCluster, connect_to: Connect) -> None:
    cluster = start_cluster("seed")
    conn, _ = connect_to(cluster)
    assert conn.server == cluster.url
    assert (conn.version.major, conn.version.minor, conn.version.git_version) == ("1", "28", "v1.28.2")
    assert conn.version.source == f"GET {cluster.url}/version"
    assert conn.api_client.configuration.verify_ssl is True


def test_the_bearer_token_is_sent_but_never_shown(start_cluster: StartCluster, connect_to: Connect) -> None:
    """The client's api_key holds the token as a Secret: the request authenticates (the version was read with
    it), while repr, str and format of the configuration's credentials and of the request headers mask it."""
    cluster = start_cluster("seed")
    conn, _ = connect_to(cluster)
    headers: dict[str, Any] = {}
    conn.api_client.update_params_for_auth(headers, [], ["BearerToken"], "/api", "GET", None)
    assert reveal(headers["authorization"]) == f"Bearer {cluster.token}"
    assert conn.core.list_namespace().items  # authenticated with it
    shown = [repr(conn.api_client.configuration.api_key), repr(headers), str(headers["authorization"]),
             f"{headers['authorization']}"]
    assert not [text for text in shown if cluster.token[:MIN_FRAGMENT] in text], shown


def test_unreachable_server_is_named(start_cluster: StartCluster) -> None:
    cluster = start_cluster("api-unreachable")
    message = usage_error(Settings(kubeconfig=str(cluster.kubeconfig)))
    assert message == f"cannot reach the API server at {cluster.url}: connection refused"


def test_missing_and_malformed_kubeconfig_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.kubeconfig"
    assert usage_error(Settings(kubeconfig=str(missing))) == (
        f"kubeconfig {missing}: no such file (pass --kubeconfig or set KUBECONFIG)"
    )
    broken = tmp_path / "broken.kubeconfig"
    broken.write_text("clusters: [\n  - name: a\n")
    message = usage_error(Settings(kubeconfig=str(broken)))
    assert message.startswith(f"kubeconfig {broken}:") and "not valid YAML" in message


def test_unknown_context_lists_the_known_ones(start_cluster: StartCluster) -> None:
    cluster = start_cluster("seed")
    message = usage_error(Settings(kubeconfig=str(cluster.kubeconfig), context="prod"))
    assert (
        message
        == f"kubeconfig {cluster.kubeconfig}: --kube-context 'prod' is not defined (known contexts: gpu-sim)"
    )


def test_rejected_token_says_401_without_showing_it(start_cluster: StartCluster, tmp_path: Path) -> None:
    cluster = start_cluster("seed")
    path = edited_kubeconfig(cluster, tmp_path, {"token": "wrong-secret-token"})
    message = usage_error(Settings(kubeconfig=path))
    assert message == (
        f"the API server at {cluster.url} rejected the credentials of context 'gpu-sim' "
        f"of {path} (401 Unauthorized)"
    )
    assert "wrong-secret-token" not in message and cluster.token not in message


def test_untrusted_certificate_is_a_tls_failure(start_cluster: StartCluster, tmp_path: Path) -> None:
    cluster = start_cluster("seed")
    other_ca = base64.b64encode(trustme.CA().cert_pem.bytes()).decode()
    path = edited_kubeconfig(cluster, tmp_path, {"certificate-authority-data": other_ca})
    message = usage_error(Settings(kubeconfig=path))
    assert message.startswith(
        f"TLS verification of the API server at {cluster.url} failed: certificate verify failed"
    )


def test_forbidden_version_endpoint_quotes_the_server(start_cluster: StartCluster,
                                                       front_server: FrontServer) -> None:
    def no_version(
        user: str, verb: str, group: str, resource: str, subresource: str, namespace: str, name: str
    ) -> bool:
        return name != "/version"

    path = front_server(start_cluster("seed"), no_version)
    message = usage_error(Settings(kubeconfig=str(path)))
    server_url = message.split("the API server at ", 1)[1].split(" ", 1)[0]
    assert message == (
        f"the API server at {server_url} refused GET /version to context 'gpu-sim' of {path}: "
        "missing permission: get /version cluster-wide for gpu-sim-admin: add it to the ClusterRole gpu-conformance"
    )


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A loopback port that accepts connections and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_a_server_that_never_answers_times_out(
    silent_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kube_client, "PREFLIGHT_TIMEOUT", (1.0, 1.0))
    path = tmp_path / "silent.kubeconfig"
    write_kubeconfig(path, silent_server, "token", None)
    assert usage_error(Settings(kubeconfig=str(path))) == (
        f"the API server at {silent_server} did not answer GET /version within 1s"
    )


@pytest.mark.parametrize("scenario", ["api-throttled", "api-errors"])
def test_throttling_and_server_errors_are_retried(
    scenario: str, start_cluster: StartCluster, connect_to: Connect
) -> None:
    # 30% 429s / 20% 5xx (seeded): fifteen calls all getting through without retries would take luck.
    conn, _ = connect_to(start_cluster(scenario))
    for _ in range(10):
        assert len(conn.core.list_node().items) == 3
    for i in range(5):
        body = {"metadata": {"name": f"pause-{i}"}, "spec": {"containers": [{"name": "c", "image": "pause"}]}}
        create_retrying(partial(conn.core.create_namespaced_pod, "default", body))
    assert len(conn.core.list_namespaced_pod("default").items) == 5


def test_slow_api_is_only_slower(start_cluster: StartCluster, connect_to: Connect) -> None:
    conn, _ = connect_to(start_cluster("api-slow"))  # every answer 800 ms late
    started = time.monotonic()
    assert [n.metadata.name for n in conn.core.list_node().items] == [
        "k8s-master01",
        "k8s-node05",
        "k8s-node06",
    ]
    assert time.monotonic() - started >= 0.8
