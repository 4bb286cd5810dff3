"""Images registered with the test bed: their containers run a real program of this machine.

Whoever uses the test bed hands it the images it should run for real (``register_image`` or
``gpusim serve --image NAME=COMMAND``; subprocesses inherit them through ``$GPUSIM_IMAGES``): a
container of an image whose reference contains NAME, whose command is COMMAND (by basename, the
image's entrypoint when the pod names none), runs the registered argv on this machine with the
container's arguments. The test bed knows nothing else of what it runs. Registered programs are
Python programs: the ServiceAccount shim below is a ``sitecustomize`` module.

The simulated kubelet "mounts" the termination message file (termination.py), hostPath,
persistentVolumeClaim, configMap, downwardAPI and projected
volumes by rewriting every argument and environment value that starts with such a volume's mountPath to
the same path in the directory that holds the volume's files on this machine: under the node's host
root, the claim's volume directory, or the pod's own directory (see controllers/pod_volumes.py).

The process sees what a container sees of the cluster: the ``kubernetes`` Service's variables
(KUBERNETES_SERVICE_HOST and _PORT, here the API server's loopback address) and, where the pod mounts
its ServiceAccount token, the token, ca.crt and namespace, which the kubernetes client reads from
/var/run/secrets/kubernetes.io/serviceaccount: in_cluster/sitecustomize.py points it at the pod's
directory instead. No kubeconfig of this machine reaches the process.

A ``python -m MODULE`` argv's process is forked from the cluster's zygote, which imported MODULE once, where a
zygote can stand for a fresh interpreter (images/prefork.py, images/zygote.py); a subprocess otherwise.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..defaults import SERVICE_ACCOUNT_MOUNT
from ..termination import DEFAULT_PATH, message_file
from . import container_view, prefork
from .base import ContainerContext, Outcome, Process, Script, repository

_IN_CLUSTER_SHIM = Path(__file__).resolve().parent / "in_cluster"
SERVICE_ACCOUNT_DIR_ENV = "GPU_SIM_SERVICE_ACCOUNT_DIR"  # read by in_cluster/sitecustomize.py
_PASSED_ON = ("PATH", "HOME", "LANG", "TMPDIR")  # of this machine's environment: the image's own variables


IMAGES_ENV = "GPUSIM_IMAGES"


@dataclass(frozen=True)
class RegisteredImage:
    name: str  # matched anywhere in the image's repository, e.g. "gpu-conformance"
    command: str  # the image's entrypoint, e.g. "gpu-conformance"
    argv: tuple[str, ...]  # what runs here instead, e.g. (sys.executable, "-m", "a_package")
    env: dict[str, str] = field(default_factory=dict)  # the image's own ENV, e.g. NVIDIA_VISIBLE_DEVICES=all


def register_image(name: str, command: str, argv: Sequence[str], env: Mapping[str, str] | None = None) -> None:
    """Run containers of image NAME whose command is COMMAND as ``argv`` here, in this process and the
    simulated clusters its children start. ``env`` is the image's own ENV (its Dockerfile's): the runtime reads
    it (NVIDIA_VISIBLE_DEVICES) and the process gets it beneath the pod spec's variables. Registering an image
    name again without ``env`` keeps the env registered for it."""
    known = registered()
    if env is None:
        env = next((i.env for i in known if i.name == name and i.env), {})
    images = [i for i in known if (i.name, i.command) != (name, command)]
    images.append(RegisteredImage(name, command, tuple(argv), dict(env)))
    for i in images:  # one image, one ENV, whichever command runs in it
        if i.name == name:
            i.env.clear()
            i.env.update(env)
    os.environ[IMAGES_ENV] = json.dumps([[i.name, i.command, list(i.argv), i.env] for i in images])


def registered() -> list[RegisteredImage]:
    return [RegisteredImage(entry[0], entry[1], tuple(entry[2]), dict(entry[3]) if len(entry) > 3 else {})
            for entry in json.loads(os.environ.get(IMAGES_ENV) or "[]")]


def image_env(image: str) -> dict[str, str]:
    images = _images_for(image)
    return dict(images[0].env) if images else {}


def _images_for(image: str) -> list[RegisteredImage]:
    return [i for i in registered() if i.name in repository(image)]


def matches(image: str) -> bool:
    return bool(_images_for(image))


def _directory(ctx: ContainerContext, volume: dict[str, Any]) -> Path | None:
    host_path = (volume.get("hostPath") or {}).get("path")
    if host_path:
        return None if ctx.host_root is None else ctx.host_root / host_path.lstrip("/")
    claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
    if claim:
        return ctx.claim_dirs.get(claim)
    name = volume.get("name", "")
    return ctx.volume_dirs.get(name)


def host_mounts(ctx: ContainerContext) -> list[tuple[str, Path]]:
    """(mountPath, directory on this machine) for each volume of the container that has files here."""
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


def _value_from(ctx: ContainerContext, source: dict[str, Any]) -> str | None:
    """A fieldRef's value, or a configMapKeyRef's (None when the ConfigMap or key is missing: an optional
    reference leaves the variable unset; a real kubelet would not start the container for a required one)."""
    pod = ctx.pod
    if "configMapKeyRef" in source:
        ref = source["configMapKeyRef"]
        return (ctx.config_maps.get(ref.get("name", "")) or {}).get(ref.get("key", ""))
    fields: dict[str, str] = {
        "spec.nodeName": pod["spec"].get("nodeName", ""), "metadata.name": pod["metadata"]["name"],
        "metadata.namespace": pod["metadata"].get("namespace", ""),
        "spec.serviceAccountName": pod["spec"].get("serviceAccountName", "default")}
    return fields.get((source.get("fieldRef") or {}).get("fieldPath", ""), "")


def _env(ctx: ContainerContext, mounts: list[tuple[str, Path]]) -> dict[str, str]:
    """The container's environment: the image's ENV, the device plugin's, the pod spec's, the injection's."""
    env = {k: v for k, v in os.environ.items() if k in _PASSED_ON}
    env.update(ctx.image_env)
    env.update(ctx.allocation.envs)
    paths = [os.environ.get("PYTHONPATH", "")]
    account = dict(mounts).get(SERVICE_ACCOUNT_MOUNT)
    if account is not None:
        env[SERVICE_ACCOUNT_DIR_ENV] = str(account)
        paths.insert(0, str(_IN_CLUSTER_SHIM))
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    env["HOSTNAME"] = ctx.pod["metadata"]["name"]
    env.update(ctx.service_env)
    item: dict[str, Any]
    for item in ctx.container.get("env") or []:
        if "value" in item:
            env[item["name"]] = rewrite(str(item["value"]), mounts)
        elif (value := _value_from(ctx, item.get("valueFrom") or {})) is not None:
            env[item["name"]] = value
    env.update(ctx.injection.env)
    return env


