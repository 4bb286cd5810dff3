"""PRE-RUNTIME-DEFAULT on runtime configurations read from real files by the probe's own readers."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from gpu_conformance.facts.cluster import PluginFacts
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.node.hostfs import HostRoot
from gpu_conformance.node.runtime_config import read
from gpu_conformance.requirements.prerequisites import runtime_default
from gpu_conformance.settings import Settings
from gpu_conformance.verdict import Verdict

from .builders import STATIC_DS, failed_outcome, gpu_node, outcome, plugin, probe

V2 = 'plugins."io.containerd.grpc.v1.cri"'
TUTORIAL_V2 = f"""\
version = 2
[plugins]
  [{V2}]
    [{V2}.containerd]
      default_runtime_name = "nvidia"
      [{V2}.containerd.runtimes]
        [{V2}.containerd.runtimes.nvidia]
          privileged_without_host_devices = false
          runtime_engine = ""
          runtime_root = ""
          runtime_type = "io.containerd.runc.v2"
          [{V2}.containerd.runtimes.nvidia.options]
            BinaryName = "/usr/bin/nvidia-container-runtime"
"""
NOT_DEFAULT_V2 = TUTORIAL_V2.replace('default_runtime_name = "nvidia"', 'default_runtime_name = "runc"')
V1_NO_DEFAULT = """\
[plugins.cri.containerd]
  [plugins.cri.containerd.runtimes.nvidia]
    runtime_type = "io.containerd.runc.v2"
    [plugins.cri.containerd.runtimes.nvidia.options]
      BinaryName = "/usr/bin/nvidia-container-runtime"
"""
V3 = 'plugins."io.containerd.cri.v1.runtime"'
V3_MAIN = 'version = 3\nimports = ["/etc/containerd/conf.d/*.toml"]\n'
V3_BASE = f'version = 3\n[{V3}.containerd]\n  default_runtime_name = "runc"\n'
V3_NVIDIA = f"""\
version = 3
[{V3}.containerd.runtimes.nvidia]
  runtime_type = "io.containerd.runc.v2"
  [{V3}.containerd.runtimes.nvidia.options]
    BinaryName = "/usr/bin/nvidia-container-runtime"
"""
DOCKER_TUTORIAL = """{
    "default-runtime": "nvidia",
    "runtimes": {"nvidia": {"path": "/usr/bin/nvidia-container-runtime", "runtimeArgs": []}}
}"""
DOCKER_CTK = '{"runtimes": {"nvidia": {"args": [], "path": "nvidia-container-runtime"}}}'
CRIO_MAIN = '[crio.runtime]\n[crio.runtime.runtimes.runc]\nruntime_path = "/usr/bin/runc"\n'
CRIO_NVIDIA = ('[crio.runtime]\ndefault_runtime = "nvidia"\n[crio.runtime.runtimes.nvidia]\n'
               'runtime_path = "/usr/bin/nvidia-container-runtime"\nruntime_type = "oci"\n')
K3S = "/var/lib/rancher/k3s/agent/etc/containerd/config.toml"
K3S_GENERATED = """\
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd]
  snapshotter = "overlayfs"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes."nvidia"]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes."nvidia".options]
  BinaryName = "/usr/bin/nvidia-container-runtime"
  SystemdCgroup = true
