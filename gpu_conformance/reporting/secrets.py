"""Secrets that must never reach a report, and the redaction that keeps them out.

Reports are read by people who did not run the suite and are kept for months, so every string written
to Allure results, JUnit XML, summary.json or the terminal passes through a ``Redactor`` built from
what this run could leak: the kubeconfig's credentials, the service-account token, passwords in URLs,
and environment variables whose names say they hold secrets.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from ..secret import REDACTED, mask_url_password, reveal

MIN_SECRET_LENGTH = 4  # shorter values would blank out ordinary text; such secrets are not secrets anyway
MIN_FRAGMENT = 8  # this many characters of a secret, anywhere in a text, are redacted as a fragment of it
# A report repeats the same strings thousands of times (labels, titles, a node's evidence in each of its checks):
# texts up to this long are redacted once and remembered, up to this many of them.
MEMO_TEXT_LENGTH, MEMO_ENTRIES = 1024, 100_000
SERVICE_ACCOUNT_TOKEN = Path("/var/run/secrets/kubernetes.io/serviceaccount/token")
_SECRET_NAME = re.compile(r"TOKEN|PASSWORD|PASSWD|SECRET|API_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH", re.IGNORECASE)
_BEARER = re.compile(r"(?P<prefix>\bBearer\s+)[A-Za-z0-9\-._~+/]+=*", re.IGNORECASE)
_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.DOTALL)
_USER_SECRET_KEYS = ("token", "password", "client-key-data", "id-token", "refresh-token", "access-token",
                     "client-secret")


class Redactor:
    """Replaces known secret values and any fragment of them, URL passwords, bearer tokens and private-key blocks
    with [REDACTED]."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        values = {reveal(s) for s in secrets if len(s) >= MIN_SECRET_LENGTH}
        # Longest first, so a secret that contains another is replaced whole.
        self._secrets = sorted(values, key=len, reverse=True)
        # Every MIN_FRAGMENT-long piece of every secret: text containing one holds a fragment of a secret
        # (pytest cut a repr short, a line was wrapped, a message was truncated).
        self._pieces = frozenset(v[i:i + MIN_FRAGMENT] for v in values for i in range(len(v) - MIN_FRAGMENT + 1))
        # A piece lies within a run of the characters secrets are made of: only those runs are looked through
        # (a report writes hundreds of thousands of strings; most hold no such run as long as a piece).
        alphabet = "".join(re.escape(c) for c in sorted(set("".join(self._pieces))))
        self._runs = re.compile(f"[{alphabet}]{{{MIN_FRAGMENT},}}") if alphabet else None
        self._memo: dict[str, str] = {}  # the secrets never change after construction: a text's redaction neither

    def __call__(self, text: str) -> str:
        if len(text) > MEMO_TEXT_LENGTH:
            return self._redact(text)
        known = self._memo.get(text)
        if known is None:
            if len(self._memo) >= MEMO_ENTRIES:
                self._memo.clear()
            known = self._memo[text] = self._redact(text)
        return known

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        text = self._fragments(text)
        text = _PRIVATE_KEY.sub(REDACTED, text)
        text = mask_url_password(text)
        return _BEARER.sub(lambda m: f"{m['prefix']}{REDACTED}", text)

    def _fragments(self, text: str) -> str:
        """Each run of overlapping MIN_FRAGMENT-long pieces of a secret becomes one [REDACTED]."""
        if self._runs is None:
            return text
        spans: list[list[int]] = []
        starts = (i for run in self._runs.finditer(text) for i in range(run.start(), run.end() - MIN_FRAGMENT + 1))
        for start in starts:
            if text[start:start + MIN_FRAGMENT] in self._pieces:
                if spans and start <= spans[-1][1]:
                    spans[-1][1] = start + MIN_FRAGMENT
                else:
                    spans.append([start, start + MIN_FRAGMENT])
        for start, end in reversed(spans):
            text = text[:start] + REDACTED + text[end:]
        return text

    def data(self, value: Any) -> Any:
        """The same for every string inside nested dicts, lists and tuples (an Allure result as a dict)."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, dict):
            return {k: self.data(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.data(v) for v in value)
        return value

    def bytes(self, body: bytes) -> bytes:
        """Text attachments are redacted; binary ones (screenshots) are passed through."""
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return body
        return self(text).encode("utf-8")


def _with_decoded(value: str) -> list[str]:
    """A value and, when it is base64 (client-key-data), what it decodes to, line by line."""
    found = [value]
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return found
    return found + [decoded] + [line for line in decoded.splitlines() if "-----" not in line]


def _read(path: str | Path) -> str | None:
    try:
        return Path(path).expanduser().read_text().strip()
    except (OSError, UnicodeDecodeError):
        return None


def secrets_in_kubeconfig(paths: Iterable[Path]) -> list[str]:
    """Every credential of every user in the kubeconfig files, including the files they point to."""
    found: list[str] = []
    for path in paths:
        try:
            data = yaml.safe_load(path.read_text())
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            continue
        users = data.get("users") if isinstance(data, dict) else None
        for entry in users if isinstance(users, list) else []:
            user = entry.get("user") if isinstance(entry, dict) else None
            if isinstance(user, dict):
                found += _user_secrets(user)
    return found


def _user_secrets(user: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    for key in _USER_SECRET_KEYS:
        if isinstance(user.get(key), str):
            found += _with_decoded(user[key])
    for key in ("tokenFile", "client-key"):
        content = _read(user[key]) if isinstance(user.get(key), str) else None
        if content:
            found += _with_decoded(content)
    provider = user.get("auth-provider")
    config = provider.get("config") if isinstance(provider, dict) else None
    if isinstance(config, dict):
        found += [str(v) for k, v in config.items() if _SECRET_NAME.search(k) or k.endswith("-token")]
    exec_spec = user.get("exec")
    env = exec_spec.get("env") if isinstance(exec_spec, dict) else None
    for item in env if isinstance(env, list) else []:
        if isinstance(item, dict) and isinstance(item.get("value"), str):
            found.append(item["value"])
    return found


def secrets_in_environment(environ: Mapping[str, str]) -> list[str]:
    """Values of variables named like secrets, and passwords inside URL-valued variables."""
    found = [value for name, value in environ.items() if _SECRET_NAME.search(name)]
    for value in environ.values():
        found += url_passwords([value])
    return found


def url_passwords(values: Iterable[str | None]) -> list[str]:
    found = []
    for value in values:
        if value and "@" in value and "://" in value:
            try:
                password = urlsplit(value).password
            except ValueError:
                continue
            if password:
                found.append(password)
    return found


def run_redactor(kubeconfig_paths: Iterable[Path], urls: Iterable[str | None],
                 environ: Mapping[str, str] = os.environ) -> Redactor:
    """The redactor for one run: kubeconfig credentials, the pod's token, URL passwords, secret-named variables."""
    secrets = secrets_in_kubeconfig(kubeconfig_paths) + secrets_in_environment(environ) + url_passwords(urls)
    token = _read(SERVICE_ACCOUNT_TOKEN)
    if token:
        secrets.append(token)
    return Redactor(secrets)
