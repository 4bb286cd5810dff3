"""One logical container runtime for every node: image pulls, container starts, exits, back-off.

It acts for the kubelet (events come from ``kubelet`` with the node as host) and reports back
through the callbacks the kubelet gives it.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import secrets
import signal
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from ..cdi_spec import host_devices
from ..cgroup_trap import loses_gpus_on_reload, revoke
from ..dra_slices import publish, unregister
from ..images import ContainerContext, Process, Script, VolumeSetupError, behaviour, image_env
from ..images.allocation import allocate
from ..images.injection import ContainerRequest, StartFailure, inject
from ..pod_timing import pull_seconds, timed, timing_for
from ..resources import POD
from ..store import Obj, now_rfc3339
from ..termination import termination_message
from .base import Context
from .containers import ContainerRun, PodRun, kill_container, start_process
from .devices import DeviceManager
from .dra_prepare import container_cdi_devices
from .persistentvolumes import claim_directory
from .pod_volumes import ConfigMaps, PodVolumes, pod_directory
from .pulls import (
    FAILED_PULL_SECONDS,
    PULL_SECONDS,
    go_duration,
    image_id,
    kubelet_minor,
    pull_error,
    pulled_message,
)
from .volume_binding import claim_names

BACKOFF_START = 10.0
BACKOFF_MAX = 300.0
IMAGE_PULL_BACKOFF_DELAY = 1.0  # the next sync after ErrImagePull, which reports ImagePullBackOff
MOUNT_RETRY_SECONDS = 2.0  # the next try to set up a volume that failed (FailedMount)
CREATE_RETRY_SECONDS = 10.0  # the next sync after CreateContainerError


class Runtime:
    def __init__(self, ctx: Context, devices: DeviceManager, sync: Callable[[PodRun], None],
                 exited: Callable[[PodRun, ContainerRun, int], None], preloaded: frozenset[str] = frozenset()) -> None:
        self._ctx = ctx
        self._devices = devices
        self._sync = sync
        self._exited = exited
        self._images = {n.name: set(preloaded) for n in ctx.scenario.nodes}  # node -> images present
        self._at_risk: dict[str, list[tuple[ContainerRun, int, Path]]] = {}  # node -> containers a reload strips
        for node in ctx.scenario.nodes:
            if node.host is not None and node.host.daemon_reload_after is not None:
                ctx.clock.after(node.host.daemon_reload_after, partial(self._daemon_reload, node.name), background=True)

    def _daemon_reload(self, node: str) -> None:
        """`systemctl daemon-reload` on the node: running containers whose GPUs systemd does not know lose them."""
        for c, run_id, directory in self._at_risk.pop(node, []):
            if c.running and c.run_id == run_id:
                revoke(directory)

    # -- helpers -------------------------------------------------------------------------

    def _pod(self, pod: PodRun) -> Obj | None:
        return self._ctx.store.find(POD, pod.namespace, pod.name)

    def _event(self, pod: PodRun, c: ContainerRun, type: str, reason: str, message: str) -> None:
        obj = self._pod(pod)
        if obj is not None:
            self._ctx.recorder.event(obj, type, reason, message, "kubelet", host=pod.node,
                                     field_path=c.field_path)

    def _later(self, c: ContainerRun, seconds: float, action: Callable[[], None]) -> None:
        run_id = c.run_id

        def fire() -> None:
            if c.run_id == run_id:
                action()

        c.timers.append(self._ctx.clock.after(seconds, fire))

    def _minor(self, pod: PodRun) -> int:
        return kubelet_minor(self._ctx.scenario.node(pod.node).kubelet_version)

    # -- image pull ----------------------------------------------------------------------

    def start(self, pod: PodRun, c: ContainerRun) -> None:
        """Ensure the image, then create and start the container."""
        c.run_id += 1
        image = str(c.spec.get("image", ""))
        policy = c.spec.get("imagePullPolicy") or ("Always" if image.endswith(":latest") or ":" not in
                                                   image.rsplit("/", 1)[-1] else "IfNotPresent")
        present = image in self._images.get(pod.node, set())
        if present and policy != "Always":
            self._event(pod, c, "Normal", "Pulled", f'Container image "{image}" already present on machine')
            self._create(pod, c)
            return
        if policy == "Never":
            message = f'Container image "{image}" is not present with pull policy of Never'
            self._event(pod, c, "Warning", "ErrImageNeverPull", message)
            c.state = {"waiting": {"reason": "ErrImageNeverPull", "message": message}}
            self._sync(pod)
            return
        self._event(pod, c, "Normal", "Pulling", f'Pulling image "{image}"')
        if any(fnmatch.fnmatchcase(image, pattern) for pattern in self._ctx.scenario.unreachable_images):
            self._later(c, FAILED_PULL_SECONDS, lambda: self._pull_failed(pod, c, image))
        else:
            timing = timing_for(self._ctx.scenario.pod_timing, image)
            seconds = pull_seconds(timing, PULL_SECONDS, f"{pod.uid}/{c.name}")
            self._later(c, seconds, lambda: self._pulled(pod, c, image, seconds))

    def _pulled(self, pod: PodRun, c: ContainerRun, image: str, seconds: float = PULL_SECONDS) -> None:
        self._images.setdefault(pod.node, set()).add(image)
        took = seconds * self._ctx.clock.time_scale
        self._event(pod, c, "Normal", "Pulled", pulled_message(image, took, self._minor(pod)))
        c.pull_backoff = 0.0
        self._create(pod, c)

    def _pull_failed(self, pod: PodRun, c: ContainerRun, image: str) -> None:
        error = pull_error(image)
        self._event(pod, c, "Warning", "Failed", f'Failed to pull image "{image}": {error}')
        self._event(pod, c, "Warning", "Failed", "Error: ErrImagePull")
        c.state = {"waiting": {"reason": "ErrImagePull", "message": error}}
        self._sync(pod)
        c.pull_backoff = min(c.pull_backoff * 2, BACKOFF_MAX) if c.pull_backoff else BACKOFF_START
        self._later(c, IMAGE_PULL_BACKOFF_DELAY, lambda: self._pull_backoff(pod, c, image))

    def _pull_backoff(self, pod: PodRun, c: ContainerRun, image: str) -> None:
        message = f'Back-off pulling image "{image}"'
        self._event(pod, c, "Normal", "BackOff", message)
        self._event(pod, c, "Warning", "Failed", "Error: ImagePullBackOff")
        c.state = {"waiting": {"reason": "ImagePullBackOff", "message": message}}
        self._sync(pod)
        self._later(c, max(c.pull_backoff - IMAGE_PULL_BACKOFF_DELAY, 0.0), lambda: self.start(pod, c))

    # -- running -------------------------------------------------------------------------

    def _context(self, pod: PodRun, obj: Obj, c: ContainerRun) -> ContainerContext:
        ctx = self._ctx
        node = ctx.scenario.node(pod.node)
        handler = node.host.runtime.default_runtime if node.host is not None else "runc"
        class_name = obj["spec"].get("runtimeClassName")
        for rc in ctx.scenario.runtime_classes:
            if rc.name == class_name:
                handler = rc.handler
        claims = {name: path for name in claim_names(obj["spec"])
                  if (path := claim_directory(ctx, pod.namespace, name)) is not None}
        allocated = self._devices.allocate(pod.node, obj, c.name)
        setup = ctx.scenario.device_plugin
        response = allocate(allocated, setup.device_list_strategy, f"{pod.uid}/{c.name}",
                            self._devices.enumerated(pod.node), setup.device_id_strategy)
        own_env = image_env(str(c.spec.get("image", "")))
        # The kubelet lists the plugin's variables first, the pod spec's after them: the later value wins.
        env = {**own_env, **response.envs, **_literal_env(c.spec)}
        security = c.spec.get("securityContext") or {}
        privileged = bool(security.get("privileged"))
        added = [str(cap).upper().removeprefix("CAP_") for cap in (security.get("capabilities") or {}).get("add") or []]
        request = ContainerRequest(handler=handler, env=env, annotations=response.annotations,
                                   device_mounts=response.device_mounts,
                                   cdi_devices=response.cdi_devices + container_cdi_devices(ctx.store, obj, c.spec),
                                   privileged=privileged, sys_admin=privileged or "SYS_ADMIN" in added)
        pod_dir = pod_directory(ctx, pod.uid)
        return ContainerContext(pod=obj, container=c.spec, node=node, host_roots=ctx.host_roots,
                                runtime=handler, scenario=ctx.scenario, allocated=allocated, claim_dirs=claims,
                                volume_dirs=PodVolumes(ctx, obj), config_maps=ConfigMaps(ctx, pod.namespace),
                                service_env=ctx.api.service_env(), image_env=own_env, allocation=response,
                                injection=inject(node, request, host_devices(ctx.host_roots.get(pod.node))),
                                container_dir=None if pod_dir is None else pod_dir / "containers" / c.name,
                                history=ctx.history)

    def _start_failed(self, pod: PodRun, c: ContainerRun, failure: StartFailure) -> None:
        """The runtime refused the container: CreateContainerError (tried again at the next sync) or, once
        created, RunContainerError (it ends as StartError, exit code 128, and restarts as its policy says)."""
        if failure.reason == "CreateContainerError":
            message = (f'failed to generate container "{secrets.token_hex(32)}" spec: failed to apply OCI '
                       f"options: {failure.message}")
            self._event(pod, c, "Warning", "Failed", f"Error: {message}")
            c.state = {"waiting": {"reason": failure.reason, "message": message}}
            self._sync(pod)
            self._later(c, CREATE_RETRY_SECONDS, lambda: self._create(pod, c))
            return
        c.image_id = image_id(str(c.spec.get("image", "")))
        c.new_container_id()
        created = "Created container: " if self._minor(pod) >= 32 else "Created container "
        self._event(pod, c, "Normal", "Created", created + c.name)
        self._event(pod, c, "Warning", "Failed", f"Error: {failure.message}")
        c.state = {"terminated": {"exitCode": 128, "reason": "StartError", "message": failure.message,
                                  "startedAt": "1970-01-01T00:00:00Z", "finishedAt": now_rfc3339(),
                                  "containerID": c.container_id}}
        c.ready = False
        self._exited(pod, c, 128)

    def _create(self, pod: PodRun, c: ContainerRun) -> None:
        obj = self._pod(pod)
        if obj is None or pod.terminating:
            return
        image = str(c.spec.get("image", ""))
        try:
            context = self._context(pod, obj, c)
            if context.injection.failure is not None:
                self._start_failed(pod, c, context.injection.failure)
                return
            outcome = behaviour(image)(context)
        except VolumeSetupError as err:  # the container stays ContainerCreating until the volume can be set up
            self._ctx.recorder.event(obj, "Warning", "FailedMount", str(err), "kubelet", host=pod.node)
            self._later(c, MOUNT_RETRY_SECONDS, lambda: self._create(pod, c))
            return
        c.image_id = image_id(image)
        c.new_container_id()
        created = "Created container: " if self._minor(pod) >= 32 else "Created container "
        self._event(pod, c, "Normal", "Created", created + c.name)
        self._event(pod, c, "Normal", "Started", f"Started container {c.name}")
        c.state = {"running": {"startedAt": now_rfc3339()}}
        c.started = True
        where = (pod.namespace, pod.name, c.name)
        self._ctx.logs.start(*where)
        c.outcome = outcome
        if context.container_dir is not None and context.node is not None and loses_gpus_on_reload(
                context.node, context.runtime, context.injection):
            self._at_risk.setdefault(pod.node, []).append((c, c.run_id, context.container_dir))
        if isinstance(outcome, Process):
            run_id = c.run_id
            c.process = start_process(outcome, self._ctx.logs, where, lambda code: self._ctx.clock.post(
                lambda: self._process_exit(pod, c, run_id, code)))
        else:
            timing = timing_for(self._ctx.scenario.pod_timing, image)
            self._script(pod, c, timed(outcome, timing, f"{pod.uid}/{c.name}"))
        self._readiness(pod, c, outcome)
        self._sync(pod)

    def _process_exit(self, pod: PodRun, c: ContainerRun, run_id: int, code: int) -> None:
        if c.run_id == run_id and c.running:
            self.finish(pod, c, code if code >= 0 else 128 - code)

    def _script(self, pod: PodRun, c: ContainerRun, script: Script) -> None:
        elapsed = 0.0
        for wait, text in script.steps:
            elapsed += wait
            if text:
                self._later(c, elapsed, self._writer(pod, c, text))
        if script.registers or script.node_labels or script.dra_driver:
            self._later(c, elapsed, lambda: self._announce(pod, c, script))
        if script.exit_code is not None:
            code = script.exit_code
            self._later(c, elapsed, lambda: self.finish(pod, c, code))

    def _writer(self, pod: PodRun, c: ContainerRun, text: str) -> Callable[[], None]:
        return lambda: self._ctx.logs.write(pod.namespace, pod.name, c.name, text)

    def _announce(self, pod: PodRun, c: ContainerRun, script: Script) -> None:
        if script.registers:
            self._devices.register(pod.node, pod.uid, script.registers, script.enumerated)
            c.registered = True
        if script.node_labels:
            self._devices.label(pod.node, script.node_labels)
        setup = self._ctx.scenario.dra_driver
        if script.dra_driver and setup is not None:
            self._ctx.dra_plugins.register(pod.node, pod.uid, script.dra_driver)
            publish(self._ctx.store, self._ctx.scenario.node(pod.node), setup)

    def _readiness(self, pod: PodRun, c: ContainerRun, outcome: Script | Process) -> None:
        probe: dict[str, Any] | None = c.spec.get("readinessProbe")
        if probe is None:
            c.ready = True
            return
        if isinstance(outcome, Script) and not outcome.ready:
            return
        delay = float(probe.get("initialDelaySeconds", 0)) + 1.0

        def ready() -> None:
            if c.running:
                c.ready = True
                self._sync(pod)

        self._later(c, delay, ready)

    def finish(self, pod: PodRun, c: ContainerRun, code: int) -> None:
        """The container's process ended with ``code``."""
        if not c.running:
            return
        c.cancel_timers()
        c.process = None
        started = c.state["running"]["startedAt"]
        c.state = {"terminated": {"exitCode": code, "reason": "Completed" if code == 0 else "Error",
                                  "startedAt": started, "finishedAt": now_rfc3339(),
                                  "containerID": c.container_id}}
        message = self._termination_message(pod, c, code)
        if message:
            c.state["terminated"]["message"] = message
        c.ready = False
        self._ctx.logs.stop(pod.namespace, pod.name, c.name)
        if c.registered:
            self._devices.unregister(pod.node, pod.uid)
            c.registered = False
        unregister(self._ctx, pod.node, pod.uid)
        self._exited(pod, c, code)

    def _termination_message(self, pod: PodRun, c: ContainerRun, code: int) -> str:
        obj = self._pod(pod)
        if obj is None:
            return ""
        pod_dir = pod_directory(self._ctx, pod.uid)
        seen_inside = c.outcome.as_seen_inside if isinstance(c.outcome, Process) else (lambda text: text)
        return termination_message(None if pod_dir is None else pod_dir / "containers" / c.name, obj, c.spec, code,
                                   self._ctx.logs.read(pod.namespace, pod.name, c.name), seen_inside)

    def kill(self, pod: PodRun, c: ContainerRun) -> None:
        """Stop a running container (Killing event); it ends as killed by SIGKILL."""
        if c.running:
            self._event(pod, c, "Normal", "Killing", f"Stopping container {c.name}")
            if c.process is not None:
                kill_container(c.process)
            self.finish(pod, c, 137)
        c.kill()

    def stop(self, pod: PodRun, c: ContainerRun, grace: float) -> None:
        """Stop a container of a pod being deleted: a real process gets SIGTERM, then SIGKILL if it still runs
        ``grace`` seconds later, and ends when it exits; a simulated one ends at once, as :meth:`kill`."""
        process = c.process
        if grace <= 0 or not c.running or process is None or process.returncode is not None:
            self.kill(pod, c)
            return
        self._event(pod, c, "Normal", "Killing", f"Stopping container {c.name}")
        c.cancel_timers()
        if catches(process.pid, signal.SIGTERM):  # a container's PID 1 gets no signal it has no handler for
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGTERM)  # PID 1 only, as the runtime's stop signal; not reaped yet
        self._later(c, grace, lambda: self._sigkill(pod, c))

    def _sigkill(self, pod: PodRun, c: ContainerRun) -> None:
        if c.running and c.process is not None:
            kill_container(c.process)
            self.finish(pod, c, 137)

    def restart(self, pod: PodRun, c: ContainerRun) -> None:
        """Restart after an exit, immediately the first time, then with CrashLoopBackOff."""
        delay = c.crash_backoff
        c.crash_backoff = min(c.crash_backoff * 2, BACKOFF_MAX) if c.crash_backoff else BACKOFF_START
        c.last_state = {"terminated": c.state["terminated"]} if c.terminated else c.last_state

        def again() -> None:
            c.restart_count += 1
            self.start(pod, c)

        if delay == 0:
            again()
            return
        pod_ref = f"{pod.name}_{pod.namespace}({pod.uid})"
        c.state = {"waiting": {"reason": "CrashLoopBackOff", "message": (
            f"back-off {go_duration(delay)} restarting failed container={c.name} pod={pod_ref}")}}
        message = f"Back-off restarting failed container {c.name} in pod {pod_ref}"
        self._event(pod, c, "Warning", "BackOff", message)
        self._sync(pod)
        c.run_id += 1
        self._later(c, delay, again)


def _literal_env(container: dict[str, Any]) -> dict[str, str]:
    """The container's ``env`` entries with a literal value (valueFrom ones name no NVIDIA device list)."""
    return {str(item["name"]): str(item["value"]) for item in container.get("env") or [] if "value" in item}


def catches(pid: int, signum: int) -> bool:
    """Whether the process has a handler for ``signum`` now (SigCgt in /proc/PID/status).

    The container's process is its PID namespace's init, and the kernel delivers to an init only the signals it has
    a handler for, SIGKILL and SIGSTOP apart (pid_namespaces(7)); here it is an ordinary process, which SIGTERM's
    default action would end. So a process that has not (yet) set a handler, a Python program still starting
    among them, ignores the stop signal as in a container, and SIGKILL ends it when the grace period is over.
    """
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = next((line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), "0")
    return bool(int(caught, 16) >> (signum - 1) & 1)
