"""The connection to the cluster: an isolated, timed, retrying ApiClient that has already answered /version.

Every failure to get there is one line (UsageError) naming the file, context or server at fault;
tokens and keys never appear in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
)

from gpu_conformance.facts.cluster import ApiVersion
from gpu_conformance.facts.cluster_identity import ClusterIdentity

from ..errors import UsageError
from ..secret import SecretValues
from ..settings import Settings
from . import kubeconfig
from .errors import api_message, one_line
from .retry import transport_retry

TIMEOUT = (5.0, 30.0)  # (connect, read) seconds for any call that does not set its own
PREFLIGHT_TIMEOUT = (5.0, 10.0)
POOL_SIZE = 32  # connections kept per host: the bounded thread pools read logs in parallel


class _TimedApiClient(client.ApiClient):  # type: ignore[misc]
    """An ApiClient whose every request has connect and read timeouts unless the call sets its own."""

    def call_api(
        self,
        method: str,
        url: str,
        header_params: Any = None,
        body: Any = None,
        post_params: Any = None,
        _request_timeout: Any = None,
    ) -> Any:
        return super().call_api(
            method, url, header_params, body, post_params, _request_timeout=_request_timeout or TIMEOUT
        )


@dataclass(frozen=True)
class Connection:
    """An API client of its own (no global configuration), the cluster it talks to and its /version."""

    api_client: Any  # kubernetes.client.ApiClient
    cluster: ClusterIdentity  # the one answer to "which cluster" that every report gives
    version: ApiVersion
    identity: str  # "context 'x' of FILE" or "the pod's service account": said in errors, never secret
    # answers read once a run and shared by the gatherers that need them (kube/plugin.py's device plugin lists)
    shared: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def server(self) -> str:
        return self.cluster.server

    @property
    def core(self) -> Any:
        return client.CoreV1Api(self.api_client)

    @property
    def apps(self) -> Any:
        return client.AppsV1Api(self.api_client)

    @property
    def batch(self) -> Any:
        return client.BatchV1Api(self.api_client)

    @property
    def node(self) -> Any:
        return client.NodeV1Api(self.api_client)

    def close(self) -> None:
        self.api_client.close()


def _configuration(settings: Settings) -> tuple[Any, str, ClusterIdentity]:
    configuration = client.Configuration()
    configuration.api_key = SecretValues()  # the loaders put the bearer token here: never shown, only sent
    if settings.in_cluster:
        try:
            config.load_incluster_config(client_configuration=configuration)
        except ConfigException as exc:
            raise UsageError(f"--in-cluster: {one_line(str(exc))}") from exc
        return configuration, "the pod's service account", ClusterIdentity.in_cluster(str(configuration.host))
    choice = kubeconfig.choose(settings)
    try:
        config.load_kube_config(
            config_file=choice.config_file,
            context=choice.context,
            client_configuration=configuration,
            persist_config=False,
        )
    except (ConfigException, ValueError, TypeError, KeyError, OSError) as exc:
        raise UsageError(f"kubeconfig {choice.config_file}: {one_line(str(exc))}") from exc
    cluster = ClusterIdentity(choice.context, str(configuration.host), tuple(str(f) for f in choice.files),
                              choice.context, choice.cluster)
    return configuration, choice.describe(), cluster


def connect(settings: Settings) -> Connection:
    """Build the client and check it with ``GET /version``; UsageError (one line) when that fails."""
    configuration, identity, cluster = _configuration(settings)
    configuration.retries = transport_retry(settings.timeout)
    configuration.connection_pool_maxsize = max(configuration.connection_pool_maxsize or 0, POOL_SIZE)
    api_client = _TimedApiClient(configuration)
    server = str(configuration.host)
    try:
        code = client.VersionApi(api_client).get_code(_request_timeout=PREFLIGHT_TIMEOUT)
    except (ApiException, MaxRetryError, OSError, ReadTimeoutError, SSLError) as exc:
        api_client.close()
        raise UsageError(preflight_error(exc, server, identity)) from None
    version = ApiVersion(
        major=str(code.major),
        minor=str(code.minor),
        git_version=str(code.git_version),
        source=f"GET {server}/version",
    )
    return Connection(api_client, cluster, version, identity)


def preflight_error(exc: BaseException, server: str, identity: str) -> str:
    """One line saying why ``GET <server>/version`` failed."""
    if isinstance(exc, ApiException) and exc.status == 401:
        return f"the API server at {server} rejected the credentials of {identity} (401 Unauthorized)"
    if isinstance(exc, ApiException) and exc.status == 403:
        return f"the API server at {server} refused GET /version to {identity}: {api_message(exc)}"
    if isinstance(exc, ApiException) and exc.status:
        return f"GET {server}/version failed: {api_message(exc)}"
    reason: Any = exc.reason if isinstance(exc, MaxRetryError) else exc
    text = str(reason.reason if isinstance(exc, ApiException) else reason)
    if isinstance(reason, SSLError) or "SSL" in text or "certificate" in text:
        return f"TLS verification of the API server at {server} failed: {_tls_detail(text)}"
    if isinstance(reason, NewConnectionError):  # before ConnectTimeoutError: urllib3 makes it a subclass
        return f"cannot reach the API server at {server}: {_errno_text(text)}"
    if isinstance(reason, ConnectTimeoutError):
        return (
            f"cannot reach the API server at {server}: connection timed out after {PREFLIGHT_TIMEOUT[0]:g}s"
        )
    if isinstance(reason, ReadTimeoutError):
        return f"the API server at {server} did not answer GET /version within {PREFLIGHT_TIMEOUT[1]:g}s"
    return f"cannot reach the API server at {server}: {one_line(text, 200)}"


def _tls_detail(text: str) -> str:
    """``certificate verify failed: unable to get local issuer certificate`` out of urllib3's wrapping."""
    start = text.find("certificate verify failed")
    detail = text[start:] if start >= 0 else text
    return one_line(detail.split(" (_ssl.c")[0].rstrip(")\"' "), 200)


def _errno_text(text: str) -> str:
    """``connection refused`` out of ``...: Failed to establish a new connection: [Errno 111] ...``."""
    tail = text.rsplit("]", 1)[-1] if "[Errno" in text else text.rsplit(":", 1)[-1]
    return one_line(tail.strip(" )'\"").lower() or text, 200)
