"""The project's own image (``ghcr.io/gpu-conformance/gpu-conformance:*``): runs the real CLI.

The simulated kubelet "mounts" hostPath and persistentVolumeClaim volumes by rewriting every
argument and environment value that starts with such a volume's mountPath to the same path under
the node's host root, or under the claim's volume directory.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from .base import ContainerContext, Outcome, Process, Script

_PACKAGE_ROOT = Path(__file__).resolve().parents[3]  # the directory holding gpu_conformance/


def matches(image: str) -> bool:
    return "gpu-conformance" in image


def _directory(ctx: ContainerContext, volume: dict[str, Any]) -> Path | None:
    host_path = (volume.get("hostPath") or {}).get("path")
    if host_path:
        return None if ctx.host_root is None else ctx.host_root / host_path.lstrip("/")
    claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
    return ctx.claim_dirs.get(claim) if claim else None


def host_mounts(ctx: ContainerContext) -> list[tuple[str, Path]]:
    """(mountPath, directory on this machine) for each hostPath or claim volume the container mounts."""
    volumes = {v.get("name"): v for v in ctx.pod["spec"].get("volumes") or []}
    mounts: list[tuple[str, Path]] = []
    for mount in ctx.container.get("volumeMounts") or []:
        target = _directory(ctx, volumes.get(mount.get("name")) or {})
        if target is not None:
            mounts.append((mount["mountPath"].rstrip("/") or "/", target))
    return sorted(mounts, key=lambda m: len(m[0]), reverse=True)


def rewrite(value: str, mounts: list[tuple[str, Path]]) -> str:
    for mount_path, target in mounts:
        if value == mount_path or value.startswith(mount_path.rstrip("/") + "/"):
            rest = value[len(mount_path):].lstrip("/")
            return str(target / rest) if rest else str(target)
    return value


def _env(ctx: ContainerContext, mounts: list[tuple[str, Path]]) -> dict[str, str]:
    pod = ctx.pod
    fields = {"spec.nodeName": pod["spec"].get("nodeName", ""), "metadata.name": pod["metadata"]["name"],
              "metadata.namespace": pod["metadata"].get("namespace", ""),
              "spec.serviceAccountName": pod["spec"].get("serviceAccountName", "default")}
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR", "KUBECONFIG")}
    paths = (str(_PACKAGE_ROOT), os.environ.get("PYTHONPATH", ""))
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    env["HOSTNAME"] = pod["metadata"]["name"]
    item: dict[str, Any]
    for item in ctx.container.get("env") or []:
        if "value" in item:
            env[item["name"]] = rewrite(str(item["value"]), mounts)
        else:
            path = ((item.get("valueFrom") or {}).get("fieldRef") or {}).get("fieldPath", "")
            env[item["name"]] = fields.get(path, "")
    return env


def run(ctx: ContainerContext) -> Outcome:
    command = [str(c) for c in ctx.container.get("command") or ["gpu-conformance"]]
    args = [str(a) for a in ctx.container.get("args") or []]
    mounts = host_mounts(ctx)
    if command[0] in ("gpu-conformance", "/usr/local/bin/gpu-conformance"):
        argv = [sys.executable, "-m", "gpu_conformance", *command[1:], *args]
    elif os.path.basename(command[0]).startswith("python"):
        argv = [sys.executable, *command[1:], *args]
    else:
        message = (f'exec: "{command[0]}": executable file not found in $PATH: unknown\n')
        return Script(steps=((0.0, message),), exit_code=128)
    argv = [argv[0], *(rewrite(a, mounts) for a in argv[1:])]
    return Process(argv=tuple(argv), env=_env(ctx, mounts),
                   mounts=tuple((str(target), mount_path) for mount_path, target in mounts))
