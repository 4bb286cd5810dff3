"""Every bundled fault scenario shows its fault where a real cluster shows it: the API, the host, the exporter.

These tests look at the simulated cluster from outside, with the official client, plain HTTP and the
node's host files, the way the conformance suite (or an engineer) would on a real cluster.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
import urllib3
from gpusim.cluster import SimCluster
from gpusim.scenario import bundled_names
from gpusim.testing import StartCluster, eventually
from kubernetes import client
from prometheus_client.parser import text_string_to_metric_families

from tests.sim.day_two_faults import (
    cgroup_dev_char_missing,
    dcgm_diag_memory_fail,
    exporter_query_fields,
    nvswitch_no_fabricmanager,
    pcie_degraded,
)
from tests.sim.dra.faults import DRA_FAULTS, DRA_HEALTHY
from tests.sim.dra_claims.unallocatable_fault import dra_claim_unallocatable
from tests.sim.fault_api import BROKEN, HEALTHY, VECTORADD, Api, host_file, run_host_binary, scrape
from tests.sim.gpu_stack_faults import cdi_spec_missing, cdi_spec_stale, half_hardened, shared_gpu
from tests.sim.health_faults import xid_unhealthy, xid_unhealthy_operator

pytestmark = pytest.mark.e2e

def crash_looping(api: Api, node: str) -> client.V1Pod | None:
    pod = api.plugin_pod(node)
    status = (pod.status.container_statuses or [None])[0]
    if status and status.restart_count >= 1 and status.state.waiting \
            and status.state.waiting.reason == "CrashLoopBackOff":
        return pod
    return None


def assert_plugin_crash_loops_without_capacity(api: Api) -> None:
    pod = eventually(lambda: crash_looping(api, BROKEN), timeout=20, what="plugin CrashLoopBackOff")
    assert isinstance(pod, client.V1Pod)
    assert api.allocatable_gpus(BROKEN) is None
    assert api.allocatable_gpus(HEALTHY) == "2"


# -- one check per fault scenario ----------------------------------------------------------------

def driver_missing(api: Api) -> None:
    assert not host_file(api.cluster, BROKEN, "/proc/driver/nvidia/version").exists()
    assert "couldn't communicate with the NVIDIA driver" in run_host_binary(api.cluster, BROKEN, "/usr/bin/nvidia-smi")
    assert_plugin_crash_loops_without_capacity(api)


def driver_too_old(api: Api) -> None:
    assert "375.26" in host_file(api.cluster, BROKEN, "/proc/driver/nvidia/version").read_text()
    eventually(lambda: api.allocatable_gpus(BROKEN) == "1", what="GPU capacity on the old-driver node")
    pod = api.run_vectoradd(BROKEN)
    assert pod.status.phase == "Failed"
    assert "CUDA driver version is insufficient for CUDA runtime version" in api.log(pod)


def toolkit_missing(api: Api) -> None:
    assert not host_file(api.cluster, BROKEN, "/usr/bin/nvidia-container-runtime").exists()
    assert_plugin_crash_loops_without_capacity(api)


def toolkit_too_old(api: Api) -> None:
    """An old toolkit still runs GPU pods; only the host shows it, which is why the suite probes hosts."""
    assert "cli-version: 1.6.0" in run_host_binary(api.cluster, BROKEN, "/usr/bin/nvidia-container-cli", "--version")
    eventually(lambda: api.allocatable_gpus(BROKEN) == "1", what="GPU capacity despite the old toolkit")


def runtime_not_default(api: Api) -> None:
    config_toml = host_file(api.cluster, BROKEN, "/etc/containerd/config.toml").read_text()
    assert 'default_runtime_name = "runc"' in config_toml
    assert_plugin_crash_loops_without_capacity(api)


def docker_runtime_not_default(api: Api) -> None:
    assert '"default-runtime": "nvidia"' not in host_file(api.cluster, BROKEN, "/etc/docker/daemon.json").read_text()
    assert_plugin_crash_loops_without_capacity(api)


def plugin_missing(api: Api) -> None:
    apps = client.AppsV1Api(api.client)
    assert [d.metadata.name for d in apps.list_daemon_set_for_all_namespaces().items] == []
    assert api.allocatable_gpus(HEALTHY) is None and api.allocatable_gpus(BROKEN) is None
    pod = api.run_vectoradd(HEALTHY)
    assert pod.status.phase == "Pending"
    assert any("Insufficient nvidia.com/gpu" in e for e in api.events_for(pod.metadata.name))


def plugin_crashloop(api: Api) -> None:
    assert_plugin_crash_loops_without_capacity(api)
    pod = api.plugin_pod(BROKEN)
    previous = api.core.read_namespaced_pod_log(pod.metadata.name, pod.metadata.namespace, previous=True)
    assert "If this is a GPU node, did you configure the NVIDIA Container Toolkit?" in previous


def plugin_no_devices(api: Api) -> None:
    def ready() -> client.V1Pod | None:
        pod = api.plugin_pod(BROKEN)
        statuses = pod.status.container_statuses or []
        return pod if statuses and statuses[0].ready else None

    pod = eventually(ready, what="the no-devices plugin pod Ready")
    assert isinstance(pod, client.V1Pod)
    assert "No devices found. Waiting indefinitely." in api.log(pod)
    eventually(lambda: api.allocatable_gpus(HEALTHY) == "2", what="capacity on the healthy node")
    assert api.allocatable_gpus(BROKEN) is None


def kubernetes_too_old(api: Api) -> None:
    version = client.VersionApi(api.client).get_code()
    assert (version.major, version.minor, version.git_version) == ("1", "9", "v1.9.11")


def image_unreachable(api: Api) -> None:
    pod = api.run_vectoradd(HEALTHY)
    assert pod.status.container_statuses[0].state.waiting.reason == "ImagePullBackOff"
    events = api.events_for(pod.metadata.name)
    assert any(e.startswith(f'Failed: Failed to pull image "{VECTORADD}"') for e in events)
    assert "Failed: Error: ErrImagePull" in events and f'BackOff: Back-off pulling image "{VECTORADD}"' in events


def exporter_down(api: Api) -> None:
    assert scrape(api.cluster, HEALTHY).status_code == 200
    with pytest.raises(requests.ConnectionError):
        scrape(api.cluster, BROKEN)


def exporter_hanging(api: Api) -> None:
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        scrape(api.cluster, BROKEN, timeout=0.5)
    assert time.monotonic() - started < 2


def exporter_malformed(api: Api) -> None:
    response = scrape(api.cluster, BROKEN)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        list(text_string_to_metric_families(response.text))


def exporter_nvidia_smi_failing(api: Api) -> None:
    families = {f.name: f for f in text_string_to_metric_families(scrape(api.cluster, BROKEN).text)}
    assert "nvidia_smi_gpu_info" not in families
    assert families["nvidia_smi_command_exit_code"].samples[0].value != 0


def exporter_wrong_gpu_count(api: Api) -> None:
    def gpus(node: str) -> int:
        families = text_string_to_metric_families(scrape(api.cluster, node).text)
        return len({s.labels["uuid"] for f in families if f.name == "nvidia_smi_gpu_info" for s in f.samples})

    assert gpus(HEALTHY) == len(api.cluster.scenario.node(HEALTHY).gpus) - 1  # the scenario breaks the 2-GPU node
    assert gpus(BROKEN) == len(api.cluster.scenario.node(BROKEN).gpus)


def raw_get(cluster: SimCluster, path: str, timeout: float = 5) -> requests.Response:
    with tempfile.NamedTemporaryFile(suffix=".pem") as ca:
        ca.write(cluster.ca_pem or b"")
        ca.flush()
        return requests.get(cluster.url + path, headers={"Authorization": f"Bearer {cluster.token}"},
                            verify=ca.name, timeout=timeout)


def api_slow(api: Api) -> None:
    started = time.monotonic()
    assert raw_get(api.cluster, "/version").status_code == 200
    assert time.monotonic() - started >= api.cluster.scenario.api_faults.latency_ms / 1000


def api_throttled(api: Api) -> None:
    answers = [raw_get(api.cluster, "/api/v1/nodes") for _ in range(30)]
    throttled = [a for a in answers if a.status_code == 429]
    assert throttled and len(throttled) < len(answers)
    assert throttled[0].headers["Retry-After"] == "1"
    assert throttled[0].json()["reason"] == "TooManyRequests"


def api_errors(api: Api) -> None:
    answers = [raw_get(api.cluster, "/api/v1/nodes") for _ in range(30)]
    failed = [a for a in answers if a.status_code >= 500]
    assert failed and len(failed) < len(answers)
    assert failed[0].json()["kind"] == "Status"


def api_watch_drops(api: Api) -> None:
    """The stream is cut without its final chunk, as a proxy's idle timeout cuts it."""
    started = time.monotonic()
    stream = api.core.list_namespaced_pod("default", watch=True, timeout_seconds=30, _preload_content=False)
    with pytest.raises(urllib3.exceptions.ProtocolError, match="Response ended prematurely"):
        for _ in stream.stream():
            pass
    drop_after = api.cluster.scenario.api_faults.drop_watch_after_seconds
    assert drop_after is not None and time.monotonic() - started < drop_after + 2


