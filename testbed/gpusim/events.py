"""core/v1 Events written the way the real recorders write them, with repeat aggregation.

Two styles exist in a real cluster. Components on client-go's legacy recorder (kubelet, the
controller manager) fill ``source``, ``firstTimestamp``/``lastTimestamp`` and ``count``, and bump
``count`` on a repeat. The scheduler uses the ``events.k8s.io`` API: seen through core/v1 its
events carry ``eventTime``, ``action``, ``reportingComponent``/``reportingInstance``, an empty
``source``, null timestamps, and a ``series`` on repeats instead of ``count``.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

from .errors import ApiError
from .resources import EVENT
from .store import Obj, Store, now_rfc3339

_KEY_FIELDS = ("kind", "namespace", "name", "uid", "apiVersion", "fieldPath")


def _micro_time() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def involved_object(obj: Obj, field_path: str | None = None) -> dict[str, Any]:
    meta = obj["metadata"]
    ref: dict[str, Any] = {"kind": obj["kind"], "name": meta["name"], "uid": meta.get("uid", ""),
                           "apiVersion": obj["apiVersion"],
                           "resourceVersion": meta.get("resourceVersion", "")}
    if meta.get("namespace"):
        ref["namespace"] = meta["namespace"]
    if field_path:
        ref["fieldPath"] = field_path
    return ref


class EventRecorder:
    """Creates Events in the store; thread-safe."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, ...], tuple[str, str]] = {}  # aggregation key -> (namespace, name)
        self._last_ns = 0

    def _name(self, base: str) -> str:
        with self._lock:
            stamp = max(time.time_ns(), self._last_ns + 1)
            self._last_ns = stamp
        return f"{base}.{stamp:x}"

    def event(self, obj: Obj, type: str, reason: str, message: str, component: str, *,
              host: str | None = None, field_path: str | None = None, action: str | None = None,
              instance: str | None = None) -> Obj | None:
        """Record one event about ``obj``; ``action`` selects the events.k8s.io style.

        Returns the stored event, or None when the namespace is gone (the recorder drops it, as
        client-go does after the apiserver refuses it).
        """
        ref = involved_object(obj, field_path)
        namespace = ref.get("namespace", "default")
        key = (component, host or "", type, reason, message, *(str(ref.get(f, "")) for f in _KEY_FIELDS))
        with self._lock:
            previous = self._seen.get(key)
        try:
            if previous is not None and self._store.find(EVENT, *previous) is not None:
                return self._repeat(previous, action is not None)
            event = self._new_event(ref, namespace, type, reason, message, component, host, action, instance)
            stored = self._store.create(EVENT, event)
        except ApiError:
            return None
        with self._lock:
            self._seen[key] = (namespace, stored["metadata"]["name"])
        return stored

    def _new_event(self, ref: dict[str, Any], namespace: str, type: str, reason: str, message: str,
                   component: str, host: str | None, action: str | None, instance: str | None) -> Obj:
        event: Obj = {
            "metadata": {"name": self._name(ref["name"]), "namespace": namespace},
            "involvedObject": ref, "reason": reason, "message": message, "type": type,
            "reportingComponent": component,
            "reportingInstance": instance if instance is not None else (host or ""),
        }
        if action is not None:
            event.update({"source": {}, "firstTimestamp": None, "lastTimestamp": None,
                          "eventTime": _micro_time(), "action": action})
            return event
        now = now_rfc3339()
        source = {"component": component, **({"host": host} if host else {})}
        event.update({"source": source, "firstTimestamp": now, "lastTimestamp": now, "count": 1,
                      "eventTime": None})
        return event

    def _repeat(self, where: tuple[str, str], series: bool) -> Obj:
        def bump(event: Obj) -> None:
            if series:
                count = (event.get("series") or {}).get("count", 1) + 1
                event["series"] = {"count": count, "lastObservedTime": _micro_time()}
            else:
                event["count"] = event.get("count", 1) + 1
                event["lastTimestamp"] = now_rfc3339()

        return self._store.update(EVENT, where[0], where[1], bump)
