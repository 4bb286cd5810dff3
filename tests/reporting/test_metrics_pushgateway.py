"""Pushing to a Pushgateway: the URL taken apart (credentials out of every message), and real pushes to a real
Pushgateway behind TLS and basic auth, accepted or refused in one line."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from prometheus_client.parser import text_string_to_metric_families

from gpu_conformance.errors import UsageError
from gpu_conformance.reporting.metrics import PublishError, RunFacts, render
from gpu_conformance.reporting.pushgateway import Pushgateway, redact
from gpu_conformance.reporting.results import Result
from tests.monitoring.test_prometheus_live import free_loopback_port
from tests.reporting.pushgateway_support import (
    PASSWORD,
    PASSWORD_IN_URL,
    USER,
    RunningPushgateway,
    pushgateway,
)

pytestmark = pytest.mark.e2e

EKS_CONTEXT = "arn:aws:eks:eu-west-1:123456789012:cluster/prod"  # what `aws eks update-kubeconfig` names it
EXPOSITION = render([Result("PRE-DRIVER", "k8s-node05", "passed", "", 0.5)], RunFacts(EKS_CONTEXT, 100.0, 110.0))


def test_credentials_leave_the_url_and_go_to_basic_auth() -> None:
    gateway = Pushgateway.parse(f"https://{USER}:{PASSWORD_IN_URL}@pushgateway.monitoring:9091")
    assert (gateway.url, gateway.auth) == ("https://pushgateway.monitoring:9091", (USER, PASSWORD))
    assert gateway.shown == "https://[REDACTED]@pushgateway.monitoring:9091"
    assert PASSWORD not in repr(gateway) and PASSWORD_IN_URL not in repr(gateway)


@pytest.mark.parametrize(("setting", "cluster", "url"), [
    ("http://pg:9091", "gpu-sim", "http://pg:9091/metrics/job/gpu-conformance/cluster/gpu-sim"),
    ("http://pg:9091/", "in-cluster", "http://pg:9091/metrics/job/gpu-conformance/cluster/in-cluster"),
    ("https://proxy/pushgateway", "gpu-sim", "https://proxy/pushgateway/metrics/job/gpu-conformance/cluster/gpu-sim"),
    ("http://pg:9091", EKS_CONTEXT, "http://pg:9091/metrics/job/gpu-conformance/cluster@base64/"
                                    "YXJuOmF3czpla3M6ZXUtd2VzdC0xOjEyMzQ1Njc4OTAxMjpjbHVzdGVyL3Byb2Q="),
    ("http://pg:9091", "..", "http://pg:9091/metrics/job/gpu-conformance/cluster@base64/Li4="),
    ("http://pg:9091/metrics/job/gpu/site/fra1", "gpu-sim", "http://pg:9091/metrics/job/gpu/site/fra1"),
], ids=["context", "in-cluster", "path-prefix", "eks-context", "dots", "own-grouping"])
def test_each_cluster_has_a_group_of_its_own(setting: str, cluster: str, url: str) -> None:
    assert Pushgateway.parse(setting).group_url(cluster) == url


@pytest.mark.parametrize(("setting", "problem"), [
    ("pushgateway:9091", "expected an http:// or https:// URL, e.g. http://pushgateway:9091"),
    (f"{USER}:{PASSWORD_IN_URL}@pushgateway:9091", "expected an http:// or https:// URL"),
    (f"ftp://{USER}:{PASSWORD_IN_URL}@pushgateway", "expected an http:// or https:// URL"),
    (f"http://{USER}:{PASSWORD_IN_URL}@pushgateway:http", "the port is not a number from 1 to 65535"),
    ("http://pushgateway:99999", "the port is not a number from 1 to 65535"),
    ("http://pushgateway:9091?job=x", "expected no ?query or #fragment"),
])
def test_an_unusable_url_is_one_line_without_the_password(setting: str, problem: str) -> None:
    with pytest.raises(UsageError) as caught:
        Pushgateway.parse(setting)
    message = str(caught.value)
    assert message.startswith(f"--pushgateway {redact(setting)}: {problem}")
    assert PASSWORD_IN_URL not in message and "\n" not in message


def test_redaction_hides_even_a_password_left_unescaped() -> None:
    assert redact(f"https://{USER}:{PASSWORD}@pg:9091/x") == "https://[REDACTED]@pg:9091/x"
    assert redact("http://pg:9091/metrics") == "http://pg:9091/metrics"


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPushgateway]:
    with pushgateway(tmp_path_factory.mktemp("pushgateway"), tls_and_auth=True) as running:
        yield running


@pytest.fixture
def trusting(secured: RunningPushgateway, monkeypatch: pytest.MonkeyPatch) -> RunningPushgateway:
    """The test's requests trust the Pushgateway's CA, as REQUESTS_CA_BUNDLE makes them."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(secured.ca))
    return secured


