"""One logical kubelet for every node: admits bound pods, runs them, reports status, tears down.

Nodes whose ground truth says not ready have no working kubelet: their pods stay as they are.
A kubelet that stops later (:meth:`Kubelet.stop_node`) admits nothing more and reports nothing more;
what ran there is left as it was last reported.
"""

from __future__ import annotations

from ..errors import ApiError
from ..resources import POD
from ..store import Obj, now_rfc3339
from .base import Context
from .containers import ContainerRun, PodRun
from .devices import DeviceManager
from .dra_prepare import prepare, unprepare
from .kubelet_status import phase, pod_status
from .objects import is_deleting, is_terminal
from .pod_housekeeping import PodDirectories
from .pod_volumes import pod_directory
from .pulls import kubelet_minor
from .runtime import Runtime

COMPONENT = "kubelet"
SANDBOX_SECONDS = 0.2
PREPARE_RETRY_SECONDS = 5.0  # a pod whose claims cannot be prepared yet is synced again, as after a worker error
_DEADLINE_MESSAGE = "Pod was active on the node longer than the specified deadline"


class Kubelet:
    def __init__(self, ctx: Context, devices: DeviceManager, preloaded: frozenset[str] = frozenset()) -> None:
        """``preloaded``: images already on every node (those of the workloads installed at bootstrap)."""
        self._ctx = ctx
        self._devices = devices
        self._runtime = Runtime(ctx, devices, self._sync, self._container_exited, preloaded)
        self._pods: dict[str, PodRun] = {}
        self._directories = PodDirectories()
        self._ips: dict[str, int] = {}
        self._nodes = {n.name: i for i, n in enumerate(ctx.scenario.nodes) if n.ready}
        self._silent: set[str] = set()

    def stop_node(self, node: str) -> None:
        """The node's kubelet stops: no more admissions, status writes or teardowns from it."""
        self._silent.add(node)

    def stop(self) -> None:
        for pod in self._pods.values():
            pod.kill_all()
        self._directories.stop()

    def on_event(self, type: str, resource: str, obj: Obj, old: Obj | None) -> None:
        node = obj["spec"].get("nodeName") if resource == POD.key else None
        if node not in self._nodes or node in self._silent:
            return
        uid = obj["metadata"]["uid"]
        run = self._pods.get(uid)
        if type == "DELETED":
            if run is not None:
                self._forget(run)
            return
        if run is None:
            if is_terminal(obj):
                if is_deleting(obj):
                    self._remove(obj)
                return
            run = self._admit(obj)
        if is_deleting(obj) and not run.terminating:
            self._terminate(run, obj)

    # -- admission and sandbox -------------------------------------------------------------

    def _admit(self, obj: Obj) -> PodRun:
        meta, spec = obj["metadata"], obj["spec"]
        inits = [ContainerRun(c["name"], c, True) for c in spec.get("initContainers") or []]
        regular = [ContainerRun(c["name"], c, False) for c in spec.get("containers") or []]
        if inits:
            for c in [*inits, *regular]:
                c.state = {"waiting": {"reason": "PodInitializing"}}
        run = PodRun(uid=meta["uid"], namespace=meta["namespace"], name=meta["name"], node=spec["nodeName"],
                     containers={c.name: c for c in [*inits, *regular]}, init_names=[c.name for c in inits],
                     start_time=now_rfc3339())
        self._pods[run.uid] = run
        deadline = spec.get("activeDeadlineSeconds")
        if deadline is not None:
            run.timers.append(self._ctx.clock.after(float(deadline), lambda: self._deadline(run)))
        self._sync(run)
        run.timers.append(self._ctx.clock.after(SANDBOX_SECONDS, lambda: self._sandbox_ready(run, obj)))
        return run

    def _pod_ip(self, run: PodRun, obj: Obj) -> str:
        node = self._ctx.scenario.node(run.node)
        if obj["spec"].get("hostNetwork"):
            return node.internal_ip
        count = self._ips.get(run.node, 1) + 1
        self._ips[run.node] = count
        return f"127.244.{self._nodes[run.node] % 256}.{count % 254 + 1}"

    def _sandbox_ready(self, run: PodRun, obj: Obj) -> None:
        if run.terminating or not self._prepared(run, obj):
            return
        run.pod_ip = self._pod_ip(run, obj)
        run.sandbox_ready = True
        self._sync(run)
        self._advance(run)

    def _prepared(self, run: PodRun, obj: Obj) -> bool:
        """PrepareDynamicResources before the sandbox (``dra_prepare.py``); retried later when it fails."""
        if not obj["spec"].get("resourceClaims"):
            return True
        current = self._ctx.store.find(POD, run.namespace, run.name) or obj
        error = prepare(self._ctx, run.node, current)
        if error is None:
            return True
        self._ctx.recorder.event(current, "Warning", "FailedPrepareDynamicResources",
                                 f"Failed to prepare dynamic resources: {error}", COMPONENT, host=run.node)
        run.timers.append(self._ctx.clock.after(PREPARE_RETRY_SECONDS, lambda: self._sandbox_ready(run, obj),
                                                background=True))
        return False

    def _advance(self, run: PodRun) -> None:
        """Start the next init container, or every regular container once initialised."""
        if run.terminating or run.forced_phase:
            return
        if not run.initialized:
            self._runtime.start(run, run.containers[run.init_names[run.next_init]])
            return
        for c in run.regular():
            if c.state.get("waiting", {}).get("reason") in ("ContainerCreating", "PodInitializing"):
                c.state = {"waiting": {"reason": "ContainerCreating"}}
                self._runtime.start(run, c)
        self._sync(run)

    # -- exits -----------------------------------------------------------------------------

    def _container_exited(self, run: PodRun, c: ContainerRun, code: int) -> None:
        obj = self._ctx.store.find(POD, run.namespace, run.name)
        if run.terminating:
            self._sync(run)
            if obj is not None and not any(c.running for c in run.containers.values()):
                self._stopped(run, obj)
            return
        if obj is None or run.forced_phase:
            self._sync(run)
            return
        policy = obj["spec"].get("restartPolicy", "Always")
        if c.init:
            if code == 0:
                run.next_init += 1
                self._sync(run)
                self._advance(run)
            elif policy == "Never":
                self._fail(run, None, None)
            else:
                self._runtime.restart(run, c)
            return
        if policy == "Always" or (policy == "OnFailure" and code != 0):
            self._runtime.restart(run, c)
        self._sync(run)
        if is_terminal({"status": {"phase": self._phase_of(run)}}):
            self._finished(run)

    def _phase_of(self, run: PodRun) -> str:
        obj = self._ctx.store.find(POD, run.namespace, run.name)
        return str((obj or {}).get("status", {}).get("phase", ""))

    def _finished(self, run: PodRun) -> None:
        """The pod reached a terminal phase: its sandbox goes and its devices are freed."""
        run.kill_all()
        run.sandbox_ready = False
        self._devices.release(run.node, run.uid)
        pod = self._ctx.store.find(POD, run.namespace, run.name)
        if pod is not None and pod["spec"].get("resourceClaims"):
            unprepare(self._ctx, run.node, pod)
        self._sync(run)

    def _fail(self, run: PodRun, reason: str | None, message: str | None) -> None:
        run.forced_phase, run.reason, run.message = "Failed", reason, message
        for c in run.containers.values():
            self._runtime.kill(run, c)
        self._finished(run)

    def _deadline(self, run: PodRun) -> None:
        obj = self._ctx.store.find(POD, run.namespace, run.name)
        if obj is None or is_terminal(obj) or run.terminating:
            return
        self._ctx.recorder.event(obj, "Warning", "DeadlineExceeded", _DEADLINE_MESSAGE, COMPONENT,
                                 host=run.node)
        self._fail(run, "DeadlineExceeded", _DEADLINE_MESSAGE)

    # -- deletion --------------------------------------------------------------------------

    def _terminate(self, run: PodRun, obj: Obj) -> None:
        """Graceful deletion: stop the containers within the grace period, then report a terminal phase and
        remove the pod. (A deletion without grace, ``--force --grace-period=0``, kills at once; a real kubelet
        still gives SIGTERM 2 s.)"""
        run.terminating = True
        for timer in run.timers:
            timer.cancel()
        grace = float(obj["metadata"].get("deletionGracePeriodSeconds") or 0)
        for c in run.containers.values():
            self._runtime.stop(run, c, grace)
        if not any(c.running for c in run.containers.values()):
            self._stopped(run, obj)

    def _stopped(self, run: PodRun, obj: Obj) -> None:
        """Every container of a pod being deleted has stopped."""
        if run.stopped:
            return
        run.stopped = True
        if phase(run, obj["spec"].get("restartPolicy", "Always")) not in ("Succeeded", "Failed"):
            run.forced_phase = "Failed"
        self._finished(run)
        self._ctx.clock.after(0.1, lambda: self._remove(obj))

    def _remove(self, obj: Obj) -> None:
        meta = obj["metadata"]
        current = self._ctx.store.find(POD, meta["namespace"], meta["name"])
        if current is None or current["metadata"]["uid"] != meta["uid"]:
            return
        try:
            if current["metadata"].get("finalizers"):  # the kubelet's last DELETE, with grace 0: the pod goes
                self._ctx.store.update(POD, meta["namespace"], meta["name"], _no_grace_left)  # with them
            else:
                self._ctx.store.delete(POD, meta["namespace"], meta["name"])
        except ApiError:
            return

    def _forget(self, run: PodRun) -> None:
        run.kill_all()
        self._devices.release(run.node, run.uid)
        self._pods.pop(run.uid, None)
        self._ctx.logs.forget_pod(run.namespace, run.name)
        directory = pod_directory(self._ctx, run.uid)  # its files, the token included
        if directory is not None:
            self._directories.remove(directory)

    # -- status ----------------------------------------------------------------------------

    def _sync(self, run: PodRun) -> None:
        """Write the pod's status as the kubelet's status manager would."""
        if run.node in self._silent:
            return
        node = self._ctx.scenario.node(run.node)
        with_ready_to_start = kubelet_minor(node.kubelet_version) >= 29

        def apply(obj: Obj) -> None:
            if obj["metadata"]["uid"] == run.uid:
                obj["status"] = pod_status(run, obj, node.internal_ip, with_ready_to_start)

        try:
            self._ctx.store.update(POD, run.namespace, run.name, apply)
        except ApiError:
            return


def _no_grace_left(pod: Obj) -> None:
    pod["metadata"]["deletionTimestamp"] = now_rfc3339()
    pod["metadata"]["deletionGracePeriodSeconds"] = 0
