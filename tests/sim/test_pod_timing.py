"""``podTiming``: pull and run seconds per image, with jitter, so a scenario times the workload phase."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from gpusim.cluster import SimCluster
from gpusim.images.base import Script
from gpusim.model import PodTiming
from gpusim.pod_timing import pull_seconds, timed, timing_for
from gpusim.scenario import ScenarioError, loads
from gpusim.testing import TEST_ADDRESS_BLOCK
from kubernetes import client, config

from tests.sim.test_gpu_injection_pods import finished

SCRIPT = Script(steps=((0.5, "one\n"), (0.5, "two\n")), exit_code=0)
TIMINGS = (PodTiming("nvcr.io/nvidia/k8s/cuda-sample:*", pull_seconds=3, run_seconds=10),
           PodTiming("*", pull_seconds=0, run_seconds=0, jitter_seconds=1))
SCENARIO = """
name: timed
base: seed
podTiming:
  - {image: "nvcr.io/nvidia/k8s/cuda-sample:*", pullSeconds: 3, runSeconds: 2}
"""


def test_the_first_matching_entry_applies() -> None:
    assert timing_for(TIMINGS, "nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda11.7.1") == TIMINGS[0]
    assert timing_for(TIMINGS, "busybox") == TIMINGS[1]
    assert timing_for((), "busybox") is None


def test_a_run_is_stretched_or_shrunk_to_its_seconds() -> None:
    assert timed(SCRIPT, TIMINGS[0], "uid/c").steps == ((5.0, "one\n"), (5.0, "two\n"))
    assert [wait for wait, _ in timed(SCRIPT, PodTiming("*", run_seconds=0), "uid/c").steps] == [0.0, 0.0]
    assert timed(SCRIPT, PodTiming("*", pull_seconds=1), "uid/c") == SCRIPT  # no runSeconds: as the program says
    assert timed(Script(exit_code=None), TIMINGS[0], "uid/c") == Script(exit_code=None)  # runs until stopped


def test_jitter_differs_by_container_and_repeats_by_run() -> None:
    pulls = [pull_seconds(TIMINGS[1], 0.7, f"uid-{i}/c") for i in range(20)]
    assert all(0 <= p <= 1 for p in pulls) and len(set(pulls)) == 20
    assert pulls == [pull_seconds(TIMINGS[1], 0.7, f"uid-{i}/c") for i in range(20)]
    assert pull_seconds(None, 0.7, "uid/c") == 0.7


def test_scenario_field_is_checked() -> None:
    with pytest.raises(ScenarioError, match="pullSeconds"):
        loads("name: x\nbase: seed\npodTiming: [{image: '*', pullSeconds: -1}]\n", source="x.yaml")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimCluster]:
    kubeconfig = tmp_path_factory.mktemp("timed") / "kubeconfig"
    sim = SimCluster(loads(SCENARIO, source="test"), kubeconfig, address_block=TEST_ADDRESS_BLOCK).start()
    yield sim
    sim.stop()


@pytest.mark.e2e
def test_vectoradd_pulls_and_runs_as_the_scenario_says(cluster: SimCluster) -> None:
    api = client.CoreV1Api(config.new_client_from_config(str(cluster.kubeconfig), persist_config=False))
    image = "nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda11.7.1-ubuntu20.04"
    api.create_namespaced_pod("default", {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "timed"},
        "spec": {"restartPolicy": "Never", "nodeName": "k8s-node05", "containers": [
            {"name": "v", "image": image, "resources": {"limits": {"nvidia.com/gpu": "1"}}}]}})
    started = time.monotonic()
    done = finished(api, "timed", timeout=30)
    assert done.status.phase == "Succeeded" and time.monotonic() - started >= 5  # 3 s pull + 2 s run at least
    events = api.list_namespaced_event("default", field_selector="involvedObject.name=timed").items
    assert any(e.reason == "Pulled" and f'"{image}" in 3s' in e.message for e in events)
