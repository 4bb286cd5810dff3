"""deploy/ in the cluster, end to end: `kubectl apply -k`, runs as the pod's ServiceAccount, no overlap, no leftovers.

Real kubectl against the simulated cluster, whose kubelet runs the project's image as the real CLI with
what a container gets: the ``kubernetes`` Service's variables, the ServiceAccount token volume, the
profile ConfigMap and the results PVC as directories. Each test deploys deploy/ through a kustomization
of its own, as a user would change it: a shorter timeout in the profile, an every-minute schedule.
CronJob schedules follow the wall clock, so the overlap test waits for real minutes (about two).
"""

from __future__ import annotations

import json
import os
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from gpusim.cluster import SimCluster
from gpusim.controllers.persistentvolumes import volume_directory
from gpusim.testing import StartCluster, eventually, kubectl

from gpu_conformance.kube.run import MANAGED_BY, MANAGER
from gpu_conformance.reporting.allure_cli import cache_dir, install
from tests.suite.suite_runner import ROOT

pytestmark = [pytest.mark.kubectl, pytest.mark.e2e]
DEPLOY = ROOT / "deploy"
NAMESPACE = CRONJOB = "gpu-conformance"
MANAGED = f"{MANAGED_BY}={MANAGER}"
CONTAINER = "/spec/jobTemplate/spec/template/spec/containers/0"
# A cluster where a run stays busy for 10 s or so once its vectoradd Jobs exist: k8s-node06's device plugin
# crash-loops, so with both gpu-node=true nodes checked, its vectoradd pod stays Unschedulable.
BUSY = "plugin-crashloop"
BUSY_PROFILE = {"gpu-node-selector": "gpu-node=true"}
# A vectoradd that never ends (the pause image): a run lasts until the pod's activeDeadlineSeconds, the
# profile's timeout in simulated seconds, 70 s at the test clusters' time scale of 0.2.
OVER_A_MINUTE = {"vectoradd-image": "registry.k8s.io/pause:3.10", "pod-timeout": 350}
SCHEDULED_FOR = "batch.kubernetes.io/cronjob-scheduled-timestamp"
STAMP = "%Y-%m-%dT%H:%M:%SZ"
LOCKED_OUT = ("gpu-conformance run: --results-dir /reports: another run is using it (it holds /reports/.run.lock); "
              "runs never overlap, start this one when it has ended")


