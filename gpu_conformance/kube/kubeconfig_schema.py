"""A kubeconfig read as kubectl reads it: the field types of clientcmd's v1.Config, and the rules it applies.

The official Python client is more lenient than kubectl, and leniency here is dangerous:
``insecure-skip-tls-verify: 'false'`` (a string) turns TLS verification off, a ``token: 12345`` is sent
as text, a CA that is no PEM is ignored. kubectl decodes the YAML as JSON into Go structs (a wrong type
is an error, an unknown field is not) and then validates the context it uses (clientcmd's
validation.go). Both are mirrored here; the problems are one line naming file and field, and values
under ``users`` are never shown.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# Field types: a name, a struct (dict), a list of a type ("list", T), a map of a type ("map", T).
Type = Any
_NAMED = "named"  # a list of {name: ..., <key>: struct}, names unique
_CLUSTER = {"server": "string", "tls-server-name": "string", "insecure-skip-tls-verify": "bool",
            "certificate-authority": "string", "certificate-authority-data": "data", "proxy-url": "string",
            "disable-compression": "bool", "extensions": "any"}
_CONTEXT = {"cluster": "string", "user": "string", "namespace": "string", "extensions": "any"}
_EXEC = {"command": "string", "args": ("list", "string"), "apiVersion": "string", "installHint": "string",
         "provideClusterInfo": "bool", "interactiveMode": "string",
         "env": ("list", {"name": "string", "value": "string"})}
_USER = {"client-certificate": "string", "client-certificate-data": "data", "client-key": "string",
         "client-key-data": "data", "token": "string", "tokenFile": "string", "as": "string", "as-uid": "string",
         "as-groups": ("list", "string"), "as-user-extra": ("map", ("list", "string")), "username": "string",
         "password": "string", "auth-provider": {"name": "string", "config": ("map", "string")}, "exec": _EXEC,
         "extensions": "any"}
_CONFIG = {"kind": "string", "apiVersion": "string", "preferences": "any", "current-context": "string",
           "clusters": (_NAMED, "cluster", _CLUSTER), "contexts": (_NAMED, "context", _CONTEXT),
           "users": (_NAMED, "user", _USER), "extensions": "any"}
_EXPECTED = {"string": "a string", "bool": "true or false (write it unquoted)", "data": "base64 data"}
INTERACTIVE_MODES = ("Never", "IfAvailable", "Always")
_DEFAULTED_INTERACTIVE = ("client.authentication.k8s.io/v1beta1", "client.authentication.k8s.io/v1alpha1")


def type_problem(data: Mapping[str, Any]) -> str | None:
    """The first field whose type kubectl cannot decode: ``clusters['c'].cluster.server is a number, expected
    a string``; None when the file decodes."""
    return _check(data, _CONFIG, "", secret=False)


def _check(value: Any, kind: Type, where: str, secret: bool) -> str | None:
    if value is None or kind == "any":  # JSON null leaves a Go field at its zero value
        return None
    if isinstance(kind, dict):
        if not isinstance(value, dict):
            return _mismatch(value, "a mapping", where, secret)
        for key, sub in kind.items():
            found = _check(value.get(key), sub, f"{where}.{key}" if where else key, secret)
            if found:
                return found
        return None
    if isinstance(kind, tuple):
        return _check_collection(value, kind, where, secret)
    return _check_scalar(value, kind, where, secret)


def _check_collection(value: Any, kind: tuple[Any, ...], where: str, secret: bool) -> str | None:
    if kind[0] == "map":
        if not isinstance(value, dict):
            return _mismatch(value, "a mapping", where, secret)
        return next((p for k, v in value.items() if (p := _check(v, kind[1], f"{where}[{k!r}]", secret))), None)
    if not isinstance(value, list):
        return _mismatch(value, "a list", where, secret)
    if kind[0] == "list":
        return next((p for i, v in enumerate(value) if (p := _check(v, kind[1], f"{where}[{i}]", secret))), None)
    return _check_named(value, kind[1], kind[2], where)


def _check_named(entries: list[Any], key: str, struct: dict[str, Any], where: str) -> str | None:
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            return _mismatch(entry, "a mapping with name and " + key, f"{where}[{index}]", False)
        name = entry.get("name")
        if not isinstance(name, str):
            return f"{where}[{index}].name is {_shown(name, False)}, expected a string"
        if name in seen:
            return f"{where} names {name!r} twice"
        seen.add(name)
        found = _check(entry.get(key), struct, f"{where}[{name!r}].{key}", secret=where == "users")
        if found:
            return found
    return None


def _check_scalar(value: Any, kind: str, where: str, secret: bool) -> str | None:
    if kind == "bool":
        return None if isinstance(value, bool) else _mismatch(value, _EXPECTED[kind], where, secret)
    if not isinstance(value, str):
        return _mismatch(value, _EXPECTED[kind], where, secret)
    if kind == "data" and decoded(value) is None:
        return f"{where} is not valid base64 data"
    return None


def _mismatch(value: Any, expected: str, where: str, secret: bool) -> str:
    return f"{where} is {_shown(value, secret)}, expected {expected}"


def _shown(value: Any, secret: bool) -> str:
    kind = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "a mapping"}.get(type(value), type(value).__name__)
    return kind if secret or isinstance(value, (list, dict)) else f"{kind} ({value!r})"


def decoded(data: str) -> bytes | None:
    """Base64 as Go's encoding/json decodes []byte (standard alphabet, padded; newlines ignored)."""
    try:
        return base64.b64decode(data.replace("\n", "").replace("\r", ""), validate=True)
    except (binascii.Error, ValueError):
        return None


