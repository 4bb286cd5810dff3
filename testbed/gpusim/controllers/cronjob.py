"""cronjob-controller (v2): Jobs on a cron schedule, concurrency policy, starting deadline, history limits, status.

Each sync does what syncCronJob does: it takes the most recent schedule time that has not run yet (after
status.lastScheduleTime, else the CronJob's creation, and no earlier than startingDeadlineSeconds ago)
and starts its Job unless Forbid finds one active. A run that Forbid held back therefore starts as soon
as the active Job ends, late, if that is within startingDeadlineSeconds of its time; of several missed
times only the latest runs. status.active lists only the Jobs this controller started: a Job made with
``kubectl create job --from=cronjob/...`` is owned by the CronJob but not active (UnexpectedJob), so
Forbid does not wait for it. Syncs follow every change to the CronJob or its Jobs, and the next schedule
time. Schedules follow the wall clock (a minute is a real minute); ``time_scale`` does not apply.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

from ..errors import ApiError
from ..resources import CRONJOB, JOB
from ..store import Obj, clone, parse_rfc3339
from .base import Context, WorkQueue
from .cron import CronSchedule
from .job import finished
from .objects import condition, controller_uid, delete, is_deleting, owner_reference

COMPONENT = "cronjob-controller"
_STAMP = "%Y-%m-%dT%H:%M:%SZ"
_REQUEUE_MARGIN = timedelta(milliseconds=100)  # nextScheduleTimeDuration's


def _time(stamp: str) -> datetime:
    return datetime.fromtimestamp(parse_rfc3339(stamp), UTC)


def _ref(job: Obj) -> dict[str, Any]:
    meta = job["metadata"]
    return {"apiVersion": "batch/v1", "kind": "Job", "name": meta["name"], "namespace": meta["namespace"],
            "uid": meta["uid"], "resourceVersion": meta["resourceVersion"]}


def _finished_as(job: Obj) -> str:
    return next(kind for kind in ("Complete", "Failed") if (condition(job, kind) or {}).get("status") == "True")


def most_recent_schedule(cj: Obj, schedule: CronSchedule, now: datetime) -> datetime | None:
    """The latest schedule time not yet run that is due by ``now`` (mostRecentScheduleTime), if any."""
    status, spec = cj.get("status") or {}, cj["spec"]
    earliest = _time(status.get("lastScheduleTime") or cj["metadata"]["creationTimestamp"])
    deadline = spec.get("startingDeadlineSeconds")
    if deadline is not None:
        earliest = max(earliest, now - timedelta(seconds=int(deadline)))
    due = schedule.next_after(earliest)
    if due > now:
        return None
    while (following := schedule.next_after(due)) <= now:
        due = following
    return due


class CronJobController:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._queue = WorkQueue(ctx.clock, self._sync)
        self._wakeups: dict[tuple[str, str], datetime] = {}
        self._unexpected: set[str] = set()  # uids of Jobs already reported as UnexpectedJob

    def stop(self) -> None:
        return None

    def on_event(self, type: str, resource: str, obj: Obj, old: Obj | None) -> None:
        if resource == CRONJOB.key and type != "DELETED":
            self._queue.add(obj["metadata"]["namespace"], obj["metadata"]["name"])
        elif resource == JOB.key:
            for ref in obj["metadata"].get("ownerReferences") or []:
                if ref.get("kind") == "CronJob" and ref.get("controller"):
                    self._queue.add(obj["metadata"]["namespace"], ref["name"])

    def _event(self, cj: Obj, type: str, reason: str, message: str) -> None:
        self._ctx.recorder.event(cj, type, reason, message, COMPONENT)

    def _sync(self, namespace: str, name: str) -> None:
        cj = self._ctx.store.find(CRONJOB, namespace, name)
        if cj is None:
            return
        status = clone(cj.get("status") or {})
        jobs = self._owned_jobs(cj)
        self._reconcile_active(cj, status, jobs)
        if not is_deleting(cj) and not cj["spec"].get("suspend"):
            try:
                schedule = CronSchedule(cj["spec"].get("schedule", ""))
            except ValueError as err:
                self._event(cj, "Warning", "UnparseableSchedule",
                            f'unparseable schedule: "{cj["spec"].get("schedule", "")}" : {err}')
            else:
                self._start_due(cj, status, schedule)
                self._wake_at(namespace, name, schedule.next_after(datetime.now(UTC)) + _REQUEUE_MARGIN)
        self._write_status(cj, status)
        self._remove_old_jobs(cj)

    def _reconcile_active(self, cj: Obj, status: dict[str, Any], jobs: list[Obj]) -> None:
        """Drop finished and vanished Jobs from status.active; note successes and Jobs it did not start."""
        active = list(status.get("active") or [])
        listed = {ref["uid"] for ref in active}
        for job in jobs:
            uid, job_name = job["metadata"]["uid"], job["metadata"]["name"]
            if not finished(job):
                if uid not in listed and uid not in self._unexpected:
                    self._unexpected.add(uid)
                    self._event(cj, "Warning", "UnexpectedJob",
                                f"Saw a job that the controller did not create or forgot: {job_name}")
                continue
            if uid in listed:
                active = [ref for ref in active if ref["uid"] != uid]
                self._event(cj, "Normal", "SawCompletedJob",
                            f"Saw completed job: {job_name}, condition: {_finished_as(job)}")
            completed = (job.get("status") or {}).get("completionTime")
            if _finished_as(job) == "Complete" and completed and (not status.get("lastSuccessfulTime") or
                              _time(completed) > _time(status["lastSuccessfulTime"])):
                status["lastSuccessfulTime"] = completed
        present = {job["metadata"]["uid"] for job in jobs}
        for ref in [r for r in active if r["uid"] not in present]:
            self._event(cj, "Normal", "MissingJob", f"Active job went missing: {ref['name']}")
            active.remove(ref)
        status["active"] = active

    def _start_due(self, cj: Obj, status: dict[str, Any], schedule: CronSchedule) -> None:
        spec = cj["spec"]
        now = datetime.now(UTC)
        due = most_recent_schedule({**cj, "status": status}, schedule, now)
        if due is None:
            return
        deadline = spec.get("startingDeadlineSeconds")
        if deadline is not None and due + timedelta(seconds=int(deadline)) < now:
            self._event(cj, "Warning", "MissSchedule",
                        f"Missed scheduled time to start a job: {format_datetime(due)}")
            return
        job_name = self._job_name(cj, due)
        if any(ref["name"] == job_name for ref in status["active"]) or status.get("lastScheduleTime") == (
                due.strftime(_STAMP)):
            return
        policy = spec.get("concurrencyPolicy", "Allow")
        if policy == "Forbid" and status["active"]:
            self._event(cj, "Normal", "JobAlreadyActive",
                        "Not starting job because prior execution is running and concurrency policy is Forbid")
            return
        if policy == "Replace":
            for ref in status["active"]:
                delete(self._ctx.store, JOB, ref["namespace"], ref["name"], "Background")
                self._event(cj, "Normal", "SuccessfulDelete", f"Deleted job {ref['name']}")
            status["active"] = []
        job = self._create_job(cj, job_name, due)
        if job is not None:
            status["active"].append(_ref(job))
            status["lastScheduleTime"] = due.strftime(_STAMP)

    @staticmethod
    def _job_name(cj: Obj, due: datetime) -> str:
        return f"{cj['metadata']['name']}-{int(due.timestamp()) // 60}"

    def _create_job(self, cj: Obj, name: str, due: datetime) -> Obj | None:
        template = cj["spec"].get("jobTemplate") or {}
        meta = template.get("metadata") or {}
        annotations = {**(meta.get("annotations") or {}),
                       "batch.kubernetes.io/cronjob-scheduled-timestamp": due.strftime(_STAMP)}
        job: Obj = {"metadata": {
            "name": name, "namespace": cj["metadata"]["namespace"], "labels": dict(meta.get("labels") or {}),
            "annotations": annotations, "ownerReferences": [owner_reference(cj)]},
            "spec": clone(template.get("spec") or {})}
        try:
            created = self._ctx.store.create(JOB, job)
        except ApiError as err:
            self._event(cj, "Warning", "FailedCreate", f"Error creating job: {err.message}")
            return None
        self._event(cj, "Normal", "SuccessfulCreate", f"Created job {name}")
        return created

    def _wake_at(self, namespace: str, name: str, when: datetime) -> None:
        key = (namespace, name)
        if self._wakeups.get(key) == when:
            return
        self._wakeups[key] = when
        seconds = (when - datetime.now(UTC)).total_seconds() / self._ctx.clock.time_scale
        self._queue.add(namespace, name, after=max(seconds, 0.0))

    def _owned_jobs(self, cj: Obj) -> list[Obj]:
        jobs, _ = self._ctx.store.list(JOB, cj["metadata"]["namespace"])
        return [j for j in jobs if controller_uid(j) == cj["metadata"]["uid"]]

    def _remove_old_jobs(self, cj: Obj) -> None:
        """successfulJobsHistoryLimit and failedJobsHistoryLimit: the oldest finished Jobs beyond them go."""
        done = sorted((j for j in self._owned_jobs(cj) if finished(j)),
                      key=lambda j: (j.get("status") or {}).get("startTime") or j["metadata"]["creationTimestamp"])
        namespace = cj["metadata"]["namespace"]
        for kind, key in (("Complete", "successfulJobsHistoryLimit"), ("Failed", "failedJobsHistoryLimit")):
            limit = cj["spec"].get(key)
            matching = [j for j in done if _finished_as(j) == kind]
            if limit is None:
                continue
            for job in matching[:max(len(matching) - limit, 0)]:
                delete(self._ctx.store, JOB, namespace, job["metadata"]["name"], "Background")
                self._event(cj, "Normal", "SuccessfulDelete", f"Deleted job {job['metadata']['name']}")

    def _write_status(self, cj: Obj, status: dict[str, Any]) -> None:
        if not status.get("active"):
            status.pop("active", None)
        if status == (cj.get("status") or {}):
            return

        def apply(obj: Obj) -> None:
            if obj["metadata"]["uid"] == cj["metadata"]["uid"]:
                obj["status"] = status

        try:
            self._ctx.store.update(CRONJOB, cj["metadata"]["namespace"], cj["metadata"]["name"], apply)
        except ApiError:
            return
