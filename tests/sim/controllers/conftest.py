"""A simulated cluster without the HTTP server: Store + LogStore + ControllerManager, in process."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import pytest
from gpusim.bootstrap import bootstrap
from gpusim.controllers import ControllerManager
from gpusim.logs import LogStore
from gpusim.model import (
    ClusterVersion,
    DevicePluginSetup,
    Gpu,
    HostState,
    NodeSpec,
    RuntimeSetup,
    Scenario,
    Taint,
)
from gpusim.resources import EVENT, POD
from gpusim.store import Obj, Store

T = TypeVar("T")
TIME_SCALE = 0.05  # a simulated second lasts 50 ms


def gpus(count: int, name: str = "NVIDIA GeForce RTX 4090") -> tuple[Gpu, ...]:
    return tuple(Gpu(index=i, uuid=f"GPU-{i:08x}-1111-2222-3333-444455556666", name=name, memory_mib=24564,
                     pci_bus_id=f"00000000:0{i + 1}:00.0") for i in range(count))


def gpu_node(name: str, ip: str, count: int = 2, **changes: Any) -> NodeSpec:
    node = NodeSpec(name=name, internal_ip=ip, roles=("worker",), gpus=gpus(count),
                    host=HostState(driver_version="535.104.05"))
    return replace(node, **changes)


CONTROL_PLANE = NodeSpec(name="cp", internal_ip="127.0.10.1", roles=("control-plane",),
                         taints=(Taint(key="node-role.kubernetes.io/control-plane", effect="NoSchedule"),))


def scenario(*nodes: NodeSpec, plugin: DevicePluginSetup | None = None, **changes: Any) -> Scenario:
    base = Scenario(name="test", description="controllers test", version=ClusterVersion("1", "28", "v1.28.3"),
                    nodes=nodes, device_plugin=plugin or DevicePluginSetup(style="none"))
    return replace(base, **changes)


RUNC = RuntimeSetup(kind="containerd", default_runtime="runc")


@dataclass
class Sim:
    store: Store
    logs: LogStore
    scenario: Scenario

    def wait(self, probe: Callable[[], T | None], timeout: float = 10.0, what: str = "condition") -> T:
        """Poll ``probe`` until it returns something truthy; fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = probe()
            if value:
                return value
            time.sleep(0.02)
        pytest.fail(f"timed out after {timeout}s waiting for {what}")

    def pod(self, name: str, namespace: str = "default") -> Obj | None:
        return self.store.find(POD, namespace, name)

    def pods(self, namespace: str = "default") -> list[Obj]:
        return self.store.list(POD, namespace)[0]

    def events(self, name: str, reason: str | None = None) -> list[Obj]:
        items, _ = self.store.list(EVENT)
        return [e for e in items if e["involvedObject"]["name"] == name and reason in (None, e["reason"])]

    def log(self, pod: str, container: str, namespace: str = "default") -> str:
        return "".join(self.logs.read(namespace, pod, container) or [])

    def phase(self, name: str, namespace: str = "default") -> str | None:
        pod = self.pod(name, namespace)
        return None if pod is None else pod.get("status", {}).get("phase")


def pod_manifest(name: str, image: str, *, command: list[str] | None = None, gpus: int = 0,
                 restart: str = "Never", namespace: str = "default", **spec: Any) -> Obj:
    """A pod as the apiserver stores it after defaulting."""
    container: dict[str, Any] = {"name": name, "image": image, "imagePullPolicy": "IfNotPresent",
                                 "resources": {"limits": {"nvidia.com/gpu": str(gpus)}} if gpus else {},
                                 "terminationMessagePath": "/dev/termination-log",
                                 "terminationMessagePolicy": "File"}
    if command:
        container["command"] = command
    return {"metadata": {"name": name, "namespace": namespace},
            "spec": {"containers": [container], "restartPolicy": restart, "schedulerName": "default-scheduler",
                     "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst", "securityContext": {},
                     "serviceAccountName": "default", "serviceAccount": "default", "priority": 0,
                     "enableServiceLinks": True, "preemptionPolicy": "PreemptLowerPriority",
                     "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                                      "effect": "NoExecute", "tolerationSeconds": 300},
                                     {"key": "node.kubernetes.io/unreachable", "operator": "Exists",
                                      "effect": "NoExecute", "tolerationSeconds": 300}], **spec},
            "status": {"phase": "Pending", "qosClass": "BestEffort"}}


@pytest.fixture
def start_sim(tmp_path: Path) -> Iterator[Callable[[Scenario], Sim]]:
    managers: list[ControllerManager] = []

    def start(truth: Scenario) -> Sim:
        store, logs = Store(), LogStore()
        bootstrap(store, truth)
        roots = {n.name: tmp_path / n.name for n in truth.nodes}
        for root in roots.values():
            root.mkdir()
        manager = ControllerManager(store, logs, truth, roots, time_scale=TIME_SCALE)
        managers.append(manager)
        manager.start()
        return Sim(store, logs, truth)

    yield start
    for manager in managers:
        manager.stop()