"""
RUNTIME_CLASS = Settings(runtime_policy="runtimeclass")
TUTORIAL_POLICY = Settings(runtime_policy="default")
CDI_ON_V2 = NOT_DEFAULT_V2.replace(f"    [{V2}.containerd]\n", f"    enable_cdi = true\n    [{V2}.containerd]\n", 1)


def _verdict(tmp_path: Path, files: dict[str, str], runtime: str = "containerd://1.7.2",
             classes: dict[str, str] | None = None, settings: Settings | None = None,
             found_plugin: PluginFacts | FactsUnavailable | None = None) -> Verdict:
    """Write the files into a host root, read them as the probe does, judge the node."""
    for path, text in files.items():
        target = tmp_path / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    kind = runtime.partition("://")[0]
    config = read(HostRoot(tmp_path), kind, runtime.partition("://")[2])
    node_probe = probe(host_root=str(tmp_path), runtime=config)
    node = gpu_node(runtime=runtime)
    return runtime_default(outcome(node_probe), node, classes or {}, settings or TUTORIAL_POLICY, found_plugin)


def test_tutorial_containerd_passes(tmp_path: Path) -> None:
    verdict = _verdict(tmp_path, {"/etc/containerd/config.toml": TUTORIAL_V2})
    config = tmp_path / "etc/containerd/config.toml"
    assert (verdict.ok, verdict.message) == (
        True,
        f'found default runtime "nvidia" -> /usr/bin/nvidia-container-runtime (set in {config}) at {config}')


def test_containerd_default_runc_fails_with_the_v2_table(tmp_path: Path) -> None:
    verdict = _verdict(tmp_path, {"/etc/containerd/config.toml": NOT_DEFAULT_V2})
    config = tmp_path / "etc/containerd/config.toml"
    assert not verdict.ok
    assert verdict.message.startswith(
        f'[PRE-RUNTIME-DEFAULT] found default runtime "runc", built in (set in {config}) at {config}, '
        "expected a default runtime whose binary is nvidia-container-runtime; fix: in "
        f'/etc/containerd/config.toml set default_runtime_name = "nvidia" under [{V2}.containerd] and '
        f'BinaryName = "/usr/bin/nvidia-container-runtime" under [{V2}.containerd.runtimes.nvidia.options]')
    assert verdict.message.count("systemctl restart containerd") == 1
    assert verdict.message.endswith("run the suite with --runtime-policy auto (the default)")


def test_containerd_v1_built_in_default(tmp_path: Path) -> None:
    verdict = _verdict(tmp_path, {"/etc/containerd/config.toml": V1_NO_DEFAULT})
    assert 'found default runtime "runc", built in (built-in default) at ' in verdict.message
    assert 'default_runtime_name = "nvidia" under [plugins.cri.containerd]' in verdict.message


def test_containerd_v3_names_the_drop_in_that_sets_the_default(tmp_path: Path) -> None:
    verdict = _verdict(tmp_path, {"/etc/containerd/config.toml": V3_MAIN,
                                  "/etc/containerd/conf.d/00-base.toml": V3_BASE,
                                  "/etc/containerd/conf.d/99-nvidia.toml": V3_NVIDIA}, "containerd://2.0.0")
    assert not verdict.ok
    assert f'"runc", built in (set in {tmp_path}/etc/containerd/conf.d/00-base.toml)' in verdict.message
    assert (f'fix: in /etc/containerd/conf.d/00-base.toml set default_runtime_name = "nvidia" under '
            f"[{V3}.containerd]") in verdict.message


def test_the_binary_decides_not_the_name(tmp_path: Path) -> None:
    renamed = TUTORIAL_V2.replace("runtimes.nvidia", "runtimes.gpu").replace('= "nvidia"', '= "gpu"')
    assert _verdict(tmp_path / "a", {"/etc/containerd/config.toml": renamed}).ok
    wrong = TUTORIAL_V2.replace("/usr/bin/nvidia-container-runtime", "/usr/bin/runc")
    verdict = _verdict(tmp_path / "b", {"/etc/containerd/config.toml": wrong})
    assert not verdict.ok and 'found default runtime "nvidia" -> /usr/bin/runc (set in ' in verdict.message


@pytest.mark.parametrize("daemon_json", [DOCKER_TUTORIAL,
                                         DOCKER_CTK.replace("{", '{"default-runtime": "nvidia", ', 1)])
def test_docker_default_nvidia_passes(tmp_path: Path, daemon_json: str) -> None:
    assert _verdict(tmp_path, {"/etc/docker/daemon.json": daemon_json}, "docker://24.0.7").ok


def test_docker_runtime_not_default(tmp_path: Path) -> None:
    verdict = _verdict(tmp_path, {"/etc/docker/daemon.json": DOCKER_CTK}, "docker://24.0.7")
    assert verdict.message.startswith(
        f'[PRE-RUNTIME-DEFAULT] found default runtime "runc", built in (built-in default) at '
        f"{tmp_path}/etc/docker/daemon.json, expected a default runtime whose binary is "
        'nvidia-container-runtime; fix: in /etc/docker/daemon.json set "default-runtime": "nvidia" with '
        '"runtimes": {"nvidia": {"path": "/usr/bin/nvidia-container-runtime", "runtimeArgs": []}}, or run '
        "`nvidia-ctk runtime configure --runtime=docker --set-as-default`; then `systemctl restart docker`")


def test_crio(tmp_path: Path) -> None:
    good = _verdict(tmp_path / "a", {"/etc/crio/crio.conf": CRIO_MAIN,
                                     "/etc/crio/crio.conf.d/99-nvidia.toml": CRIO_NVIDIA}, "cri-o://1.28.1")
    assert good.ok and f"(set in {tmp_path}/a/etc/crio/crio.conf.d/99-nvidia.toml)" in good.message
    bad = _verdict(tmp_path / "b", {"/etc/crio/crio.conf": CRIO_MAIN}, "cri-o://1.28.1")
    assert bad.message.startswith("[PRE-RUNTIME-DEFAULT] found no default runtime set (cri-o's built-in "
                                  "default, runc or crun by version) at ")
    assert ('fix: in a drop-in /etc/crio/crio.conf.d/99-nvidia.toml set [crio.runtime] default_runtime = '
            '"nvidia"') in bad.message and "`systemctl restart crio`" in bad.message
    runc_dropin = CRIO_NVIDIA.replace('default_runtime = "nvidia"', 'default_runtime = "runc"')
    named = _verdict(tmp_path / "c", {"/etc/crio/crio.conf.d/50-site.conf": runc_dropin}, "cri-o://1.28.1")
    assert "fix: in /etc/crio/crio.conf.d/50-site.conf set [crio.runtime]" in named.message


def test_k3s_points_at_the_template(tmp_path: Path) -> None:
    verdict = _verdict(tmp_path, {K3S: K3S_GENERATED}, "containerd://1.7.11-k3s2")
    assert not verdict.ok
    assert (f"fix: {K3S} is generated at start: copy it to {K3S}.tmpl and there set "
            f'default_runtime_name = "nvidia" under [{V2}.containerd]') in verdict.message
    restart = "; then `systemctl restart k3s (k3s-agent on agents)`"
    assert f", or start k3s with --default-runtime nvidia{restart}" in verdict.message


def test_runtimeclass_policy(tmp_path: Path) -> None:
    files = {"/etc/containerd/config.toml": NOT_DEFAULT_V2}
    verdict = _verdict(tmp_path, files, classes={"nvidia": "nvidia"}, settings=RUNTIME_CLASS)
    assert verdict.ok
    assert verdict.message.startswith(
        'found RuntimeClass nvidia -> handler "nvidia" -> /usr/bin/nvidia-container-runtime; '
        'the default runtime "runc", built in')
    assert verdict.message.count("allowed by --runtime-policy runtimeclass") == 1
    assert not _verdict(tmp_path, files, classes={"nvidia": "nvidia"}).ok  # the tutorial's policy is strict
    assert _verdict(tmp_path, files, classes={"nvidia": "nvidia"}, settings=Settings()).ok  # auto, the default


def _plugin_with(strategy: tuple[str, ...] = (), runtime_class: str | None = None) -> PluginFacts:
    return plugin(daemonsets=(replace(STATIC_DS, device_list_strategy=strategy, runtime_class=runtime_class),))


def test_auto_accepts_native_cdi(tmp_path: Path) -> None:
    operator = _plugin_with(("cdi-annotations", "cdi-cri"), "nvidia")
    verdict = _verdict(tmp_path, {"/etc/containerd/config.toml": CDI_ON_V2}, settings=Settings(),
                       found_plugin=operator)
    assert verdict.ok
    assert verdict.message.startswith(
        "found the device plugin names CDI devices in the CRI request (DEVICE_LIST_STRATEGY cdi-annotations,cdi-cri) "
        'and containerd has enable_cdi = true; the default runtime "runc", built in')
    assert verdict.message.count("allowed by --runtime-policy auto") == 1


def test_auto_cdi_needs_the_runtime_to_inject(tmp_path: Path) -> None:
    """containerd 1.7 leaves CDI off unless enable_cdi is set; 2.x turns it on by default."""
    operator = _plugin_with(("cdi-cri",))
    off = _verdict(tmp_path / "a", {"/etc/containerd/config.toml": NOT_DEFAULT_V2}, settings=Settings(),
                   found_plugin=operator)
    assert not off.ok
    assert ("but the node's containerd does not inject them (enable_cdi is off), and no RuntimeClass nvidia "
            "exists") in off.message
    assert "expected a default runtime whose binary is nvidia-container-runtime, native CDI" in off.message
    on_by_default = _verdict(tmp_path / "b", {"/etc/containerd/config.toml": NOT_DEFAULT_V2},
                             "containerd://2.0.5", settings=Settings(), found_plugin=operator)
    assert on_by_default.ok and "containerd's CDI is on by default from 2.0" in on_by_default.message


def test_auto_follows_the_plugins_runtime_class(tmp_path: Path) -> None:
    legacy = _plugin_with(runtime_class="gpu")
    verdict = _verdict(tmp_path, {"/etc/containerd/config.toml": NOT_DEFAULT_V2}, classes={"gpu": "nvidia"},
                       settings=Settings(), found_plugin=legacy)
    assert verdict.ok
    assert verdict.message.startswith('found RuntimeClass gpu -> handler "nvidia" -> /usr/bin/nvidia-container-runtime')


def test_auto_without_the_plugin_facts(tmp_path: Path) -> None:
    """Whether CDI or a RuntimeClass serves GPU pods is the plugin's to say: unknown, unless nvidia is the default."""
    unknown = FactsUnavailable("listing DaemonSets: 403 Forbidden")
    assert _verdict(tmp_path / "a", {"/etc/containerd/config.toml": TUTORIAL_V2}, settings=Settings(),
                    found_plugin=unknown).ok
    with pytest.raises(FactsUnavailable, match=r'the default runtime "runc", .* is not NVIDIA\'s, and how the '
                                               r"device plugin hands out GPUs is unknown: listing DaemonSets"):
        _verdict(tmp_path / "b", {"/etc/containerd/config.toml": NOT_DEFAULT_V2}, settings=Settings(),
                 found_plugin=unknown)


