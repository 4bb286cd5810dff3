"""job-controller (with finalizer-based pod tracking) and the TTL-after-finished controller."""

from __future__ import annotations

from typing import Any

from ..errors import ApiError
from ..resources import JOB, POD
from ..store import Obj, now_rfc3339
from .base import Context, WorkQueue
from .objects import condition, controlled_pods, delete, is_deleting, is_pod_ready, is_terminal
from .podcreate import PodCreator
from .podtemplate import pod_from_template

COMPONENT = "job-controller"
TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking"
_BACKOFF = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
_DEADLINE = ("DeadlineExceeded", "Job was active longer than specified deadline")
_COMPLETED = ("CompletionsReached", "Reached expected number of succeeded pods")


def finished(job: Obj) -> bool:
    return any(c.get("status") == "True" and c.get("type") in ("Complete", "Failed")
               for c in (job.get("status") or {}).get("conditions") or [])


def _condition(type: str, reason: str, message: str, now: str) -> dict[str, Any]:
    return {"type": type, "status": "True", "lastProbeTime": now, "lastTransitionTime": now,
            "reason": reason, "message": message}


class JobController:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._queue = WorkQueue(ctx.clock, self._sync)
        self._pods_creator = PodCreator(ctx, COMPONENT, self._queue.add)
        self._ttl_armed: set[str] = set()
        self._deadline_armed: set[str] = set()
        self._deadline_passed: set[str] = set()

    def stop(self) -> None:
        return None

    def on_event(self, type: str, resource: str, obj: Obj, old: Obj | None) -> None:
        if resource == JOB.key and type != "DELETED":
            self._queue.add(obj["metadata"]["namespace"], obj["metadata"]["name"])
        elif resource == POD.key and type != "DELETED":
            for ref in obj["metadata"].get("ownerReferences") or []:
                if ref.get("kind") == "Job" and ref.get("controller"):
                    self._queue.add(obj["metadata"]["namespace"], ref["name"])
            self._release_orphan(obj)

    def _release_orphan(self, pod: Obj) -> None:
        """A finished pod whose Job is gone or going keeps no tracking finalizer (nothing will count it)."""
        if TRACKING_FINALIZER not in (pod["metadata"].get("finalizers") or []):
            return
        if not (is_terminal(pod) or is_deleting(pod)):
            return
        ref = next((r for r in pod["metadata"].get("ownerReferences") or [] if r.get("controller")), None)
        job = self._ctx.store.find(JOB, pod["metadata"]["namespace"], ref["name"]) if ref is not None else None
        if ref is None or job is None or job["metadata"]["uid"] != ref["uid"] or is_deleting(job):
            self._release(pod)

    def _pods(self, job: Obj) -> list[Obj]:
        """The pods the Job controls, by name."""
        return controlled_pods(self._ctx.store, job["metadata"]["namespace"], job["metadata"]["uid"])

    def _sync(self, namespace: str, name: str) -> None:
        job = self._ctx.store.find(JOB, namespace, name)
        if job is None or is_deleting(job):
            return
        pods = self._pods(job)
        succeeded, failed = self._count_finished(job, pods)
        if finished(job):
            self._arm_ttl(job)
            return
        spec, status = job["spec"], job.get("status") or {}
        now = now_rfc3339()
        start = status.get("startTime") or now
        active = [p for p in pods if not is_terminal(p) and not is_deleting(p)]
        restarts = sum(c.get("restartCount", 0) for p in active for c in (p.get("status") or {}).get(
            "containerStatuses") or [])
        completions = spec.get("completions", 1)
        outcome: tuple[str, str] | None = None
        deadline = spec.get("activeDeadlineSeconds")
        if failed + restarts > spec.get("backoffLimit", 6):
            outcome = _BACKOFF
        elif job["metadata"]["uid"] in self._deadline_passed:
            outcome = _DEADLINE
        elif deadline is not None:
            self._arm_deadline(job, float(deadline))
        if outcome is None and succeeded < completions:
            wanted = min(spec.get("parallelism", 1), completions - succeeded) - len(active)
            for _ in range(max(wanted, 0)):
                created = self._create(job)
                if created is not None:
                    active.append(created)
        if outcome is not None:
            for pod in active:
                delete(self._ctx.store, POD, namespace, pod["metadata"]["name"])
            active = []
        new_status = {**status, "startTime": start, "succeeded": succeeded, "failed": failed,
                      "ready": sum(1 for p in active if is_pod_ready(p)), "active": len(active),
                      "uncountedTerminatedPods": {}}
        for key in ("succeeded", "failed", "active"):
            if not new_status[key]:
                new_status.pop(key)
        new_status["conditions"] = list(status.get("conditions") or [])
        if outcome is not None:
            self._finish(job, new_status, "FailureTarget", "Failed", outcome, "Warning", now)
        elif succeeded >= completions:
            new_status["completionTime"] = now
            self._finish(job, new_status, "SuccessCriteriaMet", "Complete", _COMPLETED, "Normal", now)
        self._write(job, new_status)

    def _finish(self, job: Obj, status: dict[str, Any], target: str, final: str, why: tuple[str, str],
                event_type: str, now: str) -> None:
        for kind in (target, final):
            if condition({"status": status}, kind) is None:
                status["conditions"].append(_condition(kind, why[0], why[1], now))
        if final == "Complete":
            self._ctx.recorder.event(job, "Normal", "Completed", "Job completed", COMPONENT)
        else:
            self._ctx.recorder.event(job, event_type, why[0], why[1], COMPONENT)

    def _count_finished(self, job: Obj, pods: list[Obj]) -> tuple[int, int]:
        """Count terminal pods still holding the tracking finalizer, then release them."""
        status = job.get("status") or {}
        succeeded, failed = status.get("succeeded", 0), status.get("failed", 0)
        for pod in pods:
            if TRACKING_FINALIZER not in (pod["metadata"].get("finalizers") or []):
                continue
            if not (is_terminal(pod) or is_deleting(pod)):
                continue
            if pod["status"].get("phase") == "Succeeded":
                succeeded += 1
            elif is_terminal(pod) or is_deleting(pod):
                failed += 1
            self._release(pod)
        return succeeded, failed

    def _release(self, pod: Obj) -> None:
        def drop(obj: Obj) -> None:
            obj["metadata"]["finalizers"] = [f for f in obj["metadata"].get("finalizers") or []
                                             if f != TRACKING_FINALIZER]

        meta = pod["metadata"]
        try:
            self._ctx.store.update(POD, meta["namespace"], meta["name"], drop)
        except ApiError:
            return

    def _create(self, job: Obj) -> Obj | None:
        meta = job["metadata"]
        extra = {"batch.kubernetes.io/controller-uid": meta["uid"], "controller-uid": meta["uid"],
                 "batch.kubernetes.io/job-name": meta["name"], "job-name": meta["name"]}
        pod = pod_from_template(job, job["spec"].get("template") or {}, extra)
        pod["metadata"]["finalizers"] = [TRACKING_FINALIZER]
        return self._pods_creator.create(job, pod)

    def _write(self, job: Obj, status: dict[str, Any]) -> None:
        if job.get("status") == status:
            return
        meta = job["metadata"]

        def apply(obj: Obj) -> None:
            obj["status"] = status

        try:
            self._ctx.store.update(JOB, meta["namespace"], meta["name"], apply)
        except ApiError:
            return

    def _arm_deadline(self, job: Obj, seconds: float) -> None:
        """Simulated time runs on the manager's clock, so the deadline is a timer from the start."""
        meta = job["metadata"]
        uid = meta["uid"]
        if uid in self._deadline_armed:
            return
        self._deadline_armed.add(uid)

        def passed() -> None:
            self._deadline_passed.add(uid)
            self._queue.add(meta["namespace"], meta["name"])

        self._ctx.clock.after(seconds, passed)

    def _arm_ttl(self, job: Obj) -> None:
        """ttl-after-finished-controller: delete the Job (Background) once its TTL has passed."""
        ttl = job["spec"].get("ttlSecondsAfterFinished")
        uid = job["metadata"]["uid"]
        if ttl is None or uid in self._ttl_armed:
            return
        self._ttl_armed.add(uid)
        meta = job["metadata"]

        def expire() -> None:
            current = self._ctx.store.find(JOB, meta["namespace"], meta["name"])
            if current is not None and current["metadata"]["uid"] == uid:
                delete(self._ctx.store, JOB, meta["namespace"], meta["name"], "Background")

        self._ctx.clock.after(float(ttl), expire)
