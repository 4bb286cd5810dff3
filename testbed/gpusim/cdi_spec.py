"""The NVIDIA CDI spec of a host (``kind: nvidia.com/gpu``) as ``nvidia-ctk cdi generate`` writes it.

One file, YAML: ``cdiVersion``, ``kind``, one device per GPU by index (``"0"``) and by UUID, plus ``all``, each
with ``containerEdits.deviceNodes`` ``/dev/nvidiaN``; the top-level ``containerEdits`` carry what every device
needs: ``NVIDIA_VISIBLE_DEVICES=void`` (so a legacy hook does not inject a second time), the control device
nodes (/dev/nvidiactl, /dev/nvidia-uvm, ...), the driver's libraries as mounts and the ldcache hook
(NVIDIA/nvidia-container-toolkit pkg/nvcdi; `nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml`).

The spec is a snapshot taken when it was generated; :class:`gpusim.model.CdiSetup` says how it has drifted
since. :func:`spec_devices` is what a CDI consumer (containerd, nvidia-container-runtime in cdi mode) resolves
a device name to, read from the same truth the file is rendered from.
"""

from __future__ import annotations

import hashlib
import uuid

from .model import CdiSetup, Gpu, NodeSpec

KIND = "nvidia.com/gpu"
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
    """Fully-qualified device name -> the GPU minors its edits add (``nvidia.com/gpu=all`` -> every listed one)."""
    listed = spec_gpus(node)
    if listed is None:
        return {}
    devices: dict[str, tuple[int, ...]] = {}
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


def render_spec(node: NodeSpec, library_dir: str, hook: str) -> str | None:
    """The spec file's YAML (go-yaml's layout, keys sorted as nvidia-ctk writes them); None without a spec."""
    listed = spec_gpus(node)
    if listed is None or node.host is None or node.host.driver_version is None:
        return None
    driver = node.host.driver_version
    lines = ["---", "cdiVersion: 0.5.0", "containerEdits:", "  deviceNodes:"]
    lines += [f"  - path: /dev/{name}" for name in CONTROL_NODES]
    lines += ["  env:", "  - NVIDIA_VISIBLE_DEVICES=void", "  hooks:",
              "  - args:", "    - nvidia-cdi-hook", "    - update-ldcache", "    - --folder", f"    - {library_dir}",
              "    hookName: createContainer", f"    path: {hook}", "  mounts:"]
    for library in _LIBRARIES:
        path = f"{library_dir}/{library}.{driver}"
        lines += [f"  - containerPath: {path}", f"    hostPath: {path}", "    options:",
                  "    - ro", "    - nosuid", "    - nodev", "    - bind"]
    lines.append("devices:")
    for minor, gpu_uuid in listed:
        lines += _device(str(minor), (minor,))
        lines += _device(gpu_uuid, (minor,))
    if listed:
        lines += _device("all", tuple(minor for minor, _ in listed))
    lines.append(f"kind: {KIND}")
    return "\n".join(lines) + "\n"