def api_unreachable(api: Api) -> None:
    with pytest.raises(requests.ConnectionError):
        raw_get(api.cluster, "/version", timeout=2)


def ready_condition(api: Api, node: str) -> client.V1NodeCondition:
    conditions = api.core.read_node(node).status.conditions
    return next(c for c in conditions if c.type == "Ready")


def lease_renewed(api: Api, node: str) -> datetime:
    lease = client.CoordinationV1Api(api.client).read_namespaced_lease(node, "kube-node-lease")
    renewed: datetime = lease.spec.renew_time
    return renewed


def assert_unreachable(api: Api, node: str) -> None:
    ready = ready_condition(api, node)
    assert (ready.status, ready.reason, ready.message) == (
        "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.")
    taints = api.core.read_node(node).spec.taints
    assert {(t.key, t.effect) for t in taints if t.time_added} == {
        ("node.kubernetes.io/unreachable", "NoSchedule"), ("node.kubernetes.io/unreachable", "NoExecute")}


def node_not_ready(api: Api) -> None:
    assert_unreachable(api, BROKEN)
    now = datetime.now(UTC)
    assert now - lease_renewed(api, BROKEN) > timedelta(minutes=1)
    assert now - lease_renewed(api, HEALTHY) < timedelta(seconds=15)
    # The DaemonSet controller places no plugin pod where the unreachable NoSchedule taint is not tolerated.
    assert not api.core.list_pod_for_all_namespaces(field_selector=f"spec.nodeName={BROKEN}").items


