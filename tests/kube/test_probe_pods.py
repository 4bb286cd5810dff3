"""Probe pods: one per GPU node, all at once, one watch; facts or a one-line reason per node."""

from __future__ import annotations

import json

import pytest
from gpusim.scenario import loads
from gpusim.testing import StartCluster, kubectl

from gpu_conformance.kube.client import connect
from gpu_conformance.kube.cluster import gpu_nodes
from gpu_conformance.kube.probe_pods import local_probe, parse_probe_log, run_probes
from gpu_conformance.kube.run import RunContext
from gpu_conformance.settings import Settings

from .conftest import Connect, FrontServer, count_requests

pytestmark = pytest.mark.e2e


def test_seed_probes_both_nodes_with_one_watch(start_cluster: StartCluster, connect_to: Connect) -> None:
    cluster = start_cluster("seed")
    conn, settings = connect_to(cluster)
    nodes, run = gpu_nodes(conn, settings), RunContext()
    log = count_requests(conn)
    outcomes = run_probes(conn, settings, nodes, run)
    assert list(outcomes) == ["k8s-node05", "k8s-node06"]
    for name, gpus in (("k8s-node05", 2), ("k8s-node06", 1)):
        outcome = outcomes[name]
        assert outcome.error is None and outcome.probe is not None
        assert outcome.source == f"probe pod gpu-conformance/probe-{name}-{run.run_id}"
        assert outcome.probe.driver_nvml.value == "535.104.05"
        assert outcome.probe.node == name
        assert len(outcome.probe.gpus.value or ()) == gpus
        assert (
            outcome.probe.runtime.value is not None
            and outcome.probe.runtime.value.default_runtime == "nvidia"
        )
        assert outcome.probe.host_root == "/host"  # as the container saw it
    assert log.count("GET", watch=True, path_suffix="/pods") == 1
    assert log.count("GET", path_suffix="/pods") == 0  # the watch's first events are the pods as they are
    assert log.count("POST", path_suffix="/pods") == 2
    assert log.count("GET", path_suffix="/log") == 0  # the facts came in the pods' termination messages


