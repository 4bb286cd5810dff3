"""The NVIDIA CDI specs of a host, and what a CDI consumer resolves a device name to from the files present.

Three writers, three kinds (each a file of its own under /etc/cdi or /var/run/cdi):

- ``nvidia-ctk cdi generate`` (a user, or nvidia-cdi-refresh): kind ``nvidia.com/gpu``, below;
- the GPU Operator's toolkit container (``CDI_ENABLED``; NVIDIA/nvidia-container-toolkit
  cmd/nvidia-ctk-installer/toolkit/toolkit.go ``generateCDISpec``, ``--cdi-kind`` default
  ``management.nvidia.com/gpu``, ``--cdi-output-dir`` default /var/run/cdi, the name from CDI's
  ``GenerateNameForSpec`` and nvcdi's default YAML format): /var/run/cdi/management.nvidia.com-gpu.yaml, one
  device ``all`` with every /dev/nvidia* node (pkg/nvcdi/management.go) -- :func:`render_management_spec`;
- the device plugin itself, at start, with a CDI strategy -- :func:`render_plugin_spec`.

The ``nvidia.com/gpu`` spec as ``nvidia-ctk cdi generate`` writes it:

One file, YAML: ``cdiVersion``, ``kind``, one device per GPU by index (``"0"``) and by UUID, plus ``all``, each
with ``containerEdits.deviceNodes`` ``/dev/nvidiaN``; the top-level ``containerEdits`` carry what every device
needs: ``NVIDIA_VISIBLE_DEVICES=void`` (so a legacy hook does not inject a second time), the control device
nodes (/dev/nvidiactl, /dev/nvidia-uvm, ...), the driver's libraries as mounts and the ldcache hook
(NVIDIA/nvidia-container-toolkit pkg/nvcdi; `nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml`).

The spec is a snapshot taken when it was generated; :class:`gpusim.model.CdiSetup` says how it has drifted
since. :func:`spec_devices` is what the specs rendered from the node's truth define (no plugin spec: that one
exists only once a plugin ran); :func:`host_devices` is what a CDI consumer (containerd, nvidia-container-runtime
in cdi mode) resolves a device name to from the spec files actually under a host root.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from pathlib import Path

import yaml

from .model import CdiSetup, DeviceIdStrategy, Gpu, NodeSpec

KIND = "nvidia.com/gpu"
MANAGEMENT_KIND = "management.nvidia.com/gpu"
MANAGEMENT_SPEC = "/var/run/cdi/management.nvidia.com-gpu.yaml"
PLUGIN_VENDOR = "k8s.device-plugin.nvidia.com"  # cmd/nvidia-device-plugin/plugin-manager.go cdi.WithVendor
PLUGIN_KIND = f"{PLUGIN_VENDOR}/gpu"  # MIG devices too: server.go asks QualifiedName("gpu", id) for every device
PLUGIN_SPEC = f"/var/run/cdi/{PLUGIN_VENDOR}-gpu.json"  # internal/cdi/cdi.go: cdiRoot + GenerateNameForSpec + .json
SPEC_DIRS = ("/etc/cdi", "/var/run/cdi")  # containerd's and the toolkit's default cdi spec dirs
_GPU_NODE = re.compile(r"/dev/nvidia(\d+)")
CONTROL_NODES = ("nvidia-modeset", "nvidia-uvm", "nvidia-uvm-tools", "nvidiactl")  # as nvcdi lists them
_LIBRARIES = ("libcuda.so", "libnvidia-ml.so", "libnvidia-ptxjitcompiler.so")


def stale_uuid(gpu: Gpu) -> str:
    """The UUID of the board that sat in this slot before (a spec generated before the GPU was replaced)."""
    digest = hashlib.sha256(f"replaced {gpu.uuid}".encode()).digest()[:16]
    return f"GPU-{uuid.UUID(bytes=digest)}"


def spec_gpus(node: NodeSpec) -> tuple[tuple[int, str], ...] | None:
    """(minor, UUID) of each GPU the spec lists; None when there is no spec."""
    host = node.host
    cdi = host.cdi if host is not None else None
    if cdi is None or cdi.state == "missing" or host is None or host.driver_version is None:
        return None
    gpus = node.gpus[:-1] if cdi.state == "missing-gpu" else node.gpus
    return tuple((g.index, stale_uuid(g) if cdi.state == "stale" else g.uuid) for g in gpus)


def spec_devices(node: NodeSpec) -> dict[str, tuple[int, ...]]:
    """Fully-qualified device name -> the GPU minors its edits add, in the specs rendered from the node's truth:
    nvidia-ctk's (``nvidia.com/gpu=all`` -> every listed GPU) and the toolkit's management spec; the plugin's
    exists only once a plugin ran (see :func:`host_devices`)."""
    host = node.host
    devices: dict[str, tuple[int, ...]] = {}
    if host is not None and host.driver_version is not None and host.toolkit.management_spec and node.gpus:
        devices[f"{MANAGEMENT_KIND}=all"] = tuple(g.index for g in node.gpus)
    listed = spec_gpus(node)
    if listed is None:
        return devices
    for minor, gpu_uuid in listed:
        devices[f"{KIND}={minor}"] = (minor,)
        devices[f"{KIND}={gpu_uuid}"] = (minor,)
    if listed:
        devices[f"{KIND}=all"] = tuple(minor for minor, _ in listed)
    return devices


def spec_path(node: NodeSpec) -> str | None:
    host = node.host
    cdi: CdiSetup | None = host.cdi if host is not None else None
    return None if cdi is None or spec_gpus(node) is None else cdi.path


def _device(name: str, minors: tuple[int, ...]) -> list[str]:
    lines = ["- containerEdits:", "    deviceNodes:"]
    lines += [f"    - path: /dev/nvidia{minor}" for minor in minors]
    quoted = f'"{name}"' if name.isdigit() else name
    return [*lines, f"  name: {quoted}"]


def _common_edits(driver: str, library_dir: str, hook: str) -> list[str]:
    lines = ["containerEdits:", "  deviceNodes:"]
    lines += [f"  - path: /dev/{name}" for name in CONTROL_NODES]
    lines += ["  env:", "  - NVIDIA_VISIBLE_DEVICES=void", "  hooks:",
              "  - args:", "    - nvidia-cdi-hook", "    - update-ldcache", "    - --folder", f"    - {library_dir}",
              "    hookName: createContainer", f"    path: {hook}", "  mounts:"]
    for library in _LIBRARIES:
        path = f"{library_dir}/{library}.{driver}"
        lines += [f"  - containerPath: {path}", f"    hostPath: {path}", "    options:",
                  "    - ro", "    - nosuid", "    - nodev", "    - bind"]
    return lines


def render_spec(node: NodeSpec, library_dir: str, hook: str) -> str | None:
    """The spec file's YAML (go-yaml's layout, keys sorted as nvidia-ctk writes them); None without a spec."""
    listed = spec_gpus(node)
    if listed is None or node.host is None or node.host.driver_version is None:
        return None
    lines = ["---", "cdiVersion: 0.5.0", *_common_edits(node.host.driver_version, library_dir, hook)]
    lines.append("devices:")
    for minor, gpu_uuid in listed:
        lines += _device(str(minor), (minor,))
        lines += _device(gpu_uuid, (minor,))
    if listed:
        lines += _device("all", tuple(minor for minor, _ in listed))
    lines.append(f"kind: {KIND}")
    return "\n".join(lines) + "\n"


def render_management_spec(node: NodeSpec, library_dir: str, hook: str) -> str | None:
    """The GPU Operator toolkit's management spec (YAML): one device ``all`` holding every GPU's device node and
    the control nodes, the common edits beside it; None where the toolkit writes none or there is no driver."""
    host = node.host
    if host is None or host.driver_version is None or not host.toolkit.management_spec:
        return None
    lines = ["---", "cdiVersion: 0.5.0", *_common_edits(host.driver_version, library_dir, hook), "devices:",
             "- containerEdits:", "    deviceNodes:"]
    lines += [f"    - path: /dev/nvidia{g.index}" for g in node.gpus]
    lines += [f"    - path: /dev/{name}" for name in CONTROL_NODES]
    return "\n".join([*lines, "  name: all", f"kind: {MANAGEMENT_KIND}"]) + "\n"


def plugin_device_names(gpus: tuple[tuple[Gpu, str], ...], strategy: DeviceIdStrategy) -> list[tuple[str, int]]:
    """(device name, minor) for each device the plugin enumerated, (GPU, the UUID it read then): full GPUs by
    UUID or index; a GPU in MIG mode by its MIG devices' UUIDs or ``<gpu>:<mig>`` (nvcdi's namers, namer.go)."""
    names: list[tuple[str, int]] = []
    for gpu, gpu_uuid in gpus:
        if gpu.mig_devices:
            names += [(mig.uuid if strategy == "uuid" else f"{gpu.index}:{j}", gpu.index)
                      for j, mig in enumerate(gpu.mig_devices)]
        else:
            names.append((gpu_uuid if strategy == "uuid" else str(gpu.index), gpu.index))
    return names


def render_plugin_spec(gpus: tuple[tuple[Gpu, str], ...], strategy: DeviceIdStrategy, driver: str,
                       library_dir: str, hook: str) -> str:
    """The spec the NVIDIA device plugin (>= v0.14) writes at start with a CDI device list strategy
    (internal/cdi/cdi.go ``CreateSpecFile``: nvcdi's GetSpec for class ``gpu``, saved as JSON): kind
    ``k8s.device-plugin.nvidia.com/gpu``, one device per GPU it enumerated named per DEVICE_ID_STRATEGY, each with
    its device node, and no ``all`` device (nvcdi makes one only with WithMergedDeviceOptions, which the plugin
    does not pass; NVIDIA/k8s-device-plugin issue 1203); the common edits (control nodes, libraries, ldcache
    hook, NVIDIA_VISIBLE_DEVICES=void) at the top. JSON as CDI's WriteSpec marshals it, on one line."""
    mounts = [{"hostPath": f"{library_dir}/{lib}.{driver}", "containerPath": f"{library_dir}/{lib}.{driver}",
               "options": ["ro", "nosuid", "nodev", "bind"]} for lib in _LIBRARIES]
    spec = {
        "cdiVersion": "0.5.0", "kind": PLUGIN_KIND,
        "devices": [{"name": name, "containerEdits": {"deviceNodes": [
            {"path": f"/dev/nvidia{minor}", "hostPath": f"/dev/nvidia{minor}"}]}}
            for name, minor in plugin_device_names(gpus, strategy)],
        "containerEdits": {
            "env": ["NVIDIA_VISIBLE_DEVICES=void"],
            "deviceNodes": [{"path": f"/dev/{n}", "hostPath": f"/dev/{n}"} for n in CONTROL_NODES],
            "hooks": [{"hookName": "createContainer", "path": hook,
                       "args": ["nvidia-cdi-hook", "update-ldcache", "--folder", library_dir]}],
            "mounts": mounts,
        },
    }
    return json.dumps(spec, separators=(",", ":")) + "\n"


def _read(path: Path) -> Mapping[str, object] | None:
    try:
        text = path.read_text(encoding="utf-8")
        loaded = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError):
        return None  # containerd's cache skips a spec it cannot read or parse
    return loaded if isinstance(loaded, dict) else None


