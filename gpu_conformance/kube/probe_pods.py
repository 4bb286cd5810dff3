"""One short-lived probe pod per GPU node, all created at once and followed with one watch.

Each pod runs ``gpu-conformance probe`` on its node with the host's / mounted read-only at /host
and prints the node's facts as JSON (its whole log), and leaves them as its termination message where they
fit: then the pod's status, seen in the watch, holds them and its log is not read (one request per node less).
A probe that cannot run is an outcome with a one-line error, never an exception: the checks fall back to what
the API says.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from gpu_conformance.facts.cluster import ProbeOutcome
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.facts.node import NodeProbe
from gpu_conformance.facts.termination_message import decode

from ..gpu_request import no_gpu_env
from ..node.probe import probe
from ..settings import Settings
from . import logs
from .api_trouble import ApiUnavailable
from .client import Connection
from .errors import api_message, denial, one_line
from .follow_pods import follow_pods_and_logs
from .logs import NO_LOG, ContainerLog
from .namespace import ensure_namespace
from .node_readiness import not_ready_nodes
from .pod_state import IMAGE_PULL_FAILURES, START_FAILURES, container_state, full_name, last_line, phase
from .retry import budget_of, create_retrying
from .run import NODE_ANNOTATION, RunContext

COMPONENT = "probe"
CONTAINER = "probe"
TERMINATION_LOG = "/dev/termination-log"
WATCH_MARGIN_SECONDS = 10.0  # beyond activeDeadlineSeconds, for the kubelet to report the deadline


def probe_pod(settings: Settings, node: GpuNode, run: RunContext) -> dict[str, Any]:
    command = ["gpu-conformance", "probe", "--host-root", "/host", "--node", node.name,
               "--termination-log", TERMINATION_LOG]
    if node.container_runtime_version:
        command[4:4] = ["--runtime", node.container_runtime_version]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": run.object_name("probe", node.name),
            "namespace": settings.namespace,
            "labels": run.component_labels(COMPONENT),
            "annotations": {NODE_ANNOTATION: node.name},
        },
        "spec": {
            # nodeName, not a nodeSelector: the probe must run on the node being checked even when it is
            # cordoned or its GPU capacity is missing, which is when its facts matter most. nodeName skips
            # the scheduler, so NoSchedule taints do not apply; the kubelet still refuses pods that do not
            # tolerate its NoExecute taints (not-ready, unreachable, a user's own), so the probe tolerates
            # every taint, as node agents' DaemonSets do. It only reads the host and exits.
            "nodeName": node.name,
            "tolerations": [{"operator": "Exists"}],
            "restartPolicy": "Never",
            "activeDeadlineSeconds": max(1, int(settings.timeout)),
            "automountServiceAccountToken": False,
            "enableServiceLinks": False,
            "terminationGracePeriodSeconds": 5,
            "containers": [
                {
                    "name": CONTAINER,
                    "image": settings.probe_image,
                    "command": command,
                    "env": no_gpu_env(),  # privileged: the image's NVIDIA_VISIBLE_DEVICES=all would inject every GPU
                    # root, whatever the image's USER: some host files it reads are root's alone
                    # (containerd's config.toml with registry credentials, k3s's agent directory)
                    "securityContext": {"privileged": True, "runAsUser": 0, "runAsNonRoot": False},
                    "resources": {
                        "requests": {"cpu": "10m", "memory": "32Mi"},
                        "limits": {"memory": "256Mi"},
                    },
                    "volumeMounts": [{"name": "host", "mountPath": "/host", "readOnly": True}],
                    "terminationMessagePath": TERMINATION_LOG,
                    "terminationMessagePolicy": "File",
                }
            ],
            "volumes": [{"name": "host", "hostPath": {"path": "/", "type": "Directory"}}],
        },
    }


def parse_probe_log(log: str) -> NodeProbe:
    """The probe's JSON: the whole log, or from the first line that opens an object (ValueError if none)."""
    text = log.strip()
    if not text:
        raise ValueError("the probe printed nothing")
    try:
        return NodeProbe.from_json(text)
    except ValueError:
        start = next((i for i, line in enumerate(text.splitlines()) if line.startswith("{")), None)
        if start is None:
            raise
        return NodeProbe.from_json("\n".join(text.splitlines()[start:]))


def local_probe(settings: Settings) -> ProbeOutcome:
    """``--local-probe``: probe this machine in-process (a gate run on the node itself)."""
    node = settings.node[0] if settings.node else None
    try:
        facts = probe(Path("/"), None, node)
    except (OSError, ValueError) as exc:
        return ProbeOutcome(
            node or "localhost", None, f"local probe failed: {one_line(str(exc))}", "local probe of /"
        )
    return ProbeOutcome(node or facts.node or "localhost", facts, None, "local probe of /")


def _finished(pod: Any) -> bool:
    state = container_state(pod, CONTAINER)
    return phase(pod) in ("Succeeded", "Failed") or state.waiting_reason in (
        *IMAGE_PULL_FAILURES,
        *START_FAILURES,
    )


