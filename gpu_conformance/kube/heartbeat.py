"""This run's heartbeat: a Lease named after its run id in the suite's namespace, renewed every few seconds.

A run killed outright (SIGKILL, OOM, a lost node) stops renewing; once its Lease is older than its
``leaseDurationSeconds`` it is dead, and any other run of the suite removes what it left at once
(leftovers.py). A run that renews is never touched. One daemon thread renews this run's Lease (one PUT) and,
every third renewal, looks at the others' (one list): a run that dies beside this one is found within two Lease
durations. A run that made its namespace finds nobody's objects there: it starts without looking.
Lease times are compared with this machine's clock: the machines that run the suite
must agree on the time within a second or two (NTP), as a cluster's machines do.

A run cut off from the API server for longer than LEASE_SECONDS may be taken for dead by a run beside
it, which then removes its objects; its next renewal finds its Lease gone, makes it again and says so.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from .client import Connection
from .errors import api_message, one_line
from .leftovers import Leftovers
from .retry import create_retrying
from .run import LEASE_SECONDS, RunContext

RENEW_SECONDS = 2.0  # a run is dead after three missed renewals (LEASE_SECONDS)
LOOK_EVERY = 3  # renewals between two looks for runs that died: once a Lease duration
LEASE_PREFIX = "gpu-conformance-run-"


def lease_name(run_id: str) -> str:
    return f"{LEASE_PREFIX}{run_id}"


def micro_time(moment: datetime) -> str:
    """A MicroTime as the API server parses it (RFC 3339 with exactly six fractional digits)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def lease_body(run: RunContext, acquired: datetime, renewed: datetime) -> dict[str, Any]:
    return {
        "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
        "metadata": {"name": lease_name(run.run_id), "labels": run.labels},
        "spec": {"holderIdentity": f"{run.run_id}@{os.uname().nodename}:{os.getpid()}",
                 "leaseDurationSeconds": LEASE_SECONDS,
                 "acquireTime": micro_time(acquired), "renewTime": micro_time(renewed)},
    }


class Heartbeat:
    """This run's Lease, kept fresh by a daemon thread that also removes what dead runs left (unless ``sweep``
    is off: ``--keep-resources``). ``removed`` and ``problems`` are one line each, for the terminal summary."""

    def __init__(self, conn: Connection, namespace: str, run: RunContext, *, sweep: bool = True) -> None:
        self._leases = client.CoordinationV1Api(conn.api_client)
        self._namespace, self._run = namespace, run
        self._acquired = datetime.now(UTC)
        self._leftovers = Leftovers(conn, namespace, run.run_id) if sweep else None
        self._stop, self._settled = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._beat, name="gpu-conformance-heartbeat", daemon=True)
        self._problems: list[str] = []

    @property
    def removed(self) -> list[str]:
        return self._leftovers.removed if self._leftovers else []

    @property
    def problems(self) -> list[str]:
        return self._problems + (self._leftovers.problems if self._leftovers else [])

    def start(self) -> None:
        """Create the Lease (raising the API's refusal) and beat in the background; return once the other runs
        are known alive or dead, what the dead ones left removed (leftovers.py)."""
        self._create()
        self._thread.start()
        if self._leftovers and not self._run.created_namespace:
            self._leftovers.settle()
        self._settled.set()

    def stop(self) -> None:
        """Stop renewing (the Lease stays until cleanup deletes it with the run's objects)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _create(self) -> None:
        body = lease_body(self._run, self._acquired, datetime.now(UTC))
        create_retrying(lambda: self._leases.create_namespaced_lease(self._namespace, body))

    def _beat(self) -> None:
        beats = 0
        while not self._stop.wait(RENEW_SECONDS):
            beats += 1
            self._noting_problems("renewing this run's Lease", self._renew)
            looking = beats % LOOK_EVERY == 0 and self._settled.is_set() and not self._stop.is_set()
            if self._leftovers and looking:
                self._noting_problems("looking for runs that died", self._leftovers.sweep_when_due)

    def _renew(self) -> None:
        name = lease_name(self._run.run_id)
        try:
            self._leases.replace_namespaced_lease(
                name, self._namespace, lease_body(self._run, self._acquired, datetime.now(UTC)))
        except ApiException as err:
            if err.status != 404 or self._stop.is_set():
                raise
            self._note(f"heartbeat: this run's Lease {self._namespace}/{name} was gone (another run took this one "
                       "for dead after it missed renewals, and may have removed its objects): made it again")
            self._create()

    def _noting_problems(self, what: str, call: Callable[[], None]) -> None:
        """The thread never dies of an API problem: it notes it once and tries again at the next beat."""
        try:
            call()
        except ApiException as err:
            self._note(f"heartbeat: {what}: {api_message(err)}")
        except (HTTPError, OSError) as err:
            self._note(f"heartbeat: {what}: {one_line(str(err), 200)}")

    def _note(self, problem: str) -> None:
        if problem not in self._problems:
            self._problems.append(problem)
