"""The store's contract: resourceVersions, conflicts, filtered watches and 410 Gone."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from gpusim.errors import ApiError
from gpusim.resources import CONFIGMAP, NAMESPACE, NODE, POD
from gpusim.selectors import parse_label_selector
from gpusim.store import Store


@pytest.fixture
def store() -> Store:
    s = Store(history=50)
    s.create(NAMESPACE, {"metadata": {"name": "default"}})
    return s


def pod(name: str, **labels: str) -> dict[str, object]:
    return {"metadata": {"name": name, "namespace": "default", "labels": labels}, "spec": {}}


def test_every_write_bumps_one_monotonic_resource_version(store: Store) -> None:
    first = store.create(POD, pod("a"))
    second = store.create(CONFIGMAP, {"metadata": {"name": "c", "namespace": "default"}})
    assert int(second["metadata"]["resourceVersion"]) == int(first["metadata"]["resourceVersion"]) + 1
    assert store.resource_version == second["metadata"]["resourceVersion"]


def test_generate_name_fills_a_random_suffix(store: Store) -> None:
    created = store.create(POD, {"metadata": {"generateName": "vectoradd-", "namespace": "default"}})
    assert created["metadata"]["name"].startswith("vectoradd-") and len(created["metadata"]["name"]) == 15


def test_create_refuses_duplicates_and_missing_namespaces_in_apiserver_wording(store: Store) -> None:
    store.create(POD, pod("a"))
    with pytest.raises(ApiError, match='pods "a" already exists') as dup:
        store.create(POD, pod("a"))
    assert dup.value.code == 409 and dup.value.reason == "AlreadyExists"
    with pytest.raises(ApiError, match='namespaces "nope" not found'):
        store.create(POD, {"metadata": {"name": "b", "namespace": "nope"}})


def test_terminating_namespace_refuses_new_content(store: Store) -> None:
    store.update(NAMESPACE, "", "default", lambda ns: ns["metadata"].update(
        deletionTimestamp="2026-01-01T00:00:00Z", finalizers=["kubernetes"]))
    with pytest.raises(ApiError) as err:
        store.create(POD, pod("late"))
    assert err.value.code == 403
    assert err.value.message == ('pods "late" is forbidden: unable to create new content in namespace default '
                                 "because it is being terminated")


def test_stale_replace_is_a_conflict(store: Store) -> None:
    created = store.create(POD, pod("a"))
    store.update(POD, "default", "a", lambda p: p["metadata"]["labels"].update(x="1"))
    with pytest.raises(ApiError, match="the object has been modified") as err:
        store.replace(POD, created)
    assert err.value.code == 409 and err.value.reason == "Conflict"


def test_no_op_update_keeps_the_resource_version(store: Store) -> None:
    created = store.create(NODE, {"metadata": {"name": "n"}, "spec": {}})
    same = store.update(NODE, "", "n", lambda n: None)
    assert same["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]


def test_filtered_watch_turns_label_changes_into_added_and_deleted(store: Store) -> None:
    store.create(POD, pod("a", app="x"))
    watch = store.watch(POD, "default", store.resource_version, parse_label_selector("app=y"))
    store.update(POD, "default", "a", lambda p: p["metadata"]["labels"].update(app="y"))
    store.update(POD, "default", "a", lambda p: p["metadata"]["labels"].update(app="z"))
    seen = [watch.next(1) for _ in range(2)]
    assert [(e[0], e[1]["metadata"]["labels"]["app"]) for e in seen if e] == [("ADDED", "y"), ("DELETED", "z")]
    assert watch.next(0.05) is None


def test_watch_without_resource_version_starts_with_current_objects(store: Store) -> None:
    store.create(POD, pod("a"))
    watch = store.watch(POD, "default", None)
    first = watch.next(1)
    assert first is not None and first[0] == "ADDED" and first[2] is None


def test_watch_from_a_compacted_version_is_gone(store: Store) -> None:
    old = store.resource_version
    store.create(POD, pod("a"))
    store.compact()
    with pytest.raises(ApiError, match=rf"too old resource version: {old} ") as err:
        store.watch(POD, "default", old)
    assert err.value.code == 410 and err.value.reason == "Expired"


def test_watch_wakes_up_on_a_write_from_another_thread(store: Store) -> None:
    watch = store.watch(POD, "default", store.resource_version)
    threading.Timer(0.05, lambda: store.create(POD, pod("later"))).start()
    event = watch.next(5)
    assert event is not None and event[1]["metadata"]["name"] == "later"


def test_removing_the_last_finalizer_of_a_deleted_object_removes_it(store: Store) -> None:
    store.create(POD, {**pod("a"), "metadata": {**pod("a")["metadata"], "finalizers": ["foregroundDeletion"]}})
    store.update(POD, "default", "a", lambda p: p["metadata"].update(deletionTimestamp="2026-01-01T00:00:00Z"))
    assert store.find(POD, "default", "a") is not None
    store.update(POD, "default", "a", lambda p: p["metadata"].update(finalizers=[]))
    assert store.find(POD, "default", "a") is None


def test_dependents_follow_every_write_of_owner_references(store: Store) -> None:
    owner = store.create(CONFIGMAP, {"metadata": {"name": "owner", "namespace": "default"}})["metadata"]["uid"]
    ref = {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner}
    for name in ("b", "a"):
        store.create(POD, {"metadata": {"name": name, "namespace": "default", "ownerReferences": [ref]}, "spec": {}})
    store.create(POD, pod("c"))
    assert [key for key, _ in store.dependents(owner)] == [("pods", "default", "a"), ("pods", "default", "b")]

    def disown(draft: dict[str, Any]) -> None:
        del draft["metadata"]["ownerReferences"]

    store.update(POD, "default", "a", disown)
    store.update(POD, "default", "c", lambda draft: draft["metadata"].update(ownerReferences=[ref]))
    store.delete(POD, "default", "b")
    assert [(key, obj["metadata"]["name"]) for key, obj in store.dependents(owner)] == [
        (("pods", "default", "c"), "c")]
    store.delete(POD, "default", "c")
    assert store.dependents(owner) == []
