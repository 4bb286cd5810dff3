"""Runtime configuration readers on real-world files: containerd v1/v2/v3 and imports, Docker, CRI-O, k3s."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpu_conformance.facts.node import RuntimeConfig
from gpu_conformance.node.hostfs import HostRoot
from gpu_conformance.node.runtime_config import detect, read


def _host(tmp_path: Path, files: dict[str, str]) -> HostRoot:
    for path, text in files.items():
        target = tmp_path / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return HostRoot(tmp_path)


def _read(tmp_path: Path, kind: str, files: dict[str, str], version: str | None = None) -> RuntimeConfig:
    observed = read(_host(tmp_path, files), kind, version)
    assert observed.error is None, observed.error
    assert observed.value is not None
    return observed.value


def _binaries(config: RuntimeConfig) -> dict[str, str | None]:
    return {r.name: r.binary for r in config.runtimes}


# The tutorial's and nvidia-ctk's layouts, by config version (nvidia-container-toolkit pkg/config/engine).
CONTAINERD = {
    1: """\
[plugins.cri.containerd]
  default_runtime_name = "nvidia"
  [plugins.cri.containerd.runtimes.nvidia]
    runtime_type = "io.containerd.runc.v2"
    [plugins.cri.containerd.runtimes.nvidia.options]
      BinaryName = "/usr/bin/nvidia-container-runtime"
""",
    2: """\
version = 2
[plugins."io.containerd.grpc.v1.cri"]
  enable_cdi = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "nvidia"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia.options]
        BinaryName = "/usr/bin/nvidia-container-runtime"
""",
    3: """\
version = 3
[plugins."io.containerd.cri.v1.runtime".containerd]
  default_runtime_name = "nvidia"
  [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.nvidia]
    runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.nvidia.options]
      BinaryName = "/usr/bin/nvidia-container-runtime"
""",
}


@pytest.mark.parametrize("version", [1, 2, 3])
def test_containerd_cri_plugin_key_by_config_version(tmp_path: Path, version: int) -> None:
    config = _read(tmp_path, "containerd", {"/etc/containerd/config.toml": CONTAINERD[version]})
    assert config.default_runtime == "nvidia"
    assert _binaries(config)["nvidia"] == "/usr/bin/nvidia-container-runtime"
    assert config.config_version == version
    assert config.default_runtime_from == str(tmp_path / "etc/containerd/config.toml")
    assert config.enable_cdi is (True if version == 2 else None)


def test_containerd_without_default_runtime_name_uses_runc(tmp_path: Path) -> None:
    text = CONTAINERD[2].replace('    default_runtime_name = "nvidia"\n', "")
    config = _read(tmp_path, "containerd", {"/etc/containerd/config.toml": text})
    assert (config.default_runtime, config.default_runtime_from) == ("runc", "built-in default")
    assert config.handlers == ("runc", "nvidia")


def test_containerd_legacy_v1_linux_runtime(tmp_path: Path) -> None:
    text = """\
[plugins.cri.containerd]
  default_runtime_name = "nvidia"
  [plugins.cri.containerd.runtimes.nvidia]
    runtime_type = "io.containerd.runtime.v1.linux"
    runtime_engine = "/usr/bin/nvidia-container-runtime"
  [plugins.cri.containerd.runtimes.legacy]
    runtime_type = "io.containerd.runtime.v1.linux"
    [plugins.cri.containerd.runtimes.legacy.options]
      Runtime = "/usr/local/bin/nvidia-container-runtime"
  [plugins.cri.containerd.runtimes.plain]
    runtime_type = "io.containerd.runtime.v1.linux"
[plugins.linux]
  runtime = "nvidia-container-runtime"
"""
    config = _read(tmp_path, "containerd", {"/etc/containerd/config.toml": text})
    assert _binaries(config) == {"nvidia": "/usr/bin/nvidia-container-runtime",
                                 "legacy": "/usr/local/bin/nvidia-container-runtime",
                                 "plain": "nvidia-container-runtime"}
    nvidia = config.runtime("nvidia")
    assert nvidia is not None and nvidia.runtime_type == "io.containerd.runtime.v1.linux"


def test_containerd_deprecated_default_runtime_table(tmp_path: Path) -> None:
    text = """\
[plugins.cri.containerd.default_runtime]
  runtime_type = "io.containerd.runtime.v1.linux"
  runtime_engine = "/usr/bin/nvidia-container-runtime"
