"""The test bed's API faults hit every request, as an overloaded kube-apiserver's do: log reads and watches too,
each a real 429 (Retry-After header, Status TooManyRequests with details.retryAfterSeconds) or 5xx Status."""

from __future__ import annotations

import tempfile
from dataclasses import replace

import pytest
import requests
from gpusim.cluster import SimCluster
from gpusim.model import ApiFaults
from gpusim.scenario import load
from gpusim.testing import StartCluster

pytestmark = pytest.mark.e2e

REQUESTS = ("/api/v1/nodes", "/api/v1/namespaces/kube-system/pods?watch=true&timeoutSeconds=1",
            "/api/v1/namespaces/kube-system/pods/any/log", "/version")


def get(cluster: SimCluster, path: str) -> requests.Response:
    with tempfile.NamedTemporaryFile(suffix=".pem") as ca:
        ca.write(cluster.ca_pem or b"")
        ca.flush()
        return requests.get(cluster.url + path, headers={"Authorization": f"Bearer {cluster.token}"},
                            verify=ca.name, timeout=10)


def test_every_request_can_be_throttled(start_cluster: StartCluster) -> None:
    cluster = start_cluster(replace(load("seed"), api_faults=ApiFaults(throttle_ratio=1.0, retry_after_seconds=2)))
    for path in REQUESTS:
        answer = get(cluster, path)
        assert (path, answer.status_code, answer.headers.get("Retry-After")) == (path, 429, "2")
        body = answer.json()
        assert (body["kind"], body["reason"], body["code"], body["details"]) == (
            "Status", "TooManyRequests", 429, {"retryAfterSeconds": 2})


def test_every_request_can_fail_with_a_server_error(start_cluster: StartCluster) -> None:
    cluster = start_cluster(replace(load("seed"), api_faults=ApiFaults(error_ratio=1.0)))
    for path in REQUESTS:
        answer = get(cluster, path)
        assert answer.status_code in (500, 503), path
        assert (answer.json()["kind"], answer.json()["code"]) == ("Status", answer.status_code)
