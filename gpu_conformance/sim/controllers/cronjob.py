"""cronjob-controller: Jobs on a cron schedule, concurrency policy, history limits, status.

Schedules follow the wall clock (a minute is a real minute); ``time_scale`` does not apply.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..errors import ApiError
from ..resources import CRONJOB, JOB
from ..store import Obj, clone, parse_rfc3339
from .base import Context
from .cron import CronSchedule
from .job import finished
from .objects import condition, controller_uid, delete, owner_reference

COMPONENT = "cronjob-controller"
_STAMP = "%Y-%m-%dT%H:%M:%SZ"


class CronJobController:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._armed: dict[str, datetime] = {}  # cronjob uid -> armed fire time

    def stop(self) -> None:
        return None

    def on_event(self, type: str, resource: str, obj: Obj, old: Obj | None) -> None:
        if resource == CRONJOB.key and type != "DELETED":
            self._arm(obj)
        elif resource == JOB.key:
            for ref in obj["metadata"].get("ownerReferences") or []:
                if ref.get("kind") == "CronJob" and ref.get("controller"):
                    self._reconcile_jobs(obj["metadata"]["namespace"], ref["name"])

    def _arm(self, cj: Obj, after: datetime | None = None) -> None:
        try:
            schedule = CronSchedule(cj["spec"].get("schedule", ""))
        except ValueError:
            return
        status = cj.get("status") or {}
        since = status.get("lastScheduleTime") or cj["metadata"]["creationTimestamp"]
        due = schedule.next_after(after or datetime.fromtimestamp(parse_rfc3339(since), UTC))
        uid = cj["metadata"]["uid"]
        if self._armed.get(uid) == due:
            return
        self._armed[uid] = due
        meta = cj["metadata"]
        wait = (due - datetime.now(UTC)).total_seconds() / self._ctx.clock.time_scale
        self._ctx.clock.after(max(wait, 0.0), lambda: self._fire(meta["namespace"], meta["name"], uid, due))

    def _fire(self, namespace: str, name: str, uid: str, due: datetime) -> None:
        cj = self._ctx.store.find(CRONJOB, namespace, name)
        if cj is None or cj["metadata"]["uid"] != uid or self._armed.get(uid) != due:
            return
        spec = cj["spec"]
        deadline = spec.get("startingDeadlineSeconds")
        late = (datetime.now(UTC) - due).total_seconds()
        active = self._active_jobs(cj)
        policy = spec.get("concurrencyPolicy", "Allow")
        missed = deadline is not None and late > deadline
        if spec.get("suspend") or missed or (policy == "Forbid" and active):
            self._arm(cj, after=due)
            return
        if policy == "Replace":
            for job in active:
                delete(self._ctx.store, JOB, namespace, job["metadata"]["name"], "Background")
                self._deleted_event(cj, job)
        self._create_job(cj, due)
        self._set_status(namespace, name, last_schedule=due.strftime(_STAMP))

    def _deleted_event(self, cj: Obj, job: Obj) -> None:
        message = f"Deleted job {job['metadata']['name']}"
        self._ctx.recorder.event(cj, "Normal", "SuccessfulDelete", message, COMPONENT)

    def _create_job(self, cj: Obj, due: datetime) -> None:
        template = cj["spec"].get("jobTemplate") or {}
        meta = template.get("metadata") or {}
        name = f"{cj['metadata']['name']}-{int(due.timestamp()) // 60}"
        annotations = {**(meta.get("annotations") or {}),
                       "batch.kubernetes.io/cronjob-scheduled-timestamp": due.strftime(_STAMP)}
        job: Obj = {"metadata": {
            "name": name, "namespace": cj["metadata"]["namespace"], "labels": dict(meta.get("labels") or {}),
            "annotations": annotations, "ownerReferences": [owner_reference(cj)]},
            "spec": clone(template.get("spec") or {})}
        try:
            self._ctx.store.create(JOB, job)
        except ApiError:
            return
        self._ctx.recorder.event(cj, "Normal", "SuccessfulCreate", f"Created job {name}", COMPONENT)

    def _owned_jobs(self, cj: Obj) -> list[Obj]:
        jobs, _ = self._ctx.store.list(JOB, cj["metadata"]["namespace"])
        return [j for j in jobs if controller_uid(j) == cj["metadata"]["uid"]]

    def _active_jobs(self, cj: Obj) -> list[Obj]:
        return [j for j in self._owned_jobs(cj)
                if not finished(j) and not j["metadata"].get("deletionTimestamp")]

    def _reconcile_jobs(self, namespace: str, name: str) -> None:
        cj = self._ctx.store.find(CRONJOB, namespace, name)
        if cj is None:
            return
        owned = self._owned_jobs(cj)
        done = sorted((j for j in owned if finished(j)), key=lambda j: j["metadata"]["creationTimestamp"])
        for kind, default, key in (("Complete", 3, "successfulJobsHistoryLimit"),
                                   ("Failed", 1, "failedJobsHistoryLimit")):
            matching = [j for j in done if (condition(j, kind) or {}).get("status") == "True"]
            limit = cj["spec"].get(key, default)
            for job in matching[:max(len(matching) - limit, 0)]:
                delete(self._ctx.store, JOB, namespace, job["metadata"]["name"], "Background")
                self._deleted_event(cj, job)
        successes = [(condition(j, "Complete") or {}).get("lastTransitionTime") for j in done]
        last_success = max((s for s in successes if s), default=None)
        self._set_status(namespace, name, active=[self._ref(j) for j in self._active_jobs(cj)],
                         last_success=last_success)

    @staticmethod
    def _ref(job: Obj) -> dict[str, Any]:
        meta = job["metadata"]
        return {"apiVersion": "batch/v1", "kind": "Job", "name": meta["name"], "namespace": meta["namespace"],
                "uid": meta["uid"], "resourceVersion": meta["resourceVersion"]}

    def _set_status(self, namespace: str, name: str, *, last_schedule: str | None = None,
                    active: list[dict[str, Any]] | None = None, last_success: str | None = None) -> None:
        def apply(obj: Obj) -> None:
            status = obj.setdefault("status", {})
            if last_schedule is not None:
                status["lastScheduleTime"] = last_schedule
            if last_success is not None:
                status["lastSuccessfulTime"] = last_success
            if active is not None:
                if active:
                    status["active"] = active
                else:
                    status.pop("active", None)

        try:
            self._ctx.store.update(CRONJOB, namespace, name, apply)
        except ApiError:
            return
