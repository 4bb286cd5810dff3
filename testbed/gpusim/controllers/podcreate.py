"""How workload controllers create pods: through admission, as their API calls would go.

A refused pod (PodSecurity, most often) leaves a ``FailedCreate`` event on the workload with the
apiserver's message, and the controller tries again later with exponential back-off (the job
controller's 1 s doubling to 60 s), so relabelling the namespace lets the workload proceed.
"""

from __future__ import annotations

from collections.abc import Callable

from ..defaults import mount_service_account_token
from ..errors import ApiError
from ..podsecurity.admission import admit_pod
from ..resources import POD
from ..store import Obj
from .base import Context

BACKOFF_START = 1.0
BACKOFF_MAX = 60.0


class PodCreator:
    def __init__(self, ctx: Context, component: str, retry: Callable[[str, str], None]) -> None:
        """``retry(namespace, name)`` requeues the owner once its back-off has passed."""
        self._ctx = ctx
        self._component = component
        self._retry = retry
        self._backoff: dict[str, float] = {}  # owner uid -> next delay

    def create(self, owner: Obj, pod: Obj) -> Obj | None:
        store, meta = self._ctx.store, owner["metadata"]
        mount_service_account_token(store, pod)

        def admit(new: Obj) -> None:
            admit_pod(store, new)  # its warnings go nowhere: controllers ignore them

        try:
            created = store.create(POD, pod, admit)
        except ApiError as err:
            self._ctx.recorder.event(owner, "Warning", "FailedCreate", f"Error creating: {err.message}",
                                     self._component)
            delay = self._backoff.get(meta["uid"], BACKOFF_START)
            self._backoff[meta["uid"]] = min(delay * 2, BACKOFF_MAX)
            self._ctx.clock.after(delay, lambda: self._retry(meta["namespace"], meta["name"]))
            return None
        self._backoff.pop(meta["uid"], None)
        self._ctx.recorder.event(owner, "Normal", "SuccessfulCreate", f"Created pod: {created['metadata']['name']}",
                                 self._component)
        return created
