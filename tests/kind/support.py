"""Driving an API server the suite did not make: kubectl by kubeconfig, a service account's kubeconfig, and
what a run on a cluster without GPU nodes must show."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml
from gpusim.testing import kubectl_binary

from conformance.plugin.session import NO_GPU_NODE
from tests.kind.sa_token import API_VERSION

SA_TOKEN = Path(__file__).with_name("sa_token.py")
CLUSTER_LEVEL_GPU_FACTS = {"CAPACITY-GPU-NODES", "PLUGIN-DEPLOYED"}  # what a cluster without GPUs fails


def kubectl(kubeconfig: Path, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([kubectl_binary(), "--kubeconfig", str(kubeconfig), *args], capture_output=True, text=True,
                          timeout=timeout, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"kubectl {' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")
    return done


def service_account_kubeconfig(admin: Path, where: Path, namespace: str, account: str) -> Path:
    """A kubeconfig for ``account`` whose token comes from `kubectl create token` each time: none is written."""
    view = json.loads(kubectl(admin, "config", "view", "--flatten", "--minify", "-o", "json").stdout)
    server = {k: v for k, v in view["clusters"][0]["cluster"].items()
              if k in ("server", "certificate-authority-data", "tls-server-name")}
    credential = {"apiVersion": API_VERSION, "command": sys.executable, "interactiveMode": "Never",
                  "args": [str(SA_TOKEN), kubectl_binary(), str(admin), namespace, account]}
    config = {
        "apiVersion": "v1", "kind": "Config", "current-context": account,
        "clusters": [{"name": "under-test", "cluster": server}],
        "users": [{"name": account, "user": {"exec": credential}}],
        "contexts": [{"name": account, "context": {"cluster": "under-test", "user": account, "namespace": namespace}}],
    }
    path = where / f"{account}.kubeconfig"
    path.write_text(yaml.safe_dump(config))
    return path


def assert_no_gpu_node_run(done: subprocess.CompletedProcess[str], results: Path) -> None:
    """Cluster-level checks pass; GPU checks fail or are skipped saying "no GPU node"; no permission is missing."""
    output = done.stdout + done.stderr
    assert done.returncode == 1 and "Traceback" not in output and "missing permission" not in output, output
    summary = json.loads((results / "summary.json").read_text())["results"]
    outcome = {r["check"]: (r["outcome"], r["message"]) for r in summary}
    assert outcome["PRE-K8S-VERSION"] == ("passed", "")
    assert "found no GPU node" in outcome["CAPACITY-GPU-NODES"][1]
    assert {check for check, (result, _) in outcome.items() if result == "failed"} == CLUSTER_LEVEL_GPU_FACTS
    per_node = {check for check, (result, message) in outcome.items() if message == NO_GPU_NODE}
    assert {"PRE-DRIVER", "PLUGIN-POD-READY", "CAPACITY-ADVERTISED", "WORKLOAD-VECTORADD"} <= per_node
    for check, (result, message) in outcome.items():  # the rest: rule checks, on this machine's promtool
        assert result != "broken" or check.startswith("RULES-"), (check, message)
