"""The official kubernetes client against the simulated API server: CRUD, watch, errors, deletion, faults."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
import urllib3
from gpusim.api import ApiServer
from gpusim.kubeconfig import write_kubeconfig
from gpusim.model import ApiFaults
from gpusim.resources import JOB, NAMESPACE, POD
from gpusim.tls import TlsMaterial, make_tls
from kubernetes import client, watch
from kubernetes.client.exceptions import ApiException

from tests.sim.api.api_harness import TOKEN, VERSION, SimApi, pod_object, start_sim


def _status(err: ApiException) -> dict[str, object]:
    body: dict[str, object] = json.loads(err.body)
    return body


def test_typed_crud_and_errors_in_real_wording(sim: SimApi) -> None:
    v1 = client.CoreV1Api(sim.api_client())
    assert [n.metadata.name for n in v1.list_node().items] == ["node-0", "node-1", "node-2"]
    created = v1.create_namespaced_pod(
        "default",
        {
            "metadata": {"generateName": "vectoradd-"},
            "spec": {
                "containers": [
                    {
                        "name": "cuda",
                        "image": "nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda12.5.0",
                        "resources": {"limits": {"nvidia.com/gpu": "1"}},
                    }
                ],
                "restartPolicy": "Never",
            },
        },
    )
    name = created.metadata.name
    assert name.startswith("vectoradd-") and created.status.phase == "Pending"
    container = created.spec.containers[0]
    assert container.resources.requests == {"nvidia.com/gpu": "1"}
    assert (
        container.image_pull_policy == "IfNotPresent" and created.spec.scheduler_name == "default-scheduler"
    )
    assert {t.key for t in created.spec.tolerations} == {
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    }
    patched = v1.patch_namespaced_pod(name, "default", {"metadata": {"labels": {"gpu": "yes"}}})
    assert patched.metadata.labels == {"gpu": "yes"}
    with pytest.raises(ApiException) as missing:
        v1.read_namespaced_pod("nope", "default")
    assert missing.value.status == 404 and _status(missing.value)["message"] == 'pods "nope" not found'
    with pytest.raises(ApiException) as invalid:
        v1.create_namespaced_pod(
            "default",
            {"metadata": {"name": "Bad_Name"}, "spec": {"containers": [{"name": "c", "image": ""}]}},
        )
    message = str(_status(invalid.value)["message"])
    assert invalid.value.status == 422 and message.startswith('Pod "Bad_Name" is invalid: ')
    assert "spec.containers[0].image: Required value" in message
    with pytest.raises(ApiException) as mismatch:
        v1.create_namespaced_pod("kube-system", pod_object("x", namespace="default"))
    assert mismatch.value.status == 400
    assert _status(mismatch.value)["message"] == (
        "the namespace of the provided object does not match the namespace sent on the request"
    )
    with pytest.raises(ApiException) as fractional:
        v1.create_namespaced_pod(
            "default",
            {
                "metadata": {"name": "half"},
                "spec": {
                    "containers": [
                        {"name": "c", "image": "i", "resources": {"limits": {"nvidia.com/gpu": "500m"}}}
                    ]
                },
            },
        )
    assert (
        'spec.containers[0].resources.limits[nvidia.com/gpu]: Invalid value: "500m": must be an integer'
        in str(_status(fractional.value)["message"])
    )


def test_replace_with_stale_resource_version_conflicts(sim: SimApi) -> None:
    v1 = client.CoreV1Api(sim.api_client())
    node = v1.read_node("node-1")
    v1.patch_node("node-1", {"metadata": {"labels": {"a": "b"}}})
    with pytest.raises(ApiException) as stale:
        v1.replace_node("node-1", node)
    assert stale.value.status == 409 and _status(stale.value)["reason"] == "Conflict"


def test_status_subresource_separates_spec_and_status(sim: SimApi) -> None:
    v1 = client.CoreV1Api(sim.api_client())
    v1.patch_namespaced_pod(
        "web", "default", {"status": {"phase": "Failed"}, "metadata": {"labels": {"x": "y"}}}
    )
    assert sim.store.get(POD, "default", "web")["status"]["phase"] == "Running"
    v1.patch_namespaced_pod_status("web", "default", {"status": {"phase": "Succeeded"}})
    pod = sim.store.get(POD, "default", "web")
    assert pod["status"]["phase"] == "Succeeded" and pod["metadata"]["labels"] == {"x": "y"}


def test_pagination_with_limit_and_continue(sim: SimApi) -> None:
    v1 = client.CoreV1Api(sim.api_client())
    first = v1.list_node(limit=2)
    assert [n.metadata.name for n in first.items] == ["node-0", "node-1"]
    assert first.metadata.remaining_item_count == 1
    rest = v1.list_node(limit=2, _continue=first.metadata._continue)
    assert [n.metadata.name for n in rest.items] == ["node-2"] and not rest.metadata._continue


def test_watch_streams_changes_and_ends_at_timeout(sim: SimApi) -> None:
    v1 = client.CoreV1Api(sim.api_client())
    rv = v1.list_namespaced_pod("default").metadata.resource_version

    def change() -> None:
        time.sleep(0.3)
        sim.store.create(POD, pod_object("new", node="node-2"))
        sim.store.update(POD, "default", "new", lambda p: p["metadata"].update(labels={"app": "gpu"}))

    threading.Thread(target=change, daemon=True).start()
    seen = []
    started = time.monotonic()
    for event in watch.Watch().stream(
        v1.list_namespaced_pod, "default", resource_version=rv, timeout_seconds=2, _request_timeout=10
    ):
        seen.append((event["type"], event["object"].metadata.name))
    assert seen == [("ADDED", "new"), ("MODIFIED", "new")]
    assert 1.5 < time.monotonic() - started < 5


def test_watch_with_compacted_resource_version_gets_410_error_event(sim: SimApi) -> None:
    v1 = client.CoreV1Api(sim.api_client())
    old = v1.list_namespaced_pod("default").metadata.resource_version
    sim.store.create(POD, pod_object("later"))
    sim.store.compact()
    with pytest.raises(ApiException) as gone:
        for _ in watch.Watch().stream(
            v1.list_namespaced_pod, "default", resource_version=old, timeout_seconds=2, _request_timeout=10
        ):
            pass
    assert gone.value.status == 410


def test_wrong_token_is_401_and_authorizer_denial_is_403(tmp_path: Path, tls_material: TlsMaterial) -> None:
    store_sim = start_sim(tmp_path, tls_material)
    try:
        write_kubeconfig(tmp_path / "bad", store_sim.server.url, "wrong-token", tls_material.ca_pem)
        bad = client.CoreV1Api(
            SimApi(
                store_sim.store, store_sim.logs, store_sim.server, tmp_path / "bad", tls_material
            ).api_client()
        )
        with pytest.raises(ApiException) as unauthorized:
            bad.list_node()
        assert unauthorized.value.status == 401 and _status(unauthorized.value)["reason"] == "Unauthorized"
    finally:
        store_sim.server.stop()
    denied = ApiServer(
        store_sim.store,
        store_sim.logs,
        VERSION,
        token=TOKEN,
        tls=tls_material,
        authorizer=lambda user, verb, *rest: verb != "list",
    )
    denied.start()
    try:
        write_kubeconfig(tmp_path / "denied", denied.url, TOKEN, tls_material.ca_pem)
        v1 = client.CoreV1Api(
            SimApi(store_sim.store, store_sim.logs, denied, tmp_path / "denied", tls_material).api_client()
        )
        with pytest.raises(ApiException) as forbidden:
            v1.list_node()
        assert forbidden.value.status == 403
        assert _status(forbidden.value)["message"] == (
            'nodes is forbidden: User "gpu-sim-admin" cannot list '
            'resource "nodes" in API group "" at the cluster scope'
        )
        assert v1.read_node("node-0").metadata.name == "node-0"
    finally:
        denied.stop()


def test_tls_verification_fails_against_another_ca(sim: SimApi, tmp_path: Path) -> None:
    other = make_tls()
    write_kubeconfig(tmp_path / "other-ca", sim.server.url, TOKEN, other.ca_pem)
    api = SimApi(sim.store, sim.logs, sim.server, tmp_path / "other-ca", other).api_client()
    api.rest_client.pool_manager.connection_pool_kw["retries"] = False
    with pytest.raises(ApiException) as refused:
        client.CoreV1Api(api).list_node(_request_timeout=5)
    reason = str(refused.value.reason)
    assert reason.startswith("SSLError") and "CERTIFICATE_VERIFY_FAILED" in reason


def test_plain_http_without_tls(tmp_path: Path) -> None:
    api = start_sim(tmp_path, None)
    try:
        assert api.server.url.startswith("http://127.0.0.1:")
        assert len(client.CoreV1Api(api.api_client()).list_node().items) == 3
    finally:
        api.server.stop()


def test_job_delete_default_orphans_and_background_removes(sim: SimApi) -> None:
    batch = client.BatchV1Api(sim.api_client())
    job = {
        "metadata": {"name": "j"},
        "spec": {
            "template": {
                "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}
            }
        },
    }
    batch.create_namespaced_job("default", job)
    batch.delete_namespaced_job("j", "default")
    lingering = sim.store.get(JOB, "default", "j")["metadata"]
    assert lingering["finalizers"] == ["orphan"] and lingering["deletionTimestamp"]
    sim.store.update(JOB, "default", "j", lambda j: j["metadata"].update(finalizers=[]))
    batch.create_namespaced_job("default", job)
    status = batch.delete_namespaced_job("j", "default", propagation_policy="Background")
    assert status["status"] == "Success" and status["details"]["kind"] == "jobs"
    assert status["details"]["group"] == "batch"
    assert sim.store.find(JOB, "default", "j") is None
    batch.create_namespaced_job("default", job)
    batch.delete_namespaced_job("j", "default", propagation_policy="Foreground")
    assert sim.store.get(JOB, "default", "j")["metadata"]["finalizers"] == ["foregroundDeletion"]


def test_pod_deletion_grace_and_namespace_termination(sim: SimApi) -> None:
    v1 = client.CoreV1Api(sim.api_client())
    deleting = v1.delete_namespaced_pod("web", "default", grace_period_seconds=5)
    assert deleting.metadata.deletion_grace_period_seconds == 5 and deleting.metadata.deletion_timestamp
    sim.store.create(POD, pod_object("unbound"))
    v1.delete_namespaced_pod("unbound", "default")
    assert sim.store.find(POD, "default", "unbound") is None
    v1.create_namespace({"metadata": {"name": "gpu-test"}})
    ns = v1.delete_namespace("gpu-test")
    assert ns["status"]["phase"] == "Terminating" and ns["spec"]["finalizers"] == ["kubernetes"]
    with pytest.raises(ApiException) as refused:
        v1.create_namespaced_pod("gpu-test", pod_object("late", namespace="gpu-test"))
    assert refused.value.status == 403
    v1.replace_namespace_finalize("gpu-test", {"metadata": {"name": "gpu-test"}, "spec": {"finalizers": []}})
    assert sim.store.find(NAMESPACE, "", "gpu-test") is None


def test_throttling_answers_429_with_retry_after(tmp_path: Path, tls_material: TlsMaterial) -> None:
    api = start_sim(tmp_path, tls_material, faults=ApiFaults(throttle_ratio=1.0, retry_after_seconds=7))
    try:
        (tmp_path / "ca.pem").write_bytes(tls_material.ca_pem)
        http = urllib3.PoolManager(ca_certs=str(tmp_path / "ca.pem"), cert_reqs="CERT_REQUIRED")
        answer = http.request(
            "GET",
            api.server.url + "/api/v1/nodes",
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=5,
            retries=False,
        )
        assert answer.status == 429 and answer.headers["Retry-After"] == "7"
        assert json.loads(answer.data)["details"] == {"retryAfterSeconds": 7}
    finally:
        api.server.stop()


def test_stop_closes_open_watches_promptly(sim: SimApi) -> None:
    v1 = client.CoreV1Api(sim.api_client())
    ended = threading.Event()

    def watch_forever() -> None:
        try:
            for _ in watch.Watch().stream(v1.list_node, timeout_seconds=60, _request_timeout=30):
                pass
        except Exception:  # the connection is cut: any client error is fine here
            pass
        ended.set()

    threading.Thread(target=watch_forever, daemon=True).start()
    time.sleep(0.5)
    started = time.monotonic()
    sim.server.stop()
    assert time.monotonic() - started < 1
    assert ended.wait(2)
    sim.server.stop()  # idempotent