def node_not_ready_later(api: Api) -> None:
    eventually(lambda: ready_condition(api, BROKEN).status == "Unknown", timeout=10, what="Ready=Unknown")
    assert_unreachable(api, BROKEN)
    stopped = lease_renewed(api, BROKEN)
    healthy = lease_renewed(api, HEALTHY)
    time.sleep(0.5)  # several renewal intervals at the test's time scale
    assert lease_renewed(api, BROKEN) == stopped and lease_renewed(api, HEALTHY) > healthy
    plugin = api.plugin_pod(BROKEN)  # left as it was, but no longer Ready
    assert plugin.status.phase == "Running"
    assert [c.status for c in plugin.status.conditions if c.type == "Ready"] == ["False"]
    assert "NodeNotReady: Node is not ready" in api.events_in(plugin.metadata.namespace, plugin.metadata.name)
    assert api.allocatable_gpus(BROKEN) == "1"
    pod = api.run_vectoradd(BROKEN)
    assert pod.status.phase == "Pending"
    assert "untolerated taint {node.kubernetes.io/unreachable: }" in pod.status.conditions[0].message


def gpu_node_unlabelled(api: Api) -> None:
    def ready() -> client.V1Pod | None:
        pod = api.plugin_pod(BROKEN)
        return pod if all(s.ready for s in pod.status.container_statuses or [False]) else None

    eventually(ready, what="a Ready plugin pod that found no devices")
    node = api.core.read_node(BROKEN)
    assert "gpu-node" not in node.metadata.labels
    assert not any(k.startswith("nvidia.com/") for k in {**node.status.capacity, **node.metadata.labels})


def plugin_not_selected(api: Api) -> None:
    """The operator's DaemonSet selects nvidia.com/gpu.deploy.device-plugin=true: no plugin pod on the node labelled
    false, none of its GPUs advertised; a GPU pod pinned there stays Pending."""
    pods = api.core.list_pod_for_all_namespaces(label_selector="app=nvidia-device-plugin-daemonset").items
    assert sorted(p.spec.node_name for p in pods) == [HEALTHY]
    node = api.core.read_node(BROKEN)
    assert node.metadata.labels["nvidia.com/gpu.deploy.device-plugin"] == "false"
    assert api.allocatable_gpus(BROKEN) is None and api.allocatable_gpus(HEALTHY) == "2"
    pod = api.run_vectoradd(BROKEN)
    assert pod.status.phase == "Pending"


