"""Container Device Interface specs on the host: which devices each spec file defines.

Runtimes read specs from /etc/cdi (static, e.g. ``nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml``)
and /var/run/cdi (generated at boot, e.g. by the GPU Operator's toolkit); a spec is YAML or JSON with a
``kind`` (``nvidia.com/gpu``) and ``devices`` by name (index, UUID, ``all``). A file that cannot be read or
parsed is kept with its error: a runtime skips it, so it defines nothing.
"""

from __future__ import annotations

from typing import Any

import yaml

from gpu_conformance.facts.node import CdiSpec, Observed
from gpu_conformance.node.hostfs import HostRoot, excerpt, first_line

SPEC_DIRS = ("/etc/cdi", "/var/run/cdi")
_SUFFIXES = (".yaml", ".yml", ".json")


def _spec(shown: str, text: str) -> CdiSpec:
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return CdiSpec(shown, "", (), f"not YAML or JSON: {first_line(str(exc))}")
    if not isinstance(data, dict):
        return CdiSpec(shown, "", (), "not a CDI spec: expected an object with kind and devices")
    kind = data.get("kind")
    devices = data.get("devices")
    if not isinstance(kind, str) or not isinstance(devices, list):
        return CdiSpec(shown, str(kind or ""), (), "not a CDI spec: missing kind or devices")
    names = tuple(str(d["name"]) for d in devices if isinstance(d, dict) and "name" in d)
    return CdiSpec(shown, kind, names)


def collect(host: HostRoot) -> Observed[tuple[CdiSpec, ...]]:
    """Every spec file in the CDI directories, in the order a runtime reads them (directory, then name)."""
    specs: list[CdiSpec] = []
    texts: list[str] = []
    for folder in SPEC_DIRS:
        try:
            names = sorted(p.name for p in host.path(folder).iterdir() if p.suffix in _SUFFIXES)
        except OSError:
            continue  # no such directory: nothing there
        for name in names:
            host_path = f"{folder}/{name}"
            text, error = host.read(host_path)
            if text is None:
                specs.append(CdiSpec(host.shown(host_path), "", (), error))
                continue
            specs.append(_spec(host.shown(host_path), text))
            texts.append(f"# {host.shown(host_path)}\n{text.rstrip()}")
    source = ", ".join(host.shown(folder) for folder in SPEC_DIRS)
    return Observed(tuple(specs), source, None, excerpt("\n".join(texts)) if texts else None)
