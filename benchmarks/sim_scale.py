"""How fast a 1000-GPU-node simulated cluster starts and answers `kubectl get nodes`.

Targets: start in under 10 s; `kubectl get nodes` in under 2 s, on the project's 2-core machine.
"Started" means settled: every device plugin has registered its node's GPUs. Host roots are
rendered on first use, so their cost is measured on its own. Writes docs/benchmarks/sim_scale.json
and docs/benchmarks/sim_scale.md.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from gpusim.cluster import SimCluster
from gpusim.resources import NODE
from gpusim.scenario import loads
from gpusim.testing import kubectl_binary

GPU_NODES = int(os.environ.get("SIM_SCALE_GPU_NODES", "1000"))
ROOT = Path(__file__).resolve().parent.parent
SCENARIO = f"""
name: scale-{GPU_NODES}
description: {GPU_NODES} GPU nodes with 8 GPUs each behind one control-plane node.
kubernetes: {{version: v1.30.4}}
nodes:
  - name: control-plane-1
    roles: [control-plane]
    taints: ["node-role.kubernetes.io/control-plane:NoSchedule"]
  - name: "gpu-{{index:04d}}"
    count: {GPU_NODES}
    gpus: {{count: 8, model: NVIDIA H100 80GB HBM3}}
"""


def timed_kubectl(kubeconfig: Path, *args: str, runs: int = 5) -> dict[str, float]:
    env = {**os.environ, "KUBECONFIG": str(kubeconfig)}
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run([kubectl_binary(), *args], env=env, capture_output=True, text=True, check=True)
        samples.append(time.perf_counter() - start)
    rows = len(out.stdout.splitlines()) - 1
    return {"median_s": round(statistics.median(samples), 3), "max_s": round(max(samples), 3), "rows": rows}


def main() -> int:
    scenario = loads(SCENARIO, source="benchmarks/sim_scale.py")
    with tempfile.TemporaryDirectory() as tmp:
        kubeconfig = Path(tmp) / "kubeconfig"
        started = time.perf_counter()
        cluster = SimCluster(scenario, kubeconfig)
        cluster.start()
        try:

            def all_gpus_advertised() -> bool:
                nodes, _ = cluster.store.list(NODE)
                return sum(1 for n in nodes if n["status"].get("allocatable", {}).get("nvidia.com/gpu")) == GPU_NODES

            cluster.wait_for(all_gpus_advertised, 120, "GPU capacity on every GPU node")
            start_s = time.perf_counter() - started
            get_nodes = timed_kubectl(kubeconfig, "get", "nodes")
            get_nodes_wide = timed_kubectl(kubeconfig, "get", "nodes", "-o", "wide")
            get_pods = timed_kubectl(kubeconfig, "get", "pods", "-A")
            render_started = time.perf_counter()
            for node in scenario.gpu_nodes:
                cluster.host_root(node.name)
            render_all = time.perf_counter() - render_started
        finally:
            cluster.stop()
    figures = {
        "gpu_nodes": GPU_NODES,
        "start_s": round(start_s, 2),
        "render_every_host_root_s": round(render_all, 2),
        "kubectl_get_nodes": get_nodes,
        "kubectl_get_nodes_wide": get_nodes_wide,
        "kubectl_get_pods_all_namespaces": get_pods,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    out_dir = ROOT / "docs" / "benchmarks"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "sim_scale.json").write_text(json.dumps(figures, indent=2) + "\n")
    (out_dir / "sim_scale.md").write_text(report(figures))
    print(json.dumps(figures, indent=2))
    return 0


def report(f: dict[str, Any]) -> str:
    rows = [
        ("start (API answers, every GPU advertised)", f"{f['start_s']} s", "< 10 s"),
        ("render every node's host root (on first use)", f"{f['render_every_host_root_s']} s", "-"),
        ("`kubectl get nodes`, median of 5", f"{f['kubectl_get_nodes']['median_s']} s", "< 2 s"),
        ("`kubectl get nodes -o wide`, median of 5", f"{f['kubectl_get_nodes_wide']['median_s']} s", "< 2 s"),
        ("`kubectl get pods -A`, median of 5", f"{f['kubectl_get_pods_all_namespaces']['median_s']} s", "-"),
        ("peak RSS of the benchmark process", f"{f['peak_rss_mib']} MiB", "-"),
    ]
    lines = [f"# Simulated cluster at scale: {f['gpu_nodes']} GPU nodes", "",
             f"Measured by `benchmarks/sim_scale.py` ({f['machine']}).", "",
             "| what | measured | target |", "|---|---|---|"]
    lines += [f"| {what} | {value} | {target} |" for what, value, target in rows]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
