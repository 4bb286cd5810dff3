"""Reading CDI specs from a host root: both directories, YAML and JSON, broken files kept with their error."""

from __future__ import annotations

import json
from pathlib import Path

from gpu_conformance.facts.node import CdiSpec
from gpu_conformance.node import cdi
from gpu_conformance.node.hostfs import HostRoot

# As `nvidia-ctk cdi generate` writes it (trimmed: hooks and mounts left out).
NVIDIA_YAML = """\
---
cdiVersion: 0.5.0
containerEdits:
  deviceNodes:
  - path: /dev/nvidia-modeset
  - path: /dev/nvidiactl
  env:
  - NVIDIA_VISIBLE_DEVICES=void
devices:
- containerEdits:
    deviceNodes:
    - path: /dev/nvidia0
  name: "0"
- containerEdits:
    deviceNodes:
    - path: /dev/nvidia0
  name: GPU-3c9a2c83-8ab2-5c2e-9e4b-8d3e2b6f1a10
- containerEdits:
    deviceNodes:
    - path: /dev/nvidia0
  name: all
kind: nvidia.com/gpu
"""


def _write(root: Path, path: str, text: str) -> None:
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


def test_both_directories_yaml_and_json(tmp_path: Path) -> None:
    _write(tmp_path, "/etc/cdi/nvidia.yaml", NVIDIA_YAML)
    _write(tmp_path, "/var/run/cdi/vendor.json", json.dumps({"cdiVersion": "0.6.0", "kind": "example.com/fpga",
                                                             "devices": [{"name": "fpga0"}]}))
    _write(tmp_path, "/var/run/cdi/broken.yaml", "kind: [\n")
    _write(tmp_path, "/var/run/cdi/notes.txt", "not a spec")
    read = cdi.collect(HostRoot(tmp_path))
    assert read.ok and read.source == f"{tmp_path}/etc/cdi, {tmp_path}/var/run/cdi"
    assert read.value is not None
    assert read.value[0] == CdiSpec(f"{tmp_path}/etc/cdi/nvidia.yaml", "nvidia.com/gpu",
                                    ("0", "GPU-3c9a2c83-8ab2-5c2e-9e4b-8d3e2b6f1a10", "all"))
    broken, vendor = read.value[1], read.value[2]
    assert broken.path.endswith("/var/run/cdi/broken.yaml") and broken.error is not None
    assert broken.error.startswith("not YAML or JSON: ")
    assert (vendor.kind, vendor.devices) == ("example.com/fpga", ("fpga0",))
    assert read.excerpt is not None and "NVIDIA_VISIBLE_DEVICES=void" in read.excerpt


def test_no_cdi_directories_is_no_spec(tmp_path: Path) -> None:
    read = cdi.collect(HostRoot(tmp_path))
    assert read.ok and read.value == () and read.excerpt is None


def test_not_a_spec(tmp_path: Path) -> None:
    _write(tmp_path, "/etc/cdi/list.yaml", "- a\n- b\n")
    _write(tmp_path, "/etc/cdi/partial.yaml", "kind: nvidia.com/gpu\n")
    read = cdi.collect(HostRoot(tmp_path))
    assert read.value is not None
    assert [s.error for s in read.value] == ["not a CDI spec: expected an object with kind and devices",
                                             "not a CDI spec: missing kind or devices"]
