"""Server-side printing: durations, pod STATUS/RESTARTS, node roles, job status, label formatting."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from gpusim.api.tables.core import event_row
from gpusim.api.tables.duration import human_duration
from gpusim.api.tables.formatting import format_label_selector
from gpusim.api.tables.nodes import node_roles
from gpusim.api.tables.pods import pod_row
from gpusim.api.tables.workloads import job_status


def ago(seconds: float) -> str:
    return datetime.fromtimestamp(time.time() - seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (-5, "<invalid>"),
        (5, "5s"),
        (119, "119s"),
        (182, "3m2s"),
        (240, "4m"),
        (1500, "25m"),
        (4 * 3600 + 60, "4h1m"),
        (41 * 3600, "41h"),
        (51 * 3600, "2d3h"),
        (30 * 86400, "30d"),
        (3 * 365 * 86400 + 86400, "3y1d"),
    ],
)
def test_human_duration(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


def pod(statuses: list[dict[str, Any]], phase: str = "Running", **meta: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "p", "creationTimestamp": ago(30), **meta},
        "spec": {"containers": [{"name": s["name"]} for s in statuses], "nodeName": "n1"},
        "status": {"phase": phase, "podIP": "10.0.0.5", "containerStatuses": statuses},
    }


@pytest.mark.parametrize(
    ("state", "phase", "expected"),
    [
        ({"running": {}}, "Running", "Running"),
        ({"terminated": {"exitCode": 0, "reason": "Completed"}}, "Succeeded", "Completed"),
        ({"terminated": {"exitCode": 1, "reason": "Error"}}, "Failed", "Error"),
        ({"waiting": {"reason": "CrashLoopBackOff"}}, "Running", "CrashLoopBackOff"),
        ({"waiting": {"reason": "ErrImagePull"}}, "Pending", "ErrImagePull"),
        ({"waiting": {"reason": "ImagePullBackOff"}}, "Pending", "ImagePullBackOff"),
        ({"waiting": {"reason": "ContainerCreating"}}, "Pending", "ContainerCreating"),
        ({"terminated": {"exitCode": 137}}, "Failed", "ExitCode:137"),
    ],
)
def test_pod_status_column(state: dict[str, Any], phase: str, expected: str) -> None:
    cells, _ = pod_row(
        pod([{"name": "c", "ready": "running" in state, "restartCount": 0, "state": state}], phase)
    )
    assert cells[2] == expected


def test_pod_restarts_ready_terminating_and_completed_condition() -> None:
    status = {
        "name": "c",
        "ready": True,
        "restartCount": 3,
        "state": {"running": {}},
        "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(12)}},
    }
    cells, conditions = pod_row(pod([status], deletionTimestamp=ago(0)))
    assert cells[1:4] == ["1/1", "Terminating", "3 (12s ago)"] and cells[5:] == [
        "10.0.0.5",
        "n1",
        "<none>",
        "<none>",
    ]
    assert conditions is None
    _, done = pod_row(pod([], "Succeeded"))
    assert done == [
        {
            "type": "Completed",
            "status": "True",
            "reason": "Succeeded",
            "message": "The pod has completed successfully.",
        }
    ]


def test_node_roles_and_selector_formatting() -> None:
    assert (
        node_roles({"node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "gpu"})
        == "control-plane,gpu"
    )
    assert node_roles({"nvidia.com/gpu.present": "true"}) == "<none>"
    selector = {
        "matchLabels": {"b": "2", "a": "1"},
        "matchExpressions": [{"key": "c", "operator": "In", "values": ["y", "x"]}],
    }
    assert format_label_selector(selector) == "a=1,b=2,c in (x,y)"
    assert format_label_selector(None) == "<none>"


def test_job_status_wording() -> None:
    def job(*conditions: str, **meta: Any) -> dict[str, Any]:
        return {
            "metadata": meta,
            "status": {"conditions": [{"type": c, "status": "True"} for c in conditions]},
        }

    assert job_status(job("Complete")) == "Complete"
    assert job_status(job("Failed")) == "Failed"
    assert job_status(job("Suspended")) == "Suspended"
    assert job_status(job()) == "Running"


def test_event_row_uses_wide_cells() -> None:
    event = {
        "metadata": {"name": "e1"},
        "type": "Warning",
        "reason": "FailedScheduling",
        "involvedObject": {"kind": "Pod", "name": "vec"},
        "message": "0/3 nodes are available ",
        "source": {"component": "default-scheduler"},
        "count": 4,
        "firstTimestamp": ago(200),
        "lastTimestamp": ago(5),
    }
    assert event_row(event) == [
        "5s",
        "Warning",
        "FailedScheduling",
        "pod/vec",
        "",
        "default-scheduler",
        "0/3 nodes are available",
        "3m20s",
        4,
        "e1",
    ]
