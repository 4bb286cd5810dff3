"""Pods made from a workload's template, with the fields the apiserver's defaulting would add.

Controllers here write to the store directly, so they apply the same defaulting the API
applies to a pod created through it (gpusim.defaults).
"""

from __future__ import annotations

from typing import Any

from .. import defaults
from ..resources import POD
from ..store import Obj, clone
from .objects import owner_reference


def pod_from_template(owner: Obj, template: dict[str, Any], extra_labels: dict[str, str]) -> Obj:
    """A new pod for ``owner`` from its pod template (generateName ``<owner>-``)."""
    meta = template.get("metadata") or {}
    pod: Obj = {
        "metadata": {
            "generateName": f"{owner['metadata']['name']}-", "namespace": owner["metadata"]["namespace"],
            "labels": {**(meta.get("labels") or {}), **extra_labels},
            "ownerReferences": [owner_reference(owner)],
        },
        "spec": clone(template.get("spec") or {}),
    }
    if meta.get("annotations"):
        pod["metadata"]["annotations"] = dict(meta["annotations"])
    defaults.apply_defaults(POD, pod, creating=True)
    return pod
