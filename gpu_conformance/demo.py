"""``./dev demo``: start the simulated `seed` cluster and walk the tutorial's steps on it with real kubectl.

The conformance suite itself lands in a later step; until then the demo shows what it will verify.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .sim.cluster import SimCluster
from .sim.resources import NODE
from .sim.scenario import load
from .sim.testing import kubectl_binary

GPU_POD = """apiVersion: v1
kind: Pod
metadata:
  name: gpu-pod
spec:
  restartPolicy: Never
  containers:
    - name: cuda-container
      image: nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda10.2
      resources:
        limits:
          nvidia.com/gpu: 1
  tolerations:
  - key: nvidia.com/gpu
    operator: Exists
    effect: NoSchedule
"""

STEPS: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("The cluster's nodes", ("get", "nodes", "-o", "wide"), None),
    ("The device plugin DaemonSet's pods", ("get", "pods", "-n", "kube-system", "-l", "name=nvidia-device-plugin-ds"),
     None),
    ("GPUs the cluster sees on k8s-node05", ("describe", "node", "k8s-node05"), "gpu"),
    ("The tutorial's vectoradd pod", ("apply", "-f", "-"), None),
    ("Waiting for it to finish", ("wait", "--for=jsonpath={.status.phase}=Succeeded", "pod/gpu-pod",
                                  "--timeout=60s"), None),
    ("Its log", ("logs", "gpu-pod"), None),
    ("Cleaning up", ("delete", "pod", "gpu-pod"), None),
)


def _run(kubeconfig: Path, args: tuple[str, ...], grep: str | None) -> None:
    print(f"$ kubectl {' '.join(args)}" + (f" | grep {grep}" if grep else ""), flush=True)
    env = {**os.environ, "KUBECONFIG": str(kubeconfig)}
    stdin = GPU_POD if args[:2] == ("apply", "-f") else None
    out = subprocess.run([kubectl_binary(), *args], input=stdin, capture_output=True, text=True, env=env,
                         timeout=90, check=False)
    lines = (out.stdout + out.stderr).splitlines()
    print("\n".join(line for line in lines if grep is None or grep in line), end="\n\n", flush=True)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="gpu-demo-") as tmp:
        kubeconfig = Path(tmp) / "seed.kubeconfig"
        with SimCluster(load("seed"), kubeconfig) as cluster:
            print(f"Simulated cluster 'seed' at {cluster.url} (kubeconfig {kubeconfig})\n", flush=True)
            _wait_for_gpus(cluster)
            for title, args, grep in STEPS:
                print(f"# {title}", flush=True)
                _run(kubeconfig, args, grep)
    return 0


def _wait_for_gpus(cluster: SimCluster) -> None:
    """The device plugin needs a moment to register, as on a real node."""

    def advertised() -> bool:
        nodes, _ = cluster.store.list(NODE)
        return all(n["status"].get("allocatable", {}).get("nvidia.com/gpu") for n in nodes
                   if n["metadata"]["name"] in {g.name for g in cluster.scenario.gpu_nodes})

    cluster.wait_for(advertised, 30, "GPU capacity on every GPU node")


if __name__ == "__main__":
    sys.exit(main())
