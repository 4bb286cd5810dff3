"""kubeconfig forms against what kubectl says of them: the suite refuses, before any connection, exactly the
files kubectl refuses, naming the file and the field, and accepts those kubectl accepts.

kubectl is the oracle here, run on each form (``get --raw /version`` against a port where nothing listens:
a file it accepts ends in "connection refused"). A form it accepts must reach the suite's own connection
attempt ("cannot reach the API server"), never a refusal of the file, and the other way round.
"""

from __future__ import annotations

import base64
import copy
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from gpusim.testing import kubectl_binary

from gpu_conformance.errors import UsageError
from gpu_conformance.kube.client import connect
from gpu_conformance.settings import resolve

pytestmark = pytest.mark.e2e  # kubectl is run beside the suite's own check

SERVER = "https://127.0.0.1:9"  # nothing listens there
TOKEN = "t0ken-planted-5e6f"
NOT_PEM = base64.b64encode(b"not a certificate").decode()
BASE: dict[str, Any] = {
    "apiVersion": "v1", "kind": "Config", "current-context": "x",
    "clusters": [{"name": "c", "cluster": {"server": SERVER}}],
    "users": [{"name": "u", "user": {"token": TOKEN}}],
    "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}]}
EXEC_V1 = {"command": "true", "apiVersion": "client.authentication.k8s.io/v1"}

# (form, where the change goes, the value, what the suite says of it; None where kubectl accepts the form)
FORMS: list[tuple[str, tuple[Any, ...], Any, str | None]] = [
    ("tls flag as the string 'false'", ("clusters", 0, "cluster", "insecure-skip-tls-verify"), "false",
     "clusters['c'].cluster.insecure-skip-tls-verify is a string ('false'), expected true or false (write it "
     "unquoted)"),
    ("tls flag as the string 'no'", ("clusters", 0, "cluster", "insecure-skip-tls-verify"), "no",
     "insecure-skip-tls-verify is a string ('no'), expected true or false"),
    ("tls flag as a number", ("clusters", 0, "cluster", "insecure-skip-tls-verify"), 0,
     "insecure-skip-tls-verify is a number (0), expected true or false"),
    ("compression flag as a string", ("clusters", 0, "cluster", "disable-compression"), "true",
     "disable-compression is a string ('true'), expected true or false"),
    ("server as a number", ("clusters", 0, "cluster", "server"), 6443,
     "clusters['c'].cluster.server is a number (6443), expected a string"),
    ("namespace as a number", ("contexts", 0, "context", "namespace"), 5,
     "contexts['x'].context.namespace is a number (5), expected a string"),
    ("token as a number", ("users", 0, "user", "token"), 12345,
     "users['u'].user.token is a number, expected a string"),
    ("clusters as a mapping", ("clusters",), {"c": {"server": SERVER}}, "clusters is a mapping, expected a list"),
    ("user as a string", ("users", 0, "user"), "abc", "users['u'].user is a string, expected a mapping"),
    ("CA data not base64", ("clusters", 0, "cluster", "certificate-authority-data"), "not base64!",
     "clusters['c'].cluster.certificate-authority-data is not valid base64 data"),
    ("CA data not PEM", ("clusters", 0, "cluster", "certificate-authority-data"), NOT_PEM,
     "certificate-authority-data is no PEM certificate"),
    ("CA file missing", ("clusters", 0, "cluster", "certificate-authority"), "/nonexistent/ca.crt",
     "clusters['c'].cluster.certificate-authority /nonexistent/ca.crt cannot be read"),
    ("insecure beside a CA", ("clusters", 0, "cluster"),
     {"server": SERVER, "insecure-skip-tls-verify": True, "certificate-authority-data": NOT_PEM},
     "insecure-skip-tls-verify is true beside a certificate authority"),
    ("proxy URL unparsable", ("clusters", 0, "cluster", "proxy-url"), "::bad",
     "clusters['c'].cluster.proxy-url '::bad' is no http, https or socks5 URL"),
    ("duplicate cluster names", ("clusters",), [{"name": "c", "cluster": {"server": SERVER}}] * 2,
     "clusters names 'c' twice"),
    ("token and password", ("users", 0, "user"), {"token": TOKEN, "username": "a", "password": "pw-planted-1"},
     "users['u'].user: more than one authentication method (token and basicAuth)"),
    ("client certificate without key", ("users", 0, "user"), {"client-certificate-data": NOT_PEM},
     "users['u'].user: client-certificate without client-key"),
    ("token file missing", ("users", 0, "user"), {"tokenFile": "/nonexistent/token"},
     "users['u'].user.tokenFile /nonexistent/token cannot be read"),
    ("exec without apiVersion", ("users", 0, "user"), {"exec": {"command": "true"}},
     "users['u'].user.exec.apiVersion must be set"),
    ("exec v1 without interactiveMode", ("users", 0, "user"), {"exec": EXEC_V1},
     "users['u'].user.exec.interactiveMode must be set"),
    ("exec with a bad interactiveMode", ("users", 0, "user"), {"exec": {**EXEC_V1, "interactiveMode": "Sometimes"}},
     "exec.interactiveMode 'Sometimes' is not one of Never, IfAvailable, Always"),
    ("tls flag as a boolean", ("clusters", 0, "cluster", "insecure-skip-tls-verify"), True, None),
    ("an unknown field", ("clusters", 0, "cluster", "vendor-extra"), "anything", None),
    ("a null field", ("contexts", 0, "context", "namespace"), None, None),
    ("insecure without a certificate authority", ("clusters", 0, "cluster"),
     {"server": SERVER, "insecure-skip-tls-verify": True}, None),
]


def _write(tmp_path: Path, path: tuple[Any, ...], value: Any) -> Path:
    data = copy.deepcopy(BASE)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    config = tmp_path / "config"
    config.write_text(yaml.safe_dump(data))
    return config


def _kubectl_accepts(config: Path, home: Path) -> bool:
    done = subprocess.run([kubectl_binary(), "--kubeconfig", str(config), "get", "--raw", "/version",
                           "--request-timeout=2s"], capture_output=True, text=True, timeout=30, check=False,
                          stdin=subprocess.DEVNULL, env={"HOME": str(home), "PATH": "/usr/bin:/bin"})
    assert done.returncode != 0, done.stdout
    return "connection refused" in done.stderr or "The connection to the server" in done.stderr


@pytest.mark.parametrize(("path", "value", "refusal"), [pytest.param(*f[1:], id=f[0]) for f in FORMS])
def test_the_suite_refuses_a_kubeconfig_exactly_when_kubectl_does(
        tmp_path: Path, path: tuple[Any, ...], value: Any, refusal: str | None) -> None:
    config = _write(tmp_path, path, value)
    assert _kubectl_accepts(config, tmp_path) is (refusal is None), "kubectl no longer says what this table says"
    with pytest.raises(UsageError) as raised:
        connect(resolve({"kubeconfig": str(config)}, {}))
    message = str(raised.value)
    assert "\n" not in message and TOKEN not in message and "pw-planted" not in message
    if refusal is None:
        assert message.startswith(f"cannot reach the API server at {SERVER}"), message
    else:
        assert message.startswith(f"kubeconfig {config}: ") and refusal in message, message
        assert message.endswith("(kubectl refuses this file too)"), message
