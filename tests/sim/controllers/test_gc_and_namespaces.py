"""Garbage collection cascades and namespace deletion, plus the project image's real CLI run."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from gpusim.model import Scenario
from gpusim.resources import CONFIGMAP, EVENT, JOB, NAMESPACE, POD, SERVICEACCOUNT
from gpusim.store import now_rfc3339

from .conftest import Sim, gpu_node, pod_manifest, scenario

pytestmark = pytest.mark.e2e


def _start_job(sim: Sim, name: str) -> str:
    template = pod_manifest(name, "busybox:1.36", command=["sleep", "3600"])
    sim.store.create(JOB, {"metadata": {"name": name, "namespace": "default"},
                           "spec": {"completions": 1, "parallelism": 1, "backoffLimit": 6,
                                    "template": {"metadata": {}, "spec": template["spec"]}}})
    pod = sim.wait(lambda: next((p for p in sim.pods() if p["status"].get("phase") == "Running"), None),
                   what="job pod running")
    return str(pod["metadata"]["name"])


def _delete_job(sim: Sim, name: str, finalizer: str | None) -> None:
    def mark(obj: dict) -> None:  # type: ignore[type-arg]
        obj["metadata"]["deletionTimestamp"] = now_rfc3339()
        obj["metadata"]["finalizers"] = [finalizer]

    if finalizer is None:
        sim.store.delete(JOB, "default", name)
    else:
        sim.store.update(JOB, "default", name, mark)


@pytest.mark.parametrize("finalizer", [None, "foregroundDeletion"])
def test_deleting_a_job_cascades_to_its_pods(start_sim: Callable[[Scenario], Sim], finalizer: str | None) -> None:
    sim = start_sim(scenario(gpu_node("gpu-1", "127.0.10.2")))
    pod = _start_job(sim, "work")
    _delete_job(sim, "work", finalizer)
    if finalizer:
        assert sim.store.find(JOB, "default", "work") is not None  # waits for its dependents
    sim.wait(lambda: sim.pod(pod) is None, what="dependent pod deleted")
    sim.wait(lambda: sim.store.find(JOB, "default", "work") is None, what="owner gone")


def test_orphan_deletion_keeps_pods_without_owner(start_sim: Callable[[Scenario], Sim]) -> None:
    sim = start_sim(scenario(gpu_node("gpu-1", "127.0.10.2")))
    pod = _start_job(sim, "work")
    _delete_job(sim, "work", "orphan")
    sim.wait(lambda: sim.store.find(JOB, "default", "work") is None, what="owner gone")
    remaining = sim.pod(pod)
    assert remaining is not None and "ownerReferences" not in remaining["metadata"]
    assert remaining["status"]["phase"] == "Running"


def test_namespace_gets_defaults_and_deletion_cascades(start_sim: Callable[[Scenario], Sim]) -> None:
    sim = start_sim(scenario(gpu_node("gpu-1", "127.0.10.2")))
    sim.store.create(NAMESPACE, {"metadata": {"name": "suite", "labels": {"kubernetes.io/metadata.name": "suite"}},
                                 "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}})
    sim.wait(lambda: sim.store.find(SERVICEACCOUNT, "suite", "default"), what="default service account")
    assert sim.store.find(CONFIGMAP, "suite", "kube-root-ca.crt") is not None
    sim.store.create(POD, pod_manifest("busy", "busybox:1.36", command=["sleep", "3600"], namespace="suite"))
    sim.wait(lambda: sim.phase("busy", "suite") == "Running", what="pod running")
    sim.store.update(NAMESPACE, "", "suite", lambda o: o["metadata"].__setitem__("deletionTimestamp", now_rfc3339()))
    phase = sim.wait(lambda: (ns := sim.store.find(NAMESPACE, "", "suite")) is None or
                     ns["status"]["phase"] == "Terminating", what="Terminating")
    assert phase
    sim.wait(lambda: sim.store.find(NAMESPACE, "", "suite") is None, what="namespace removed")
    assert sim.pod("busy", "suite") is None
    assert sim.store.list(EVENT, "suite")[0] == []  # its events went with it


def test_project_image_runs_the_real_cli(start_sim: Callable[[Scenario], Sim]) -> None:
    sim = start_sim(scenario(gpu_node("gpu-1", "127.0.10.2")))
    sim.store.create(POD, pod_manifest("cli", "ghcr.io/gpu-conformance/gpu-conformance:0.1.0",
                                       command=["gpu-conformance", "--version"]))
    sim.wait(lambda: sim.phase("cli") == "Succeeded", timeout=20, what="CLI exit")
    assert sim.log("cli", "cli").strip() == "gpu-conformance 0.1.0"


def test_project_image_sees_the_host_root_at_its_mount(start_sim: Callable[[Scenario], Sim]) -> None:
    sim = start_sim(scenario(gpu_node("gpu-1", "127.0.10.2")))
    manifest = pod_manifest("peek", "ghcr.io/gpu-conformance/gpu-conformance:0.1.0",
                            command=["python", "-c", "import sys, os; print(os.path.isdir(sys.argv[1]), sys.argv[1])",
                                     "/host/etc"],
                            volumes=[{"name": "host", "hostPath": {"path": "/", "type": ""}}])
    manifest["spec"]["containers"][0]["volumeMounts"] = [{"name": "host", "mountPath": "/host"}]
    sim.store.create(POD, manifest)
    sim.wait(lambda: sim.phase("peek") in ("Succeeded", "Failed"), timeout=20, what="exit")
    # Its argument was rewritten to the node's host root, and what it printed shows the path as a
    # container with that mount sees it.
    assert sim.log("peek", "peek").split()[1] == "/host/etc"