"""
    config = _read(tmp_path, "containerd", {"/etc/containerd/config.toml": text})
    assert config.default_runtime == "default"
    assert _binaries(config) == {"default": "/usr/bin/nvidia-container-runtime"}


MAIN_WITH_IMPORTS = """\
version = {version}
imports = ["/etc/containerd/conf.d/*.toml", "extra.toml"]
[plugins."{key}".containerd]
  default_runtime_name = "runc"
  [plugins."{key}".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
"""
DROPIN = """\
version = {version}
[plugins."{key}".containerd]
  default_runtime_name = "nvidia"
  [plugins."{key}".containerd.runtimes.nvidia]
    runtime_type = "io.containerd.runc.v2"
    [plugins."{key}".containerd.runtimes.nvidia.options]
      BinaryName = "/usr/bin/nvidia-container-runtime"
"""
LATER = """\
version = {version}
[plugins."{key}".containerd.runtimes.nvidia-cdi]
  runtime_type = "io.containerd.runc.v2"
  [plugins."{key}".containerd.runtimes.nvidia-cdi.options]
    BinaryName = "/usr/bin/nvidia-container-runtime.cdi"
"""


def _imports(version: int) -> dict[str, str]:
    key = {2: "io.containerd.grpc.v1.cri", 3: "io.containerd.cri.v1.runtime"}[version]
    return {
        "/etc/containerd/config.toml": MAIN_WITH_IMPORTS.format(version=version, key=key),
        "/etc/containerd/conf.d/99-nvidia.toml": DROPIN.format(version=version, key=key),
        "/etc/containerd/conf.d/10-base.toml": f"version = {version}\n",
        "/etc/containerd/extra.toml": LATER.format(version=version, key=key),
    }


def test_containerd_2_imports_merge_sections_later_files_override(tmp_path: Path) -> None:
    config = _read(tmp_path, "containerd", _imports(3), "2.0.5")
    assert config.default_runtime == "nvidia"
    assert config.default_runtime_from == str(tmp_path / "etc/containerd/conf.d/99-nvidia.toml")
    assert config.handlers == ("runc", "nvidia", "nvidia-cdi")
    # main first, then the glob's matches in lexical order, then the next import
    assert [Path(f).relative_to(tmp_path).as_posix() for f in config.files] == [
        "etc/containerd/config.toml", "etc/containerd/conf.d/10-base.toml",
        "etc/containerd/conf.d/99-nvidia.toml", "etc/containerd/extra.toml"]


def test_containerd_1_imports_replace_a_plugins_whole_section(tmp_path: Path) -> None:
    """containerd 1.x: the last file naming the CRI plugin wins entirely (containerd issue 5837)."""
    config = _read(tmp_path, "containerd", _imports(2), "1.7.2")
    assert config.handlers == ("nvidia-cdi",)
    assert (config.default_runtime, config.default_runtime_from) == ("runc", "built-in default")


def test_containerd_version_unknown_follows_config_version(tmp_path: Path) -> None:
    assert _read(tmp_path / "a", "containerd", _imports(3)).handlers == ("runc", "nvidia", "nvidia-cdi")
    assert _read(tmp_path / "b", "containerd", _imports(2)).handlers == ("nvidia-cdi",)


def test_containerd_2_migrates_an_older_dropin(tmp_path: Path) -> None:
    files = {"/etc/containerd/config.toml": 'version = 3\nimports = ["conf.d/*.toml"]\n',
             "/etc/containerd/conf.d/99-nvidia.toml": DROPIN.format(version=2,
                                                                     key="io.containerd.grpc.v1.cri")}
    config = _read(tmp_path, "containerd", files, "2.1.0")
    assert config.default_runtime == "nvidia" and config.handlers == ("nvidia",)


def test_containerd_dropin_newer_than_root_is_an_error(tmp_path: Path) -> None:
    files = {"/etc/containerd/config.toml": 'version = 2\nimports = ["conf.d/*.toml"]\n',
             "/etc/containerd/conf.d/99-nvidia.toml": "version = 3\n"}
    observed = read(_host(tmp_path, files), "containerd", "2.0.0")
    assert observed.value is None
    assert observed.error == (f"{tmp_path}/etc/containerd/conf.d/99-nvidia.toml: drop-in config version 3 "
                              "higher than root config version 2")


def test_containerd_toml_error_names_file_and_line(tmp_path: Path) -> None:
    files = {"/etc/containerd/config.toml": 'version = 2\nimports = ["/etc/containerd/conf.d/*.toml"]\n',
             "/etc/containerd/conf.d/99-nvidia.toml": 'version = 2\n[plugins\ndefault = "x"\n'}
    observed = read(_host(tmp_path, files), "containerd")
    assert observed.error is not None
    dropin = tmp_path / "etc/containerd/conf.d/99-nvidia.toml"
    assert observed.error.startswith(f"{dropin}: line 2: invalid TOML: ")
    assert "# " + str(tmp_path / "etc/containerd/config.toml") in (observed.excerpt or "")


def test_containerd_missing_config_is_an_error(tmp_path: Path) -> None:
    observed = read(HostRoot(tmp_path), "containerd", "1.7.2")
    assert observed.error == f"{tmp_path}/etc/containerd/config.toml: no such file"


def test_containerd_registry_credentials_never_reach_the_excerpt(tmp_path: Path) -> None:
    text = CONTAINERD[2] + ('[plugins."io.containerd.grpc.v1.cri".registry.configs."r.io".auth]\n'
                            '  username = "robot"\n  password = "hunter2"\n  auth = "cm9ib3Q6aHVudGVyMg=="\n')
    observed = read(_host(tmp_path, {"/etc/containerd/config.toml": text}), "containerd")
    assert observed.excerpt is not None
    assert "hunter2" not in observed.excerpt and "cm9ib3Q6" not in observed.excerpt
    assert 'password = <redacted>' in observed.excerpt


K3S_CONFIG = """\
# File generated by k3s. DO NOT EDIT. Use config.toml.tmpl instead.
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "nvidia"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes."nvidia"]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes."nvidia".options]
  BinaryName = "/usr/bin/nvidia-container-runtime"
  SystemdCgroup = false
