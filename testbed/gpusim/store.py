"""The simulated cluster's storage: objects, one monotonic resourceVersion, and the watch log.

It plays etcd plus the apiserver's watch cache. Stored objects are never mutated in place: every
write stores a fresh dict, so readers may hold references returned by :meth:`Store.list` as long
as they do not modify them. :meth:`Store.get` and :meth:`Store.update` hand out private copies.

Every write appends one entry to the watch log, so the entry for resourceVersion ``r`` sits at a
known offset; the log keeps a bounded history and a watch that starts before it answers 410 Gone,
as the real apiserver does after etcd compaction.
"""

from __future__ import annotations

import builtins
import random
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from . import errors
from .errors import ApiError
from .resources import NAMESPACE, ResourceType
from .selectors import Predicate

Obj = dict[str, Any]
T = TypeVar("T")
Key = tuple[str, str, str]  # (resource key, namespace or "", name)

_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_GENERATION_KINDS = {"daemonsets.apps", "jobs.batch", "cronjobs.batch"}


def clone(value: T) -> T:
    """A deep copy of JSON-like data, several times faster than ``copy.deepcopy``."""
    return cast(T, _clone(value))


def _clone(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clone(v) for v in value]
    return value


def _owner_uids(obj: Obj | None) -> set[str]:
    refs = (obj.get("metadata") or {}).get("ownerReferences") or [] if obj is not None else []
    return {str(ref["uid"]) for ref in refs if isinstance(ref, dict) and ref.get("uid")}


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()


@dataclass(frozen=True)
class Event:
    """One entry of the watch log."""

    rv: int
    type: str  # ADDED, MODIFIED, DELETED
    resource: str  # ResourceType.key
    obj: Obj
    old: Obj | None


