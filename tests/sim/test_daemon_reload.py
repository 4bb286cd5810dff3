"""The cgroup trap itself: `systemctl daemon-reload` on a node takes the GPUs from its running GPU containers where
the nvidia runtime runs under the systemd cgroup driver without /dev/char links (NVIDIA/nvidia-container-toolkit#48).

A registered image loops as NVIDIA's notice does (`while true; do nvidia-smi -L; sleep 5; done`): it initialises
NVML from the container's own library each round and prints what it got, only when that changes.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from gpusim.cluster import SimCluster
from gpusim.images import register_image
from gpusim.scenario import loads
from gpusim.testing import TEST_ADDRESS_BLOCK
from kubernetes import client, config

pytestmark = pytest.mark.e2e

IMAGE = "example.com/nvml-loop:1.0"
register_image("nvml-loop", "python", [sys.executable], env={"NVIDIA_VISIBLE_DEVICES": "all"})
LOOP = """
import ctypes, time
nvml, last = ctypes.CDLL("libnvidia-ml.so.1"), None
nvml.nvmlErrorString.restype = ctypes.c_char_p
while True:
    code = nvml.nvmlInit_v2()
    said = "GPU ok" if code == 0 else "Failed to initialize NVML: " + nvml.nvmlErrorString(code).decode()
    if said != last:
        print(said, flush=True)
        last = said
    if code == 0:
        nvml.nvmlShutdown()
    time.sleep(0.05)
"""
RELOAD_AFTER = 25.0  # simulated seconds after start-up; time_scale 0.2 makes it 5 s


def _scenario(base: str) -> str:
    return f"""\
name: {base}-reloaded
base: {base}
nodes:
  - name: k8s-node06
    host:
      daemonReloadAfterSeconds: {RELOAD_AFTER}
"""


@pytest.fixture(scope="module", params=["cgroup-dev-char-missing", "systemd-cgroup"])
def reloaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimCluster]:
    scenario = loads(_scenario(request.param), f"{request.param}-reloaded.yaml")
    path: Path = tmp_path_factory.mktemp(request.param) / "kubeconfig"
    sim = SimCluster(scenario, path, time_scale=0.2, address_block=TEST_ADDRESS_BLOCK).start()
    yield sim
    sim.stop()


def _log_until(api: client.CoreV1Api, name: str, wanted: str, seconds: float) -> str:
    deadline, log = time.monotonic() + seconds, ""
    while time.monotonic() < deadline:
        try:
            log = api.read_namespaced_pod_log(name, "default")
        except client.ApiException:
            log = ""
        if wanted in log:
            break
        time.sleep(0.1)
    return log


def test_a_reload_takes_the_gpus_only_without_dev_char_links(reloaded: SimCluster) -> None:
    api = client.CoreV1Api(config.new_client_from_config(str(reloaded.kubeconfig), persist_config=False))
    container = {"name": "loop", "image": IMAGE, "command": ["python", "-c", LOOP],
                 "resources": {"limits": {"nvidia.com/gpu": "1"}}}
    api.create_namespaced_pod("default", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "loop"},
                                          "spec": {"nodeName": "k8s-node06", "containers": [container]}})
    assert _log_until(api, "loop", "GPU ok", 10).startswith("GPU ok")
    trapped = reloaded.scenario.name.startswith("cgroup-dev-char-missing")
    log = _log_until(api, "loop", "Unknown Error", RELOAD_AFTER * 0.2 + 6)
    if trapped:
        assert log == "GPU ok\nFailed to initialize NVML: Unknown Error\n"
    else:
        assert log == "GPU ok\n"
