"""Throwaway TLS material for the simulated API server: a private CA and a loopback server certificate."""

from __future__ import annotations

import os
import ssl
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import trustme


@dataclass(frozen=True)
class TlsMaterial:
    ca_pem: bytes
    cert_pem: bytes  # the server certificate followed by its chain
    key_pem: bytes


def make_tls(hosts: Sequence[str] = ("127.0.0.1", "localhost")) -> TlsMaterial:
    """A fresh CA and a server certificate for ``hosts``; clients trust it only through ``ca_pem``."""
    ca = trustme.CA()
    cert = ca.issue_cert(*hosts)
    chain = b"".join(blob.bytes() for blob in cert.cert_chain_pems)
    return TlsMaterial(ca_pem=ca.cert_pem.bytes(), cert_pem=chain, key_pem=cert.private_key_pem.bytes())


def server_context(tls: TlsMaterial) -> ssl.SSLContext:
    """A server's TLS context serving ``tls``'s certificate."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    # ssl loads certificates only from files: write them to a private temporary directory briefly.
    with tempfile.TemporaryDirectory(prefix="gpu-sim-tls-") as tmp:
        cert, key = Path(tmp, "cert.pem"), Path(tmp, "key.pem")
        cert.write_bytes(tls.cert_pem)
        key.write_bytes(tls.key_pem)
        os.chmod(key, 0o600)
        context.load_cert_chain(cert, key)
    return context
