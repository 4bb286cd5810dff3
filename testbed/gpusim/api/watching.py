"""Watch streams: newline-delimited ``{"type", "object"}`` events over a chunked response.

A watch whose resourceVersion is too old is answered 200 with one ERROR event carrying the 410
Status, as the apiserver's watch cache does. ``sendInitialEvents=true`` replays the current state
and marks its end with a BOOKMARK annotated ``k8s.io/initial-events-end``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from ..errors import ApiError
from ..store import Watch
from . import reads, tables
from .context import ApiContext
from .messages import Obj, Request, Route, StreamReply, dumps
from .versioning import outgoing

DEFAULT_TIMEOUT_SECONDS = 1800  # the apiserver's --min-request-timeout
_POLL_SECONDS = 0.5


def _bookmark(route: Route, rv: str, initial_end: bool) -> Obj:
    meta: Obj = {"resourceVersion": rv}
    if initial_end:
        meta["annotations"] = {"k8s.io/initial-events-end": "true"}
    return {"kind": route.rt.kind, "apiVersion": route.api_version, "metadata": meta}


def watch(ctx: ApiContext, req: Request, route: Route) -> StreamReply:
    rt = route.rt
    pred = reads.predicate(req, rt)
    if route.name:
        by_name = route.name

        def named(obj: Obj) -> bool:
            return obj["metadata"].get("name") == by_name and (pred is None or pred(obj))

        pred = named
    timeout = req.int_param("timeoutSeconds") or DEFAULT_TIMEOUT_SECONDS
    since = req.query.get("resourceVersion", "")
    initial = req.flag("sendInitialEvents") or since in ("", "0")
    bookmarks = req.flag("allowWatchBookmarks")
    as_table = tables.wanted(req)
    drop_after = ctx.faults.drop_watch_after_seconds
    reply = StreamReply("application/json", lambda: iter(()))

    def encode(event_type: str, obj: Obj) -> bytes:
        if event_type in ("ADDED", "MODIFIED", "DELETED"):
            obj = outgoing(route, obj)
            if as_table:
                obj = tables.table(rt, [obj], req, obj["metadata"].get("resourceVersion", ""))
        return dumps({"type": event_type, "object": obj}) + b"\n"

    def events() -> Iterator[bytes]:
        namespace = route.namespace or None
        opened: Watch | None = None
        try:
            if initial:
                items, rv = ctx.store.list(rt, namespace, pred)
                for item in items:
                    yield encode("ADDED", item)
                if req.flag("sendInitialEvents") and bookmarks:
                    yield encode("BOOKMARK", _bookmark(route, rv, True))
                since_rv = rv
            else:
                since_rv = since
            try:
                opened = ctx.store.watch(rt, namespace, since_rv, pred)
            except ApiError as err:
                yield encode("ERROR", err.status())
                return
            yield from _follow(opened)
        finally:
            if opened is not None:
                opened.close()

    def _follow(opened: Watch) -> Iterator[bytes]:
        unregister = ctx.on_stop(opened.close)
        started = time.monotonic()
        deadline = started + timeout
        try:
            while not ctx.stopping.is_set():
                now = time.monotonic()
                if drop_after is not None and now - started >= drop_after:
                    reply.abort = True
                    return
                if now >= deadline:
                    return
                wait = min(_POLL_SECONDS, deadline - now)
                if drop_after is not None:
                    wait = max(0.0, min(wait, started + drop_after - now))
                try:
                    event = opened.next(wait)
                except ApiError as err:
                    yield encode("ERROR", err.status())
                    return
                if event is not None:
                    yield encode(event[0], event[1])
        finally:
            unregister()

    reply.chunks = events
    return reply
