"""The perf tools image: bandwidthTest and all_reduce_perf print their real formats with numbers from the node's GPUs
and link (gpusim/hardware.py): a Gen1 x4 link carries a fraction of a Gen4 x16 one; one GPU has no all_reduce."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import pytest
from gpusim.hardware import GpuHardware, PcieLink
from gpusim.model import Scenario
from gpusim.resources import POD

from .conftest import Sim, gpu_node, pod_manifest, scenario

IMAGE = "registry.example/gpu/cuda-perf:12.4"


def run(sim: Sim, name: str, command: list[str]) -> tuple[str, int]:
    sim.store.create(POD, pod_manifest(name, IMAGE, command=command, nodeName="gpu-1"))
    sim.wait(lambda: sim.phase(name) in ("Succeeded", "Failed") or None, what=f"{name} ending")
    pod = sim.pod(name)
    assert pod is not None
    return sim.log(name, name), pod["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"]


def host_to_device(log: str) -> float:
    found = re.search(r"Host to Device Bandwidth, 2 Device\(s\)\n PINNED Memory Transfers\n.*\n\s+32000000\s+([\d.]+)",
                      log)
    assert found is not None, log
    return float(found.group(1))


@pytest.mark.parametrize(("link", "low", "high"), [(None, 40.0, 60.0), (PcieLink(1, 4), 1.0, 2.0)])
def test_bandwidth_follows_the_link(start_sim: Callable[[Scenario], Sim], link: PcieLink | None, low: float,
                                    high: float) -> None:
    node = replace(gpu_node("gpu-1", "127.0.10.2"), hardware=GpuHardware(pcie_link=link))
    log, code = run(start_sim(scenario(node)), "bw", ["bandwidthTest", "--device=all", "--htod", "--dtoh"])
    assert code == 0 and "Result = PASS" in log and " Device 1: NVIDIA GeForce RTX 4090" in log
    assert low < host_to_device(log) < high  # two RTX 4090: 2 x 80% of 31.5 GB/s at Gen4 x16, of 1 GB/s at Gen1 x4


def test_all_reduce_across_the_gpus(start_sim: Callable[[Scenario], Sim]) -> None:
    log, code = run(start_sim(scenario(gpu_node("gpu-1", "127.0.10.2"))), "nccl",
                    ["bash", "-c", "all_reduce_perf -b 64M -e 1G -f 2 -g 2"])
    assert code == 0
    assert "#  Rank  1 Group  0 Pid      1 on      gpu-1 device  1 [0000:02:00] NVIDIA GeForce RTX 4090" in log
    assert re.search(r"^# Avg bus bandwidth    : [\d.]+ $", log, re.MULTILINE)


def test_no_all_reduce_on_one_gpu(start_sim: Callable[[Scenario], Sim]) -> None:
    log, code = run(start_sim(scenario(gpu_node("gpu-1", "127.0.10.2", count=1))), "nccl",
                    ["bash", "-c", "all_reduce_perf -b 64M -e 1G -f 2 -g 1"])
    assert code == 1 and "Invalid number of GPUs" in log
