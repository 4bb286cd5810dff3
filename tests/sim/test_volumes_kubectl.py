"""PersistentVolumeClaims on the simulated cluster's kind-like local-path storage, through the real kubectl."""

from __future__ import annotations

import json

import pytest
from gpusim.cluster import SimCluster
from gpusim.testing import StartCluster, eventually, kubectl

pytestmark = [pytest.mark.kubectl, pytest.mark.e2e]
CLAIM = """
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: results}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
"""
# The project's image runs this interpreter: each run prints what the claim holds, then appends to it.
APPENDER = """
apiVersion: v1
kind: Pod
metadata: {name: %(name)s}
spec:
  restartPolicy: Never
  nodeSelector: {kubernetes.io/hostname: k8s-node06}
  containers:
  - name: append
    image: ghcr.io/gpu-conformance/gpu-conformance:latest
    command: [python, -c, "%(script)s", /results/runs.txt]
    volumeMounts: [{name: results, mountPath: /results}]
  volumes:
  - name: results
    persistentVolumeClaim: {claimName: %(claim)s}
"""
SCRIPT = ("import os, sys; p = sys.argv[1]; print(open(p).read() if os.path.exists(p) else '-'); "
          "open(p, 'a').write('%s;')")


@pytest.fixture
def cluster(start_cluster: StartCluster) -> SimCluster:
    return start_cluster("seed")


def run_appender(cluster: SimCluster, name: str, claim: str = "results") -> str:
    kubectl(cluster, "apply", "-f", "-", stdin=APPENDER % {"name": name, "claim": claim, "script": SCRIPT % name})
    kubectl(cluster, "wait", "--for=jsonpath={.status.phase}=Succeeded", f"pod/{name}", "--timeout=30s", timeout=40)
    return kubectl(cluster, "logs", name).stdout.strip()


def claim_events(cluster: SimCluster) -> list[tuple[str, str]]:
    events = json.loads(kubectl(cluster, "get", "events", "--field-selector", "involvedObject.name=results",
                                "-o", "json").stdout)["items"]
    ordered = sorted(events, key=lambda e: e["metadata"]["name"])
    return [(e["reason"], e["message"]) for e in ordered]


def test_a_claim_waits_for_its_first_pod_then_binds_to_a_local_volume_on_that_node(cluster: SimCluster) -> None:
    kubectl(cluster, "apply", "-f", "-", stdin=CLAIM)
    rows = kubectl(cluster, "get", "pvc", "results").stdout.split("\n")
    assert rows[0].split() == ["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS", "MODES", "STORAGECLASS", "AGE"]
    assert rows[1].split()[:3] == ["results", "Pending", "standard"]
    waiting = ("WaitForFirstConsumer", "waiting for first consumer to be created before binding")
    assert claim_events(cluster) == [waiting]
    assert run_appender(cluster, "first") == "-"
    claim = json.loads(kubectl(cluster, "get", "pvc", "results", "-o", "json").stdout)
    volume_name = f"pvc-{claim['metadata']['uid']}"
    assert claim["spec"]["volumeName"] == volume_name
    assert claim["status"] == {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"}}
    assert claim["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] == "k8s-node06"
    volume = json.loads(kubectl(cluster, "get", "pv", volume_name, "-o", "json").stdout)
    assert volume["spec"]["hostPath"]["path"] == f"/var/local-path-provisioner/{volume_name}_default_results"
    assert volume["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"] == [
        {"key": "kubernetes.io/hostname", "operator": "In", "values": ["k8s-node06"]}]
    assert [reason for reason, _ in claim_events(cluster)] == [
        "WaitForFirstConsumer", "ExternalProvisioning", "Provisioning", "ProvisioningSucceeded"]
    pv_row = kubectl(cluster, "get", "pv").stdout.split("\n")[1].split()
    assert pv_row[:7] == [volume_name, "1Gi", "RWO", "Delete", "Bound", "default/results", "standard"]


def test_what_one_pod_writes_to_a_claim_the_next_pod_reads(cluster: SimCluster) -> None:
    kubectl(cluster, "apply", "-f", "-", stdin=CLAIM)
    assert run_appender(cluster, "first") == "-"
    assert run_appender(cluster, "second") == "first;"
    assert run_appender(cluster, "third") == "first;second;"


def test_a_pod_whose_claim_does_not_exist_is_unschedulable_in_the_schedulers_words(cluster: SimCluster) -> None:
    kubectl(cluster, "apply", "-f", "-", stdin=APPENDER % {"name": "orphan", "claim": "nowhere", "script": "pass"})

    def failed_scheduling() -> str:
        return kubectl(cluster, "get", "events", "--field-selector", "involvedObject.name=orphan,"
                       "reason=FailedScheduling", "-o", "jsonpath={.items[0].message}").stdout

    assert eventually(failed_scheduling, what="FailedScheduling") == (
        '0/3 nodes are available: persistentvolumeclaim "nowhere" not found. preemption: 0/3 nodes are available: '
        "3 Preemption is not helpful for scheduling.")
    kubectl(cluster, "apply", "-f", "-", stdin=CLAIM.replace("name: results", "name: nowhere"))
    kubectl(cluster, "wait", "--for=jsonpath={.status.phase}=Succeeded", "pod/orphan", "--timeout=30s", timeout=40)


def test_a_deleted_claim_stays_while_a_pod_names_it_then_takes_its_volume_along(cluster: SimCluster) -> None:
    kubectl(cluster, "apply", "-f", "-", stdin=CLAIM)
    run_appender(cluster, "first")
    volume = kubectl(cluster, "get", "pvc", "results", "-o", "jsonpath={.spec.volumeName}").stdout
    assert cluster.workdir is not None
    directory = cluster.workdir / "volumes" / "k8s-node06" / f"{volume}_default_results"
    assert (directory / "runs.txt").read_text() == "first;"
    kubectl(cluster, "delete", "pvc", "results", "--wait=false")
    assert kubectl(cluster, "get", "pvc", "results").stdout.split("\n")[1].split()[1] == "Terminating"
    kubectl(cluster, "delete", "pod", "first")
    eventually(lambda: kubectl(cluster, "get", "pvc,pv", "-o", "name").stdout == "", what="claim and volume gone")
    assert not directory.exists()
