"""Throwaway TLS material for the simulated API server: a private CA and a loopback server certificate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
