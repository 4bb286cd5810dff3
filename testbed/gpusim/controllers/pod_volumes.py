"""The kubelet's configMap, downwardAPI and projected volumes, as directories on this machine.

A real kubelet writes such a volume's files under /var/lib/kubelet/pods/UID/volumes/ and bind-mounts the
directory into the container. Here the directory is ``pods_root/UID/volumes/NAME``, written the first time a
container's image looks it up (only the project's image, which runs a real process, does), and removed after the
pod (pod_housekeeping.py). The projected ServiceAccount token (the ``kube-api-access-*`` volume that admission
adds) is a real token bound to the pod, signed by the API server's issuer, so the API server authenticates and
authorizes it as the pod's ServiceAccount; it is not rotated (the kubelet renews it after 80% of its hour), nor
are the files updated when the ConfigMap changes. Files are private to this user (0600) rather than of the
volume's defaultMode, as they sit on a shared disk, not on a tmpfs of the pod's.
"""

from __future__ import annotations

import base64
import os
import shutil
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..images import VolumeSetupError
from ..resources import CONFIGMAP, SERVICEACCOUNT
from ..satokens import API_AUDIENCES, DEFAULT_EXPIRATION_SECONDS, Claims
from ..store import Obj
from .base import Context

_KINDS = ("configMap", "downwardAPI", "projected")


def pod_directory(ctx: Context, uid: str) -> Path | None:
    return None if ctx.pods_root is None else ctx.pods_root / uid


class ConfigMaps(Mapping[str, Mapping[str, str]]):
    """The data of the ConfigMaps in one namespace, read when looked up (configMapKeyRef)."""

    def __init__(self, ctx: Context, namespace: str) -> None:
        self._ctx, self._namespace = ctx, namespace

    def __getitem__(self, name: str) -> Mapping[str, str]:
        found = self._ctx.store.find(CONFIGMAP, self._namespace, name)
        if found is None:
            raise KeyError(name)
        data: dict[str, str] = found.get("data") or {}
        return data

    def __iter__(self) -> Iterator[str]:
        items, _ = self._ctx.store.list(CONFIGMAP, self._namespace)
        return iter([cm["metadata"]["name"] for cm in items])

    def __len__(self) -> int:
        return len(self._ctx.store.list(CONFIGMAP, self._namespace)[0])


class PodVolumes(Mapping[str, Path]):
    """Volume name -> its directory, for the pod's configMap, downwardAPI and projected volumes."""

    def __init__(self, ctx: Context, pod: Obj) -> None:
        self._ctx, self._pod = ctx, pod
        self._volumes = {v["name"]: v for v in pod["spec"].get("volumes") or [] if any(k in v for k in _KINDS)}
        self._root = pod_directory(ctx, pod["metadata"]["uid"])

    def __iter__(self) -> Iterator[str]:
        return iter(self._volumes if self._root is not None else ())

    def __len__(self) -> int:
        return len(self._volumes) if self._root is not None else 0

    def __getitem__(self, name: str) -> Path:
        volume = self._volumes.get(name)
        if volume is None or self._root is None:
            raise KeyError(name)
        directory = self._root / "volumes" / name
        if not directory.is_dir():
            files = self._files(volume)
            staging = directory.with_name(f".{name}")
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True, mode=0o700)
            for path, content in files.items():
                target = staging / path
                target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as out:
                    out.write(content)
            staging.rename(directory)
        return directory

    # -- what goes into a volume -------------------------------------------------------------

    def _files(self, volume: dict[str, Any]) -> dict[str, bytes]:
        name = volume["name"]
        if "configMap" in volume:
            return self._config_map(name, volume["configMap"])
        if "downwardAPI" in volume:
            return self._downward(volume["downwardAPI"])
        files: dict[str, bytes] = {}
        for source in volume["projected"].get("sources") or []:
            if "serviceAccountToken" in source:
                token = source["serviceAccountToken"]
                files[token["path"]] = self._token(name, token)
            elif "configMap" in source:
                files.update(self._config_map(name, source["configMap"]))
            elif "downwardAPI" in source:
                files.update(self._downward(source["downwardAPI"]))
        return files

    def _config_map(self, volume: str, source: dict[str, Any]) -> dict[str, bytes]:
        namespace = self._pod["metadata"]["namespace"]
        found = self._ctx.store.find(CONFIGMAP, namespace, source.get("name", ""))
        if found is None:
            if source.get("optional"):
                return {}
            raise VolumeSetupError(f'MountVolume.SetUp failed for volume "{volume}" : configmap '
                                   f'"{source.get("name", "")}" not found')
        data = {k: v.encode() for k, v in (found.get("data") or {}).items()}
        data.update({k: base64.b64decode(v) for k, v in (found.get("binaryData") or {}).items()})
        items = source.get("items")
        if not items:
            return data
        files = {}
        for item in items:
            if item["key"] in data:
                files[item["path"]] = data[item["key"]]
            elif not source.get("optional"):
                raise VolumeSetupError(f'MountVolume.SetUp failed for volume "{volume}" : configmap references '
                                       f'non-existent config key: {item["key"]}')
        return files

    def _downward(self, source: dict[str, Any]) -> dict[str, bytes]:
        meta, spec = self._pod["metadata"], self._pod["spec"]
        fields: dict[str, Any] = {
            "metadata.name": meta["name"], "metadata.namespace": meta["namespace"], "metadata.uid": meta["uid"],
            "metadata.labels": meta.get("labels") or {}, "metadata.annotations": meta.get("annotations") or {},
            "spec.nodeName": spec.get("nodeName", ""), "spec.serviceAccountName": spec.get("serviceAccountName", ""),
        }
        files = {}
        for item in source.get("items") or []:
            value = fields.get((item.get("fieldRef") or {}).get("fieldPath", ""), "")
            if isinstance(value, dict):  # labels and annotations: one key="value" a line, sorted
                value = "\n".join(f'{k}="{v}"' for k, v in sorted(value.items()))
            files[item["path"]] = str(value).encode()
        return files

    def _token(self, volume: str, source: dict[str, Any]) -> bytes:
        """A TokenRequest for the pod's ServiceAccount, bound to the pod, as the kubelet makes for it."""
        meta = self._pod["metadata"]
        account_name = self._pod["spec"].get("serviceAccountName") or "default"
        account = self._ctx.store.find(SERVICEACCOUNT, meta["namespace"], account_name)
        if account is None:
            raise VolumeSetupError(f'MountVolume.SetUp failed for volume "{volume}" : failed to fetch token: '
                                   f'serviceaccounts "{account_name}" not found')
        audience = source.get("audience")
        seconds = int(source.get("expirationSeconds") or DEFAULT_EXPIRATION_SECONDS)
        claims = Claims(meta["namespace"], account_name, account["metadata"]["uid"],
                        (audience,) if audience else API_AUDIENCES, int(time.time()) + seconds,
                        (meta["name"], meta["uid"]))
        return self._ctx.api.tokens.issue(claims).encode()
