"""`gpu-conformance gate NODE` against simulated clusters: a held-back node is let in only when every check passes."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

import pytest
from gpusim.cluster import SimCluster
from gpusim.scenario import load
from gpusim.testing import StartCluster, eventually, kubectl

from gpu_conformance.errors import UsageError
from gpu_conformance.kube.admission import admit, read_hold
from gpu_conformance.kube.client import connect
from gpu_conformance.settings import Settings

pytestmark = pytest.mark.e2e

ADMISSION_TAINT = "gpu-conformance/unvalidated"
TODAY = datetime.date.today().isoformat()


def _held_back(tmp_path: Path, base: str, node: dict[str, object]) -> Path:
    """A scenario file: ``base`` with k8s-node06 held back as ``node`` says (cordoned or tainted)."""
    path = tmp_path / f"{base}-held.yaml"
    path.write_text(json.dumps({"name": f"{base}-held", "base": base, "description": "node06 held back",
                                "nodes": [{"name": "k8s-node06", **node}]}))
    return path


def _gate(cluster: SimCluster, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "gpu_conformance", "gate", *args, "--kubeconfig", str(cluster.kubeconfig),
               "--", "--gpu-node-selector", "gpu-node=true", "-p", "no:cacheprovider", "--pod-timeout", "60"]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def _node(cluster: SimCluster, name: str = "k8s-node06") -> dict[str, object]:
    found: dict[str, object] = json.loads(kubectl(cluster, "get", "node", name, "-o", "json").stdout)
    return found


def test_a_passing_cordoned_node_is_uncordoned_and_labelled(start_cluster: StartCluster, tmp_path: Path) -> None:
    cluster = start_cluster(load(str(_held_back(tmp_path, "hardened", {"unschedulable": True}))))  # seed fails SEC-*
    done = _gate(cluster, "k8s-node06")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"k8s-node06 passed every check and is admitted: uncordon, label gpu-conformance/validated={TODAY}" \
        in done.stdout
    node = _node(cluster)
    assert not node["spec"].get("unschedulable")  # type: ignore[attr-defined]
    assert node["metadata"]["labels"]["gpu-conformance/validated"] == TODAY  # type: ignore[index]


def test_a_failing_node_is_left_as_it_was(start_cluster: StartCluster, tmp_path: Path) -> None:
    cluster = start_cluster(load(str(_held_back(tmp_path, "runtime-not-default", {"unschedulable": True}))))
    before = _node(cluster)
    done = _gate(cluster, "k8s-node06", "--label", "example.com/gpu-admitted=yes")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "k8s-node06 NOT admitted, nothing changed" in done.stdout
    assert "PRE-RUNTIME-DEFAULT on k8s-node06: failed: [PRE-RUNTIME-DEFAULT] found default runtime \"runc\"" \
        in done.stdout
    after = _node(cluster)
    assert after["spec"] == before["spec"] and after["metadata"]["labels"] == before["metadata"]["labels"]  # type: ignore[index]


def test_an_admission_taint_the_device_plugin_does_not_tolerate(start_cluster: StartCluster, tmp_path: Path) -> None:
    """The suite's pods tolerate the taint, but the device plugin must too: until it does, the gate refuses."""
    taint = {"key": ADMISSION_TAINT, "value": "pending", "effect": "NoSchedule"}
    cluster = start_cluster(load(str(_held_back(tmp_path, "hardened", {"taints": [taint]}))))
    refused = _gate(cluster, "k8s-node06", "--admission-taint", ADMISSION_TAINT)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "PLUGIN-POD-READY on k8s-node06: failed" in refused.stdout

    kubectl(cluster, "-n", "kube-system", "patch", "daemonset", "nvidia-device-plugin-daemonset", "--type=json",
            "-p", json.dumps([{"op": "add", "path": "/spec/template/spec/tolerations/-",
                               "value": {"key": ADMISSION_TAINT, "operator": "Exists", "effect": "NoSchedule"}}]))
    eventually(lambda: _node(cluster)["status"]["allocatable"].get("nvidia.com/gpu"),  # type: ignore[index]
               what="the plugin on k8s-node06 advertising its GPU")
    dry = _gate(cluster, "k8s-node06", "--admission-taint", ADMISSION_TAINT, "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert f"--dry-run: would remove taint {ADMISSION_TAINT}:NoSchedule, label" in dry.stdout
    assert _node(cluster)["spec"]["taints"] == [taint]  # type: ignore[index]

    admitted = _gate(cluster, "k8s-node06", "--admission-taint", ADMISSION_TAINT)
    assert admitted.returncode == 0, admitted.stdout + admitted.stderr
    assert not _node(cluster)["spec"].get("taints")  # type: ignore[attr-defined]


def test_only_held_back_and_existing_nodes_can_be_gated(start_cluster: StartCluster) -> None:
    cluster = start_cluster("seed")
    running = _gate(cluster, "k8s-node05")
    assert running.returncode == 2 and running.stdout.count("\n") == 0
    assert running.stderr.strip() == (
        "gpu-conformance gate: node 'k8s-node05' is not held back (schedulable, no admission taint): cordon it "
        "(or pass --admission-taint KEY) before gating it; the gate only admits nodes that are not yet taking "
        "workloads")
    missing = _gate(cluster, "k8s-node6")
    assert missing.returncode == 2
    assert missing.stderr.strip() == "gpu-conformance gate: node 'k8s-node6' not found (did you mean 'k8s-node06'?)"
    bad_label = _gate(cluster, "k8s-node05", "--label", "validated")
    assert bad_label.returncode == 2 and "--label 'validated': expected KEY=VALUE" in bad_label.stderr


def test_a_node_changed_meanwhile_is_not_overwritten(start_cluster: StartCluster, tmp_path: Path) -> None:
    cluster = start_cluster(load(str(_held_back(tmp_path, "seed", {"unschedulable": True}))))
    connection = connect(Settings(kubeconfig=str(cluster.kubeconfig)))
    try:
        hold = read_hold(connection, "k8s-node06", None)
        kubectl(cluster, "label", "node", "k8s-node06", "team=ml")
        with pytest.raises(UsageError, match="changed while it was being checked"):
            admit(connection, hold, ("gpu-conformance/validated", TODAY))
    finally:
        connection.close()
    assert _node(cluster)["spec"]["unschedulable"] is True  # type: ignore[index]
