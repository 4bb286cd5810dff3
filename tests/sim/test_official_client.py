"""The official kubernetes client works unmodified against the simulated cluster, over verified TLS."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import trustme
import urllib3
from gpusim.cluster import SimCluster
from gpusim.testing import StartCluster
from kubernetes import client, config

from gpu_conformance.kube.watch import follow, follow_while_changing

pytestmark = pytest.mark.e2e


def core(cluster: SimCluster) -> client.CoreV1Api:
    return client.CoreV1Api(config.new_client_from_config(str(cluster.kubeconfig), persist_config=False))


def pause_pod(name: str) -> client.V1Pod:
    return client.V1Pod(metadata=client.V1ObjectMeta(name=name, labels={"app": "watched"}),
                        spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="registry.k8s.io/pause")]))


def create_slowly(api: client.CoreV1Api, names: list[str], pause: float) -> threading.Thread:
    """A thread creating a pause pod per name in "default", ``pause`` seconds apart."""
    def create() -> None:
        for name in names:
            api.create_namespaced_pod("default", pause_pod(name))
            time.sleep(pause)

    creator = threading.Thread(target=create)
    creator.start()
    return creator


def test_typed_list_and_read_over_verified_tls(start_cluster: StartCluster) -> None:
    cluster = start_cluster("seed")
    api = core(cluster)
    assert api.api_client.configuration.verify_ssl is True
    nodes = api.list_node()
    assert [n.metadata.name for n in nodes.items] == ["k8s-master01", "k8s-node05", "k8s-node06"]
    node = api.read_node("k8s-node05")
    assert node.status.capacity["nvidia.com/gpu"] == "2"
    assert node.status.node_info.container_runtime_version == "containerd://1.6.24"
    assert {a.type: a.address for a in node.status.addresses}["InternalIP"] == cluster.scenario.node(
        "k8s-node05").internal_ip


def test_pod_logs_of_the_device_plugin(start_cluster: StartCluster) -> None:
    api = core(start_cluster("seed"))
    pod = api.list_namespaced_pod("kube-system", label_selector="name=nvidia-device-plugin-ds",
                                  field_selector="spec.nodeName=k8s-node05").items[0]
    log = api.read_namespaced_pod_log(pod.metadata.name, "kube-system")
    assert "Registered device plugin for 'nvidia.com/gpu' with Kubelet" in log


def test_follow_survives_dropped_streams_without_losing_or_repeating_events(start_cluster: StartCluster) -> None:
    cluster = start_cluster("api-watch-drops")  # streams are cut every 2 s
    api = core(cluster)
    names = [f"watched-{i}" for i in range(6)]
    creator = create_slowly(api, names, 0.9)
    seen: list[str] = []
    for kind, pod in follow(api.list_namespaced_pod, time.monotonic() + 15, namespace="default",
                            label_selector="app=watched"):
        if kind == "ADDED":
            seen.append(pod.metadata.name)
        if len(seen) == len(names):
            break
    creator.join()
    assert seen == names


def test_follow_relists_when_the_version_is_gone(start_cluster: StartCluster) -> None:
    cluster = start_cluster("seed")
    api = core(cluster)
    api.create_namespaced_pod("default", pause_pod("before"))
    events = follow(api.list_namespaced_pod, time.monotonic() + 10, namespace="default",
                    label_selector="app=watched")
    assert next(events)[1].metadata.name == "before"
    cluster.store.compact()
    api.create_namespaced_pod("default", pause_pod("after"))
    names = [pod.metadata.name for _, pod in (next(events), next(events))]
    assert "after" in names  # after a 410 the relist shows the current state again


def test_follow_while_changing_outlasts_a_fixed_deadline_and_ends_once_quiet(start_cluster: StartCluster) -> None:
    api = core(start_cluster("seed"))
    listed = api.list_namespaced_pod("default", label_selector="app=watched")
    names = [f"slow-{i}" for i in range(5)]
    started = time.monotonic()
    creator = create_slowly(api, names, 0.8)  # 3.2 s of changes, each within the 1.5 s quiet window
    seen = [pod.metadata.name for kind, pod in follow_while_changing(
        api.list_namespaced_pod, 1.5, started + 30, since=listed.metadata.resource_version, namespace="default",
        label_selector="app=watched") if kind == "ADDED"]
    ended = time.monotonic() - started
    creator.join()
    assert seen == names
    assert 3.2 + 1.5 <= ended < 3.2 + 1.5 + 2  # on its own, 1.5 s after the last change: not at the limit


def test_follow_while_changing_without_a_change_ends_after_the_quiet_window(start_cluster: StartCluster) -> None:
    api = core(start_cluster("seed"))
    listed = api.list_namespaced_pod("default", label_selector="app=never")
    started = time.monotonic()
    events = list(follow_while_changing(api.list_namespaced_pod, 1.5, started + 30,
                                        since=listed.metadata.resource_version, namespace="default",
                                        label_selector="app=never"))
    assert events == []
    assert 1.5 <= time.monotonic() - started < 3.5


def test_a_client_trusting_another_ca_refuses_the_server(start_cluster: StartCluster, tmp_path: Path) -> None:
    cluster = start_cluster("seed")
    other = tmp_path / "other-ca.pem"
    other.write_bytes(trustme.CA().cert_pem.bytes())
    configuration = client.Configuration()
    configuration.host, configuration.ssl_ca_cert = cluster.url, str(other)
    configuration.api_key = {"authorization": f"Bearer {cluster.token}"}
    configuration.retries = 0
    with pytest.raises(urllib3.exceptions.MaxRetryError, match="CERTIFICATE_VERIFY_FAILED"):
        client.CoreV1Api(client.ApiClient(configuration)).list_node(_request_timeout=5)