def _from_message(pod: Any) -> NodeProbe | None:
    """The facts the probe left as its termination message; None where it left none (they did not fit) or the
    message is not whole."""
    message = container_state(pod, CONTAINER).termination_message
    try:
        return NodeProbe.from_json(decode(message)) if message else None
    except ValueError:
        return None


def _outcome(node: str, pod: Any | None, read: ContainerLog, settings: Settings) -> ProbeOutcome:
    if pod is None:
        return ProbeOutcome(node, None, "the probe pod never appeared in the watch", "probe pod (none)")
    source, state, current = f"probe pod {full_name(pod)}", container_state(pod, CONTAINER), phase(pod)
    facts = _from_message(pod) if current == "Succeeded" else None
    if facts is not None:
        return ProbeOutcome(node, facts, None, source)
    log = read.text
    tail = "\n".join(log.splitlines()[-20:])
    if current == "Succeeded":
        if read.unreadable is not None:  # its output is the log: a failed read is no output to judge
            return ProbeOutcome(node, None, f"the probe ran, but its output could not be read: {read.unreadable}",
                                source)
        try:
            return ProbeOutcome(node, parse_probe_log(log), None, source)
        except ValueError as exc:
            return ProbeOutcome(
                node, None, f"probe output unreadable: {one_line(str(exc), 200)}", source, tail
            )
    if state.waiting_reason in IMAGE_PULL_FAILURES:
        error = (
            f'probe image "{settings.probe_image}" could not be pulled ({state.waiting_reason}): '
            f"{one_line(state.waiting_message, 200)}; mirror it and pass --probe-image"
        )
    elif state.waiting_reason in START_FAILURES:
        message = one_line(state.waiting_message, 200)
        error = f"probe container could not start ({state.waiting_reason}): {message}"
    elif current == "Failed" and pod.status.reason == "DeadlineExceeded":
        error = f"probe pod did not finish within {settings.timeout:g}s (DeadlineExceeded)"
    elif current == "Failed":
        error = f"probe container failed (exit code {state.exit_code}): {one_line(last_line(log), 200)}"
    elif pod.metadata.deletion_timestamp is not None:
        error = "probe pod was deleted before it finished"
    else:
        waiting = f", {state.waiting_reason}" if state.waiting_reason else ""
        error = f"probe pod still {current}{waiting} after {settings.timeout:g}s"
    return ProbeOutcome(node, None, error, source, tail)


def _create_all(
    conn: Connection, settings: Settings, nodes: list[GpuNode], run: RunContext
) -> dict[str, ProbeOutcome]:
    """Create every probe pod; nodes whose pod could not be created get their outcome here."""

    def create(node: GpuNode) -> ProbeOutcome | None:
        body = probe_pod(settings, node, run)
        source = f"probe pod {settings.namespace}/{body['metadata']['name']}"
        try:
            create_retrying(lambda: conn.core.create_namespaced_pod(settings.namespace, body),
                            f"POST /api/v1/namespaces/{settings.namespace}/pods", budget_of(conn.api_client))
        except ApiException as err:
            if denial(err) is not None or isinstance(err, ApiUnavailable):
                return ProbeOutcome(node.name, None, f"the probe pod could not be created: {api_message(err)}", source)
            why = "forbidden (admission or PodSecurity)" if err.status == 403 else "refused"
            return ProbeOutcome(
                node.name, None, f"creating the probe pod was {why}: {api_message(err)}", source
            )
        except (HTTPError, OSError) as err:
            return ProbeOutcome(node.name, None, f"the probe pod could not be created: {one_line(str(err), 200)}",
                                source)
        return None

    results = logs.map_bounded(create, nodes)
    return {node.name: result for node, result in zip(nodes, results, strict=True) if result is not None}


def run_probes(
    conn: Connection, settings: Settings, nodes: list[GpuNode], run: RunContext
) -> dict[str, ProbeOutcome]:
    """Probe every node at once; each node's ProbeOutcome, with the facts or why there are none."""
    if not nodes:
        return {}
    ensure_namespace(conn, settings.namespace, run)
    deadline = time.monotonic() + settings.timeout + WATCH_MARGIN_SECONDS
    outcomes = _create_all(conn, settings, nodes, run)
    pending = [n.name for n in nodes if n.name not in outcomes]
    followed, logs_by_node = follow_pods_and_logs(conn.core, settings.namespace, run.selector(COMPONENT), pending,
                                                  deadline, _finished, CONTAINER, not_ready=not_ready_nodes(conn),
                                                  needs_log=lambda pod: _from_message(pod) is None)
    for name in pending:
        pod = followed.last.get(name)
        if name in followed.not_ready:
            source = f"probe pod {full_name(pod)}" if pod is not None else "probe pod (none)"
            outcomes[name] = ProbeOutcome(name, None, f"{followed.not_ready[name]}: its probe pod could not run there",
                                          source, node_not_ready=True)
            continue
        outcomes[name] = _outcome(name, pod, logs_by_node.get(name, NO_LOG), settings)
    return {node.name: outcomes[node.name] for node in nodes}
