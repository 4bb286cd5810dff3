"""ServiceAccount tokens as the apiserver issues them: RS256 JWTs with the ``kubernetes.io`` claims.

A token says who it is for and until when; the authenticator still checks, as the real one does,
that the ServiceAccount exists with the same uid, so deleting the account revokes its tokens.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

# kubeadm's and kind's --service-account-issuer and --api-audiences.
ISSUER = "https://kubernetes.default.svc.cluster.local"
API_AUDIENCES = (ISSUER,)
DEFAULT_EXPIRATION_SECONDS = 3600
MIN_EXPIRATION_SECONDS = 600
MAX_EXPIRATION_SECONDS = 1 << 32


@dataclass(frozen=True)
class Claims:
    namespace: str
    name: str
    uid: str
    audiences: tuple[str, ...]
    expires: int  # seconds since the epoch
    pod: tuple[str, str] | None = None  # (name, uid) of the pod the token is bound to, if any


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenIssuer:
    """Signs and verifies tokens with a key of its own (one per API server, made on first use, never
    written anywhere)."""

    @cached_property
    def _key(self) -> rsa.RSAPrivateKey:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)

    @cached_property
    def _kid(self) -> str:
        public = self._key.public_key().public_bytes(serialization.Encoding.DER,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo)
        return _b64(hashlib.sha256(public).digest())

    def issue(self, claims: Claims, issued_at: int | None = None) -> str:
        now = int(time.time()) if issued_at is None else issued_at
        header = {"alg": "RS256", "kid": self._kid}
        payload = {
            "aud": list(claims.audiences), "exp": claims.expires, "iat": now, "iss": ISSUER,
            "jti": str(uuid.uuid4()),
            "kubernetes.io": {"namespace": claims.namespace,
                              **({"pod": {"name": claims.pod[0], "uid": claims.pod[1]}} if claims.pod else {}),
                              "serviceaccount": {"name": claims.name, "uid": claims.uid}},
            "nbf": now, "sub": f"system:serviceaccount:{claims.namespace}:{claims.name}",
        }
        signing_input = f"{_b64(_json(header))}.{_b64(_json(payload))}"
        signature = self._key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64(signature)}"

    def verify(self, token: str) -> Claims | None:
        """The claims of a token this issuer signed that is valid now for the API audiences; else None."""
        parts = token.split(".")
        if len(parts) != 3:
            return None
        try:
            self._key.public_key().verify(_unb64(parts[2]), f"{parts[0]}.{parts[1]}".encode("ascii"),
                                          padding.PKCS1v15(), hashes.SHA256())
            payload: dict[str, Any] = json.loads(_unb64(parts[1]))
            scope = payload["kubernetes.io"]
            pod = (scope["pod"]["name"], scope["pod"]["uid"]) if "pod" in scope else None
            claims = Claims(scope["namespace"], scope["serviceaccount"]["name"], scope["serviceaccount"]["uid"],
                            tuple(payload["aud"]), int(payload["exp"]), pod)
            not_before = int(payload["nbf"])
        except (InvalidSignature, ValueError, KeyError, TypeError, UnicodeEncodeError):
            return None
        now = time.time()
        if claims.expires <= now or not_before > now + 60 or not set(claims.audiences) & set(API_AUDIENCES):
            return None
        return claims


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("utf-8")