@pytest.mark.parametrize(("classes", "problem"), [
    ({}, "and no RuntimeClass nvidia exists"),
    ({"nvidia": "nvidia-cdi"}, 'and RuntimeClass nvidia selects handler "nvidia-cdi", which the node\'s '
                               "containerd does not define (handlers: runc, nvidia)"),
    ({"nvidia": "runc"}, 'and RuntimeClass nvidia\'s handler "runc" runs runc'),
])
def test_runtimeclass_policy_failures(tmp_path: Path, classes: dict[str, str], problem: str) -> None:
    files = {"/etc/containerd/config.toml": NOT_DEFAULT_V2.replace("[plugins]\n", "[plugins]\n  [" + V2 +
                                                                   ".containerd.runtimes.runc]\n", 1)}
    verdict = _verdict(tmp_path, files, classes=classes, settings=RUNTIME_CLASS)
    assert not verdict.ok
    assert problem in verdict.message
    assert "or select it per pod: a RuntimeClass nvidia (`handler: nvidia`)" in verdict.message


def test_docker_offers_no_runtimeclass_handler(tmp_path: Path) -> None:
    verdict = _verdict(tmp_path, {"/etc/docker/daemon.json": DOCKER_CTK}, "docker://24.0.7",
                       classes={"nvidia": "nvidia"}, settings=RUNTIME_CLASS)
    assert "which the node's docker does not define (handlers: none)" in verdict.message


