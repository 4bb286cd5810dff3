"""The simulated cluster's API server: the Kubernetes REST API over the Store, on a loopback address."""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Mapping

from ..logs import LogStore
from ..model import ApiFaults, ClusterVersion
from ..satokens import TokenIssuer
from ..store import Store
from ..tls import TlsMaterial, server_context
from .auth import Authorizer, CallableAuthorizer, ClusterAuthorizer, TokenAuthenticator
from .context import ApiContext
from .faults import FaultInjector
from .http import SimHttpServer
from .router import Router
from .served import served_apis

NO_FAULTS = ApiFaults()


def _require_loopback(host: str) -> None:
    if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"the simulated API server binds loopback addresses only, not {host}")


class ApiServer:
    def __init__(
        self,
        store: Store,
        logs: LogStore,
        version: ClusterVersion,
        *,
        token: str,
        tls: TlsMaterial | None,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: ApiFaults = NO_FAULTS,
        authorizer: Authorizer | None = None,
        tokens: TokenIssuer | None = None,
        runtime_config: Mapping[str, bool] | None = None,
    ) -> None:
        """``authorizer``: decide every request with this callable instead of system:masters plus RBAC.
        ``tokens``: the issuer of ServiceAccount tokens, when the kubelet signs pods' tokens with it too.
        ``runtime_config``: kube-apiserver's --runtime-config, e.g. ``{"resource.k8s.io/v1beta1": True}``."""
        _require_loopback(host)
        self._host, self._port = host, port
        self._tls = tls
        tokens = tokens or TokenIssuer()
        decide = CallableAuthorizer(authorizer) if authorizer is not None else ClusterAuthorizer(store)
        self.ctx = ApiContext(store, logs, version, faults, decide, tokens,
                              served=served_apis(version, runtime_config or {}))
        self.auth = TokenAuthenticator(token, store, tokens)
        self._faults = FaultInjector(faults)
        self._http: SimHttpServer | None = None
        self._thread: threading.Thread | None = None
        self._url = ""
        self._lock = threading.Lock()

    def start(self) -> None:
        """Bind and serve in background threads; OSError when the port is taken."""
        with self._lock:
            if self._http is not None:
                return
            context = server_context(self._tls) if self._tls is not None else None
            scheme = "https" if context is not None else "http"
            router = Router(self.ctx, "")
            http = SimHttpServer((self._host, self._port), router, self.auth, self._faults, self.ctx, context)
            self._port = http.server_address[1]
            router.server_address = f"{self._host}:{self._port}"
            self._url = f"{scheme}://{self._host}:{self._port}"
            self._http = http
            self._thread = threading.Thread(
                target=http.serve_forever,
                kwargs={"poll_interval": 0.1},
                name=f"gpu-sim-api-{self._port}",
                daemon=True,
            )
            self._thread.start()

    @property
    def url(self) -> str:
        if not self._url:
            raise RuntimeError("the API server is not started")
        return self._url

    def stop(self) -> None:
        """Close the listener and every open connection and stream; safe to call twice."""
        with self._lock:
            http, thread = self._http, self._thread
            self._http = self._thread = None
        if http is None:
            return
        self.ctx.stop_all()
        http.shutdown()
        http.server_close()
        http.cut_connections()
        if thread is not None:
            thread.join(timeout=1)
