"""The termination message as the kubelet makes it: the file at terminationMessagePath, its last 4096 bytes, the
pod's 12 KiB shared by its containers, and the log's tail for a failed container under FallbackToLogsOnError."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gpusim.cluster import SimCluster
from gpusim.images import register_image
from gpusim.scenario import load
from gpusim.termination import MESSAGE_FILE, termination_message
from gpusim.testing import TEST_ADDRESS_BLOCK, eventually
from kubernetes import client, config, watch
from kubernetes.client.exceptions import ApiException

from tests.sim.test_gpu_injection_pods import finished

WRITE = "import sys; open(sys.argv[1], 'w').write(sys.argv[2] * int(sys.argv[3])); print('done')"
register_image("termination-test", "python", [sys.executable])


def pod_of(*containers: dict[str, Any]) -> dict[str, Any]:
    return {"spec": {"containers": list(containers)}}


def written(tmp_path: Path, text: str) -> Path:
    (tmp_path / MESSAGE_FILE).write_text(text)
    return tmp_path


def test_the_file_s_last_4096_bytes_are_the_message(tmp_path: Path) -> None:
    container = {"name": "a"}
    message = termination_message(written(tmp_path, "a" * 100 + "b" * 4096), pod_of(container), container, 0, [])
    assert message == "b" * 4096


def test_a_pod_s_12_kib_are_shared_by_its_containers(tmp_path: Path) -> None:
    containers = [{"name": n} for n in "abcd"]
    message = termination_message(written(tmp_path, "x" * 4000), pod_of(*containers), containers[0], 0, [])
    assert len(message) == 12 * 1024 // 4


@pytest.mark.parametrize(("policy", "code", "expected"), [
    ("FallbackToLogsOnError", 1, "line 20\n" + "".join(f"line {i}\n" for i in range(21, 100))),
    ("FallbackToLogsOnError", 0, ""), ("File", 1, "")])
def test_the_log_s_tail_only_for_a_failed_container_that_asks(tmp_path: Path, policy: str, code: int,
                                                              expected: str) -> None:
    container = {"name": "a", "terminationMessagePolicy": policy}
    log = [f"line {i}\n" for i in range(100)]
    assert termination_message(written(tmp_path, ""), pod_of(container), container, code, log) == expected


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimCluster]:
    kubeconfig = tmp_path_factory.mktemp("termination") / "kubeconfig"
    sim = SimCluster(load("seed"), kubeconfig, time_scale=0.2, address_block=TEST_ADDRESS_BLOCK).start()
    yield sim
    sim.stop()


@pytest.mark.e2e
@pytest.mark.parametrize(("path", "repeat", "expected"), [(None, 10, "ok" * 10), ("/tmp/why", 3000, "ok" * 2048)])
def test_a_process_writes_its_message_where_the_pod_says(cluster: SimCluster, path: str | None, repeat: int,
                                                         expected: str) -> None:
    container: dict[str, Any] = {"name": "writer", "image": "example.com/termination-test:1",
                                 "command": ["python", "-c", WRITE, path or "/dev/termination-log", "ok", str(repeat)]}
    if path is not None:
        container["terminationMessagePath"] = path
    name = f"termination-{repeat}"
    api = client.CoreV1Api(config.new_client_from_config(str(cluster.kubeconfig), persist_config=False))
    api.create_namespaced_pod("default", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                                          "spec": {"restartPolicy": "Never", "nodeName": "k8s-node05",
                                                   "containers": [container]}})
    terminated = finished(api, name).status.container_statuses[0].state.terminated
    assert (terminated.exit_code, terminated.message) == (0, expected)
    assert api.read_namespaced_pod_log(name, "default") == "done\n"


HOLD = "import sys, time; open(sys.argv[1], 'w').write('held'); print('written', flush=True); time.sleep(60)"


@pytest.mark.e2e
def test_a_deleted_pod_is_reported_terminated_with_its_message_before_it_goes(cluster: SimCluster) -> None:
    """As the kubelet's status manager does: the terminal status first, then the deletion with grace 0 (kubernetes
    pkg/kubelet/status/status_manager.go, syncPod: canBeDeleted once the phase is terminal)."""
    api = client.CoreV1Api(config.new_client_from_config(str(cluster.kubeconfig), persist_config=False))
    container = {"name": "holder", "image": "example.com/termination-test:1",
                 "command": ["python", "-c", HOLD, "/dev/termination-log"]}
    api.create_namespaced_pod("default", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "held"},
                                          "spec": {"nodeName": "k8s-node05", "terminationGracePeriodSeconds": 5,
                                                   "containers": [container]}})

    def written_yet() -> bool:
        try:
            return bool(api.read_namespaced_pod_log("held", "default") == "written\n")
        except ApiException:  # not started yet
            return False

    eventually(written_yet, what="the message written")
    listed = api.list_namespaced_pod("default", field_selector="metadata.name=held")
    api.delete_namespaced_pod("held", "default")
    for event in watch.Watch().stream(api.list_namespaced_pod, "default", field_selector="metadata.name=held",
                                      resource_version=listed.metadata.resource_version, timeout_seconds=20):
        kind, last = event["type"], event["object"]
        if kind == "DELETED":
            break
    assert kind == "DELETED" and last.status.phase in ("Succeeded", "Failed")
    assert last.status.container_statuses[0].state.terminated.message == "held"
