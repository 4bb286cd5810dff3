"""The garbage collector: ownerReference cascades (Background, Foreground, Orphan).

- an owner gone: its dependents are deleted (unless another owner remains);
- an owner deleting with the ``foregroundDeletion`` finalizer: dependents are deleted first and
  the finalizer goes once no dependent with ``blockOwnerDeletion`` is left;
- an owner deleting with the ``orphan`` finalizer: dependents lose the ownerReference, then the
  finalizer goes.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import ApiError
from ..resources import EVENT, RESOURCES, ResourceType, by_key, for_kind
from ..store import Obj
from .base import Context
from .objects import delete

FOREGROUND = "foregroundDeletion"
ORPHAN = "orphan"
_DANGLING_CHECK_DELAY = 0.2
_KIND_ORDER = {rt.key: index for index, rt in enumerate(RESOURCES)}


class GarbageCollector:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def stop(self) -> None:
        return None

    def on_event(self, type: str, resource: str, obj: Obj, old: Obj | None) -> None:
        meta = obj["metadata"]
        if type == "DELETED":
            self._owner_gone(obj)
            for ref in meta.get("ownerReferences") or []:
                self._recheck_owner(ref, meta.get("namespace", ""))
            return
        finalizers = meta.get("finalizers") or []
        if meta.get("deletionTimestamp") and (FOREGROUND in finalizers or ORPHAN in finalizers):
            self._finish_owner(by_key(resource), obj)
        if type == "ADDED" and meta.get("ownerReferences"):
            self._ctx.clock.after(_DANGLING_CHECK_DELAY, lambda: self._check_dangling(by_key(resource), obj))

    # -- lookups ---------------------------------------------------------------------------

    def _dependents(self, owner: Obj) -> list[tuple[ResourceType, Obj]]:
        """The objects that name ``owner`` in an ownerReference, in the order of RESOURCES, namespace and name; a
        namespaced owner's in its namespace only."""
        namespace = owner["metadata"].get("namespace")
        found = [(by_key(key), obj) for (key, ns, _), obj in self._ctx.store.dependents(owner["metadata"]["uid"])
                 if key in _KIND_ORDER and key != EVENT.key and (not namespace or ns == namespace)]
        found.sort(key=lambda pair: _KIND_ORDER[pair[0].key])  # stable: namespace and name order kept
        return found

    def _owner_exists(self, ref: dict[str, str], namespace: str) -> bool | None:
        """Whether the referenced owner exists; None for kinds this cluster does not serve."""
        rt = for_kind(ref.get("apiVersion", ""), ref.get("kind", ""))
        if rt is None:
            return None
        owner = self._ctx.store.find(rt, namespace if rt.namespaced else "", ref.get("name", ""))
        return owner is not None and owner["metadata"]["uid"] == ref.get("uid")

    # -- cascades --------------------------------------------------------------------------

    def _owner_gone(self, owner: Obj) -> None:
        for rt, dependent in self._dependents(owner):
            self._release_or_delete(rt, dependent, owner["metadata"]["uid"])

    def _release_or_delete(self, rt: ResourceType, dependent: Obj, owner_uid: str) -> None:
        meta = dependent["metadata"]
        namespace = meta.get("namespace", "")
        others = [r for r in meta.get("ownerReferences") or [] if r.get("uid") != owner_uid]
        if any(self._owner_exists(r, namespace) is not False for r in others):
            self._drop_reference(rt, dependent, owner_uid)
        else:
            delete(self._ctx.store, rt, namespace, meta["name"], "Background")

    def _check_dangling(self, rt: ResourceType, obj: Obj) -> None:
        meta = obj["metadata"]
        current = self._ctx.store.find(rt, meta.get("namespace", ""), meta["name"])
        if current is None or current["metadata"]["uid"] != meta["uid"]:
            return
        refs = current["metadata"].get("ownerReferences") or []
        if refs and all(self._owner_exists(r, meta.get("namespace", "")) is False for r in refs):
            delete(self._ctx.store, rt, meta.get("namespace", ""), meta["name"], "Background")

    def _recheck_owner(self, ref: dict[str, str], namespace: str) -> None:
        rt = for_kind(ref.get("apiVersion", ""), ref.get("kind", ""))
        if rt is None:
            return
        owner = self._ctx.store.find(rt, namespace if rt.namespaced else "", ref.get("name", ""))
        if owner is not None and owner["metadata"].get("deletionTimestamp"):
            self._finish_owner(rt, owner)

    def _finish_owner(self, rt: ResourceType, owner: Obj) -> None:
        finalizers = owner["metadata"].get("finalizers") or []
        uid = owner["metadata"]["uid"]
        dependents = self._dependents(owner)
        if ORPHAN in finalizers:
            for dep_rt, dependent in dependents:
                self._drop_reference(dep_rt, dependent, uid)
            self._remove_finalizer(rt, owner, ORPHAN)
            return
        if FOREGROUND not in finalizers:
            return
        blocking = [(r, d) for r, d in dependents
                    if any(ref.get("uid") == uid and ref.get("blockOwnerDeletion")
                           for ref in d["metadata"].get("ownerReferences") or [])]
        for dep_rt, dependent in dependents:
            if not dependent["metadata"].get("deletionTimestamp"):
                delete(self._ctx.store, dep_rt, dependent["metadata"].get("namespace", ""),
                       dependent["metadata"]["name"], "Background")
        if not blocking:
            self._remove_finalizer(rt, owner, FOREGROUND)

    def _drop_reference(self, rt: ResourceType, obj: Obj, owner_uid: str) -> None:
        def drop(draft: Obj) -> None:
            refs = [r for r in draft["metadata"].get("ownerReferences") or [] if r.get("uid") != owner_uid]
            if refs:
                draft["metadata"]["ownerReferences"] = refs
            else:
                draft["metadata"].pop("ownerReferences", None)

        self._update(rt, obj, drop)

    def _remove_finalizer(self, rt: ResourceType, obj: Obj, finalizer: str) -> None:
        def drop(draft: Obj) -> None:
            kept = [f for f in draft["metadata"].get("finalizers") or [] if f != finalizer]
            draft["metadata"]["finalizers"] = kept

        self._update(rt, obj, drop)

    def _update(self, rt: ResourceType, obj: Obj, change: Callable[[Obj], None]) -> None:
        meta = obj["metadata"]
        try:
            self._ctx.store.update(rt, meta.get("namespace", ""), meta["name"], change)
        except ApiError:
            return
