"""The real kubectl against the simulated API server: discovery, tables, apply, patch, delete, logs, wait."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from gpusim.resources import CONFIGMAP, EVENT, JOB, NODE, POD

from tests.sim.api.api_harness import SimApi, pod_object, start_sim

pytestmark = [pytest.mark.kubectl, pytest.mark.e2e]


def test_version_keeps_vendor_forms(sim: SimApi) -> None:
    out = json.loads(sim.kubectl("version", "-o", "json").stdout)
    assert out["serverVersion"]["minor"] == "28+"
    assert out["serverVersion"]["gitVersion"] == "v1.28.3-eks-4f4795d"


def test_get_nodes_table_and_wide(sim: SimApi) -> None:
    sim.kubectl("cordon", "node-2")
    lines = sim.kubectl("get", "nodes").stdout.splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert rows["node-0"][1:3] == ["Ready", "control-plane"]
    assert rows["node-1"][1:3] == ["Ready", "<none>"]
    assert rows["node-2"][1] == "Ready,SchedulingDisabled"
    wide = sim.kubectl("get", "nodes", "-o", "wide").stdout.splitlines()
    assert wide[0].split()[5:] == [
        "INTERNAL-IP",
        "EXTERNAL-IP",
        "OS-IMAGE",
        "KERNEL-VERSION",
        "CONTAINER-RUNTIME",
    ]
    assert "127.0.0.3" in wide[2] and "containerd://1.7.2" in wide[2]


def test_get_pods_wide_and_json(sim: SimApi) -> None:
    wide = sim.kubectl("get", "pods", "-o", "wide").stdout.splitlines()
    assert wide[0].split() == [
        "NAME",
        "READY",
        "STATUS",
        "RESTARTS",
        "AGE",
        "IP",
        "NODE",
        "NOMINATED",
        "NODE",
        "READINESS",
        "GATES",
    ]
    assert wide[1].split()[:4] == ["web", "1/1", "Running", "0"]
    assert wide[1].split()[6] == "node-1"
    items = json.loads(sim.kubectl("get", "pods", "-o", "json").stdout)["items"]
    assert [p["metadata"]["name"] for p in items] == ["web"]


def test_apply_creates_then_updates(sim: SimApi, tmp_path: Path) -> None:
    manifest = tmp_path / "cm.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: '1'}\n")
    assert sim.kubectl("apply", "-f", str(manifest)).stdout.strip() == "configmap/settings created"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {b: '2'}\n")
    assert sim.kubectl("apply", "-f", str(manifest)).stdout.strip() == "configmap/settings configured"
    assert sim.store.get(CONFIGMAP, "default", "settings")["data"] == {"b": "2"}


def test_create_job_gets_defaults_and_bad_restart_policy_is_refused(sim: SimApi, tmp_path: Path) -> None:
    manifest = tmp_path / "job.yaml"
    body = (
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: vec}\nspec:\n  template:\n    spec:\n"
        "      restartPolicy: %s\n      containers: [{name: c, image: 'nvcr.io/nvidia/k8s/cuda-sample:v1'}]\n"
    )
    manifest.write_text(body % "Always")
    refused = sim.kubectl("create", "-f", str(manifest), check=False)
    assert refused.returncode == 1
    assert (
        'spec.template.spec.restartPolicy: Unsupported value: "Always": '
        'supported values: "OnFailure", "Never"' in refused.stderr
    )
    manifest.write_text(body % "Never")
    sim.kubectl("create", "-f", str(manifest))
    job = sim.store.get(JOB, "default", "vec")
    uid = job["metadata"]["uid"]
    assert job["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    assert job["spec"]["backoffLimit"] == 6 and job["spec"]["completionMode"] == "NonIndexed"
    assert sim.kubectl("get", "job", "vec").stdout.splitlines()[1].split()[1:3] == ["Running", "0/1"]


def test_patch_label_annotate_taint(sim: SimApi) -> None:
    sim.kubectl("label", "node", "node-1", "nvidia.com/gpu.present=true")
    sim.kubectl("annotate", "pod", "web", "team=gpu")
    sim.kubectl("taint", "node", "node-1", "nvidia.com/gpu=present:NoSchedule")
    sim.kubectl(
        "patch", "pod", "web", "-p", '{"spec":{"containers":[{"name":"main","image":"busybox:1.37"}]}}'
    )
    node = sim.store.get(NODE, "", "node-1")
    assert node["metadata"]["labels"]["nvidia.com/gpu.present"] == "true"
    assert node["spec"]["taints"] == [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]
    pod = sim.store.get(POD, "default", "web")
    assert pod["metadata"]["annotations"] == {"team": "gpu"}
    assert pod["spec"]["containers"][0]["image"] == "busybox:1.37"
    assert pod["spec"]["containers"][0]["name"] == "main"
    refused = sim.kubectl(
        "patch", "pod", "web", "--type=merge", "-p", '{"spec":{"nodeName":"node-2"}}', check=False
    )
    assert "pod updates may not change fields other than" in refused.stderr


def test_describe_node_and_pod_with_events(sim: SimApi) -> None:
    pod = sim.store.get(POD, "default", "web")
    sim.store.create(
        EVENT,
        {
            "metadata": {"name": "web.1", "namespace": "default"},
            "involvedObject": {
                "kind": "Pod",
                "namespace": "default",
                "name": "web",
                "uid": pod["metadata"]["uid"],
                "apiVersion": "v1",
            },
            "reason": "Scheduled",
            "message": "Successfully assigned default/web to node-1",
            "type": "Normal",
            "source": {"component": "default-scheduler"},
            "count": 1,
            "firstTimestamp": "2024-01-01T00:00:00Z",
            "lastTimestamp": "2024-01-01T00:00:00Z",
        },
    )
    described = sim.kubectl("describe", "pod", "web").stdout
    assert "Node:         node-1/" in described
    assert "Successfully assigned default/web to node-1" in described
    assert "Kubelet Version:            v1.28.3" in sim.kubectl("describe", "node", "node-1").stdout
    events = sim.kubectl("get", "events").stdout.splitlines()
    assert events[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert events[1].split()[1:4] == ["Normal", "Scheduled", "pod/web"]


def test_logs_and_waiting_container(sim: SimApi) -> None:
    sim.logs.start("default", "web", "main")
    sim.logs.write("default", "web", "main", "[Vector addition of 50000 elements]\nTest PASSED\nDone\n")
    assert sim.kubectl("logs", "web").stdout == "[Vector addition of 50000 elements]\nTest PASSED\nDone\n"
    assert sim.kubectl("logs", "web", "--tail=1").stdout == "Done\n"
    sim.store.create(
        POD, pod_object("pending", node="node-1", state={"waiting": {"reason": "ContainerCreating"}})
    )
    waiting = sim.kubectl("logs", "pending", check=False)
    assert waiting.returncode == 1
    assert (
        'Error from server (BadRequest): container "main" in pod "pending" is waiting to start: '
        "ContainerCreating"
    ) in waiting.stderr


def test_logs_follow_streams_until_the_container_stops(sim: SimApi) -> None:
    sim.logs.start("default", "web", "main")
    sim.logs.write("default", "web", "main", "first\n")

    def finish() -> None:
        time.sleep(0.5)
        sim.logs.write("default", "web", "main", "second\n")
        sim.logs.stop("default", "web", "main")

    threading.Thread(target=finish, daemon=True).start()
    assert sim.kubectl("logs", "-f", "web", timeout=10).stdout == "first\nsecond\n"


def test_wait_for_jsonpath_sees_an_update(sim: SimApi) -> None:
    def mark_succeeded() -> None:
        time.sleep(0.5)
        sim.store.update(POD, "default", "web", lambda p: p["status"].update(phase="Succeeded"))

    threading.Thread(target=mark_succeeded, daemon=True).start()
    done = sim.kubectl(
        "wait", "pod/web", "--for=jsonpath={.status.phase}=Succeeded", "--timeout=10s", timeout=15
    )
    assert done.stdout.strip() == "pod/web condition met"


def test_delete_graceful_pod_without_wait_then_with_wait(sim: SimApi) -> None:
    assert (
        sim.kubectl("delete", "pod", "web", "--wait=false").stdout.strip()
        == 'pod "web" deleted from default namespace'
    )
    pod = sim.store.get(POD, "default", "web")
    assert pod["metadata"]["deletionGracePeriodSeconds"] == 30
    assert sim.kubectl("get", "pod", "web").stdout.splitlines()[1].split()[2] == "Terminating"

    def kubelet_finishes() -> None:
        time.sleep(0.5)
        sim.store.delete(POD, "default", "web")

    threading.Thread(target=kubelet_finishes, daemon=True).start()
    sim.store.create(POD, pod_object("other", node="node-1", state={"running": {}}, phase="Running"))
    threading.Thread(
        target=lambda: (time.sleep(0.5), sim.store.delete(POD, "default", "other")), daemon=True
    ).start()
    assert (
        sim.kubectl("delete", "pod", "other", "--timeout=10s", timeout=15).stdout.strip()
        == 'pod "other" deleted from default namespace'
    )
    assert sim.store.find(POD, "default", "other") is None


def test_get_nodes_wide_is_fast_with_1000_nodes(tmp_path: Path, tls_material: object) -> None:

    api = start_sim(tmp_path, tls_material, nodes=1000)  # type: ignore[arg-type]
    try:
        api.kubectl("get", "nodes", "--request-timeout=10s")  # warm kubectl's discovery cache
        started = time.monotonic()
        out = api.kubectl("get", "nodes", "-o", "wide").stdout
        elapsed = time.monotonic() - started
    finally:
        api.server.stop()
    assert len(out.splitlines()) == 1001
    assert elapsed < 2.0, f"kubectl get nodes -o wide took {elapsed:.2f}s"
