"""Printers for DaemonSets, Jobs (1.30+ STATUS column) and CronJobs."""

from __future__ import annotations

import time
from typing import Any

from .columns import Column, age_column, column, name_column, template_columns
from .duration import human_duration, parse_time, since
from .formatting import NONE, container_names_and_images, format_label_selector, format_labels

Obj = dict[str, Any]

DAEMONSET_COLUMNS: list[Column] = [
    name_column(),
    column(
        "Desired",
        "integer",
        description="The total number of nodes that should be running the daemon pod "
        "(including nodes correctly running the daemon pod).",
    ),
    column(
        "Current",
        "integer",
        description="The number of nodes that are running at least 1 daemon pod and are "
        "supposed to run the daemon pod.",
    ),
    column(
        "Ready",
        "integer",
        description="numberReady is the number of nodes that should be running the daemon "
        "pod and have one or more of the daemon pod running with a Ready Condition.",
    ),
    column(
        "Up-to-date", "integer", description="The total number of nodes that are running updated daemon pod"
    ),
    column(
        "Available",
        "integer",
        description="The number of nodes that should be running the daemon pod and "
        "have one or more of the daemon pod running and available (ready for at least "
        "spec.minReadySeconds)",
    ),
    column(
        "Node Selector",
        description="NodeSelector is a selector which must be true for the pod to fit on a "
        "node. Selector which must match a node's labels for the pod to be scheduled on that node.",
    ),
    age_column(),
    *template_columns("A label query over pods that are managed by the daemon set."),
]

JOB_COLUMNS: list[Column] = [
    name_column(),
    column("Status", description="Status of the job."),
    column("Completions", description="The completion status of the job"),
    column("Duration", description="Time required to complete the job."),
    age_column(),
    *template_columns("A label query over pods that should match the pod count."),
]

CRONJOB_COLUMNS: list[Column] = [
    name_column(),
    column("Schedule", description="The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
    column("Timezone", description="The time zone name for the given schedule."),
    column(
        "Suspend",
        "boolean",
        description="This flag tells the controller to suspend subsequent executions, it "
        "does not apply to already started executions.  Defaults to false.",
    ),
    column("Active", "integer", description="A list of pointers to currently running jobs."),
    column(
        "Last Schedule", description="Information when was the last time the job was successfully scheduled."
    ),
    age_column(),
    *template_columns("A label query over pods that should match the pod count."),
]


def daemonset_row(ds: Obj) -> list[Any]:
    meta, spec, status = ds["metadata"], ds.get("spec") or {}, ds.get("status") or {}
    pod_spec = (spec.get("template") or {}).get("spec") or {}
    names, images = container_names_and_images(pod_spec)
    return [
        meta["name"],
        status.get("desiredNumberScheduled", 0),
        status.get("currentNumberScheduled", 0),
        status.get("numberReady", 0),
        status.get("updatedNumberScheduled", 0),
        status.get("numberAvailable", 0),
        format_labels(pod_spec.get("nodeSelector")),
        since(meta.get("creationTimestamp")),
        names,
        images,
        format_label_selector(spec.get("selector")),
    ]


def _has(conditions: list[Obj], kind: str) -> bool:
    return any(c.get("type") == kind and c.get("status") == "True" for c in conditions)


def job_status(job: Obj) -> str:
    conditions = (job.get("status") or {}).get("conditions") or []
    if _has(conditions, "Complete"):
        return "Complete"
    if _has(conditions, "Failed"):
        return "Failed"
    if job["metadata"].get("deletionTimestamp"):
        return "Terminating"
    for kind in ("Suspended", "FailureTarget", "SuccessCriteriaMet"):
        if _has(conditions, kind):
            return kind
    return "Running"


def job_row(job: Obj) -> list[Any]:
    meta, spec, status = job["metadata"], job.get("spec") or {}, job.get("status") or {}
    succeeded = status.get("succeeded", 0)
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{spec['completions']}"
    elif (spec.get("parallelism") or 0) > 1:
        completions = f"{succeeded}/1 of {spec['parallelism']}"
    else:
        completions = f"{succeeded}/1"
    duration = ""
    if status.get("startTime"):
        end = parse_time(status["completionTime"]) if status.get("completionTime") else time.time()
        duration = human_duration(end - parse_time(status["startTime"]))
    pod_spec = (spec.get("template") or {}).get("spec") or {}
    names, images = container_names_and_images(pod_spec)
    return [
        meta["name"],
        job_status(job),
        completions,
        duration,
        since(meta.get("creationTimestamp")),
        names,
        images,
        format_label_selector(spec.get("selector")),
    ]


def cronjob_row(cronjob: Obj) -> list[Any]:
    meta, spec, status = cronjob["metadata"], cronjob.get("spec") or {}, cronjob.get("status") or {}
    job_spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    names, images = container_names_and_images((job_spec.get("template") or {}).get("spec") or {})
    suspend = spec.get("suspend")
    return [
        meta["name"],
        spec.get("schedule", ""),
        spec.get("timeZone") or NONE,
        "<unset>" if suspend is None else str(bool(suspend)),
        len(status.get("active") or []),
        since(status["lastScheduleTime"]) if status.get("lastScheduleTime") else NONE,
        since(meta.get("creationTimestamp")),
        names,
        images,
        format_label_selector(job_spec.get("selector")),
    ]
