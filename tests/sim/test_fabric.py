"""An NVSwitch node of the test bed: its switches, its Fabric Manager in /proc, and NVML's fabric state."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from gpusim.hostroot import render_host_root
from gpusim.nvml import build_library
from gpusim.scenario import load

pytestmark = pytest.mark.e2e

# A fresh interpreter per host, as NVML is one library per process: both forms of the call, as a tool makes them.
SCRIPT = r"""
import ctypes, json, sys
import pynvml

ctypes.CDLL(sys.argv[1], mode=ctypes.RTLD_GLOBAL)
pynvml.nvmlInit()
handle = pynvml.nvmlDeviceGetHandleByIndex(0)
out = {}
for name, struct, call in (("v", pynvml.c_nvmlGpuFabricInfoV_t, pynvml.nvmlDeviceGetGpuFabricInfoV),
                           ("v1", pynvml.c_nvmlGpuFabricInfo_t, pynvml.nvmlDeviceGetGpuFabricInfo)):
    info = struct()
    try:
        call(handle, ctypes.byref(info))
        out[name] = [info.state, info.status]
    except pynvml.NVMLError as exc:
        out[name] = str(exc)
wrong = pynvml.c_nvmlGpuFabricInfoV_t()
wrong.version = 1
try:
    pynvml.nvmlDeviceGetGpuFabricInfoV(handle, ctypes.byref(wrong))
except pynvml.NVMLError as exc:
    out["wrong_version"] = exc.value
print(json.dumps(out))
"""


def _host(tmp_path: Path, scenario: str, node: str = "k8s-node06") -> Path:
    root = tmp_path / scenario
    render_host_root(load(scenario).node(node), root)
    return root


def _fabric_info(root: Path) -> dict[str, object]:
    if build_library() is None:
        pytest.skip("no C compiler: the stand-in NVML cannot be built")
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(root / "usr/lib64/libnvidia-ml.so.1")],
                          capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_a_running_fabric_manager_completes_the_fabric(tmp_path: Path) -> None:
    root = _host(tmp_path, "nvswitch")
    assert sorted(p.name for p in (root / "dev").glob("nvidia-nvswitch*")) == [
        "nvidia-nvswitch0", "nvidia-nvswitch1", "nvidia-nvswitch2", "nvidia-nvswitch3", "nvidia-nvswitchctl"]
    assert (root / "proc/2143/comm").read_text() == "nv-fabricmanage\n"  # TASK_COMM_LEN cuts it
    assert (root / "proc/2143/cmdline").read_text().split("\0")[0] == "/usr/bin/nv-fabricmanager"
    assert _fabric_info(root) == {"v": [3, 0], "v1": [3, 0], "wrong_version": 25}  # ARGUMENT_VERSION_MISMATCH


def test_without_the_fabric_manager_the_fabric_never_starts(tmp_path: Path) -> None:
    root = _host(tmp_path, "nvswitch-no-fabricmanager")
    assert len(list((root / "dev").glob("nvidia-nvswitch[0-9]"))) == 4
    assert not (root / "usr/bin/nv-fabricmanager").exists()
    assert sorted(p.name for p in (root / "proc").iterdir() if p.name.isdigit()) == ["1"]
    assert _fabric_info(root)["v"] == [1, 0]  # NVML_GPU_FABRIC_STATE_NOT_STARTED


def test_gpus_on_no_fabric_answer_not_supported(tmp_path: Path) -> None:
    root = _host(tmp_path, "seed")
    assert not list(root.glob("dev/nvidia-nvswitch*"))
    assert _fabric_info(root)["v"] == "Not Supported"


@pytest.mark.parametrize(("scenario", "expected"), [
    ("nvswitch", "Completed, Success"), ("nvswitch-no-fabricmanager", "Not Started, [N/A]"), ("seed", "[N/A], [N/A]")])
def test_nvidia_smi_queries_the_fabric(tmp_path: Path, scenario: str, expected: str) -> None:
    root = _host(tmp_path, scenario)
    done = subprocess.run([str(root / "usr/bin/nvidia-smi"), "--query-gpu=fabric.state,fabric.status",
                           "--format=csv,noheader", "-i", "0"], capture_output=True, text=True, timeout=10, check=False)
    assert (done.returncode, done.stdout) == (0, expected + "\n")
