"""The stand-in libnvidia-ml.so.1 under the real nvidia-ml-py bindings, one process per host root."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from gpusim.hostroot import render_host_root
from gpusim.model import NodeSpec
from gpusim.nvml import build_library
from gpusim.nvml.build import cache_dir
from gpusim.scenario import load

pytestmark = pytest.mark.e2e

# Runs in a fresh interpreter: loads the host's library by path, then uses pynvml as any tool would.
SCRIPT = r"""
import ctypes, json, sys
import pynvml

ctypes.CDLL(sys.argv[1], mode=ctypes.RTLD_GLOBAL)
out = {}

def attempt(name, fn):
    try:
        value = fn()
        out[name] = value.decode() if isinstance(value, bytes) else value
    except pynvml.NVMLError as exc:
        out[name] = {"error": type(exc).__name__, "text": str(exc), "code": exc.value}

attempt("before_init", pynvml.nvmlSystemGetDriverVersion)
attempt("init", pynvml.nvmlInit)
attempt("driver", pynvml.nvmlSystemGetDriverVersion)
attempt("nvml_version", pynvml.nvmlSystemGetNVMLVersion)
attempt("cuda", pynvml.nvmlSystemGetCudaDriverVersion)
attempt("cuda_v2", pynvml.nvmlSystemGetCudaDriverVersion_v2)
attempt("count", pynvml.nvmlDeviceGetCount)
gpus = []
for i in range(out["count"] if isinstance(out["count"], int) else 0):
    h = pynvml.nvmlDeviceGetHandleByIndex(i)
    uuid = pynvml.nvmlDeviceGetUUID(h)
    v2 = pynvml.nvmlDeviceGetMemoryInfo(h, version=pynvml.nvmlMemory_v2)
    gpus.append({"name": pynvml.nvmlDeviceGetName(h),
                 "uuid": uuid.decode() if isinstance(uuid, bytes) else uuid,
                 "total": pynvml.nvmlDeviceGetMemoryInfo(h).total, "total_v2": v2.total, "used_v2": v2.used})
out["gpus"] = gpus
attempt("index_out_of_range", lambda: pynvml.nvmlDeviceGetHandleByIndex(64))
small = ctypes.create_string_buffer(4)
out["small_buffer"] = pynvml.nvmlLib.nvmlSystemGetDriverVersion(small, ctypes.c_uint(4))
out["error_string_9"] = pynvml.nvmlErrorString(9)
attempt("shutdown", pynvml.nvmlShutdown)
attempt("shutdown_again", pynvml.nvmlShutdown)
attempt("after_shutdown", pynvml.nvmlDeviceGetCount)
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def library() -> Path:
    built = build_library()
    if built is None:
        pytest.skip("no C compiler: the stand-in cannot be built")
    return built


def _render(tmp_path: Path, scenario: str, node: str) -> tuple[NodeSpec, Path]:
    spec = load(scenario).node(node)
    render_host_root(spec, tmp_path / node)
    return spec, tmp_path / node


def _nvml(lib: Path) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(lib)], capture_output=True, text=True,
                          timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_built_once_into_the_cache_with_its_soname(library: Path) -> None:
    assert library.parent.parent == cache_dir()
    assert build_library() == library
    assert b"libnvidia-ml.so.1\0" in library.read_bytes()  # DT_SONAME's string
    if shutil.which("readelf"):
        header = subprocess.run(["readelf", "-d", str(library)], capture_output=True, text=True,
                                timeout=10, check=False).stdout
        assert "Library soname: [libnvidia-ml.so.1]" in header


def test_installed_like_the_real_driver(library: Path, tmp_path: Path) -> None:
    _, ubuntu = _render(tmp_path, "docker", "k8s-node05")
    folder = ubuntu / "usr/lib/x86_64-linux-gnu"
    assert os.readlink(folder / "libnvidia-ml.so.1") == "libnvidia-ml.so.535.104.05"
    assert (folder / "libnvidia-ml.so.535.104.05").stat().st_ino == library.stat().st_ino  # a hard link
    _, centos = _render(tmp_path, "seed", "k8s-node05")
    assert (centos / "usr/lib64/libnvidia-ml.so.1").exists()


def test_pynvml_reads_the_node_truth(library: Path, tmp_path: Path) -> None:
    spec, root = _render(tmp_path, "seed", "k8s-node05")
    out = _nvml(root / "usr/lib64/libnvidia-ml.so.1")
    assert out["before_init"] == {"error": "NVMLError_Uninitialized", "text": "Uninitialized", "code": 1}
    assert out["init"] is None
    assert out["driver"] == "535.104.05"
    assert out["nvml_version"] == "12.535.104.05"
    assert out["cuda"] == out["cuda_v2"] == 12020
    assert out["count"] == 2
    assert out["gpus"] == [{"name": g.name, "uuid": g.uuid, "total": g.memory_mib * 1024 * 1024,
                            "total_v2": g.memory_mib * 1024 * 1024, "used_v2": 0} for g in spec.gpus]
    assert out["index_out_of_range"] == {"error": "NVMLError_InvalidArgument", "text": "Invalid Argument",
                                         "code": 2}
    assert out["small_buffer"] == 7  # NVML_ERROR_INSUFFICIENT_SIZE
    assert out["error_string_9"] == "Driver Not Loaded"
    assert out["shutdown"] is None
    assert out["shutdown_again"] == {"error": "NVMLError_Uninitialized", "text": "Uninitialized", "code": 1}
    assert out["after_shutdown"] == {"error": "NVMLError_Uninitialized", "text": "Uninitialized", "code": 1}


def test_one_build_serves_every_node(library: Path, tmp_path: Path) -> None:
    """The library finds its host root from its own path: two nodes, two answers, one build."""
    node05, root05 = _render(tmp_path, "containerd-v3-dropin", "k8s-node05")
    node06, root06 = _render(tmp_path, "containerd-v3-dropin", "k8s-node06")
    for spec, root in ((node05, root05), (node06, root06)):
        out = _nvml(root / "usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1")
        assert out["driver"] == "570.133.20" and out["cuda"] == 12080
        assert [g["uuid"] for g in out["gpus"]] == [g.uuid for g in spec.gpus]


def test_no_driver_loaded(library: Path, tmp_path: Path) -> None:
    _, root = _render(tmp_path, "driver-missing", "k8s-node06")
    assert not (root / "run/nvidia-sim/nvml.conf").exists()
    out = _nvml(root / "usr/lib64/libnvidia-ml.so.1")
    assert out["init"] == {"error": "NVMLError_DriverNotLoaded", "text": "Driver Not Loaded", "code": 9}
    assert out["driver"] == {"error": "NVMLError_Uninitialized", "text": "Uninitialized", "code": 1}


def test_malformed_data_file_is_unknown_error(library: Path, tmp_path: Path) -> None:
    _, root = _render(tmp_path, "seed", "k8s-node05")
    (root / "run/nvidia-sim/nvml.conf").write_text("driver_version=535.104.05\ngpu=0|GPU-1|many|Tesla T4\n")
    out = _nvml(root / "usr/lib64/libnvidia-ml.so.1")
    assert out["init"] == {"error": "NVMLError_Unknown", "text": "Unknown Error", "code": 999}
