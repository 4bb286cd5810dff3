"""Kubelet image pulls and Job outcomes: back-off, deadlines, TTL."""

from __future__ import annotations

from collections.abc import Callable

from gpusim.model import Scenario
from gpusim.resources import JOB, POD

from .conftest import Sim, gpu_node, pod_manifest, scenario

UNREACHABLE = "registry.example.invalid/tools/probe:1.0"


def _job(name: str, command: list[str], **spec: object) -> dict:  # type: ignore[type-arg]
    template = pod_manifest(name, "busybox:1.36", command=command)
    return {"metadata": {"name": name, "namespace": "default"},
            "spec": {"completions": 1, "parallelism": 1, "backoffLimit": 6, **spec,
                     "template": {"metadata": {}, "spec": template["spec"]}}}


def _job_status(sim: Sim, name: str) -> dict:  # type: ignore[type-arg]
    job = sim.store.find(JOB, "default", name)
    return {} if job is None else job.get("status", {})


def _condition(sim: Sim, name: str, kind: str) -> dict | None:  # type: ignore[type-arg]
    return next((c for c in _job_status(sim, name).get("conditions", []) if c["type"] == kind), None)


def test_unreachable_image_goes_err_image_pull_then_back_off(start_sim: Callable[[Scenario], Sim]) -> None:
    sim = start_sim(scenario(gpu_node("gpu-1", "127.0.10.2"), unreachable_images=("registry.example.invalid/*",)))
    sim.store.create(POD, pod_manifest("probe", UNREACHABLE))
    reasons: set[str] = set()

    def both_seen() -> bool:
        pod = sim.pod("probe") or {}
        for status in pod.get("status", {}).get("containerStatuses", []):
            reasons.add(status["state"].get("waiting", {}).get("reason", ""))
        return {"ErrImagePull", "ImagePullBackOff"} <= reasons

    sim.wait(both_seen, what="ErrImagePull then ImagePullBackOff")
    messages = [(e["reason"], e["message"]) for e in sim.events("probe") if e["reason"] in ("Failed", "BackOff")]
    assert ("Failed", "Error: ErrImagePull") in messages
    assert ("Failed", "Error: ImagePullBackOff") in messages
    assert ("BackOff", f'Back-off pulling image "{UNREACHABLE}"') in messages
    pull = next(m for r, m in messages if m.startswith("Failed to pull image"))
    assert pull.startswith(f'Failed to pull image "{UNREACHABLE}": rpc error: code = Unknown desc = ')
    assert sim.phase("probe") == "Pending"


def test_backoff_limit_fails_the_job(start_sim: Callable[[Scenario], Sim]) -> None:
    sim = start_sim(scenario(gpu_node("gpu-1", "127.0.10.2")))
    sim.store.create(JOB, _job("flaky", ["sh", "-c", "echo trying; exit 3"], backoffLimit=1))
    failed = sim.wait(lambda: _condition(sim, "flaky", "Failed"), what="Failed condition")
    assert failed["reason"] == "BackoffLimitExceeded"
    assert failed["message"] == "Job has reached the specified backoff limit"
    assert _condition(sim, "flaky", "FailureTarget") is not None
    assert _job_status(sim, "flaky")["failed"] == 2
    assert sim.events("flaky", "BackoffLimitExceeded")
    assert len(sim.events("flaky", "SuccessfulCreate")) == 2


def test_active_deadline_fails_the_job_and_stops_its_pod(start_sim: Callable[[Scenario], Sim]) -> None:
    sim = start_sim(scenario(gpu_node("gpu-1", "127.0.10.2")))
    sim.store.create(JOB, _job("slow", ["sleep", "3600"], activeDeadlineSeconds=5))
    failed = sim.wait(lambda: _condition(sim, "slow", "Failed"), what="deadline")
    assert failed["reason"] == "DeadlineExceeded"
    assert failed["message"] == "Job was active longer than specified deadline"
    sim.wait(lambda: not sim.pods(), what="pod removal")


def test_ttl_after_finished_deletes_job_and_pods(start_sim: Callable[[Scenario], Sim]) -> None:
    sim = start_sim(scenario(gpu_node("gpu-1", "127.0.10.2")))
    sim.store.create(JOB, _job("short", ["sh", "-c", "echo hi"], ttlSecondsAfterFinished=2))
    sim.wait(lambda: _condition(sim, "short", "Complete"), what="completion")
    pod = sim.pods()[0]["metadata"]["name"]
    assert sim.log(pod, "short") == "hi\n"
    sim.wait(lambda: sim.store.find(JOB, "default", "short") is None and not sim.pods(), what="TTL cleanup")


def test_crashing_pod_counts_restarts(start_sim: Callable[[Scenario], Sim]) -> None:
    sim = start_sim(scenario(gpu_node("gpu-1", "127.0.10.2")))
    sim.store.create(POD, pod_manifest("crash", "busybox:1.36", command=["sh", "-c", "echo bye; exit 2"],
                                       restart="Always"))
    sim.wait(lambda: ((sim.pod("crash") or {}).get("status", {}).get("containerStatuses") or [{}])[0]
             .get("restartCount", 0) >= 3, timeout=15, what="three restarts")
    assert sim.phase("crash") == "Running"
    assert "".join(sim.logs.read("default", "crash", "crash", previous=True) or []) == "bye\n"