class Watch:
    """A cursor over the watch log; filtered to one resource kind unless ``resource`` is None."""

    def __init__(self, store: Store, position: int, resource: str | None, namespace: str | None,
                 predicate: Predicate | None, initial: list[Obj]) -> None:
        self._store = store
        self._position = position  # rv of the next log entry to read
        self._resource = resource
        self._namespace = namespace
        self._predicate = predicate
        self._pending: deque[tuple[str, Obj, Event | None]] = deque(("ADDED", o, None) for o in initial)
        self.closed = False

    def _matches(self, obj: Obj | None) -> bool:
        if obj is None:
            return False
        if self._namespace and obj.get("metadata", {}).get("namespace") != self._namespace:
            return False
        return self._predicate is None or self._predicate(obj)

    def _translate(self, event: Event) -> tuple[str, Obj] | None:
        """Map a log entry to what this watcher sees, as the apiserver's filtered watch does."""
        if self._resource is not None and event.resource != self._resource:
            return None
        if self._resource is None and self._predicate is None:
            return event.type, event.obj
        new_ok = event.type != "DELETED" and self._matches(event.obj)
        old_ok = self._matches(event.old) if event.type == "MODIFIED" else self._matches(event.obj)
        if event.type == "ADDED":
            return ("ADDED", event.obj) if new_ok else None
        if event.type == "DELETED":
            return ("DELETED", event.obj) if old_ok else None
        if new_ok and old_ok:
            return "MODIFIED", event.obj
        if new_ok:
            return "ADDED", event.obj
        if old_ok:
            return "DELETED", event.obj
        return None

    def next(self, timeout: float | None) -> tuple[str, Obj, Event | None] | None:
        """The next (type, object, log entry) for this watcher, or None once ``timeout`` passes.

        The log entry is None for the synthetic ADDED events of a watch started without a
        resourceVersion. Raises 410 Gone when the log was compacted past this watcher.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        store = self._store
        with store._cond:
            while not self.closed:
                if self._pending:
                    return self._pending.popleft()
                first = store._log_first_rv
                if self._position < first:
                    raise errors.gone(f"too old resource version: {self._position - 1} ({first - 1})")
                while self._position <= store._rv:
                    event = store._log[self._position - first]
                    self._position += 1
                    seen = self._translate(event)
                    if seen is not None:
                        return seen[0], seen[1], event
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return None
                store._cond.wait(remaining)
        return None

    def close(self) -> None:
        with self._store._cond:
            self.closed = True
            self._store._cond.notify_all()


class Store:
    """Thread-safe object storage with a single monotonic resourceVersion and a watch log."""

    def __init__(self, history: int = 100_000) -> None:
        self._cond = threading.Condition(threading.RLock())
        self._objects: dict[str, dict[tuple[str, str], Obj]] = {}  # resource key -> (namespace, name) -> obj
        # owner uid -> the objects whose ownerReferences name it: the garbage collector's and the workload
        # controllers' lookups, which a scan of every object of a kind made cost as much as the cluster each time
        self._dependents: dict[str, set[Key]] = {}
        self._rv = 1
        self._log: deque[Event] = deque()
        self._log_first_rv = 2  # rv of self._log[0]; the log is empty until the first write
        self._history = history
        self._random = random.Random()

    # -- reading -------------------------------------------------------------------------

    @property
    def resource_version(self) -> str:
        with self._cond:
            return str(self._rv)

    def get(self, rt: ResourceType, namespace: str, name: str) -> Obj:
        """A private copy of one object; 404 NotFound in the apiserver's wording."""
        with self._cond:
            obj = self._lookup((rt.key, namespace if rt.namespaced else "", name))
            if obj is None:
                raise errors.not_found(rt.plural, rt.group, name)
            return clone(obj)

    def find(self, rt: ResourceType, namespace: str, name: str) -> Obj | None:
        """Like :meth:`get` but None when absent; the result is shared, do not modify it."""
        with self._cond:
            return self._lookup((rt.key, namespace if rt.namespaced else "", name))

    def list(self, rt: ResourceType, namespace: str | None = None,
             predicate: Predicate | None = None) -> tuple[list[Obj], str]:
        """Matching objects sorted by namespace and name, and the list's resourceVersion.

        The objects are shared with the store: callers must not modify them.
        """
        with self._cond:
            items = [
                obj for (ns, _), obj in self._objects.get(rt.key, {}).items()
                if (not namespace or ns == namespace) and (predicate is None or predicate(obj))
            ]
            rv = str(self._rv)
        items.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
        return items, rv

    def dependents(self, uid: str) -> builtins.list[tuple[Key, Obj]]:
        """The objects whose ownerReferences name ``uid``, by key; shared with the store: do not modify them."""
        with self._cond:
            return [(key, self._objects[key[0]][key[1:]]) for key in sorted(self._dependents.get(uid, ()))]

    # -- writing -------------------------------------------------------------------------

    def _lookup(self, key: Key) -> Obj | None:
        return self._objects.get(key[0], {}).get(key[1:])

    def _put(self, key: Key, obj: Obj) -> None:
        objects = self._objects.setdefault(key[0], {})
        self._index_owners(key, objects.get(key[1:]), obj)
        objects[key[1:]] = obj

    def _remove(self, key: Key) -> Obj | None:
        old = self._objects.get(key[0], {}).pop(key[1:], None)
        self._index_owners(key, old, None)
        return old

    def _index_owners(self, key: Key, old: Obj | None, new: Obj | None) -> None:
        before, after = _owner_uids(old), _owner_uids(new)
        for uid in before - after:
            keys = self._dependents[uid]
            keys.discard(key)
            if not keys:
                del self._dependents[uid]
        for uid in after - before:
            self._dependents.setdefault(uid, set()).add(key)

    def _append(self, event_type: str, rt: ResourceType, obj: Obj, old: Obj | None) -> None:
        self._log.append(Event(self._rv, event_type, rt.key, obj, old))
        while len(self._log) > self._history:
            self._log.popleft()
            self._log_first_rv += 1
        self._cond.notify_all()

    def _next_rv(self) -> str:
        self._rv += 1
        if not self._log:
            self._log_first_rv = self._rv
        return str(self._rv)

    def _check_namespace(self, rt: ResourceType, namespace: str, name: str) -> None:
        ns = self._lookup((NAMESPACE.key, "", namespace))
        if ns is None:
            raise errors.not_found("namespaces", "", namespace)
        if ns.get("metadata", {}).get("deletionTimestamp"):
            raise ApiError(403, "Forbidden", f'{errors.qualified(rt.plural, rt.group)} "{name}" is forbidden: '
                           f"unable to create new content in namespace {namespace} because it is being terminated")

    def create(self, rt: ResourceType, obj: Obj, admit: Callable[[Obj], None] | None = None) -> Obj:
        """Store a new object, filling the metadata the apiserver fills; returns a copy.

        ``admit`` is validating admission: it sees the object once its name is generated and may
        refuse it by raising ApiError.
        """
        obj = clone(obj)
        meta = obj.setdefault("metadata", {})
        namespace = meta.get("namespace", "") if rt.namespaced else ""
        with self._cond:
            if rt.namespaced:
                self._check_namespace(rt, namespace, meta.get("name") or meta.get("generateName", ""))
            if not meta.get("name") and meta.get("generateName"):
                meta["name"] = self.generate_name(rt, namespace, meta["generateName"])
            name = meta.get("name")
            if not name:
                raise errors.invalid(rt.kind, rt.group, "", [
                    ("FieldValueRequired", "metadata.name", "Required value: name or generateName is required")])
            if admit is not None:
                admit(obj)
            key = (rt.key, namespace, name)
            if self._lookup(key) is not None:
                raise errors.already_exists(rt.plural, rt.group, name)
            meta["uid"] = meta.get("uid") or str(uuid.uuid4())  # the API layer strips client uids
            meta["creationTimestamp"] = now_rfc3339()
            if rt.key in _GENERATION_KINDS:
                meta["generation"] = 1
            meta.pop("deletionTimestamp", None)
            meta["resourceVersion"] = self._next_rv()
            obj["apiVersion"], obj["kind"] = rt.api_version, rt.kind
            self._put(key, obj)
            self._append("ADDED", rt, obj, None)
            return clone(obj)

    def generate_name(self, rt: ResourceType, namespace: str, prefix: str) -> str:
        """``prefix`` and five random characters, a name not taken now ("" after ten collisions)."""
        with self._cond:
            for _ in range(10):
                candidate = prefix + "".join(self._random.choices(_NAME_ALPHABET, k=5))
                if self._lookup((rt.key, namespace if rt.namespaced else "", candidate)) is None:
                    return candidate
        return ""

    def replace(self, rt: ResourceType, obj: Obj, *, check_rv: bool = True) -> Obj:
        """Store a new version of an existing object (PUT); 409 Conflict on a stale resourceVersion."""
        obj = clone(obj)
        meta = obj.setdefault("metadata", {})
        namespace = meta.get("namespace", "") if rt.namespaced else ""
        with self._cond:
            key = (rt.key, namespace, meta.get("name", ""))
            old = self._lookup(key)
            if old is None:
                raise errors.not_found(rt.plural, rt.group, meta.get("name", ""))
            return self._store_version(rt, key, old, obj, check_rv)

    def _store_version(self, rt: ResourceType, key: Key, old: Obj, obj: Obj, check_rv: bool) -> Obj:
        meta, old_meta = obj["metadata"], old["metadata"]
        if check_rv and meta.get("resourceVersion") and meta["resourceVersion"] != old_meta["resourceVersion"]:
            raise errors.conflict(rt.plural, rt.group, key[2])
        for field in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"):
            if field in old_meta and field not in meta:
                meta[field] = old_meta[field]
        meta["uid"], meta["creationTimestamp"] = old_meta["uid"], old_meta["creationTimestamp"]
        if rt.key in _GENERATION_KINDS:
            changed = obj.get("spec") != old.get("spec")
            meta["generation"] = old_meta.get("generation", 1) + (1 if changed else 0)
        obj["apiVersion"], obj["kind"] = rt.api_version, rt.kind
        meta["resourceVersion"] = old_meta["resourceVersion"]
        if obj == old:
            return clone(old)  # a no-op write does not bump the resourceVersion, as in the apiserver
        meta["resourceVersion"] = self._next_rv()
        if (old_meta.get("deletionTimestamp") and old_meta.get("finalizers") and not meta.get("finalizers")
                and not old_meta.get("deletionGracePeriodSeconds")):  # a pod in its grace period stays
            self._remove(key)
            self._append("DELETED", rt, obj, old)
            return clone(obj)
        self._put(key, obj)
        self._append("MODIFIED", rt, obj, old)
        return clone(obj)

    def update(self, rt: ResourceType, namespace: str, name: str,
               mutate: Callable[[Obj], Obj | None]) -> Obj:
        """Atomic read-modify-write: ``mutate`` gets a private copy and changes it (or returns a new one)."""
        with self._cond:
            key = (rt.key, namespace if rt.namespaced else "", name)
            old = self._lookup(key)
            if old is None:
                raise errors.not_found(rt.plural, rt.group, name)
            draft = clone(old)
            result = mutate(draft)
            new = draft if result is None else result
            new.setdefault("metadata", {})["resourceVersion"] = old["metadata"]["resourceVersion"]
            return self._store_version(rt, key, old, new, check_rv=False)

    def delete(self, rt: ResourceType, namespace: str, name: str) -> Obj:
        """Remove an object now (finalizers and grace are the caller's business); returns it."""
        with self._cond:
            key = (rt.key, namespace if rt.namespaced else "", name)
            old = self._remove(key)
            if old is None:
                raise errors.not_found(rt.plural, rt.group, name)
            obj = {**old, "metadata": {**old["metadata"], "resourceVersion": self._next_rv()}}
            self._append("DELETED", rt, obj, old)
            return clone(obj)

    # -- watching ------------------------------------------------------------------------

    def watch(self, rt: ResourceType | None, namespace: str | None = None, since: str | None = None,
              predicate: Predicate | None = None) -> Watch:
        """A watch as the apiserver starts one.

        ``since`` empty or "0": synthetic ADDED events for what exists now, then changes.
        Otherwise: every change after that resourceVersion, or 410 Gone when it was compacted.
        """
        with self._cond:
            if since in (None, "", "0"):
                initial: list[Obj] = []
                if rt is not None:
                    initial, _ = self.list(rt, namespace, predicate)
                return Watch(self, self._rv + 1, rt.key if rt else None, namespace, predicate, initial)
            try:
                start = int(since)
            except ValueError as exc:
                raise errors.bad_request(f'invalid resource version "{since}"') from exc
            if start < self._log_first_rv - 1:
                raise errors.gone(f"too old resource version: {start} ({self._log_first_rv - 1})")
            return Watch(self, start + 1, rt.key if rt else None, namespace, predicate, [])

    def compact(self) -> None:
        """Drop the whole watch history, as etcd compaction does; older watches then get 410."""
        with self._cond:
            self._log.clear()
            self._log_first_rv = self._rv + 1
            self._cond.notify_all()
