"""Requirements end to end on the bundled scenarios: host roots rendered by the simulation, read by the
real ``gpu-conformance probe`` (one process per node, as in the probe pod), nodes, RuntimeClasses and the
plugin's DaemonSets as the simulated cluster creates them. CDI-SPEC is judged end to end only
(tests/suite): the spec it reads is the one the device plugin writes when it starts, and no plugin runs
here. Each scenario's description says which checks must fail where.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from gpusim.bootstrap import bootstrap
from gpusim.hostroot import render_host_root
from gpusim.resources import DAEMONSET, NODE, RUNTIMECLASS
from gpusim.scenario import load
from gpusim.store import Store
from kubernetes.client import ApiClient

from gpu_conformance.facts.cluster import ApiVersion, PluginFacts, ProbeOutcome
from gpu_conformance.facts.gpu_nodes import GpuNode, find_gpu_nodes
from gpu_conformance.facts.node import NodeProbe
from gpu_conformance.kube.plugin import is_plugin_daemonset, plugin_daemonset_facts
from gpu_conformance.requirements.prerequisites import (
    driver_at_least,
    kubelet_at_least,
    kubernetes_at_least,
    runtime_default,
    toolkit_at_least,
)
from gpu_conformance.requirements.workload import driver_fits_image
from gpu_conformance.settings import Settings
from gpu_conformance.verdict import Verdict

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
# scenario -> {(node, check id): a phrase its failure message must hold}; every other check passes.
FAILURES: dict[str, dict[tuple[str, str], str]] = {
    "seed": {},
    "docker": {},
    "crio": {},
    "k3s": {},
    "containerd-v1": {},
    "containerd-v3-dropin": {},
    "open-kernel-module": {},
    "eks": {},
    "driver-missing": {("k8s-node06", "PRE-DRIVER"): "found no NVIDIA driver loaded: NVML said "},
    "driver-too-old": {("k8s-node06", "PRE-DRIVER"): "found 375.26 at ",
                       ("k8s-node06", "WORKLOAD-DRIVER-FITS-IMAGE"): "expected >= 440.33"},
    "toolkit-missing": {("k8s-node06", "PRE-TOOLKIT"): "found no NVIDIA Container Toolkit"},
    "toolkit-too-old": {("k8s-node06", "PRE-TOOLKIT"): "found nvidia-container-toolkit 1.6.0 at "},
    "runtime-not-default": {("k8s-node06", "PRE-RUNTIME-DEFAULT"):
                            'found default runtime "runc" -> no binary set: runc (set in '},
    "docker-runtime-not-default": {("k8s-node06", "PRE-RUNTIME-DEFAULT"):
                                   'in /etc/docker/daemon.json set "default-runtime": "nvidia"'},
    "gpu-operator": {},  # CDI wiring: --runtime-policy auto (the default) accepts it
    "runtimeclass-legacy": {},  # the plugin's RuntimeClass nvidia runs nvidia-container-runtime
    "hardened": {},
    "kubernetes-too-old": {("cluster", "PRE-K8S-VERSION"): "found v1.9.11 (major 1, minor 9) at ",
                           **{(node, "PRE-KUBELET-VERSION"): "found v1.9.11 at "
                              for node in ("k8s-node05", "k8s-node06")}},
}


def _probe(root: Path, node: str, runtime: str) -> NodeProbe:
    done = subprocess.run([sys.executable, "-m", "gpu_conformance", "probe", "--host-root", str(root),
                           "--node", node, "--runtime", runtime],
                          capture_output=True, text=True, timeout=60, check=False, cwd=REPO)
    assert done.returncode == 0, done.stderr
    return NodeProbe.from_json(done.stdout)


def _plugin(store: Store) -> PluginFacts:
    """The plugin's DaemonSets as the gatherer reads them (its pods do not run here: no kubelet)."""
    client = ApiClient()
    daemonsets = [client._ApiClient__deserialize({**d, "status": None}, "V1DaemonSet")  # type: ignore[attr-defined]
                  for d in store.list(DAEMONSET)[0]]  # no controller ran: no status
    found = tuple(plugin_daemonset_facts(d) for d in daemonsets if is_plugin_daemonset(d))
    return PluginFacts("bootstrap", "", found, (), "the scenario's DaemonSets")


