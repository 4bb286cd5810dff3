"""The real Pushgateway (Debian's prometheus-pushgateway) on loopback, in memory only, for the metrics tests;
optionally behind TLS (a trustme CA) and basic auth, as a Pushgateway reached over a network should be."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import trustme

from tests.monitoring.test_prometheus_live import free_loopback_port
from tests.suite.suite_runner import stop_process

USER = "pusher"
PASSWORD = "swordfish:/@42"  # made up for these tests; ":", "/" and "@" must be percent-encoded in a URL
PASSWORD_IN_URL = "swordfish%3A%2F%4042"
# bcrypt of PASSWORD (cost 4), as the Pushgateway's web config wants it
PASSWORD_BCRYPT = "$2b$04$azScpmhl30LohiFlr8tn0unEIg04lfrOoM4n.TVlf14pVi5xIvsH2"


@dataclass(frozen=True)
class RunningPushgateway:
    url: str  # without credentials
    ca: Path | None = None  # the CA that signed its certificate, when it speaks TLS

    @property
    def url_with_password(self) -> str:
        scheme, _, rest = self.url.partition("://")
        return f"{scheme}://{USER}:{PASSWORD_IN_URL}@{rest}"

    def get(self, path: str) -> requests.Response:
        auth = (USER, PASSWORD) if self.ca is not None else None
        answer = requests.get(self.url + path, auth=auth, verify=str(self.ca) if self.ca else True, timeout=10)
        answer.raise_for_status()
        return answer


def _web_config(folder: Path) -> tuple[Path, Path]:
    """A web config with TLS for 127.0.0.1 and basic auth for USER; and the CA's certificate."""
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1")
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    server.private_key_pem.write_to_path(str(folder / "key.pem"))
    server.cert_chain_pems[0].write_to_path(str(folder / "cert.pem"))
    config = folder / "web.yml"
    config.write_text(f"tls_server_config:\n  cert_file: {folder / 'cert.pem'}\n  key_file: {folder / 'key.pem'}\n"
                      f"basic_auth_users:\n  {USER}: {PASSWORD_BCRYPT}\n")
    return config, folder / "ca.pem"


@contextlib.contextmanager
def pushgateway(folder: Path, *, tls_and_auth: bool = False) -> Iterator[RunningPushgateway]:
    """A Pushgateway on a free loopback port, stopped afterwards; nothing persisted."""
    binary = shutil.which("prometheus-pushgateway")
    if binary is None:
        pytest.fail("these tests run the real Pushgateway: apt-get install prometheus-pushgateway", pytrace=False)
    port = free_loopback_port()
    args = [binary, f"--web.listen-address=127.0.0.1:{port}", "--persistence.file=", "--log.level=warn"]
    ca = None
    if tls_and_auth:
        config, ca = _web_config(folder)
        args.append(f"--web.config.file={config}")
    log = folder / "pushgateway.log"
    with log.open("w") as sink:
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=sink)
    try:
        deadline = time.monotonic() + 15
        while not _listening(port):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Pushgateway did not start: {log.read_text()[-500:]}", pytrace=False)
            time.sleep(0.05)
        yield RunningPushgateway(f"{'https' if tls_and_auth else 'http'}://127.0.0.1:{port}", ca)
    finally:
        stop_process(process)


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0
