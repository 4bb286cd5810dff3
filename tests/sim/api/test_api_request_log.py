"""The API server's record of the requests it served: per user, method (WATCH for a watch) and path."""

from __future__ import annotations

from collections import Counter

from gpusim.api.auth import ADMIN_USER
from kubernetes import client, watch

from tests.sim.api.api_harness import SimApi


def test_requests_are_counted_by_method_and_path_without_query(sim: SimApi) -> None:
    v1 = client.CoreV1Api(sim.api_client())
    v1.list_namespaced_pod("default", label_selector="app=web")
    v1.read_namespaced_pod("web", "default")
    v1.read_namespaced_pod("web", "default")
    for _ in watch.Watch().stream(v1.list_namespaced_pod, "default", timeout_seconds=1):
        break
    v1.delete_collection_namespaced_pod("default", label_selector="app=none")
    assert sim.server.ctx.request_log(ADMIN_USER) == Counter({
        ("GET", "/api/v1/namespaces/default/pods"): 1,
        ("GET", "/api/v1/namespaces/default/pods/web"): 2,
        ("WATCH", "/api/v1/namespaces/default/pods"): 1,
        ("DELETE", "/api/v1/namespaces/default/pods"): 1,
    })
    assert sim.server.ctx.requests_of(ADMIN_USER) == 5
    assert sim.server.ctx.request_log("someone-else") == Counter()
