"""What a pod needs to reach the simulated API server: its address, and the issuer of its tokens.

A real kubelet points KUBERNETES_SERVICE_HOST and _PORT at the ``kubernetes`` Service's ClusterIP, which
kube-proxy forwards to the API server, and gets a pod's projected token from the TokenRequest API. Here
nothing forwards a ClusterIP, so the kubelet gives containers the API server's loopback address itself,
and signs tokens with the same issuer the API server verifies them with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .satokens import TokenIssuer


@dataclass
class ApiAccess:
    tokens: TokenIssuer = field(default_factory=TokenIssuer)
    host: str = ""  # set once the API server listens
    port: int = 0

    def listening_at(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "", parts.port or 0

    def service_env(self) -> dict[str, str]:
        """The variables every container gets for the ``kubernetes`` Service (its ``https`` port)."""
        if not self.port:
            return {}
        host, port = self.host, str(self.port)
        address = f"tcp://{host}:{port}"
        return {
            "KUBERNETES_SERVICE_HOST": host, "KUBERNETES_SERVICE_PORT": port, "KUBERNETES_SERVICE_PORT_HTTPS": port,
            "KUBERNETES_PORT": address, f"KUBERNETES_PORT_{port}_TCP": address,
            f"KUBERNETES_PORT_{port}_TCP_PROTO": "tcp", f"KUBERNETES_PORT_{port}_TCP_PORT": port,
            f"KUBERNETES_PORT_{port}_TCP_ADDR": host,
        }
