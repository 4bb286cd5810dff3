"""``gpu-conformance probe`` against host roots rendered from bundled scenarios, through the real CLI.

Each probe runs in its own process, as in the probe pod: NVML is a process-wide library.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from gpusim.hostroot import render_host_root
from gpusim.model import NodeSpec
from gpusim.nvml import build_library
from gpusim.scenario import load

from gpu_conformance.facts.node import NodeProbe
from gpu_conformance.facts.termination_message import MAX_BYTES, decode

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gpu_conformance", *args], capture_output=True, text=True,
                          timeout=30, check=False, cwd=REPO)


def _probe(tmp_path: Path, scenario: str, node: str, runtime: bool = True) -> tuple[NodeSpec, NodeProbe]:
    spec = load(scenario).node(node)
    root = tmp_path / node
    render_host_root(spec, root)
    args = ["probe", "--host-root", str(root), "--node", node]
    if runtime:
        args += ["--runtime", spec.container_runtime_version]
    done = _cli(*args)
    assert done.returncode == 0, done.stderr
    return spec, NodeProbe.from_json(done.stdout)


def _assert_healthy_driver(spec: NodeSpec, probe: NodeProbe, root: Path) -> None:
    assert spec.host is not None
    driver = spec.host.driver_version
    assert probe.driver_proc.value == driver
    assert probe.driver_proc.source == str(root / "proc/driver/nvidia/version")
    assert probe.driver_sys.value == driver and probe.driver_smi.value == driver
    expected = tuple((g.index, g.name, g.uuid, g.memory_mib * MIB) for g in spec.gpus)
    assert probe.gpus.value is not None
    assert tuple((g.index, g.name, g.uuid, g.memory_total_bytes) for g in probe.gpus.value) == expected
    if build_library() is None:
        assert "NVML Shared Library Not Found" in (probe.driver_nvml.error or "")
        return
    assert probe.driver_nvml.value == driver
    assert probe.driver_nvml.source.startswith("NVML nvmlSystemGetDriverVersion (" + str(root))
    assert probe.gpus.source.startswith("NVML ")


def test_seed_node(tmp_path: Path) -> None:
    spec, probe = _probe(tmp_path, "seed", "k8s-node05")
    root = tmp_path / "k8s-node05"
    assert probe.driver_proc.value == "535.104.05" and len(spec.gpus) == 2
    _assert_healthy_driver(spec, probe, root)
    if build_library() is not None:
        assert probe.cuda_driver_version.value == 12020
    assert (probe.toolkit.value, probe.toolkit.source) == ("1.14.3", f"{root}/usr/bin/nvidia-ctk --version")
    assert [r.value for r in probe.toolkit_reads[:5]] == ["1.14.3"] * 5
    assert probe.runtime_kind.value == "containerd"
    assert probe.runtime.value is not None
    assert probe.runtime.value.default_runtime == "nvidia"
    assert probe.runtime.value.default_runtime_from == f"{root}/etc/containerd/config.toml"
    assert probe.runtime.value.runtime("nvidia") is not None
    assert probe.node == "k8s-node05" and probe.host_root == str(root)


def test_runtime_not_default(tmp_path: Path) -> None:
    _, probe = _probe(tmp_path, "runtime-not-default", "k8s-node06")
    assert probe.runtime.value is not None
    assert probe.runtime.value.default_runtime == "runc"
    assert probe.runtime.value.handlers == ("runc", "nvidia")


def test_containerd_v3_dropin_follows_imports(tmp_path: Path) -> None:
    spec, probe = _probe(tmp_path, "containerd-v3-dropin", "k8s-node05")
    root = tmp_path / "k8s-node05"
    _assert_healthy_driver(spec, probe, root)
    config = probe.runtime.value
    assert config is not None and config.config_version == 3
    assert config.default_runtime == "nvidia"
    assert config.default_runtime_from == f"{root}/etc/containerd/conf.d/99-nvidia.toml"
    assert config.handlers == ("runc", "nvidia", "nvidia-cdi", "nvidia-legacy")
    assert probe.toolkit.value == "1.18.0"


@pytest.mark.parametrize(("scenario", "kind", "config"), [
    ("crio", "cri-o", "etc/crio/crio.conf.d/99-nvidia.toml"),
    ("docker", "docker", "etc/docker/daemon.json"),
    ("k3s", "containerd", "var/lib/rancher/k3s/agent/etc/containerd/config.toml"),
    ("containerd-v1", "containerd", "etc/containerd/config.toml"),
])
def test_runtime_layouts(tmp_path: Path, scenario: str, kind: str, config: str) -> None:
    spec, probe = _probe(tmp_path, scenario, "k8s-node05")
    root = tmp_path / "k8s-node05"
    assert probe.runtime_kind.value == kind
    assert probe.runtime.value is not None, probe.runtime.error
    assert probe.runtime.value.default_runtime == "nvidia"
    assert probe.runtime.value.default_runtime_from == str(root / config)
    nvidia = probe.runtime.value.runtime("nvidia")
    assert nvidia is not None and nvidia.binary == "/usr/bin/nvidia-container-runtime"
    _assert_healthy_driver(spec, probe, root)


def test_docker_node_reports_nvidia_docker2(tmp_path: Path) -> None:
    _, probe = _probe(tmp_path, "docker", "k8s-node05")
    assert probe.nvidia_docker2.value == "2.14.0"
    assert probe.nvidia_docker2.source.startswith(str(tmp_path / "k8s-node05/var/lib/dpkg/status"))


def test_runtime_detected_from_files_without_flag(tmp_path: Path) -> None:
    _, probe = _probe(tmp_path, "crio", "k8s-node05", runtime=False)
    assert probe.runtime_kind.value == "cri-o"
    assert probe.runtime_kind.source.startswith("detected from ")


def test_driver_missing_is_data_not_a_crash(tmp_path: Path) -> None:
    _, probe = _probe(tmp_path, "driver-missing", "k8s-node06")
    root = tmp_path / "k8s-node06"
    assert (probe.driver_proc.value, probe.driver_proc.error) == (None, "no such file")
    assert probe.driver_proc.source == f"{root}/proc/driver/nvidia/version"
    assert probe.driver_sys.error == "no such file"
    assert (probe.driver_smi.error or "").startswith("exit status 9: NVIDIA-SMI has failed")
    assert probe.gpus.value is None
    if build_library() is not None:
        assert probe.driver_nvml.error == "nvmlInit: Driver Not Loaded"
        assert probe.driver_nvml.source.startswith(f"NVML nvmlInit ({root}/usr/lib64/libnvidia-ml.so.1")
    assert probe.toolkit.value == "1.14.3"  # the rest of the host is still read


def test_toolkit_missing(tmp_path: Path) -> None:
    _, probe = _probe(tmp_path, "toolkit-missing", "k8s-node06")
    assert probe.toolkit.value is None
    assert probe.toolkit.error is not None and probe.toolkit.error.startswith("no toolkit binary found")
    assert probe.runtime.value is not None and probe.runtime.value.default_runtime == "nvidia"


def test_open_kernel_module(tmp_path: Path) -> None:
    spec, probe = _probe(tmp_path, "open-kernel-module", "k8s-node05")
    assert probe.driver_proc.value == "580.95.05"
    assert probe.driver_proc.excerpt is not None and "Open Kernel Module" in probe.driver_proc.excerpt
    _assert_healthy_driver(spec, probe, tmp_path / "k8s-node05")


def test_probe_is_fast_on_a_healthy_host(tmp_path: Path) -> None:
    spec = load("seed").node("k8s-node05")
    render_host_root(spec, tmp_path)
    build_library()
    started = time.monotonic()
    done = _cli("probe", "--host-root", str(tmp_path), "--runtime", spec.container_runtime_version)
    assert done.returncode == 0
    assert time.monotonic() - started < 2.0  # including the interpreter's start


@pytest.mark.parametrize(("args", "message"), [
    (["--host-root", "/nonexistent/host"],
     "gpu-conformance probe: --host-root /nonexistent/host: no such directory"),
    (["--host-root", "/", "--runtime", "podman"],
     "gpu-conformance probe: --runtime: expected containerd, docker"),
])
def test_bad_usage_exits_2_with_one_line(args: list[str], message: str) -> None:
    done = _cli("probe", *args)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(message) and done.stderr.count("\n") == 1


def test_the_facts_are_also_left_as_the_termination_message(tmp_path: Path) -> None:
    spec = load("seed").node("k8s-node05")
    root, message = tmp_path / "k8s-node05", tmp_path / "termination-log"
    render_host_root(spec, root)
    done = _cli("probe", "--host-root", str(root), "--node", "k8s-node05", "--termination-log", str(message))
    assert done.returncode == 0, done.stderr
    assert len(message.read_bytes()) <= MAX_BYTES
    assert NodeProbe.from_json(decode(message.read_text())) == NodeProbe.from_json(done.stdout)
