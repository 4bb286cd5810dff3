"""The allocator's rules on one node, against a bare store: complete pools only, devices held elsewhere,
device taints, ExactCount and All."""

from __future__ import annotations

from typing import Any

import pytest
from gpusim.controllers.dra_allocation import CANNOT_ALLOCATE, allocate, in_use
from gpusim.resources import DEVICECLASS, NAMESPACE, RESOURCECLAIM, RESOURCESLICE
from gpusim.store import Obj, Store

NODE: Obj = {"metadata": {"name": "n1"}}
TAINT = {"key": "gpu.nvidia.com/xid", "value": "79", "effect": "NoSchedule"}


def gpu(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "attributes": {"type": {"string": "gpu"}, "uuid": {"string": f"GPU-{name}"}}, **extra}


@pytest.fixture
def store() -> Store:
    store = Store()
    store.create(NAMESPACE, {"metadata": {"name": "default"}})
    store.create(DEVICECLASS, {"metadata": {"name": "gpu.nvidia.com"}, "spec": {"selectors": [
        {"cel": {"expression": "device.driver == 'gpu.nvidia.com'"}}]}})
    return store


def publish(store: Store, *devices: dict[str, Any], count: int = 1, name: str = "s1") -> None:
    store.create(RESOURCESLICE, {"metadata": {"name": name}, "spec": {
        "driver": "gpu.nvidia.com", "nodeName": "n1", "pool": {"name": "n1", "generation": 1,
                                                             "resourceSliceCount": count},
        "devices": list(devices)}})


def claim(store: Store, name: str = "c", **exactly: Any) -> Obj:
    return store.create(RESOURCECLAIM, {"metadata": {"name": name, "namespace": "default"}, "spec": {"devices": {
        "requests": [{"name": "gpu", "exactly": {"deviceClassName": "gpu.nvidia.com", **exactly}}]}}})


def devices(found: dict[str, Any] | str, name: str = "c") -> list[str]:
    assert not isinstance(found, str), found
    return [r["device"] for r in found[name]["devices"]["results"]]


def test_exact_count_and_all(store: Store) -> None:
    publish(store, gpu("gpu-0"), gpu("gpu-1"))
    assert devices(allocate(store, [claim(store, "one")], NODE, set()), "one") == ["gpu-0"]
    assert devices(allocate(store, [claim(store, "two", count=2)], NODE, set()), "two") == ["gpu-0", "gpu-1"]
    assert allocate(store, [claim(store, "three", count=3)], NODE, set()) == CANNOT_ALLOCATE
    assert devices(allocate(store, [claim(store, "all", allocationMode="All")], NODE, set()), "all") == [
        "gpu-0", "gpu-1"]


def test_a_device_allocated_to_another_claim_is_not_offered(store: Store) -> None:
    publish(store, gpu("gpu-0"), gpu("gpu-1"))
    held = claim(store, "held")
    found = allocate(store, [held], NODE, set())
    assert not isinstance(found, str)
    store.update(RESOURCECLAIM, "default", "held", lambda c: c.__setitem__("status", {"allocation": found["held"]}))
    assert in_use(store) == {("gpu.nvidia.com", "n1", "gpu-0")}
    assert devices(allocate(store, [claim(store)], NODE, in_use(store))) == ["gpu-1"]


def test_an_incomplete_pool_offers_nothing(store: Store) -> None:
    publish(store, gpu("gpu-0"), count=2)
    assert allocate(store, [claim(store)], NODE, set()) == CANNOT_ALLOCATE


def test_a_tainted_device_needs_a_toleration(store: Store) -> None:
    publish(store, gpu("gpu-0", taints=[TAINT]))
    assert allocate(store, [claim(store, "plain")], NODE, set()) == CANNOT_ALLOCATE
    tolerating = claim(store, "tolerating", tolerations=[{"key": "gpu.nvidia.com/xid", "operator": "Exists"}])
    assert devices(allocate(store, [tolerating], NODE, set()), "tolerating") == ["gpu-0"]


def test_the_allocation_selects_the_node_by_name(store: Store) -> None:
    publish(store, gpu("gpu-0"))
    found = allocate(store, [claim(store)], NODE, set())
    assert not isinstance(found, str)
    assert found["c"]["nodeSelector"] == {"nodeSelectorTerms": [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]}]}


def test_first_available_takes_the_first_subrequest_that_fits(store: Store) -> None:
    publish(store, gpu("gpu-0"))
    prioritized = store.create(RESOURCECLAIM, {"metadata": {"name": "p", "namespace": "default"}, "spec": {"devices": {
        "requests": [{"name": "gpu", "firstAvailable": [
            {"name": "two", "deviceClassName": "gpu.nvidia.com", "count": 2},
            {"name": "one", "deviceClassName": "gpu.nvidia.com"}]}]}}})
    found = allocate(store, [prioritized], NODE, set())
    assert not isinstance(found, str)
    assert [(r["request"], r["device"]) for r in found["p"]["devices"]["results"]] == [("gpu/one", "gpu-0")]
