"""The faults of a GPU node after day one (issue 15), each seen from outside as on a real cluster: a CUDA pod, the
host's files and tools, the exporter's scrape, the diagnostic tools' own output. k8s-node05 has two RTX 4090s."""

from __future__ import annotations

import json
import re

from tests.sim.fault_api import BROKEN, HEALTHY, Api, host_file, run_host_binary, scrape

DCGM = "nvcr.io/nvidia/cloud-native/dcgm:4.2.3-1-ubuntu22.04"
PERF = "registry.example/gpu/cuda-perf:12.4"  # NVIDIA publishes no image with bandwidthTest; the test bed knows this


def nvswitch_no_fabricmanager(api: Api) -> None:
    """No Fabric Manager on k8s-node06's HGX board: NVML's fabric never starts, so CUDA fails with error 802."""
    assert any(host_file(api.cluster, BROKEN, "/dev").glob("nvidia-nvswitch*"))
    fabric = run_host_binary(api.cluster, BROKEN, "/usr/bin/nvidia-smi", "--query-gpu=fabric.state,fabric.status",
                             "--format=csv,noheader")
    assert set(fabric.splitlines()) == {"Not Started, [N/A]"}, fabric
    pod = api.run_vectoradd(BROKEN)
    assert pod.status.phase == "Failed"
    assert "Failed to allocate device vector A (error code system not yet initialized)!" in api.log(pod)


def cgroup_dev_char_missing(api: Api) -> None:
    """The nvidia runtime under systemd's cgroup driver on k8s-node06, without the /dev/char links of its GPUs."""
    config = host_file(api.cluster, BROKEN, "/etc/containerd/config.toml").read_text()
    options = config.split("runtimes.nvidia.options]", 1)[1].split("[", 1)[0]
    assert re.search(r"^\s+SystemdCgroup = true$", options, re.MULTILINE), options
    assert not host_file(api.cluster, BROKEN, "/dev/char").exists()
    assert "195 nvidia-frontend\n" in host_file(api.cluster, BROKEN, "/proc/devices").read_text()
    assert api.run_vectoradd(BROKEN).status.phase == "Succeeded"  # new pods still get their GPU


def exporter_query_fields(api: Api) -> None:
    """k8s-node06's exporter serves only its --query-field-names list: no P-State, power or clocks."""
    served = {line.split("{")[0] for line in scrape(api.cluster, BROKEN).text.splitlines() if line[:1] != "#"}
    assert "nvidia_smi_temperature_gpu" in served and "nvidia_smi_pstate" not in served
    assert "nvidia_smi_pstate" in scrape(api.cluster, HEALTHY).text


def dcgm_diag_memory_fail(api: Api) -> None:
    """GPU 0 of k8s-node05 has uncorrectable memory errors: only DCGM's diagnostic sees it; vectoradd passes."""
    assert api.run_vectoradd(HEALTHY).status.phase == "Succeeded"
    pod = api.run_gpu_pod(HEALTHY, DCGM, ["bash", "-c", "nv-hostengine && dcgmi diag -r 1 -j"], gpus=2)
    assert pod.status.container_statuses[0].state.terminated.exit_code == 226  # DCGM_ST_NVVS_ERROR
    log = api.log(pod)
    body = json.loads(log[log.index("{"):])
    statuses = {(test["name"], result["entity_id"]): result["status"]
                for category in body["DCGM Diagnostic"]["test_categories"] for test in category["tests"]
                for result in test["results"]}
    assert statuses == {("software", 0): "Fail", ("software", 1): "Pass"}


def pcie_degraded(api: Api) -> None:
    """k8s-node05's GPUs trained at PCIe Gen1 x4: host-to-device copies reach a fraction of Gen4 x16's."""
    pod = api.run_gpu_pod(HEALTHY, PERF, ["bandwidthTest", "--device=all", "--htod"], gpus=2)
    log = api.log(pod)
    assert pod.status.phase == "Succeeded" and "Result = PASS" in log
    found = re.search(r"Host to Device Bandwidth, 2 Device\(s\)\n PINNED Memory Transfers\n.*\n\s+32000000\s+([\d.]+)",
                      log)
    assert found is not None, log
    assert float(found.group(1)) < 2.0  # two RTX 4090 at Gen4 x16 reach about 50 GB/s
    widths = {line.rsplit(" ", 1)[1] for line in scrape(api.cluster, HEALTHY).text.splitlines()
              if line.startswith(("nvidia_smi_pcie_link_width_current{", "nvidia_smi_pcie_link_width_max{"))}
    assert widths == {"4", "16"}, widths  # nvidia-smi: trained at x4 of the x16 the board and slot allow
