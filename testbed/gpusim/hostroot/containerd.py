"""containerd's config.toml as the tutorial, nvidia-ctk and k3s/RKE2 write it, from a RuntimeSetup.

The CRI plugin's key depends on the config version: none/1 ``cri``, 2 ``"io.containerd.grpc.v1.cri"``,
3 (containerd 2.x) ``"io.containerd.cri.v1.runtime"``. The ``dropin`` layout is what nvidia-ctk
>= 1.18 leaves: the stock config.toml (runc default) with ``imports`` and the nvidia settings in
conf.d/99-nvidia.toml, which a reader must follow to see them.
"""

from __future__ import annotations

from gpusim.hostroot.files import HostFiles
from gpusim.model import RuntimeSetup

DROPIN_GLOB = "/etc/containerd/conf.d/*.toml"
DROPIN_FILE = "/etc/containerd/conf.d/99-nvidia.toml"
_RANCHER_DIRS = {"k3s": "/var/lib/rancher/k3s", "rke2": "/var/lib/rancher/rke2"}


def cri_plugin(config_version: int | None) -> str:
    return {None: "cri", 1: "cri", 2: '"io.containerd.grpc.v1.cri"'}.get(
        config_version, '"io.containerd.cri.v1.runtime"'
    )


def handler_binary(setup: RuntimeSetup, handler: str) -> str:
    """nvidia-ctk's runtimes: ``nvidia-cdi`` and ``nvidia-legacy`` use the .cdi/.legacy binaries."""
    suffix = {"nvidia-cdi": ".cdi", "nvidia-legacy": ".legacy"}.get(handler, "")
    return setup.nvidia_binary + suffix


def _runtimes_tree(
    setup: RuntimeSetup, default: str | None, handlers: tuple[str, ...], runc: bool
) -> list[str]:
    """``[plugins]`` with the CRI plugin, its default runtime and runtimes, in the tutorial's indentation."""
    cri = f"plugins.{cri_plugin(setup.config_version)}"
    legacy_fields = setup.config_version != 3  # runtime_engine/runtime_root are gone in containerd 2
    lines = ["[plugins]", f"  [{cri}]"]
    if setup.enable_cdi:
        lines.append("    enable_cdi = true")
    lines.append(f"    [{cri}.containerd]")
    if default is not None:
        lines.append(f'      default_runtime_name = "{default}"')
    lines += ["", f"      [{cri}.containerd.runtimes]"]
    if runc:
        lines += [
            f"        [{cri}.containerd.runtimes.runc]",
            '          runtime_type = "io.containerd.runc.v2"',
            f"          [{cri}.containerd.runtimes.runc.options]",
            "            SystemdCgroup = true",
        ]
    for handler in handlers:
        table = f"{cri}.containerd.runtimes.{handler}"
        lines.append(f"        [{table}]")
        if legacy_fields:
            lines += [
                "          privileged_without_host_devices = false",
                '          runtime_engine = ""',
                '          runtime_root = ""',
            ]
        lines += [
            '          runtime_type = "io.containerd.runc.v2"',
            f"          [{table}.options]",
            f'            BinaryName = "{handler_binary(setup, handler)}"',
        ]
        if setup.systemd_cgroup:
            lines.append("            SystemdCgroup = true")
    return lines


def _version_line(setup: RuntimeSetup) -> list[str]:
    return [] if setup.config_version is None else [f"version = {setup.config_version}"]


def _nvidia_default(setup: RuntimeSetup) -> str | None:
    return None if setup.default_runtime in ("runc", "crun") else setup.default_runtime


def standard_config(setup: RuntimeSetup) -> str:
    """/etc/containerd/config.toml with the nvidia runtime; runc defined too when it stays the default."""
    runc = _nvidia_default(setup) is None
    return (
        "\n".join(
            [*_version_line(setup), *_runtimes_tree(setup, setup.default_runtime, setup.handlers, runc)]
        )
        + "\n"
    )


def dropin_configs(setup: RuntimeSetup) -> tuple[str, str]:
    """(config.toml, conf.d/99-nvidia.toml) as nvidia-ctk >= 1.18 leaves them."""
    main = (
        "\n".join(
            [
                *_version_line(setup),
                f'imports = ["{DROPIN_GLOB}"]',
                "",
                *_runtimes_tree(setup, "runc", (), runc=True),
            ]
        )
        + "\n"
    )
    dropin = (
        "\n".join(
            [
                *_version_line(setup),
                "",
                *_runtimes_tree(setup, _nvidia_default(setup), setup.handlers, runc=False),
            ]
        )
        + "\n"
    )
    return main, dropin


def rancher_config(setup: RuntimeSetup, distro: str) -> str:
    """The body k3s/RKE2 generate: their paths, runc, and each detected nvidia runtime (quoted names)."""
    base = _RANCHER_DIRS[distro]
    cri = f"plugins.{cri_plugin(setup.config_version)}"
    lines = [
        *_version_line(setup),
        "",
        '[plugins."io.containerd.internal.v1.opt"]',
        f'  path = "{base}/agent/containerd"',
        f"[{cri}]",
        '  stream_server_address = "127.0.0.1"',
        '  stream_server_port = "10010"',
        "  enable_selinux = false",
        "  enable_unprivileged_ports = true",
        "  enable_unprivileged_icmp = true",
        '  sandbox_image = "rancher/mirrored-pause:3.6"',
    ]
    if setup.enable_cdi:
        lines.append("  enable_cdi = true")
    lines += [
        "",
        f"[{cri}.containerd]",
        '  snapshotter = "overlayfs"',
        "  disable_snapshot_annotations = true",
    ]
    if _nvidia_default(setup) is not None:
        lines.append(f'  default_runtime_name = "{setup.default_runtime}"')
    lines += [
        "",
        f"[{cri}.cni]",
        f'  bin_dir = "{base}/data/current/bin"',
        f'  conf_dir = "{base}/agent/etc/cni/net.d"',
        "",
        f"[{cri}.containerd.runtimes.runc]",
        '  runtime_type = "io.containerd.runc.v2"',
        "",
        f"[{cri}.containerd.runtimes.runc.options]",
        "  SystemdCgroup = false",
    ]
    for handler in setup.handlers:
        lines += [
            "",
            f'[{cri}.containerd.runtimes."{handler}"]',
            '  runtime_type = "io.containerd.runc.v2"',
            "",
            f'[{cri}.containerd.runtimes."{handler}".options]',
            f'  BinaryName = "{handler_binary(setup, handler)}"',
            f"  SystemdCgroup = {'true' if setup.systemd_cgroup else 'false'}",
        ]
    return "\n".join(lines) + "\n"


def render_containerd(files: HostFiles, setup: RuntimeSetup) -> None:
    if setup.layout in _RANCHER_DIRS:
        folder = f"{_RANCHER_DIRS[setup.layout]}/agent/etc/containerd"
        body = rancher_config(setup, setup.layout)
        files.write(f"{folder}/config.toml.tmpl", body)
        files.write(
            f"{folder}/config.toml",
            f"# File generated by {setup.layout}. DO NOT EDIT. Use config.toml.tmpl instead.\n{body}",
        )
    elif setup.layout == "dropin":
        main, dropin = dropin_configs(setup)
        files.write("/etc/containerd/config.toml", main)
        files.write(DROPIN_FILE, dropin)
    else:
        files.write("/etc/containerd/config.toml", standard_config(setup))
