"""Namespace objects as a fresh cluster (or a bootstrapped workload) has them."""

from __future__ import annotations

from .resources import NAMESPACE
from .store import Obj, Store


def namespace(name: str) -> Obj:
    return {
        "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def ensure_namespace(store: Store, name: str) -> None:
    if store.find(NAMESPACE, "", name) is None:
        store.create(NAMESPACE, namespace(name))
