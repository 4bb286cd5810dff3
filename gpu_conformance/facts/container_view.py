"""What one container sees of the node's GPUs, as ``gpu-conformance sees`` prints it.

Secure accelerator access is about what a container can reach, not what the node has: the GPU device files in
its /dev, the GPUs NVML lists from inside it, and the NVIDIA_VISIBLE_DEVICES its process got (from the image,
the pod spec or the device plugin). The suite's isolation pods print this; the judges compare it with what
each container asked for.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from .node import _object, _Reader, _scalar, json_reader  # the probe's JSON reader: one way to decode facts

VIEW_SCHEMA = 1


@dataclass(frozen=True)
class SeenGpu:
    """One GPU NVML listed inside the container."""

    index: int
    uuid: str
    name: str


@dataclass(frozen=True)
class ContainerView:
    dev_dir: str  # the directory listed, as the container names it (/dev)
    device_files: tuple[str, ...]  # GPU device files, e.g. ("/dev/nvidia0",), sorted by number
    gpus: tuple[SeenGpu, ...]  # what NVML lists; () when NVML could not be used (see nvml_error)
    nvml_error: str | None  # e.g. "NVML Shared Library Not Found": no GPU through NVML, and why
    visible_devices: str | None  # NVIDIA_VISIBLE_DEVICES in the container's environment; None: unset
    schema: int = field(default=VIEW_SCHEMA)

    @property
    def sees_any(self) -> bool:
        return bool(self.device_files or self.gpus)

    def to_json(self) -> str:
        """One line: it is a container's whole log, read back by the suite."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ContainerView:
        """Parse ``sees`` output; anything malformed raises ValueError naming the field and what is wrong."""
        top = json_reader(text, "sees", VIEW_SCHEMA)
        return cls(
            dev_dir=top.get("dev_dir", str),
            device_files=top.get_list("device_files", _scalar(str)),
            gpus=top.get_list("gpus", _object(_gpu)),
            nvml_error=top.optional("nvml_error", str),
            visible_devices=top.optional("visible_devices", str),
        )


def _gpu(reader: _Reader) -> SeenGpu:
    return SeenGpu(reader.get("index", int), reader.get("uuid", str), reader.get("name", str))