def test_probe_pod_spec_as_the_cluster_stored_it(start_cluster: StartCluster, connect_to: Connect) -> None:
    cluster = start_cluster("seed")
    conn, settings = connect_to(cluster)
    run = RunContext()
    run_probes(conn, settings, gpu_nodes(conn, settings)[:1], run)
    pod = json.loads(
        kubectl(
            cluster, "get", "pod", "-n", "gpu-conformance", f"probe-k8s-node05-{run.run_id}", "-o", "json"
        ).stdout
    )
    spec, container = pod["spec"], pod["spec"]["containers"][0]
    assert pod["metadata"]["labels"] == {
        "app.kubernetes.io/managed-by": "gpu-conformance",
        "gpu-conformance/run-id": run.run_id,
        "app.kubernetes.io/component": "probe",
    }
    assert (spec["nodeName"], spec["restartPolicy"], spec["activeDeadlineSeconds"]) == (
        "k8s-node05",
        "Never",
        30,
    )
    assert spec["tolerations"][0] == {"operator": "Exists"}  # admission may append its (redundant) defaults
    assert container["command"] == [
        "gpu-conformance",
        "probe",
        "--host-root",
        "/host",
        "--runtime",
        "containerd://1.6.24",
        "--node",
        "k8s-node05",
        "--termination-log",
        "/dev/termination-log",
    ]
    assert (container["terminationMessagePath"], container["terminationMessagePolicy"]) == (
        "/dev/termination-log", "File")
    assert container["image"] == settings.probe_image and container["securityContext"]["privileged"] is True
    assert container["env"] == [{"name": "NVIDIA_VISIBLE_DEVICES", "value": "void"}]  # no GPU for a privileged pod
    assert container["volumeMounts"][0] == {"name": "host", "mountPath": "/host", "readOnly": True}
    assert spec["volumes"][0]["hostPath"]["path"] == "/"
    namespace = json.loads(kubectl(cluster, "get", "namespace", "gpu-conformance", "-o", "json").stdout)
    assert namespace["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "gpu-conformance"
    assert run.created_namespace


def test_missing_driver_shows_in_the_facts(start_cluster: StartCluster, connect_to: Connect) -> None:
    conn, settings = connect_to(start_cluster("driver-missing"), gpu_node_selector="gpu-node=true")
    outcomes = run_probes(conn, settings, gpu_nodes(conn, settings), RunContext())
    broken = outcomes["k8s-node06"].probe
    assert broken is not None and broken.driver_nvml.value is None and broken.driver_nvml.error
    assert broken.driver_proc.value is None
    assert (
        outcomes["k8s-node05"].probe is not None
        and outcomes["k8s-node05"].probe.driver_proc.value == "535.104.05"
    )


def test_runtime_not_default_shows_in_the_facts(start_cluster: StartCluster, connect_to: Connect) -> None:
    conn, settings = connect_to(start_cluster("runtime-not-default"), gpu_node_selector="gpu-node=true")
    probe = run_probes(conn, settings, gpu_nodes(conn, settings), RunContext())["k8s-node06"].probe
    assert (
        probe is not None
        and probe.runtime.value is not None
        and probe.runtime.value.default_runtime == "runc"
    )


def test_cordoned_node_with_a_noexecute_taint_is_still_probed(
    start_cluster: StartCluster, connect_to: Connect
) -> None:
    scenario = loads(
        "name: cordoned\nbase: seed\nnodes:\n  - name: k8s-node06\n    unschedulable: true\n"
        "    taints: ['maintenance=disk:NoExecute']\n",
        "cordoned.yaml",
    )
    conn, settings = connect_to(start_cluster(scenario), gpu_node_selector="gpu-node=true")
    outcome = run_probes(conn, settings, gpu_nodes(conn, settings), RunContext())["k8s-node06"]
    assert outcome.error is None and outcome.probe is not None


def test_unpullable_probe_image_is_named(start_cluster: StartCluster, connect_to: Connect) -> None:
    scenario = loads(
        "name: no-probe-image\nbase: seed\nunreachableImages: ['ghcr.io/gpu-conformance/*']\n", "x.yaml"
    )
    conn, settings = connect_to(start_cluster(scenario))
    outcomes = run_probes(conn, settings, gpu_nodes(conn, settings), RunContext())
    for outcome in outcomes.values():
        assert outcome.probe is None and outcome.error is not None
        assert outcome.error.startswith(
            f'probe image "{settings.probe_image}" could not be pulled (ErrImagePull): '
        )
        assert outcome.error.endswith("; mirror it and pass --probe-image")


def test_forbidden_probe_pod_says_so(start_cluster: StartCluster, front_server: FrontServer) -> None:
    cluster = start_cluster("seed")

    def no_pods_here(
        user: str, verb: str, group: str, resource: str, subresource: str, namespace: str, name: str
    ) -> bool:
        return not (verb == "create" and resource == "pods" and namespace == "gpu-conformance")

    path = front_server(cluster, no_pods_here)
    settings = Settings(kubeconfig=str(path), timeout=30)
    conn = connect(settings)
    try:
        outcomes = run_probes(conn, settings, gpu_nodes(conn, settings), RunContext())
    finally:
        conn.close()
    assert outcomes["k8s-node05"].error == (
        "the probe pod could not be created: missing permission: create pods in namespace gpu-conformance "
        "for gpu-sim-admin: add it to the Role gpu-conformance"
    )


def test_probe_log_parsing_is_robust() -> None:
    facts_json = local_probe(Settings()).probe
    assert facts_json is not None
    text = facts_json.to_json()
    assert parse_probe_log(text) == facts_json
    assert parse_probe_log("WARNING: something noisy\n" + text + "\n") == facts_json
    with pytest.raises(ValueError, match="printed nothing"):
        parse_probe_log("  \n")
    with pytest.raises(ValueError, match="not JSON"):
        parse_probe_log("exec format error")


def test_local_probe_reads_this_machine() -> None:
    outcome = local_probe(Settings(local=True, node=("gate-node",)))
    assert (outcome.node, outcome.error, outcome.source) == ("gate-node", None, "local probe of /")
    assert outcome.probe is not None and outcome.probe.host_root == "/"