def host_devices(root: Path | None) -> dict[str, tuple[int, ...]]:
    """Fully-qualified device name -> the GPU minors its device nodes add, from every ``*.json`` and ``*.yaml``
    spec under the host root's /etc/cdi and /var/run/cdi, as containerd's CDI cache reads them when a container
    is created (a later directory's spec wins a name both define)."""
    devices: dict[str, tuple[int, ...]] = {}
    for folder in SPEC_DIRS if root is not None else ():
        assert root is not None
        directory = root / folder.lstrip("/")
        paths = sorted(p for p in directory.glob("*") if p.suffix in (".json", ".yaml")) if directory.is_dir() else []
        for path in paths:
            spec = _read(path)
            kind = spec.get("kind") if spec is not None else None
            listed = spec.get("devices") if spec is not None else None
            if not isinstance(kind, str) or not isinstance(listed, list):
                continue
            for device in listed:
                if isinstance(device, dict) and "name" in device:
                    devices[f"{kind}={device['name']}"] = _minors(device.get("containerEdits"))
    return devices


def _minors(edits: object) -> tuple[int, ...]:
    nodes = edits.get("deviceNodes") if isinstance(edits, dict) else None
    paths = [str(n.get("path", "")) for n in nodes or [] if isinstance(n, dict)]
    return tuple(int(m.group(1)) for path in paths if (m := _GPU_NODE.fullmatch(path)))