def cluster_problems(name: str, cluster: Mapping[str, Any], base: Path) -> list[str]:
    """What kubectl refuses in the cluster a context uses (TLS material, proxy)."""
    where = f"clusters[{name!r}].cluster"
    problems = []
    authority = cluster.get("certificate-authority")
    data = cluster.get("certificate-authority-data")
    if cluster.get("insecure-skip-tls-verify") is True and (authority or data):
        problems.append(f"{where}: insecure-skip-tls-verify is true beside a certificate authority; kubectl allows "
                        "one or the other")
    if authority and not _readable(base, authority):
        problems.append(f"{where}.certificate-authority {authority} cannot be read")
    if data and b"-----BEGIN" not in (decoded(data) or b""):
        problems.append(f"{where}.certificate-authority-data is no PEM certificate")
    proxy = cluster.get("proxy-url")
    if proxy and not _proxy_ok(proxy):
        problems.append(f"{where}.proxy-url {proxy!r} is no http, https or socks5 URL with a host")
    return problems


def user_problems(name: str, user: Mapping[str, Any], base: Path) -> list[str]:
    """What kubectl refuses in the user a context uses (clientcmd validateAuthInfo); never a value."""
    where = f"users[{name!r}].user"
    methods = [method for method, keys in (("clientCert", ("client-certificate", "client-certificate-data")),
                                           ("token", ("token", "tokenFile")), ("basicAuth", ("username", "password")))
               if any(user.get(k) for k in keys)]
    problems = []
    if len(methods) > 1:
        problems.append(f"{where}: more than one authentication method ({' and '.join(methods)}); kubectl allows "
                        "only one")
    if "clientCert" in methods and not (user.get("client-key") or user.get("client-key-data")):
        problems.append(f"{where}: client-certificate without client-key or client-key-data")
    for key in ("client-certificate", "client-key", "tokenFile"):
        if user.get(key) and not _readable(base, user[key]):
            problems.append(f"{where}.{key} {user[key]} cannot be read")
    if user.get("exec") and user.get("auth-provider"):
        problems.append(f"{where}: auth-provider and exec together; kubectl allows one")
    if isinstance(user.get("exec"), dict):
        problems += _exec_problems(where, user["exec"])
    return problems


def _exec_problems(where: str, plugin: Mapping[str, Any]) -> list[str]:
    defaulted = plugin.get("apiVersion") in _DEFAULTED_INTERACTIVE  # older versions default to IfAvailable
    required = ("command", "apiVersion") if defaulted else ("command", "apiVersion", "interactiveMode")
    problems = [f"{where}.exec.{key} must be set" for key in required if not plugin.get(key)]
    mode = plugin.get("interactiveMode")
    if mode and mode not in INTERACTIVE_MODES:
        problems.append(f"{where}.exec.interactiveMode {mode!r} is not one of {', '.join(INTERACTIVE_MODES)}")
    return problems


def _readable(base: Path, path: str) -> bool:
    """A path relative to the kubeconfig's own directory, as kubectl resolves it."""
    try:
        with (base / Path(path).expanduser()).open("rb"):
            return True
    except OSError:
        return False


def _proxy_ok(url: str) -> bool:
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        return False
    return parts.scheme in ("http", "https", "socks5") and bool(parts.hostname)
