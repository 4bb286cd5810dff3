"""Helpers to run the simulated API server on loopback and drive it with kubectl and the official client."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gpusim.api import ApiServer
from gpusim.kubeconfig import write_kubeconfig
from gpusim.logs import LogStore
from gpusim.model import ApiFaults, ClusterVersion
from gpusim.resources import NAMESPACE, NODE
from gpusim.store import Store
from gpusim.tls import TlsMaterial
from kubernetes import client, config

KUBECTL = Path(__file__).resolve().parents[3] / ".venv" / "bin" / "kubectl"
TOKEN = "sim-admin-token"
VERSION = ClusterVersion(major="1", minor="28+", git_version="v1.28.3-eks-4f4795d")


def node_object(name: str, ip: str, *, ready: bool = True, roles: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "labels": {f"node-role.kubernetes.io/{r}": "" for r in roles}},
        "spec": {},
        "status": {
            "conditions": [
                {"type": "Ready", "status": "True" if ready else "False", "reason": "KubeletReady"}
            ],
            "addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}],
            "capacity": {"cpu": "16", "memory": "65843068Ki", "pods": "110"},
            "allocatable": {"cpu": "16", "memory": "65843068Ki", "pods": "110"},
            "nodeInfo": {
                "kubeletVersion": "v1.28.3",
                "osImage": "Ubuntu 22.04.3 LTS",
                "kernelVersion": "5.15.0-88-generic",
                "containerRuntimeVersion": "containerd://1.7.2",
                "architecture": "amd64",
                "operatingSystem": "linux",
                "bootID": "5d3c5a57-8a0e-4f52-9c0e-1f4e0c1a2b3c",
                "machineID": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                "systemUUID": "ec2b8e64-1c7e-7d6b-2f4a-9c1b0e3d5f7a",
                "kubeProxyVersion": "",
            },
        },
    }


def pod_object(
    name: str,
    *,
    node: str = "",
    containers: tuple[str, ...] = ("main",),
    phase: str = "Pending",
    state: dict[str, Any] | None = None,
    namespace: str = "default",
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "containers": [{"name": c, "image": "busybox:1.36"} for c in containers],
        "terminationGracePeriodSeconds": 30,
    }
    if node:
        spec["nodeName"] = node
    status: dict[str, Any] = {"phase": phase}
    if state is not None:
        status["containerStatuses"] = [
            {
                "name": c,
                "ready": "running" in state,
                "restartCount": 0,
                "image": "docker.io/library/busybox:1.36",
                "imageID": "docker.io/library/busybox@sha256:" + "0" * 64,
                "containerID": "containerd://" + "1" * 64,
                "started": "running" in state,
                "state": state,
            }
            for c in containers
        ]
    return {"metadata": {"name": name, "namespace": namespace}, "spec": spec, "status": status}


@dataclass
class SimApi:
    store: Store
    logs: LogStore
    server: ApiServer
    kubeconfig: Path
    tls: TlsMaterial | None

    def kubectl(
        self, *args: str, check: bool = True, timeout: float = 20
    ) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "KUBECONFIG": str(self.kubeconfig), "HOME": str(self.kubeconfig.parent)}
        done = subprocess.run([str(KUBECTL), *args], capture_output=True, text=True, timeout=timeout, env=env)
        if check and done.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({done.returncode}): {done.stderr}")
        return done

    def api_client(self) -> client.ApiClient:
        return config.new_client_from_config(str(self.kubeconfig), persist_config=False)


def start_sim(
    tmp_path: Path, tls: TlsMaterial | None, faults: ApiFaults | None = None, nodes: int = 3,
    version: ClusterVersion = VERSION, runtime_config: dict[str, bool] | None = None,
) -> SimApi:
    store, logs = Store(), LogStore()
    for ns in ("default", "kube-system"):
        store.create(
            NAMESPACE,
            {
                "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}},
                "spec": {"finalizers": ["kubernetes"]},
                "status": {"phase": "Active"},
            },
        )
    for i in range(nodes):
        store.create(
            NODE,
            node_object(
                f"node-{i}", f"127.0.{i // 250}.{i % 250 + 2}", roles=("control-plane",) if i == 0 else ()
            ),
        )
    server = ApiServer(store, logs, version, token=TOKEN, tls=tls, faults=faults or ApiFaults(),
                       runtime_config=runtime_config)
    server.start()
    kubeconfig = tmp_path / "kubeconfig"
    write_kubeconfig(kubeconfig, server.url, TOKEN, tls.ca_pem if tls else None)
    return SimApi(store, logs, server, kubeconfig, tls)
