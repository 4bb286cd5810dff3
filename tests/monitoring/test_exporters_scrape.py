"""Bounded scrapes over real loopback HTTP: a small server on 127.0.0.1 that answers, redirects, hangs,
trickles, and sends too much; scraped with the suite's own code."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from gpu_conformance.monitoring.exporters.scrape import ScrapeResult, scrape, scrape_each

TIMEOUT = 0.5
BODY = b'nvidia_smi_temperature_gpu{uuid="df6e7a7c-7314-46f8-abc4-b88b36dcf3aa"} 34\n'
_LINGER_S = 10.0  # how long a hanging or trickling handler holds its connection at most


class Handler(BaseHTTPRequestHandler):
    release: threading.Event  # set when the test ends: hanging handlers let go

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self, status: int, body: bytes, *headers: tuple[str, str]) -> None:
        self.send_response(status)
        for name, value in (("Content-Length", str(len(body))), *headers):
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/metrics":
            self._answer(200, BODY, ("Content-Type", "text/plain; version=0.0.4"))
        elif self.path == "/gzip":
            self._answer(200, gzip.compress(BODY), ("Content-Encoding", "gzip"))
        elif self.path == "/redirect":
            self._answer(302, b"", ("Location", "http://127.0.0.1:1/elsewhere"))
        elif self.path == "/big":
            self._answer(200, BODY * (5 * 1024 * 1024 // len(BODY) + 1))
        elif self.path == "/hang":
            self.release.wait(_LINGER_S)
        elif self.path == "/trickle":
            self.send_response(200)
            self.end_headers()
            try:
                while not self.release.wait(TIMEOUT / 5):
                    self.wfile.write(BODY)
                    self.wfile.flush()
            except BrokenPipeError:  # the scraper gave up, as it should
                pass
        elif self.path == "/short":  # promises more than it sends, then closes
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(BODY)
        else:
            self._answer(404, b"404 page not found\n")


class Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default 5 drops connects when 40 scrapes arrive at once
    daemon_threads = True


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    release = threading.Event()
    handler = type("BoundHandler", (Handler,), {"release": release})
    httpd = Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    release.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_good_answer(server: str) -> None:
    result = scrape(f"{server}/metrics", TIMEOUT)
    assert (result.status, result.error, result.body) == (200, None, BODY)
    assert result.content_type == "text/plain; version=0.0.4"


def test_gzip_is_decompressed(server: str) -> None:
    assert scrape(f"{server}/gzip", TIMEOUT).body == BODY


def test_connection_refused() -> None:
    result = scrape(f"http://127.0.0.1:{closed_port()}/metrics", TIMEOUT)
    assert (result.status, result.error) == (None, "connection refused")


def test_no_answer_within_the_timeout(server: str) -> None:
    result = scrape(f"{server}/hang", TIMEOUT)
    assert (result.status, result.error) == (None, "no answer within 0.5 s")
    assert TIMEOUT <= result.elapsed_s < TIMEOUT + 0.5


def test_a_trickling_body_is_cut_at_the_deadline(server: str) -> None:
    result = scrape(f"{server}/trickle", TIMEOUT)
    assert result.status == 200
    assert result.error is not None and result.error.startswith("body not complete within 0.5 s")
    assert result.elapsed_s < 2 * TIMEOUT + 0.5


def test_a_body_cut_short_is_an_error(server: str) -> None:
    result = scrape(f"{server}/short", TIMEOUT)
    assert result.status == 200
    assert result.error is not None and result.error.startswith("body not complete: ")
    assert "IncompleteRead" in result.error, result.error


def test_a_redirect_is_not_followed(server: str) -> None:
    result = scrape(f"{server}/redirect", TIMEOUT)
    assert (result.status, result.reason, result.error) == (302, "Found", None)
    assert result.location == "http://127.0.0.1:1/elsewhere"


def test_a_body_over_the_cap_is_cut(server: str) -> None:
    result = scrape(f"{server}/big", TIMEOUT, max_bytes=1024 * 1024)
    assert result.status == 200
    assert result.error == "body larger than 1 MiB (cut off there)"
    assert len(result.body) == 1024 * 1024


def test_http_errors_keep_their_status(server: str) -> None:
    result = scrape(f"{server}/nothing", TIMEOUT)
    assert (result.status, result.reason, result.error) == (404, "Not Found", None)


def test_a_bad_url_is_an_error_not_an_exception() -> None:
    result = scrape("ftp://127.0.0.1/metrics", TIMEOUT)
    assert result.status is None and result.error is not None and result.error.startswith("cannot request it")


def test_proxies_from_the_environment_are_not_used(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    refused = f"http://127.0.0.1:{closed_port()}"
    monkeypatch.setenv("HTTP_PROXY", refused)
    monkeypatch.setenv("http_proxy", refused)
    assert scrape(f"{server}/metrics", TIMEOUT).status == 200


def test_hanging_exporters_are_waited_for_together(server: str) -> None:
    urls = {f"node-{i:02d}": f"{server}/hang" if i % 2 else f"{server}/metrics" for i in range(40)}
    started = time.monotonic()
    results = scrape_each(urls, TIMEOUT, _as_scraped)
    elapsed = time.monotonic() - started
    assert list(results) == list(urls)
    assert {r.error for name, r in results.items() if int(name[-2:]) % 2} == {"no answer within 0.5 s"}
    assert {r.status for name, r in results.items() if not int(name[-2:]) % 2} == {200}
    assert elapsed < TIMEOUT + 1.0, f"20 hanging exporters took {elapsed:.2f} s"


def test_few_workers_queue_the_hanging_ones(server: str) -> None:
    """The bound is real: with 2 workers, 4 hanging exporters take two timeouts."""
    started = time.monotonic()
    scrape_each({i: f"{server}/hang" for i in range(4)}, TIMEOUT, _as_scraped, max_workers=2)
    assert time.monotonic() - started >= 2 * TIMEOUT


def _as_scraped(_: object, result: ScrapeResult) -> ScrapeResult:
    return result
