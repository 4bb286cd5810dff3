"""DRA from the API (kube/dra.py): served versions by discovery, the GPU driver's ResourceSlices in v1 and v1beta1,
its kubelet-plugin pods found by their DaemonSet, a refusal a signal less at session start."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gpusim.api import ApiServer
from gpusim.kubeconfig import write_kubeconfig
from gpusim.model import ClusterVersion
from gpusim.resources import DAEMONSET, POD
from gpusim.resources import NAMESPACE as NAMESPACE_TYPE
from kubernetes import client

from gpu_conformance.facts.gpu_nodes import DraSignals
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.kube.client import connect
from gpu_conformance.kube.dra import dra_signals, gather_dra
from gpu_conformance.kube.errors import permissions_as_facts
from gpu_conformance.settings import Settings
from tests.requirements.builders import RTX_4090
from tests.requirements.dra_builders import gpu_device, resource_slice
from tests.sim.api.api_harness import TOKEN, SimApi, start_sim

pytestmark = pytest.mark.e2e
NAMESPACE = "nvidia-dra-driver-gpu"
DS_UID = "3f0d5c0e-0000-4000-8000-00000000d5a1"
IMAGE = "nvcr.io/nvidia/k8s-dra-driver-gpu:v25.12.0"


def _release(minor: int) -> ClusterVersion:
    return ClusterVersion(major="1", minor=str(minor), git_version=f"v1.{minor}.1")


def _kubelet_plugin(api: SimApi) -> None:
    """The Helm chart's kubelet-plugin DaemonSet and its pod on node-1 (Running, Ready), in the chart's labels."""
    labels = {"app.kubernetes.io/name": "nvidia-dra-driver-gpu", "app.kubernetes.io/instance": "nvidia-dra-driver-gpu"}
    containers = [{"name": "compute-domains", "image": IMAGE}, {"name": "gpus", "image": IMAGE}]
    api.store.create(NAMESPACE_TYPE, {"metadata": {"name": NAMESPACE}, "spec": {"finalizers": ["kubernetes"]},
                                      "status": {"phase": "Active"}})
    api.store.create(DAEMONSET, {
        "metadata": {"name": "nvidia-dra-driver-gpu-kubelet-plugin", "namespace": NAMESPACE, "uid": DS_UID},
        "spec": {"selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels}, "spec": {"containers": containers}}},
        "status": {"desiredNumberScheduled": 1, "currentNumberScheduled": 1, "numberMisscheduled": 0,
                   "numberReady": 1}})
    running = {"running": {"startedAt": "2026-12-03T10:00:00Z"}}
    api.store.create(POD, {
        "metadata": {"name": "nvidia-dra-driver-gpu-kubelet-plugin-q8x2z", "namespace": NAMESPACE, "labels": labels,
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "DaemonSet", "controller": True,
                                          "name": "nvidia-dra-driver-gpu-kubelet-plugin", "uid": DS_UID}]},
        "spec": {"nodeName": "node-1", "containers": containers},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
                   "containerStatuses": [{"name": c["name"], "ready": True, "restartCount": 0, "image": IMAGE,
                                          "imageID": "", "state": running} for c in containers]}})


def _populate(api: SimApi, version: str, beta: bool) -> None:
    objects = client.CustomObjectsApi(api.api_client())
    objects.create_cluster_custom_object("resource.k8s.io", version, "deviceclasses", {
        "apiVersion": f"resource.k8s.io/{version}", "kind": "DeviceClass", "metadata": {"name": "gpu.nvidia.com"},
        "spec": {"selectors": [{"cel": {"expression": "device.driver == 'gpu.nvidia.com'"}}]}})
    body = resource_slice([gpu_device(g.index, g.uuid, beta=beta) for g in RTX_4090], node="node-1")
    body["apiVersion"] = f"resource.k8s.io/{version}"
    objects.create_cluster_custom_object("resource.k8s.io", version, "resourceslices", body)
    other = resource_slice([{"name": "nic-0"}], node="node-2", driver="nic.example.com")
    other["apiVersion"] = f"resource.k8s.io/{version}"
    objects.create_cluster_custom_object("resource.k8s.io", version, "resourceslices", other)
    _kubelet_plugin(api)


def _api(tmp: Path, minor: int, runtime_config: dict[str, bool], version: str, beta: bool) -> Iterator[SimApi]:
    api = start_sim(tmp, None, nodes=3, version=_release(minor), runtime_config=runtime_config)
    _populate(api, version, beta)
    yield api
    api.server.stop()


@pytest.fixture(scope="module")
def v134(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimApi]:
    yield from _api(tmp_path_factory.mktemp("v134"), 34, {}, "v1", False)


@pytest.fixture(scope="module")
def v132(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimApi]:
    yield from _api(tmp_path_factory.mktemp("v132"), 32, {"resource.k8s.io/v1beta1": True}, "v1beta1", True)


def _gather(api: SimApi) -> Any:
    conn = connect(Settings(kubeconfig=str(api.kubeconfig)))
    return dra_signals(conn), gather_dra(conn, ["node-1"])


@pytest.mark.parametrize(("release", "version"), [("v134", "v1"), ("v132", "v1beta1")])
def test_the_drivers_slices_and_plugin_in_either_shape(release: str, version: str,
                                                       request: pytest.FixtureRequest) -> None:
    signals, facts = _gather(request.getfixturevalue(release))
    assert signals == DraSignals(version=version, slices=1, devices={"node-1": 2},
                                 plugin_pods={"node-1": f"{NAMESPACE}/nvidia-dra-driver-gpu-kubelet-plugin-q8x2z"})
    assert facts.version == version and facts.device_classes == ("gpu.nvidia.com",)
    assert [(d.name, d.uuid, d.product_name, d.driver_version) for d in facts.devices_on("node-1")] == [
        (f"gpu-{g.index}", g.uuid, g.name, "535.104.5") for g in RTX_4090]
    assert facts.devices_on("node-2") == ()  # another driver's slice
    assert [(p.name, p.slice_count, p.complete) for p in facts.pools] == [("node-1", 1, True)]
    [pod] = facts.plugin_pods
    assert (pod.node, pod.phase, pod.ready, pod.restarts) == ("node-1", "Running", True, 0)
    assert [(d.name, d.desired, d.ready, d.image) for d in facts.plugin_daemonsets] == [
        ("nvidia-dra-driver-gpu-kubelet-plugin", 1, 1, IMAGE)]


def test_a_release_without_the_api_gives_no_signal(tmp_path: Path) -> None:
    api = start_sim(tmp_path, None, nodes=1, version=_release(28))
    try:
        signals, facts = _gather(api)
    finally:
        api.server.stop()
    assert signals == DraSignals() and facts.version is None and facts.served_versions == ()


def test_refused_slices_are_a_signal_less_at_start_and_could_not_inspect_after(v134: SimApi, tmp_path: Path) -> None:
    def no_slices(user: str, verb: str, group: str, resource: str, subresource: str, namespace: str,
                  name: str) -> bool:
        return resource != "resourceslices"

    server = ApiServer(v134.store, v134.logs, _release(34), token=TOKEN, tls=None, authorizer=no_slices)
    server.start()
    try:
        write_kubeconfig(tmp_path / "kubeconfig", server.url, TOKEN, None)
        conn = connect(Settings(kubeconfig=str(tmp_path / "kubeconfig")))
        signals = dra_signals(conn)
        with pytest.raises(FactsUnavailable) as caught, permissions_as_facts():
            gather_dra(conn, ["node-1"])
    finally:
        server.stop()
    refused = "missing permission: list resourceslices.resource.k8s.io cluster-wide for gpu-sim-admin"
    assert signals.version == "v1" and signals.slices == 0 and signals.unreadable.startswith(refused)
    assert signals.plugin_pods  # the kubelet plugin is still seen
    assert caught.value.message.startswith(refused)