def test_probe_reading_another_runtime_is_unavailable(tmp_path: Path) -> None:
    (tmp_path / "etc/docker").mkdir(parents=True)
    (tmp_path / "etc/docker/daemon.json").write_text(DOCKER_TUTORIAL)
    docker = read(HostRoot(tmp_path), "docker")
    expected = (r"the probe read docker's configuration at .*, but node k8s-node05 "
                r"status.nodeInfo.containerRuntimeVersion is containerd://1.7.2")
    with pytest.raises(FactsUnavailable, match=expected):
        runtime_default(outcome(probe(runtime=docker)), gpu_node(), {}, Settings())


def test_unreadable_configuration_is_unavailable(tmp_path: Path) -> None:
    (tmp_path / "etc/containerd").mkdir(parents=True)
    (tmp_path / "etc/containerd/config.toml").write_text('version = 2\n[plugins\n')
    broken = read(HostRoot(tmp_path), "containerd", "1.7.2")
    with pytest.raises(FactsUnavailable, match=r"could not read the container runtime configuration of node "
                                               r"k8s-node05: .*config.toml"):
        runtime_default(outcome(probe(runtime=broken)), gpu_node(), {}, Settings())


def test_without_a_probe_it_is_unavailable() -> None:
    with pytest.raises(FactsUnavailable, match=r"^\[PRE-RUNTIME-DEFAULT\] could not inspect the container "
                                               r"runtime's configuration of node k8s-node05"):
        runtime_default(failed_outcome(), gpu_node(), {"nvidia": "nvidia"}, RUNTIME_CLASS)
