"""The exporter checks against simulated clusters: 200 nodes with half the exporters hanging, and a
monitoring-only run that starts no probe pod."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import cast

import pytest
from gpusim.model import Scenario
from gpusim.scenario import scaled
from gpusim.testing import StartCluster, eventually

from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.kube.client import connect
from gpu_conformance.kube.cluster import gpu_nodes
from gpu_conformance.monitoring.exporters.facts import gather_exporters
from gpu_conformance.settings import Settings
from tests.suite.suite_runner import run_suite

pytestmark = pytest.mark.e2e

NODES = 200
TIMEOUT = 3.0
# Starting the threads and the healthy scrapes (about 1 s on a 2-core machine). Less than TIMEOUT, so
# hanging exporters waited for in rounds (a pool too small) fail the test.
SLACK_S = 2.5
MY_CHECKS = "test_exporter_answers or test_exporter_reports_every_gpu or test_exporter_driver_matches"


def half_hanging(gpu_nodes_count: int) -> tuple[Scenario, set[str]]:
    """``seed`` scaled to ``gpu_nodes_count`` GPU nodes, every other node's exporter hanging."""
    base = scaled("seed", gpu_nodes_count)
    hanging = {n.name for n in base.gpu_nodes[::2]}
    nodes = tuple(replace(n, exporter=replace(n.exporter, health="hanging")) if n.name in hanging else n
                  for n in base.nodes)
    return replace(base, nodes=nodes), hanging


def test_half_of_200_exporters_hanging_cost_one_timeout(start_cluster: StartCluster) -> None:
    scenario, hanging = half_hanging(NODES)
    cluster = start_cluster(scenario)
    settings = Settings(kubeconfig=str(cluster.kubeconfig), exporter_timeout=TIMEOUT)
    connection = connect(settings)
    try:
        def all_advertised() -> list[GpuNode]:
            found = gpu_nodes(connection, settings)
            return found if len(found) == NODES and all(n.advertised_gpus for n in found) else []

        checked = cast(list[GpuNode], eventually(all_advertised, 30, "200 GPU nodes advertising"))
        started = time.monotonic()
        facts = gather_exporters(checked, settings)
        elapsed = time.monotonic() - started
    finally:
        connection.close()
    print(f"gathered {NODES} exporters, half hanging, in {elapsed:.2f} s")
    assert elapsed < TIMEOUT + SLACK_S, f"{NODES} exporters, half hanging, took {elapsed:.1f} s"
    no_answer = {name for name, f in facts.items() if f.transport_error == f"no answer within {TIMEOUT:g} s"}
    assert no_answer == hanging
    answered = {name for name, f in facts.items() if f.metrics is not None and f.metrics.gpu_uuids}
    assert answered == set(facts) - hanging and len(answered) == NODES // 2


def test_a_monitoring_only_run_compares_with_the_advertised_gpus(start_cluster: StartCluster,
                                                                 tmp_path: Path) -> None:
    """-m monitoring creates nothing: no probe pod, so the GPU count is what the node advertises."""
    run = run_suite(start_cluster("exporter-wrong-gpu-count"), tmp_path, "--gpu-node-selector", "gpu-node=true",
                    "-m", "monitoring", "-k", MY_CHECKS)
    assert run.failing() == {("MON-EXPORTER-GPUS", "k8s-node05")}, run.stdout
    message = run.outcomes["test_exporter_reports_every_gpu[k8s-node05]"][1]
    assert "found 1 GPU in nvidia_smi_gpu_info{uuid}" in message
    assert "expected one series per GPU, 2 GPUs advertised in node k8s-node05 status.allocatable " \
           "nvidia.com/gpu (not probed: this run probes no node" in message
    assert set(run.outcomes) == {f"{test}[{node}]" for node in ("k8s-node05", "k8s-node06") for test in (
        "test_exporter_answers", "test_exporter_reports_every_gpu", "test_exporter_driver_matches_the_node")}
    # Without a probe and without GPU Feature Discovery labels the node's driver is unknown here.
    assert run.outcomes["test_exporter_driver_matches_the_node[k8s-node06]"][0] == "skipped"


def test_exporter_pods_are_looked_up_with_one_list_call(start_cluster: StartCluster) -> None:
    """--exporter-selector: the seed cluster runs its exporters on the hosts, so no pod matches; a selector
    the API refuses means the exporters could not be looked for at all."""
    cluster = start_cluster("seed")
    settings = Settings(kubeconfig=str(cluster.kubeconfig), exporter_selector="app=nvidia-dcgm-exporter")
    connection = connect(settings)
    try:
        nodes = cast(list[GpuNode], eventually(lambda: gpu_nodes(connection, settings), 15, "GPU nodes"))
        facts = gather_exporters(nodes, settings, connection)
        refused = gather_exporters(nodes, replace(settings, exporter_selector="app in ("), connection)
    finally:
        connection.close()
    assert {f.missing for f in facts.values()} == {f"no pod matching app=nvidia-dcgm-exporter on node {n.name}"
                                                   for n in nodes}
    assert all(f.url is None and f.unavailable is None for f in facts.values())
    why = {str(f.unavailable) for f in refused.values()}
    assert len(why) == 1
    assert why.pop().startswith("could not list pods with --exporter-selector 'app in (': 400 Bad Request: ")
