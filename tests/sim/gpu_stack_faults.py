"""The faults of today's GPU stacks (issue 13): a half-done hardening, the device plugin's CDI spec gone or stale,
one GPU shared by time-slicing; each seen from outside as on a real cluster."""

from __future__ import annotations

import json

from gpusim.testing import eventually
from kubernetes import client

from tests.sim.fault_api import BROKEN, HEALTHY, VECTORADD, Api, host_file, run_host_binary


def cuda_pod_without_request(api: Api, node: str) -> client.V1Pod:
    """A CUDA image's pod (NVIDIA_VISIBLE_DEVICES=all in its image) that asks for no GPU, once it has ended."""
    pod = client.V1Pod(metadata=client.V1ObjectMeta(generate_name="no-request-"), spec=client.V1PodSpec(
        restart_policy="Never", node_selector={"kubernetes.io/hostname": node},
        containers=[client.V1Container(name="cuda", image="nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda12.5.0")]))
    name = api.core.create_namespaced_pod("default", pod).metadata.name

    def ended() -> client.V1Pod | None:
        current = api.core.read_namespaced_pod(name, "default")
        return current if current.status.phase in ("Succeeded", "Failed") else None

    result = eventually(ended, timeout=30, what=f"a pod without a GPU request on {node} ending")
    assert isinstance(result, client.V1Pod)
    return result


def half_hardened(api: Api) -> None:
    """Volume mounts accepted, the env var still accepted from unprivileged containers: a CUDA pod that asks for
    no GPU computes on one."""
    config_toml = host_file(api.cluster, HEALTHY, "/etc/nvidia-container-runtime/config.toml").read_text()
    assert "accept-nvidia-visible-devices-as-volume-mounts = true" in config_toml.splitlines()
    assert "#accept-nvidia-visible-devices-envvar-when-unprivileged = true" in config_toml.splitlines()
    pod = cuda_pod_without_request(api, HEALTHY)
    assert pod.status.phase == "Succeeded" and "Test PASSED" in api.log(pod)


PLUGIN_SPEC = "/var/run/cdi/k8s.device-plugin.nvidia.com-gpu.json"
MANAGEMENT_SPEC = "/var/run/cdi/management.nvidia.com-gpu.yaml"


def operator_plugin_pod(api: Api, node: str) -> client.V1Pod:
    pods = api.core.list_namespaced_pod("gpu-operator", label_selector="app=nvidia-device-plugin-daemonset",
                                        field_selector=f"spec.nodeName={node}").items
    assert len(pods) == 1
    return pods[0]


def gpu_pod_waiting(api: Api, node: str, reason: str) -> tuple[str, client.V1ContainerStateWaiting]:
    """A one-GPU vectoradd pod on ``node``, once its container waits with ``reason``: (pod name, state)."""
    pod = client.V1Pod(metadata=client.V1ObjectMeta(generate_name="gpu-pod-"), spec=client.V1PodSpec(
        restart_policy="Never", node_selector={"kubernetes.io/hostname": node},
        containers=[client.V1Container(name="cuda", image=VECTORADD,
                                       resources=client.V1ResourceRequirements(limits={"nvidia.com/gpu": "1"}))]))
    name = api.core.create_namespaced_pod("default", pod).metadata.name

    def waiting() -> client.V1ContainerStateWaiting | None:
        statuses = api.core.read_namespaced_pod(name, "default").status.container_statuses or []
        state = statuses[0].state.waiting if statuses else None
        return state if state is not None and state.reason == reason else None

    state = eventually(waiting, what=reason)
    assert isinstance(state, client.V1ContainerStateWaiting)
    return name, state


def cdi_spec_missing(api: Api) -> None:
    """The plugin's spec was deleted after it started: it runs and advertises the GPU, but containerd cannot
    resolve k8s.device-plugin.nvidia.com/gpu=<UUID>, so a GPU pod there is never created."""
    assert not host_file(api.cluster, BROKEN, PLUGIN_SPEC).exists()
    assert host_file(api.cluster, BROKEN, MANAGEMENT_SPEC).is_file()
    assert host_file(api.cluster, HEALTHY, PLUGIN_SPEC).is_file()
    assert "Generating CDI spec for resource: k8s.device-plugin.nvidia.com/gpu" in api.log(
        operator_plugin_pod(api, BROKEN))
    assert api.allocatable_gpus(BROKEN) == "1" and api.allocatable_gpus(HEALTHY) == "2"
    real = api.cluster.scenario.node(BROKEN).gpus[0].uuid
    name, waiting = gpu_pod_waiting(api, BROKEN, "CreateContainerError")
    assert waiting.message.startswith('failed to generate container "')
    assert waiting.message.endswith(" spec: failed to apply OCI options: CDI device injection failed: "
                                    f"unresolvable CDI devices k8s.device-plugin.nvidia.com/gpu={real}")
    assert api.core.read_namespaced_pod(name, "default").status.phase == "Pending"
    assert api.run_vectoradd(HEALTHY).status.phase == "Succeeded"


def cdi_spec_stale(api: Api) -> None:
    """The GPU was replaced after the plugin started: its spec and its device name the old UUID, NVML the new
    one; containerd resolves the old name to /dev/nvidia0, so a GPU pod runs on the new board."""
    spec = json.loads(host_file(api.cluster, BROKEN, PLUGIN_SPEC).read_text())
    real = api.cluster.scenario.node(BROKEN).gpus[0].uuid
    [device] = spec["devices"]
    assert spec["kind"] == "k8s.device-plugin.nvidia.com/gpu" and device["name"] != real
    assert device["name"].startswith("GPU-")
    assert device["containerEdits"]["deviceNodes"] == [{"path": "/dev/nvidia0", "hostPath": "/dev/nvidia0"}]
    nvidia_smi = run_host_binary(api.cluster, BROKEN, "/usr/bin/nvidia-smi", "-L")
    assert real in nvidia_smi and device["name"] not in nvidia_smi
    pod = api.run_vectoradd(BROKEN)
    assert pod.status.phase == "Succeeded" and "Test PASSED" in api.log(pod)


def shared_gpu(api: Api) -> None:
    """k8s-node06's one GPU time-sliced 4 ways: two pods asking for one GPU each both run there at once."""
    labels = api.core.read_node(BROKEN).metadata.labels
    assert (labels["nvidia.com/gpu.replicas"], labels["nvidia.com/gpu.sharing-strategy"]) == ("4", "time-slicing")
    assert api.allocatable_gpus(BROKEN) == "4" and len(api.cluster.scenario.node(BROKEN).gpus) == 1
    names = []
    for _ in range(2):
        pod = client.V1Pod(metadata=client.V1ObjectMeta(generate_name="holder-"), spec=client.V1PodSpec(
            restart_policy="Never", node_selector={"kubernetes.io/hostname": BROKEN},
            containers=[client.V1Container(name="hold", image="busybox", command=["sleep", "infinity"],
                                           resources=client.V1ResourceRequirements(limits={"nvidia.com/gpu": "1"}))]))
        names.append(api.core.create_namespaced_pod("default", pod).metadata.name)

    def both_running() -> bool:
        return all(api.core.read_namespaced_pod(n, "default").status.phase == "Running" for n in names)

    assert eventually(both_running, what="two 1-GPU pods running on a node with one GPU")
