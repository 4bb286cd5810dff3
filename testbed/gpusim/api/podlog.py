"""``pods/log``: container logs from the LogStore, with the kubelet's checks and error wording."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import bad_request, not_found
from ..resources import POD
from ..store import now_rfc3339
from .context import ApiContext
from .messages import Obj, Reply, Request, Route, StreamReply

_FOLLOW_POLL_SECONDS = 0.25
TEXT = "text/plain"


def _names(spec: Obj, key: str) -> list[str]:
    return [c.get("name", "") for c in spec.get(key) or []]


def _choose_container(pod: Obj, requested: str) -> str:
    spec, name = pod.get("spec") or {}, pod["metadata"]["name"]
    containers, inits = _names(spec, "containers"), _names(spec, "initContainers")
    if not requested:
        if len(containers) == 1:
            return containers[0]
        message = (
            f"a container name must be specified for pod {name}, choose one of: [{' '.join(containers)}]"
        )
        if inits:
            message += f" or one of the init containers: [{' '.join(inits)}]"
        raise bad_request(message)
    if requested not in containers + inits + _names(spec, "ephemeralContainers"):
        raise bad_request(f"container {requested} is not valid for pod {name}")
    return requested


def _container_status(pod: Obj, container: str) -> Obj | None:
    status = pod.get("status") or {}
    for key in ("containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"):
        for entry in status.get(key) or []:
            if entry.get("name") == container:
                return dict(entry)
    return None


def _check_state(pod: Obj, container: str, previous: bool) -> None:
    """The kubelet's validateContainerLogStatus: which states have logs to show."""
    name = pod["metadata"]["name"]
    status = _container_status(pod, container)
    if status is None:
        raise bad_request(f'container "{container}" in pod "{name}" is not available')
    state, last = status.get("state") or {}, (status.get("lastState") or {}).get("terminated")
    if previous:
        if not last:
            raise bad_request(f'previous terminated container "{container}" in pod "{name}" not found')
    elif "running" in state or "terminated" in state or last:
        return
    elif "waiting" in state:
        reason = (state["waiting"] or {}).get("reason", "")
        detail = {
            "ErrImagePull": "image can't be pulled",
            "ImagePullBackOff": "trying and failing to pull image",
        }.get(reason, reason)
        raise bad_request(f'container "{container}" in pod "{name}" is waiting to start: {detail}')
    else:
        raise bad_request(f'container "{container}" in pod "{name}" is waiting to start - no logs yet')


def _shape(lines: list[str], req: Request, stamp: str) -> bytes:
    tail = req.int_param("tailLines")
    if tail is not None:
        lines = lines[-tail:] if tail > 0 else []
    if req.flag("timestamps"):
        lines = [f"{stamp} {line}" for line in lines]
    data = "".join(lines).encode()
    limit = req.int_param("limitBytes")
    return data[:limit] if limit is not None else data


def pod_log(ctx: ApiContext, req: Request, route: Route) -> Reply | StreamReply:
    pod = ctx.store.find(POD, route.namespace, route.name)
    if pod is None:
        raise not_found("pods", "", route.name)
    container = _choose_container(pod, req.query.get("container", ""))
    if not (pod.get("spec") or {}).get("nodeName"):
        return Reply(200, b"", TEXT)  # not scheduled: the apiserver has no kubelet to ask
    previous = req.flag("previous")
    _check_state(pod, container, previous)
    key = (route.namespace, route.name, container)
    stamp = now_rfc3339().replace("Z", ".000000000Z")
    lines = ctx.logs.read(*key, previous=previous) or []
    if previous or not req.flag("follow"):
        return Reply(200, _shape(lines, req, stamp), TEXT)

    def follow() -> Iterator[bytes]:
        sent, budget = len(lines), req.int_param("limitBytes")
        first = _shape(lines, req, stamp)
        yield first
        budget = None if budget is None else budget - len(first)
        while not ctx.stopping.is_set() and (budget is None or budget > 0):
            more, running = ctx.logs.follow(*key, sent, _FOLLOW_POLL_SECONDS)
            sent += len(more)
            if more:
                stamped = (
                    [f"{now_rfc3339().replace('Z', '.000000000Z')} {line}" for line in more]
                    if req.flag("timestamps")
                    else more
                )
                chunk = "".join(stamped).encode()
                chunk = chunk if budget is None else chunk[:budget]
                budget = None if budget is None else budget - len(chunk)
                yield chunk
            if not running:
                return

    return StreamReply(TEXT, follow)
