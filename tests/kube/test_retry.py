"""The client layer's retry budget, against a scripted loopback API server: what is retried, for how long, and the
one line that names the call when the budget is spent."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import MaxRetryError

from conformance.plugin import stray_errors
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.kube import retry
from gpu_conformance.kube.api_trouble import ApiUnavailable, spent, stray_api_error
from gpu_conformance.kube.errors import api_message
from gpu_conformance.kube.retry import create_retrying, transport_retry

RESET = "reset"
NODES = {"kind": "NodeList", "apiVersion": "v1", "metadata": {"resourceVersion": "1"}, "items": []}
NAMESPACE = {"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": "x"}}


def status(code: int, reason: str, message: str) -> tuple[int, dict[str, str], dict[str, Any]]:
    return code, {}, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message,
                      "reason": reason, "code": code}


THROTTLED = (429, {"Retry-After": "1"}, status(429, "TooManyRequests", "Too many requests")[2])
UNAVAILABLE = status(503, "ServiceUnavailable", "the server is currently unable to handle the request")
ALREADY = status(409, "AlreadyExists", 'namespaces "x" already exists')


@dataclass
class Script:
    """Answers in order (the last repeats); every request seen as (method, path, time)."""

    answers: list[Any] = field(default_factory=list)
    seen: list[tuple[str, str, float]] = field(default_factory=list)

    def next(self) -> Any:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    script: Script

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.script.seen.append((self.command, self.path, time.monotonic()))
        answer = self.script.next()
        if answer == RESET:
            self.close_connection = True
            self.connection.close()
            return
        code, headers, body = answer
        payload = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    do_POST = do_GET


@pytest.fixture
def server() -> Iterator[tuple[Script, str]]:
    script = Script()
    handler = type("Handler", (_Handler,), {"script": script})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield script, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retry, "BACKOFF_SECONDS", 0.01)


def core(url: str, budget: float) -> Any:
    configuration = client.Configuration()
    configuration.host = url
    configuration.retries = transport_retry(budget)
    return client.CoreV1Api(client.ApiClient(configuration))


def ok(body: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
    return 200, {}, body


def test_server_errors_and_resets_of_reads_are_retried(server: tuple[Script, str]) -> None:
    script, url = server
    script.answers = [UNAVAILABLE, RESET, status(500, "InternalError", "etcdserver: request timed out"), ok(NODES)]
    assert core(url, 10).list_node().items == []
    assert [method for method, _, _ in script.seen] == ["GET"] * 4


def test_retry_after_is_honoured_never_sooner(server: tuple[Script, str]) -> None:
    script, url = server
    script.answers = [THROTTLED, ok(NODES)]
    core(url, 10).list_node()
    waited = script.seen[1][2] - script.seen[0][2]
    assert 1.0 <= waited <= 1.0 * (1 + retry.RETRY_AFTER_JITTER) + 0.5


def test_a_spent_budget_names_the_call_the_answers_and_the_time(server: tuple[Script, str]) -> None:
    script, url = server
    script.answers = [UNAVAILABLE]
    started = time.monotonic()
    with pytest.raises(ApiUnavailable) as caught:
        core(url, 1.5).read_namespaced_pod_log("probe-a", "gpu-conformance")
    assert time.monotonic() - started < 1.5 + 1
    error = caught.value
    tries = len(script.seen)
    assert tries > 3
    assert str(error).startswith(f"the API server answered 503 to GET /api/v1/namespaces/gpu-conformance/pods/probe-a/"
                                 f"log {tries} times over ")
    assert str(error).endswith(" s (retried for up to --pod-timeout 1.5 s)")
    # still the ApiException callers tell statuses apart by, and "could not inspect" for the checks
    assert isinstance(error, ApiException) and isinstance(error, FactsUnavailable) and error.status == 503
    assert api_message(error) == str(error)


def test_a_create_is_not_repeated_by_the_transport_after_a_5xx(server: tuple[Script, str]) -> None:
    script, url = server
    script.answers = [UNAVAILABLE, ok(NAMESPACE)]
    with pytest.raises(ApiException) as caught:
        core(url, 10).create_namespace({"metadata": {"name": "x"}})
    assert caught.value.status == 503 and not isinstance(caught.value, ApiUnavailable)
    assert len(script.seen) == 1


def test_a_throttled_create_is_repeated_by_the_transport(server: tuple[Script, str]) -> None:
    script, url = server
    script.answers = [(429, {"Retry-After": "1"}, THROTTLED[2]), ok(NAMESPACE)]
    assert core(url, 10).create_namespace({"metadata": {"name": "x"}}).metadata.name == "x"


def test_create_retrying_takes_already_exists_after_a_repeat_as_landed(server: tuple[Script, str]) -> None:
    script, url = server
    script.answers = [UNAVAILABLE, ALREADY]
    api = core(url, 10)
    create_retrying(lambda: api.create_namespace({"metadata": {"name": "x"}}), "POST /api/v1/namespaces", 10)
    assert len(script.seen) == 2


def test_create_retrying_repeats_a_create_whose_connection_broke(server: tuple[Script, str]) -> None:
    script, url = server
    script.answers = [RESET, ok(NAMESPACE)]
    api = core(url, 10)
    create_retrying(lambda: api.create_namespace({"metadata": {"name": "x"}}), "POST /api/v1/namespaces", 10)
    assert len(script.seen) == 2


def test_create_retrying_names_the_create_when_its_budget_is_spent(server: tuple[Script, str]) -> None:
    script, url = server
    script.answers = [UNAVAILABLE]
    api = core(url, 10)
    spent_budget = r"^the API server answered 503 to POST /api/v1/namespaces \d+ times over "
    with pytest.raises(ApiUnavailable, match=spent_budget):
        create_retrying(lambda: api.create_namespace({"metadata": {"name": "x"}}), "POST /api/v1/namespaces", 1)


def test_a_refused_connection_fails_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(MaxRetryError):
        core("http://127.0.0.1:9", 60).list_node(_request_timeout=(2, 2))
    assert time.monotonic() - started < 2


def test_mixed_answers_are_counted_each() -> None:
    assert spent("GET /x", [429, 429, 503, None], 41.2, 60) == (
        "the API server answered 429 (2x), 503 (1x), a broken connection (1x) to GET /x 4 times over 41 s "
        "(retried for up to --pod-timeout 60 s)")
    assert spent("GET /x", [None, None], 0.25, 60).startswith("the API server broke the connection of GET /x 2 times "
                                                              "over 0.2 s")


def test_a_stray_api_error_is_one_line_naming_its_call(server: tuple[Script, str]) -> None:
    script, url = server
    script.answers = [status(422, "Invalid", 'Namespace "Bad_NS" is invalid')]
    with pytest.raises(ApiException) as caught:
        core(url, 10).list_namespaced_pod("Bad_NS")
    assert stray_api_error(caught.value) == ('the API call GET /api/v1/namespaces/Bad_NS/pods failed: 422 '
                                            'Unprocessable Entity: Namespace "Bad_NS" is invalid')
    assert stray_api_error(ValueError("not the API")) is None


def test_the_suites_safety_net_makes_a_stray_api_error_could_not_inspect(server: tuple[Script, str]) -> None:
    script, url = server
    script.answers = [status(404, "NotFound", "the server could not find the requested resource")]
    api = core(url, 10)

    call = pytest.CallInfo.from_call(lambda: api.list_pod_for_all_namespaces(), "call")
    wrapper = stray_errors.pytest_runtest_makereport(None, call)  # type: ignore[arg-type]
    next(wrapper)  # the part that runs before any report is made
    assert call.excinfo is not None and call.excinfo.type is FactsUnavailable
    assert str(call.excinfo.value) == ("the API call GET /api/v1/pods failed: 404 Not Found: the server could not "
                                       "find the requested resource")