def test_a_push_with_credentials_over_tls_is_stored(trusting: RunningPushgateway) -> None:
    shown = Pushgateway.parse(trusting.url_with_password).push(EKS_CONTEXT, EXPOSITION)
    assert shown.startswith(trusting.url.replace("https://", "https://[REDACTED]@") + "/metrics/job/gpu-conformance/")
    stored = [sample for family in text_string_to_metric_families(trusting.get("/metrics").text)
              for sample in family.samples if sample.name == "gpu_conformance_check_success"]
    assert [(s.labels["cluster"], s.labels["job"], s.labels["node"], s.value) for s in stored] == [
        (EKS_CONTEXT, "gpu-conformance", "k8s-node05", 1.0)]


def test_a_grouping_of_ones_own_names_the_cluster(trusting: RunningPushgateway) -> None:
    """In a pod the cluster is "in-cluster"; a URL with its own grouping names it, and the Pushgateway's
    grouping label wins over the one in the metrics."""
    own = f"{trusting.url_with_password}/metrics/job/gpu-conformance/cluster/prod-eu"
    Pushgateway.parse(own).push("in-cluster", render([], RunFacts("in-cluster", 100.0, 110.0)))
    stored = {sample.labels["cluster"] for family in text_string_to_metric_families(trusting.get("/metrics").text)
              for sample in family.samples if sample.name == "gpu_conformance_last_run_timestamp_seconds"}
    assert "prod-eu" in stored and "in-cluster" not in stored


def test_a_wrong_password_is_refused_in_one_line(trusting: RunningPushgateway) -> None:
    wrong = trusting.url_with_password.replace(PASSWORD_IN_URL, "not-it")
    with pytest.raises(PublishError) as caught:
        Pushgateway.parse(wrong).push("gpu-sim", EXPOSITION)
    assert str(caught.value) == (f"cannot push to {trusting.url.replace('https://', 'https://[REDACTED]@')}"
                                 f"/metrics/job/gpu-conformance/cluster/gpu-sim: HTTP 401 Unauthorized: Unauthorized")


def test_an_untrusted_certificate_is_refused(secured: RunningPushgateway, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    with pytest.raises(PublishError, match=r"CERTIFICATE_VERIFY_FAILED.*\(a private CA: set REQUESTS_CA_BUNDLE to "
                                           r"its certificate file\)$"):
        Pushgateway.parse(secured.url_with_password).push("gpu-sim", EXPOSITION)


def test_nobody_listening_is_one_line() -> None:
    url = f"http://127.0.0.1:{free_loopback_port()}"
    with pytest.raises(PublishError) as caught:
        Pushgateway.parse(url).push("gpu-sim", EXPOSITION)
    assert str(caught.value) == f"cannot push to {url}/metrics/job/gpu-conformance/cluster/gpu-sim: connection refused"


class _LoginRedirect(BaseHTTPRequestHandler):
    """An auth proxy in front of a Pushgateway: every PUT goes to its login page, which answers GET with 200."""

    def do_PUT(self) -> None:
        self.send_response(302)
        self.send_header("Location", "https://sso.example/login")
        self.end_headers()

    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_redirect_is_not_taken_for_a_push() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _LoginRedirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        with pytest.raises(PublishError) as caught:
            Pushgateway.parse(url).push("gpu-sim", EXPOSITION)
    finally:
        server.shutdown()
        server.server_close()
    assert str(caught.value) == (f"cannot push to {url}/metrics/job/gpu-conformance/cluster/gpu-sim: HTTP 302 Found: "
                                 f"redirected to https://sso.example/login: give that URL")