class Cluster:
    """One scenario as the suite would see it: /version, GPU nodes, RuntimeClasses and node probes."""

    def __init__(self, name: str, root: Path, pool: ThreadPoolExecutor) -> None:
        scenario = load(name)
        store = Store()
        bootstrap(store, scenario)
        with_gpus = {n.name for n in scenario.nodes if n.has_gpus}
        self.version = ApiVersion(scenario.version.major, scenario.version.minor,
                                  scenario.version.git_version, "GET https://127.0.0.1:6443/version")
        self.nodes = find_gpu_nodes(store.list(NODE)[0], lambda n: n["metadata"]["name"] in with_gpus)
        self.runtime_classes = {rc["metadata"]["name"]: rc["handler"] for rc in store.list(RUNTIMECLASS)[0]}
        self.plugin = _plugin(store)
        for node in scenario.nodes:
            if node.name in with_gpus:
                render_host_root(node, root / node.name)
        self._jobs = {n.name: pool.submit(_probe, root / n.name, n.name, n.container_runtime_version)
                      for n in self.nodes}
        self._root = root
        self.probes: dict[str, ProbeOutcome] = {}

    def wait(self) -> Cluster:
        self.probes = {name: ProbeOutcome(name, job.result(), None, f"local probe of {self._root / name}")
                       for name, job in self._jobs.items()}
        return self


@pytest.fixture(scope="module")
def clusters(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Cluster]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        started = {name: Cluster(name, tmp_path_factory.mktemp(name), pool) for name in FAILURES}
        return {name: cluster.wait() for name, cluster in started.items()}


NodeCheck = Callable[[Cluster, GpuNode, Settings], Verdict]
NODE_CHECKS: dict[str, NodeCheck] = {
    "PRE-KUBELET-VERSION": lambda c, n, s: kubelet_at_least(n, s),
    "PRE-DRIVER": lambda c, n, s: driver_at_least(c.probes[n.name], n, s),
    "PRE-TOOLKIT": lambda c, n, s: toolkit_at_least(c.probes[n.name], s),
    "PRE-RUNTIME-DEFAULT": lambda c, n, s: runtime_default(c.probes[n.name], n, c.runtime_classes, s, c.plugin),
    "WORKLOAD-DRIVER-FITS-IMAGE": lambda c, n, s: driver_fits_image(c.probes[n.name], n, s),
}


# The simulation does not yet render the GPU Operator's toolkit under /usr/local/nvidia/toolkit (its
# scenario sets no /usr/bin binaries), so the probe finds none there: strict, to notice the fix.
@pytest.mark.parametrize("scenario", sorted(FAILURES))
def test_scenario_verdicts(clusters: dict[str, Cluster], scenario: str) -> None:
    cluster, expected = clusters[scenario], FAILURES[scenario]
    settings = Settings()
    verdicts = {("cluster", "PRE-K8S-VERSION"): kubernetes_at_least(cluster.version, settings)}
    verdicts.update({(node.name, check_id): check(cluster, node, settings)
                     for node in cluster.nodes for check_id, check in NODE_CHECKS.items()})
    assert len(cluster.nodes) == 2
    failed = {key: v.message for key, v in verdicts.items() if not v.ok}
    assert set(failed) == set(expected), failed
    for key, phrase in expected.items():
        assert phrase in failed[key], failed[key]
    skipped = {key for key, v in verdicts.items() if v.skip}
    assert skipped <= {("k8s-node06", "WORKLOAD-DRIVER-FITS-IMAGE")}, skipped


def test_gpu_operator_wiring_under_each_policy(clusters: dict[str, Cluster]) -> None:
    """GPU Operator v25.10: CDI under auto, RuntimeClass nvidia under runtimeclass, a failure under default."""
    cluster = clusters["gpu-operator"]
    for node in cluster.nodes:
        probe = cluster.probes[node.name]
        auto = runtime_default(probe, node, cluster.runtime_classes, Settings(), cluster.plugin)
        assert auto.ok and auto.message.startswith(
            "found the device plugin names CDI devices in the CRI request (DEVICE_LIST_STRATEGY "
            "cdi-annotations,cdi-cri) and containerd has enable_cdi = true; "), auto.message
        tutorial = runtime_default(probe, node, cluster.runtime_classes, Settings(runtime_policy="default"),
                                   cluster.plugin)
        assert not tutorial.ok and tutorial.message.endswith("run the suite with --runtime-policy auto (the default)")
        policy = Settings(runtime_policy="runtimeclass")
        verdict = runtime_default(probe, node, cluster.runtime_classes, policy, cluster.plugin)
        assert verdict.ok, verdict.message
        assert verdict.message.startswith('found RuntimeClass nvidia -> handler "nvidia" -> '
                                          "/usr/local/nvidia/toolkit/nvidia-container-runtime; ")