"""


@pytest.mark.parametrize("distro", ["k3s", "rke2"])
def test_rancher_containerd_config_path(tmp_path: Path, distro: str) -> None:
    files = {f"/var/lib/rancher/{distro}/agent/etc/containerd/config.toml": K3S_CONFIG,
             "/etc/containerd/config.toml": CONTAINERD[2].replace('= "nvidia"\n', '= "runc"\n', 1)}
    config = _read(tmp_path, "containerd", files, "1.7.11-k3s2")
    assert config.default_runtime == "nvidia"
    assert config.files == (str(tmp_path / f"var/lib/rancher/{distro}/agent/etc/containerd/config.toml"),)


def test_rancher_template_without_generated_config(tmp_path: Path) -> None:
    files = {"/var/lib/rancher/k3s/agent/etc/containerd/config.toml.tmpl": K3S_CONFIG}
    observed = read(_host(tmp_path, files), "containerd", "1.7.11-k3s2")
    assert observed.error == f"{tmp_path}/var/lib/rancher/k3s/agent/etc/containerd/config.toml: no such file"


def test_docker_daemon_json(tmp_path: Path) -> None:
    text = ('{\n    "default-runtime": "nvidia",\n    "runtimes": {\n        "nvidia": {\n'
            '            "path": "/usr/bin/nvidia-container-runtime",\n            "runtimeArgs": []\n'
            '        }\n    },\n    "features": {"cdi": true}\n}\n')
    config = _read(tmp_path, "docker", {"/etc/docker/daemon.json": text})
    assert (config.default_runtime, config.enable_cdi, config.handlers) == ("nvidia", True, ())
    assert _binaries(config) == {"nvidia": "/usr/bin/nvidia-container-runtime"}


def test_docker_without_default_runtime_keeps_runc(tmp_path: Path) -> None:
    text = '{"runtimes": {"nvidia": {"path": "nvidia-container-runtime", "args": []}}}'
    config = _read(tmp_path, "docker", {"/etc/docker/daemon.json": text})
    assert (config.default_runtime, config.default_runtime_from) == ("runc", "built-in default")
    assert _binaries(config) == {"nvidia": "nvidia-container-runtime"}


def test_docker_json_error_names_file_and_line(tmp_path: Path) -> None:
    text = '{\n  "default-runtime": "nvidia",\n  "runtimes": {\n    "nvidia": {"path": "x",}\n  }\n}\n'
    observed = read(_host(tmp_path, {"/etc/docker/daemon.json": text}), "docker")
    assert observed.error == (f"{tmp_path}/etc/docker/daemon.json: line 4 column 28: invalid JSON: "
                              "Expecting property name enclosed in double quotes")
    assert observed.excerpt is not None and '"default-runtime"' in observed.excerpt


CRIO_BASE = '[crio.runtime]\ndefault_runtime = "runc"\n[crio.runtime.runtimes.runc]\nruntime_path = ""\n'
CRIO_NVIDIA = ('[crio]\n  [crio.runtime]\n    default_runtime = "nvidia"\n'
               '      [crio.runtime.runtimes.nvidia]\n'
               '        runtime_path = "/usr/bin/nvidia-container-runtime"\n'
               '        runtime_type = "oci"\n')


def test_crio_dropins_in_lexical_order(tmp_path: Path) -> None:
    files = {"/etc/crio/crio.conf": CRIO_BASE, "/etc/crio/crio.conf.d/99-nvidia.conf": CRIO_NVIDIA,
             "/etc/crio/crio.conf.d/10-crun.toml": '[crio.runtime]\ndefault_runtime = "crun"\n'}
    config = _read(tmp_path, "cri-o", files)
    assert config.default_runtime == "nvidia"
    assert config.default_runtime_from == str(tmp_path / "etc/crio/crio.conf.d/99-nvidia.conf")
    assert _binaries(config) == {"runc": None, "nvidia": "/usr/bin/nvidia-container-runtime"}
    assert [Path(f).name for f in config.files] == ["crio.conf", "10-crun.toml", "99-nvidia.conf"]


def test_crio_reads_every_dropin_whatever_its_extension(tmp_path: Path) -> None:
    files = {"/etc/crio/crio.conf.d/99-nvidia.toml": CRIO_NVIDIA,
             "/etc/crio/crio.conf.d/zz-override": '[crio.runtime]\ndefault_runtime = "runc"\n'}
    config = _read(tmp_path, "cri-o", files)
    assert config.default_runtime == "runc"
    assert [Path(f).name for f in config.files] == ["99-nvidia.toml", "zz-override"]


def test_crio_without_any_config_is_an_error(tmp_path: Path) -> None:
    observed = read(HostRoot(tmp_path), "cri-o")
    assert observed.error is not None and "no such file, and no files in" in observed.error


@pytest.mark.parametrize(("files", "kind", "path"), [
    ({"/etc/containerd/config.toml": CONTAINERD[2]}, "containerd", "etc/containerd/config.toml"),
    ({"/etc/docker/daemon.json": "{}", "/etc/containerd/config.toml": 'disabled_plugins = ["cri"]\n'},
     "docker", "etc/docker/daemon.json"),
    ({"/etc/crio/crio.conf.d/99-nvidia.toml": CRIO_NVIDIA}, "cri-o", "etc/crio/crio.conf.d"),
    ({"/var/lib/rancher/k3s/agent/etc/containerd/config.toml": K3S_CONFIG, "/etc/docker/daemon.json": "{}"},
     "containerd", "var/lib/rancher/k3s/agent/etc/containerd/config.toml"),
])
def test_detect_runtime_from_files(tmp_path: Path, files: dict[str, str], kind: str, path: str) -> None:
    observed = detect(_host(tmp_path, files))
    assert observed.value == kind
    assert observed.source.startswith(f"detected from {tmp_path / path}")


def test_detect_nothing(tmp_path: Path) -> None:
    observed = detect(HostRoot(tmp_path))
    assert observed.value is None and observed.error is not None
    assert "no container runtime configuration found" in observed.error


def test_the_cgroup_driver_of_each_runtime(tmp_path: Path) -> None:
    """containerd per runtime (SystemdCgroup), CRI-O for all (cgroup_manager, unset: systemd), docker for all."""
    containerd = _read(tmp_path / "c", "containerd", {"/etc/containerd/config.toml": (
        'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\nSystemdCgroup = true\n'
        '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia.options]\n'
        'BinaryName = "/usr/bin/nvidia-container-runtime"\n')})
    assert {r.name: r.systemd_cgroup for r in containerd.runtimes} == {"runc": True, "nvidia": None}
    crio = _read(tmp_path / "o", "cri-o", {"/etc/crio/crio.conf.d/99-nvidia.toml": CRIO_NVIDIA})
    assert {r.name: r.systemd_cgroup for r in crio.runtimes} == {"nvidia": True}
    cgroupfs = CRIO_NVIDIA.replace('default_runtime = "nvidia"',
                                   'default_runtime = "nvidia"\ncgroup_manager = "cgroupfs"')
    crio = _read(tmp_path / "f", "cri-o", {"/etc/crio/crio.conf.d/99-nvidia.toml": cgroupfs})
    assert {r.name: r.systemd_cgroup for r in crio.runtimes} == {"nvidia": False}
    daemon = ('{"exec-opts": ["native.cgroupdriver=systemd"], '
              '"runtimes": {"nvidia": {"path": "nvidia-container-runtime"}}}')
    docker = _read(tmp_path / "d", "docker", {"/etc/docker/daemon.json": daemon})
    assert {r.name: r.systemd_cgroup for r in docker.runtimes} == {"nvidia": True}