def deploy(cluster: SimCluster, tmp_path: Path, *, profile: dict[str, Any] | None = None,
           schedule: str | None = None, allure: Path | None = None) -> None:
    """`kubectl apply -k` a kustomization over deploy/ with these changes to the profile and the CronJob.

    The image's GPU_CONFORMANCE_ALLURE names its Allure; here ``allure`` (else a missing file: no report).
    """
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    configmap = yaml.safe_load((DEPLOY / "configmap.yaml").read_text())
    settings = {**yaml.safe_load(configmap["data"]["profile.yaml"]), **(profile or {})}
    configmap["data"] = {"profile.yaml": yaml.safe_dump(settings)}
    operations: list[dict[str, Any]] = [{"op": "add", "path": f"{CONTAINER}/env/-", "value": {
        "name": "GPU_CONFORMANCE_ALLURE", "value": str(allure or tmp_path / "no-allure")}}]
    if schedule is not None:
        operations.append({"op": "replace", "path": "/spec/schedule", "value": schedule})
    kustomization = {
        "resources": [os.path.relpath(DEPLOY, overlay)],
        "patches": [{"patch": yaml.safe_dump(configmap)},
                    {"target": {"kind": "CronJob", "name": CRONJOB}, "patch": yaml.safe_dump(operations)}],
    }
    (overlay / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
    kubectl(cluster, "apply", "-k", str(overlay))


def in_namespace(cluster: SimCluster, *args: str, check: bool = True) -> str:
    return kubectl(cluster, "-n", NAMESPACE, *args, check=check, timeout=60).stdout


def start_manual_run(cluster: SimCluster, name: str) -> None:
    in_namespace(cluster, "create", "job", f"--from=cronjob/{CRONJOB}", name)


def finished(cluster: SimCluster, job: str, timeout: float = 120) -> str:
    """Wait for the Job to end; "Complete" or "Failed"."""
    def outcome() -> str:
        types = in_namespace(cluster, "get", "job", job, "-o",
                             'jsonpath={.status.conditions[?(@.status=="True")].type}').split()
        return next((t for t in types if t in ("Complete", "Failed")), "")

    return str(eventually(outcome, timeout=timeout, what=f"job {job} finished"))


def run_log(cluster: SimCluster, job: str) -> str:
    return in_namespace(cluster, "logs", f"job/{job}")


def runner_pod(cluster: SimCluster, job: str) -> str:
    def name() -> str:
        return in_namespace(cluster, "get", "pods", "-l", f"batch.kubernetes.io/job-name={job}", "-o",
                            "jsonpath={.items[0].metadata.name}", check=False)

    return str(eventually(name, timeout=30, what=f"the pod of job {job}"))


def managed(cluster: SimCluster) -> list[str]:
    """The suite's own probe pods and vectoradd Jobs, by their label."""
    return kubectl(cluster, "get", "jobs,pods", "-A", "-l", MANAGED, "-o", "name").stdout.split()


def once_vectoradd_jobs_exist(cluster: SimCluster) -> list[str]:
    """The run is mid-way: its probe pods and vectoradd Jobs exist. What the suite has created then."""
    def mid_run() -> list[str]:
        created = managed(cluster)
        return created if any(name.startswith("job.batch/") for name in created) else []

    return list(eventually(mid_run, timeout=60, what="the run's vectoradd Jobs"))


def results_dir(cluster: SimCluster) -> Path:
    """The PVC's volume directory: the node's disk, which the runner pods mount at /reports."""
    volume = in_namespace(cluster, "get", "pvc", "gpu-conformance-reports", "-o", "jsonpath={.spec.volumeName}")
    pv = json.loads(kubectl(cluster, "get", "pv", volume, "-o", "json").stdout)
    assert cluster.workdir is not None
    found = volume_directory(cluster.workdir / "volumes", pv)
    assert found is not None
    return found


POD = """
apiVersion: v1
kind: Pod
metadata: {name: %(name)s, namespace: gpu-conformance}
spec:
  serviceAccountName: gpu-conformance
  %(automount)s
  restartPolicy: Never
  containers:
  - name: client
    image: ghcr.io/gpu-conformance/gpu-conformance:0.1.0
    command: [python, -u, -c, "%(script)s"]
"""
# What the kubernetes client makes of the pod it runs in: its in-cluster config, then two requests.
CLIENT = ("import os; from kubernetes import client, config; print(os.environ['KUBERNETES_SERVICE_HOST']); "
          "config.load_incluster_config(); api = client.CoreV1Api(); print(len(api.list_node().items), 'nodes'); "
          "api.list_namespaced_config_map('gpu-conformance')")


def client_in_pod(cluster: SimCluster, name: str, automount: str) -> tuple[str, str]:
    """Run CLIENT in a pod of deploy/'s ServiceAccount; its phase and log."""
    kubectl(cluster, "apply", "-f", "-", stdin=POD % {"name": name, "automount": automount, "script": CLIENT})

    def ended() -> str:
        phase = in_namespace(cluster, "get", "pod", name, "-o", "jsonpath={.status.phase}")
        return phase if phase in ("Succeeded", "Failed") else ""

    return str(eventually(ended, timeout=60, what=f"pod {name} finished")), in_namespace(cluster, "logs", name)


def test_a_pod_uses_its_own_service_account_token_and_rbac_applies_to_it(start_cluster: StartCluster,
                                                                        tmp_path: Path) -> None:
    cluster = start_cluster("seed")
    deploy(cluster, tmp_path)
    phase, log = client_in_pod(cluster, "with-token", "automountServiceAccountToken: true")
    host, nodes = log.splitlines()[:2]
    assert (host, nodes) == ("127.0.0.1", "3 nodes")
    assert phase == "Failed" and (
        'configmaps is forbidden: User \\"system:serviceaccount:gpu-conformance:gpu-conformance\\" cannot list '
        'resource \\"configmaps\\" in API group \\"\\" in the namespace \\"gpu-conformance\\"') in log
    # deploy/'s ServiceAccount says automountServiceAccountToken: false; a pod that does not ask gets no token.
    phase, log = client_in_pod(cluster, "without-token", "")
    assert phase == "Failed" and log.splitlines()[0] == "127.0.0.1"
    assert "kubernetes.config.config_exception.ConfigException: Service token file does not exist." in log


def test_a_manual_run_passes_as_the_service_account_and_keeps_its_results_on_the_volume(
        start_cluster: StartCluster, tmp_path: Path) -> None:
    cluster = start_cluster("hardened")  # seed leaks GPUs to pods without a request: its SEC checks fail
    deploy(cluster, tmp_path, allure=Path(install(cache_dir())))  # installed on first use, as the command would
    start_manual_run(cluster, "manual-1")
    outcome = finished(cluster, "manual-1", timeout=180)
    log = run_log(cluster, "manual-1")
    assert outcome == "Complete", log[-3000:]
    reports = results_dir(cluster)
    summary = json.loads((reports / "summary.json").read_text())
    assert summary["totals"]["passed"] >= 20 and summary["totals"]["failed"] == 0, summary["totals"]
    assert "missing permission" not in log and "summary: /reports/summary.json" in log
    assert (reports / "junit.xml").is_file() and any((reports / "allure-results").glob("*-result.json"))
    executor = json.loads((reports / "allure-results" / "executor.json").read_text())
    assert (executor["type"], executor["buildName"]) == ("kubernetes", runner_pod(cluster, "manual-1"))
    assert "HTML report: /reports/html/index.html" in log.splitlines()
    assert (reports / "html" / "index.html").is_file() and (reports / "history.jsonl").is_file()
    assert managed(cluster) == []


def scheduled_runs(cluster: SimCluster) -> dict[str, dict[str, Any]]:
    """The CronJob's own Jobs by the time they were scheduled for ("2026-01-01T10:00:00Z")."""
    jobs = json.loads(in_namespace(cluster, "get", "jobs", "-o", "json"))["items"]
    return {due: job for job in jobs
            if (due := (job["metadata"].get("annotations") or {}).get(SCHEDULED_FOR))}


def ended_at(job: dict[str, Any]) -> str | None:
    return next((c["lastTransitionTime"] for c in (job.get("status") or {}).get("conditions") or []
                 if c["type"] in ("Complete", "Failed") and c["status"] == "True"), None)


def test_scheduled_runs_never_overlap_and_a_manual_run_beside_one_stops_at_once(start_cluster: StartCluster,
                                                                                 tmp_path: Path) -> None:
    """Forbid holds the next scheduled run back while one is active, and starts it when that one ends."""
    cluster = start_cluster("seed")
    deploy(cluster, tmp_path, profile=OVER_A_MINUTE, schedule="* * * * *")
    first_due = str(eventually(lambda: min(scheduled_runs(cluster), default=""), timeout=75,
                               what="the first scheduled run"))
    once_vectoradd_jobs_exist(cluster)

    start_manual_run(cluster, "manual-beside")
    assert finished(cluster, "manual-beside") == "Failed"
    assert run_log(cluster, "manual-beside").strip().splitlines() == [LOCKED_OUT]

    next_due = (datetime.fromisoformat(first_due) + timedelta(minutes=1)).strftime(STAMP)
    overlapping: list[list[str]] = []  # scheduled runs seen active together
    give_up = time.monotonic() + 150  # the next minute, then the rest of the first run's 70 s
    while next_due not in (runs := scheduled_runs(cluster)):
        active = [due for due, job in runs.items() if ended_at(job) is None]
        if len(active) > 1:
            overlapping.append(active)
        assert time.monotonic() < give_up, f"the run held back at {next_due} never started"
        time.sleep(0.5)
    assert overlapping == []
    # The first run was still going at the next minute: that run waited, then started once the first ended.
    first_end = ended_at(runs[first_due])
    assert first_end is not None and first_end > next_due, f"the first run ended at {first_end}, within its minute"
    assert runs[next_due]["metadata"]["creationTimestamp"] >= first_end
    events = in_namespace(cluster, "get", "events", "--field-selector", f"involvedObject.name={CRONJOB}",
                          "-o", "jsonpath={range .items[*]}{.reason}: {.message}{'\\n'}{end}").splitlines()
    assert ("JobAlreadyActive: Not starting job because prior execution is running and concurrency policy is "
            "Forbid") in events
    assert "UnexpectedJob: Saw a job that the controller did not create or forgot: manual-beside" in events


def test_a_run_killed_outright_leaves_its_objects_to_the_next_run_which_removes_them(start_cluster: StartCluster,
                                                                                    tmp_path: Path) -> None:
    """Its heartbeat stops: the next run, started at once, removes what it left before creating anything."""
    cluster = start_cluster(BUSY)
    deploy(cluster, tmp_path, profile={**BUSY_PROFILE, "pod-timeout": 15})
    start_manual_run(cluster, "killed")
    left = once_vectoradd_jobs_exist(cluster)
    in_namespace(cluster, "delete", "pod", runner_pod(cluster, "killed"), "--grace-period=0", "--force")
    assert finished(cluster, "killed") == "Failed"
    still_there = managed(cluster)
    assert left and set(left) <= set(still_there), (left, still_there)

    start_manual_run(cluster, "next")
    finished(cluster, "next", timeout=120)
    log = run_log(cluster, "next")
    prefix = "gpu-conformance: removed leftover of an earlier run: "
    removed = [line.removeprefix(prefix).split() for line in log.splitlines() if line.startswith(prefix)]
    assert sorted(f"{kind.lower()}/{name.split('/')[1]}" for kind, name in removed) == sorted(
        name.replace("job.batch/", "job/") for name in still_there), log[-3000:]
    assert managed(cluster) == []


def test_a_run_deleted_with_grace_cleans_up_after_itself(start_cluster: StartCluster, tmp_path: Path) -> None:
    """The kubelet's SIGTERM reaches pytest, which deletes the run's objects long before the grace period ends."""
    cluster = start_cluster(BUSY)
    deploy(cluster, tmp_path, profile=BUSY_PROFILE)  # timeout 300: the run would wait minutes for its vectoradd
    start_manual_run(cluster, "deleted")
    assert once_vectoradd_jobs_exist(cluster)
    in_namespace(cluster, "delete", "pod", runner_pod(cluster, "deleted"), "--wait=false")
    # Within 15 s: the grace period (90 simulated seconds, 18 s here) has not ended, so no SIGKILL yet.
    eventually(lambda: managed(cluster) == [], timeout=15, what="the run's objects deleted")
    # The cleanup above is the point; the pod then goes when its process exits, or at the grace period's end
    # under a loaded machine: either way it goes.
    eventually(lambda: in_namespace(cluster, "get", "pods", "-o", "name") == "", timeout=60,
               what="the runner pod gone, its process ended")
    assert finished(cluster, "deleted") == "Failed"
