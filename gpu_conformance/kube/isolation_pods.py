"""The isolation pods' specs: unprivileged pods of the project's image that print what they see (``sees``).

Unprivileged (user 65532, the image's; no capabilities, no privilege escalation, seccomp RuntimeDefault), no
hostPath, pinned with a nodeSelector on the hostname label so the scheduler decides, as for vectoradd, and with
the runtimeClassName vectoradd gets on the node. A GPU is asked for only through gpu_request.py: extended resources,
or (DRA-SECURE-ACCESS) the pod's claim made from a ResourceClaimTemplate, used by the holder container only.
"""

from __future__ import annotations

from typing import Any

from gpu_conformance.facts.gpu_nodes import GpuNode

from ..gpu_request import container_claims, gpu_limits, gpu_tolerations, pod_claims, visible_devices_env
from ..settings import Settings
from .run import NODE_ANNOTATION, RunContext

NOGPU, HOLDER, OTHER = "sec-nogpu", "sec-holder", "sec-other"  # the pods' components (and name prefixes)
DRA_CLAIMED, DRA_UNCLAIMED = "sec-dra-claim", "sec-dra-noclaim"  # DRA-SECURE-ACCESS: a claiming pod, one without
IMAGE_ENV, POD_ENV, HOLDS, BYSTANDER = "image-env", "pod-env", "holder", "bystander"
CONTAINERS = {NOGPU: (IMAGE_ENV, POD_ENV), HOLDER: (HOLDS, BYSTANDER), OTHER: (HOLDS,),
              DRA_CLAIMED: (HOLDS, BYSTANDER), DRA_UNCLAIMED: (IMAGE_ENV,)}
HOLDING = tuple(component for component, containers in CONTAINERS.items() if HOLDS in containers)
ASKED = {
    IMAGE_ENV: "no GPU requested, NVIDIA_VISIBLE_DEVICES=all only from the image",
    POD_ENV: "no GPU requested, env NVIDIA_VISIBLE_DEVICES=all in the pod spec",
    HOLDS: "1 GPU requested",
    BYSTANDER: 'no GPU requested, env NVIDIA_VISIBLE_DEVICES="" beside a container holding 1 GPU',
}
RUN_AS = 65532  # the image's user (Dockerfile USER)
HOLD_MARGIN_SECONDS = 30.0
DEADLINE_MARGIN_SECONDS = 30
TERMINATION_GRACE_SECONDS = 5  # ``sees --hold`` ends at once on SIGTERM
IMAGE_OPTION = "--probe-image"  # the project's image runs `sees` as it runs the probe
TERMINATION_LOG = "/dev/termination-log"  # what a container that ends leaves there is read from its status


def _container(settings: Settings, node: GpuNode, name: str, hold: float | None, claimed: bool) -> dict[str, Any]:
    command = ["gpu-conformance", "sees", "--dev", "/dev", "--termination-log", TERMINATION_LOG]
    if hold is not None:
        command += ["--hold", f"{hold:g}"]
    limits = {"memory": "256Mi", **(gpu_limits(node) if name == HOLDS and not claimed else {})}
    body: dict[str, Any] = {
        "name": name,
        "image": settings.probe_image,
        "command": command,
        "securityContext": {"privileged": False, "allowPrivilegeEscalation": False,
                            "capabilities": {"drop": ["ALL"]}},
        "resources": {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": limits,
                      **(container_claims() if name == HOLDS and claimed else {})},
        "terminationMessagePath": TERMINATION_LOG,
        "terminationMessagePolicy": "File",
    }
    env = {POD_ENV: visible_devices_env("all"), BYSTANDER: visible_devices_env("")}.get(name)
    if env is not None:
        body["env"] = env
    return body


def isolation_pod(settings: Settings, node: GpuNode, run: RunContext, component: str,
                  runtime_class: str | None, claim_template: str | None = None) -> dict[str, Any]:
    """One of the node's isolation pods: unprivileged, no hostPath, pinned by hostname so the scheduler decides.
    With ``claim_template`` its holder claims the GPU through it instead of extended resources."""
    hold = settings.timeout + HOLD_MARGIN_SECONDS if component in HOLDING else None
    claimed = claim_template is not None
    spec: dict[str, Any] = {
        "restartPolicy": "Never",
        "activeDeadlineSeconds": int(settings.timeout + HOLD_MARGIN_SECONDS) + DEADLINE_MARGIN_SECONDS,
        "nodeSelector": {"kubernetes.io/hostname": node.labels.get("kubernetes.io/hostname", node.name)},
        "tolerations": gpu_tolerations(settings.tolerate),
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "terminationGracePeriodSeconds": TERMINATION_GRACE_SECONDS,
        "securityContext": {"runAsNonRoot": True, "runAsUser": RUN_AS, "runAsGroup": RUN_AS,
                            "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [_container(settings, node, name, hold, claimed) for name in CONTAINERS[component]],
    }
    if claim_template is not None:
        spec["resourceClaims"] = pod_claims(claim_template)
    if runtime_class:
        spec["runtimeClassName"] = runtime_class
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": run.object_name(component, node.name),
            "namespace": settings.namespace,
            "labels": run.component_labels(component),
            "annotations": {NODE_ANNOTATION: node.name},
        },
        "spec": spec,
    }
