"""The isolation pods against simulated clusters: what each container saw, the pods' specs, holders released."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from gpusim.cluster import SimCluster
from gpusim.scenario import loads
from gpusim.testing import StartCluster, eventually, kubectl

from gpu_conformance.facts.isolation import Look, NodeIsolation
from gpu_conformance.kube import isolation
from gpu_conformance.kube.cluster import gpu_nodes
from gpu_conformance.kube.gpu_usage import GpuUsage
from gpu_conformance.kube.isolation import gather_isolation
from gpu_conformance.kube.isolation_pods import HOLDER, isolation_pod
from gpu_conformance.kube.run import RunContext

from .conftest import Connect, count_requests

pytestmark = pytest.mark.e2e

NODES = ("k8s-node05", "k8s-node06")


def _looks(facts: NodeIsolation) -> list[Look]:
    return [facts.image_env, facts.pod_env, facts.holder, facts.bystander,
            *([facts.other_holder] if facts.other_holder else [])]


def _pod(cluster: SimCluster, name: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(kubectl(cluster, "get", "pod", "-n", "gpu-conformance", name, "-o",
                                               "json").stdout)
    return found


def test_seed_every_container_prints_what_it_sees(start_cluster: StartCluster, connect_to: Connect) -> None:
    cluster = start_cluster("seed")
    conn, settings = connect_to(cluster, keep_resources=True)
    run = RunContext()
    nodes = gpu_nodes(conn, settings)
    log = count_requests(conn)
    found = gather_isolation(conn, settings, nodes, run)
    assert sorted(found) == list(NODES)
    # Every view is a termination message, the holders' too: written at once, reported once they were deleted.
    assert log.count("GET", path_suffix="/log") == 0, [c for c in log.calls if c[1].endswith("/log")]
    assert log.count("DELETE", path_suffix="/pods") == 1  # the holders, released in one call
    for name in NODES:
        facts = found[name]
        assert isinstance(facts, NodeIsolation)
        assert (facts.other_holder is not None) == (name == "k8s-node05")  # 2 GPUs there, 1 on k8s-node06
        for look in _looks(facts):
            assert look.view is not None, look.problem
            assert look.container.startswith("pod gpu-conformance/sec-")
            assert look.container.endswith(f" on node {name}")
        assert facts.pod_env.view is not None and facts.pod_env.view.visible_devices == "all"
        assert facts.bystander.view is not None and facts.bystander.view.visible_devices == ""
    pod = isolation_pod(settings, nodes[0], run, HOLDER, None)  # the holders are gone
    spec = pod["spec"]
    assert pod["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "gpu-conformance",
                                         "gpu-conformance/run-id": run.run_id,
                                         "app.kubernetes.io/component": "sec-holder"}
    assert spec["nodeSelector"] == {"kubernetes.io/hostname": "k8s-node05"} and "nodeName" not in spec
    assert spec["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    assert spec["securityContext"] == {"runAsNonRoot": True, "runAsUser": 65532, "runAsGroup": 65532,
                                       "seccompProfile": {"type": "RuntimeDefault"}}
    assert "volumes" not in spec or not any("hostPath" in v for v in spec["volumes"])
    holder, bystander = spec["containers"]
    assert holder["command"] == ["gpu-conformance", "sees", "--dev", "/dev", "--termination-log",
                                 "/dev/termination-log", "--hold", "60"]
    assert holder["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert "nvidia.com/gpu" not in bystander["resources"]["limits"]
    assert bystander["env"] == [{"name": "NVIDIA_VISIBLE_DEVICES", "value": ""}]
    for container in spec["containers"]:
        assert container["securityContext"] == {"privileged": False, "allowPrivilegeEscalation": False,
                                                "capabilities": {"drop": ["ALL"]}}
    stored = _pod(cluster, f"sec-nogpu-k8s-node05-{run.run_id}")["spec"]  # kept: --keep-resources
    assert (stored["securityContext"], stored["nodeSelector"]) == (spec["securityContext"], spec["nodeSelector"])
    nogpu = stored["containers"]
    assert [c.get("env") for c in nogpu] == [None, [{"name": "NVIDIA_VISIBLE_DEVICES", "value": "all"}]]
    assert all("nvidia.com/gpu" not in c["resources"]["limits"] for c in nogpu)


def test_holders_are_gone_once_read(start_cluster: StartCluster, connect_to: Connect) -> None:
    """Gone, not terminating: a terminating pod still holds its GPU, and vectoradd comes next."""
    cluster = start_cluster("seed")
    conn, settings = connect_to(cluster)
    run = RunContext()
    found = gather_isolation(conn, settings, gpu_nodes(conn, settings), run)
    node05 = found["k8s-node05"]
    assert isinstance(node05, NodeIsolation) and node05.other_holder and node05.other_holder.view
    left = kubectl(cluster, "get", "pods", "-n", "gpu-conformance", "-l", f"gpu-conformance/run-id={run.run_id}",
                   "-o", "jsonpath={.items[*].metadata.name}").stdout.split()
    assert sorted(left) == [f"sec-nogpu-{node}-{run.run_id}" for node in NODES]  # the run's cleanup takes them


def test_busy_gpus_are_not_waited_for(start_cluster: StartCluster, connect_to: Connect) -> None:
    cluster = start_cluster("seed")
    hog = {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "training", "namespace": "default"},
        "spec": {"nodeSelector": {"kubernetes.io/hostname": "k8s-node05"},
                 "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
                 "containers": [{"name": "train", "image": "registry.k8s.io/pause:3.9",
                                 "resources": {"limits": {"nvidia.com/gpu": "1"}}}]},
    }
    kubectl(cluster, "apply", "-f", "-", stdin=json.dumps(hog))
    eventually(lambda: kubectl(cluster, "get", "pod", "training", "-o", "jsonpath={.status.phase}").stdout
               == "Running", what="the GPU-holding pod running")
    conn, settings = connect_to(cluster)
    found = gather_isolation(conn, settings, gpu_nodes(conn, settings), RunContext())
    busy = found["k8s-node05"]
    assert isinstance(busy, NodeIsolation) and busy.holder.view is not None and busy.other_holder is not None
    assert busy.other_holder.view is None
    assert busy.other_holder.problem == ("only 1 of 2 nvidia.com/gpu of node k8s-node05 free (held by other pods: "
                                         "default/training): two pods cannot hold one each now")


def test_an_unpullable_image_is_could_not_inspect(start_cluster: StartCluster, connect_to: Connect) -> None:
    scenario = loads("name: no-image\nbase: seed\nunreachableImages: ['ghcr.io/gpu-conformance/*']\n", "x.yaml")
    conn, settings = connect_to(start_cluster(scenario))
    found = gather_isolation(conn, settings, gpu_nodes(conn, settings), RunContext())
    for facts in found.values():
        assert isinstance(facts, NodeIsolation)
        for look in _looks(facts):
            assert look.view is None and look.problem is not None
            assert f'image "{settings.probe_image}" could not be pulled (' in look.problem
            assert look.problem.endswith("mirror it and pass --probe-image")


def test_gpus_others_hold_from_the_start_are_named(start_cluster: StartCluster, connect_to: Connect) -> None:
    conn, settings = connect_to(start_cluster("gpus-busy"))
    found = gather_isolation(conn, settings, gpu_nodes(conn, settings), RunContext())
    busy = found["k8s-node06"]
    assert isinstance(busy, NodeIsolation) and busy.image_env.view is not None
    for look in (busy.holder, busy.bystander):
        assert look.view is None and look.problem is not None
        assert look.problem.startswith("no free nvidia.com/gpu on node k8s-node06 (1 allocatable, held by other pods: ")


def test_a_holder_pending_past_the_grace_says_the_schedulers_words(
        start_cluster: StartCluster, connect_to: Connect, monkeypatch: pytest.MonkeyPatch) -> None:
    """GPUs taken between the count and the scheduling (here: a count that missed them): not waited out."""
    cluster = start_cluster("gpus-busy")
    conn, settings = connect_to(cluster)
    nodes = [n for n in gpu_nodes(conn, settings) if n.name == "k8s-node06"]
    monkeypatch.setattr(isolation, "gpu_usage", lambda conn, nodes: {n.name: GpuUsage("nvidia.com/gpu", 1)
                                                                     for n in nodes})
    started = time.monotonic()
    found = isolation.gather_isolation(conn, settings, nodes, RunContext(), unschedulable_grace=2)
    assert time.monotonic() - started < settings.timeout
    facts = found["k8s-node06"]
    assert isinstance(facts, NodeIsolation) and facts.image_env.view is not None
    assert facts.holder.problem is not None and " unschedulable: 0/3 nodes are available: " in facts.holder.problem
    assert "Insufficient nvidia.com/gpu" in facts.holder.problem