def run(ctx: ContainerContext) -> Outcome:
    images = _images_for(str(ctx.container.get("image", "")))
    command = [str(c) for c in ctx.container.get("command") or [images[0].command]]
    args = [str(a) for a in ctx.container.get("args") or []]
    mounts = host_mounts(ctx)
    found = next((i for i in images if i.command == os.path.basename(command[0])), None)
    if found is None:
        message = (f'exec: "{command[0]}": executable file not found in $PATH: unknown\n')
        return Script(steps=((0.0, message),), exit_code=128)
    libraries: Path | None = None
    directory = ctx.container_dir
    if directory is not None:
        dev, libraries = container_view.prepare(directory, ctx.node, ctx.injection)
        if not any(path == container_view.DEV for path, _ in mounts):
            mounts = [*mounts, (container_view.DEV, dev)]
        message_path = str(ctx.container.get("terminationMessagePath") or DEFAULT_PATH)
        mounts = sorted([*mounts, (message_path, message_file(directory))], key=lambda m: len(m[0]), reverse=True)
    argv = [*found.argv, *(rewrite(a, mounts) for a in [*command[1:], *args])]
    env = _env(ctx, mounts)
    shown = [(str(target), mount_path) for mount_path, target in mounts]
    if libraries is not None and directory is not None:  # the loader's path, as ldcache is in a real container
        env["LD_LIBRARY_PATH"] = os.pathsep.join(p for p in (str(libraries), env.get("LD_LIBRARY_PATH")) if p)
        shown.insert(0, (str(libraries), "/" + str(libraries.relative_to(directory / "root"))))
    return Process(argv=tuple(argv), env=env, mounts=tuple(shown), zygotes=prefork.zygotes_for(directory))