def exporter_html(api: Api) -> None:
    for path in ("/metrics", "/"):
        answer = requests.get(f"http://{api.cluster.scenario.node(BROKEN).internal_ip}:9835{path}", timeout=2)
        assert answer.status_code == 200
        assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "<title>Sign In</title>" in answer.text
    assert scrape(api.cluster, HEALTHY).headers["Content-Type"].startswith("text/plain")


def gpus_busy(api: Api) -> None:
    training = api.core.read_namespaced_pod("training-0", "ml")
    assert (training.spec.node_name, training.status.phase) == (BROKEN, "Running")
    assert training.spec.containers[0].resources.limits == {"nvidia.com/gpu": "1"}
    eventually(lambda: api.allocatable_gpus(BROKEN) == "1", what="the busy node's GPU advertised")
    pod = api.run_vectoradd(BROKEN)
    assert pod.status.phase == "Pending"
    assert "1 Insufficient nvidia.com/gpu" in pod.status.conditions[0].message


FAULTS: dict[str, Callable[[Api], None]] = {
    "driver-missing": driver_missing,
    "driver-too-old": driver_too_old,
    "toolkit-missing": toolkit_missing,
    "toolkit-too-old": toolkit_too_old,
    "runtime-not-default": runtime_not_default,
    "docker-runtime-not-default": docker_runtime_not_default,
    "plugin-missing": plugin_missing,
    "plugin-crashloop": plugin_crashloop,
    "plugin-no-devices": plugin_no_devices,
    "kubernetes-too-old": kubernetes_too_old,
    "image-unreachable": image_unreachable,
    "exporter-down": exporter_down,
    "exporter-hanging": exporter_hanging,
    "exporter-malformed": exporter_malformed,
    "exporter-nvidia-smi-failing": exporter_nvidia_smi_failing,
    "exporter-wrong-gpu-count": exporter_wrong_gpu_count,
    "api-slow": api_slow,
    "api-throttled": api_throttled,
    "api-errors": api_errors,
    "api-watch-drops": api_watch_drops,
    "api-unreachable": api_unreachable,
    "node-not-ready": node_not_ready,
    "node-not-ready-later": node_not_ready_later,
    "gpu-node-unlabelled": gpu_node_unlabelled,
    "exporter-html": exporter_html,
    "gpus-busy": gpus_busy,
    "plugin-not-selected": plugin_not_selected,
    "half-hardened": half_hardened,
    "cdi-spec-missing": cdi_spec_missing,
    "cdi-spec-stale": cdi_spec_stale,
    "shared-gpu": shared_gpu,
    **DRA_FAULTS,
    "dra-claim-unallocatable": dra_claim_unallocatable,
    "xid-unhealthy": xid_unhealthy,
    "xid-unhealthy-operator": xid_unhealthy_operator,
    "nvswitch-no-fabricmanager": nvswitch_no_fabricmanager,
    "cgroup-dev-char-missing": cgroup_dev_char_missing,
    "exporter-query-fields": exporter_query_fields,
    "dcgm-diag-memory-fail": dcgm_diag_memory_fail,
    "pcie-degraded": pcie_degraded,
}
HEALTHY_VARIANTS = {"seed", "docker", "containerd-v1", "containerd-v3-dropin", "crio", "k3s", "gpu-operator", "mig",
                    "helm-gfd", "eks", "open-kernel-module", "time-slicing", "mps", "time-slicing-renamed",
                    "nvidia-docker2-only", "hardened", "runtimeclass-legacy", "nvswitch",
                    "systemd-cgroup"} | DRA_HEALTHY


def test_every_bundled_scenario_is_either_healthy_or_has_a_fault_test() -> None:
    assert set(bundled_names()) == set(FAULTS) | HEALTHY_VARIANTS


@pytest.fixture
def api_for(start_cluster: StartCluster) -> Iterator[Callable[[str], Api]]:
    made: list[Api] = []

    def make(name: str) -> Api:
        made.append(Api(start_cluster(name)))
        return made[-1]

    yield make
    for api in made:
        api.client.close()


@pytest.mark.parametrize("scenario", sorted(FAULTS))
def test_fault_is_visible_as_on_a_real_cluster(scenario: str, api_for: Callable[[str], Api]) -> None:
    FAULTS[scenario](api_for(scenario))
