"""API errors as one readable line: the Status message the API server wrote, not the client's dump.

A 403 from the authorizer (RBAC) reads ``missing permission: VERB RESOURCE SCOPE for USER: add it to
the ClusterRole|Role gpu-conformance``, wherever it happens: at session start, while gathering facts,
creating workloads or cleaning up. A 403 from admission (PodSecurity, quota) keeps the server's words.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from kubernetes.client.exceptions import ApiException

from gpu_conformance.facts.unavailable import FactsUnavailable

ROLE_NAME = "gpu-conformance"  # the ClusterRole and the Role of deploy/
# The apiserver's forbiddenMessage (k8s.io/apiserver .../responsewriters/errors.go), after "... is forbidden: ".
_DENIED = re.compile(
    r'User "(?P<user>[^"]*)" cannot (?P<verb>[a-z]+) '
    r'(?:resource "(?P<resource>[^"]+)" in API group "(?P<group>[^"]*)" '
    r'(?:in the namespace "(?P<namespace>[^"]*)"|at the cluster scope)|path "(?P<path>[^"]+)")'
)
_SERVICE_ACCOUNT = re.compile(r"system:serviceaccount:(?P<namespace>[^:]+):[^:]+")


@dataclass(frozen=True)
class Denial:
    """What the authorizer refused: ``list nodes`` cluster-wide to ``system:serviceaccount:ns:sa``."""

    user: str
    verb: str
    resource: str  # kubectl's form: "nodes", "pods/log", "daemonsets.apps", or a path such as "/version"
    namespace: str | None  # None: cluster-wide

    @property
    def role_kind(self) -> str:
        """Where deploy/ grants it: the Role beside the service account for its own namespace, else the ClusterRole."""
        account = _SERVICE_ACCOUNT.fullmatch(self.user)
        home = account.group("namespace") if account else self.namespace
        return "Role" if self.namespace is not None and self.namespace == home else "ClusterRole"

    def __str__(self) -> str:
        scope = f"in namespace {self.namespace}" if self.namespace is not None else "cluster-wide"
        return (f"missing permission: {self.verb} {self.resource} {scope} for {self.user}: "
                f"add it to the {self.role_kind} {ROLE_NAME}")


def _status_message(err: ApiException) -> str:
    try:
        status = json.loads(err.body or "")
    except (TypeError, ValueError):
        return str(err.body or "").strip()
    return str(status.get("message") or "") if isinstance(status, dict) else ""


def denial(err: BaseException) -> Denial | None:
    """The authorizer's refusal in a 403, or None (another status, or a 403 from admission)."""
    if not isinstance(err, ApiException) or err.status != 403:
        return None
    found = _DENIED.search(_status_message(err))
    if found is None:
        return None
    if found["path"] is not None:
        return Denial(found["user"], found["verb"], found["path"], None)
    base, _, sub = found["resource"].partition("/")
    resource = f"{base}.{found['group']}" if found["group"] else base
    return Denial(found["user"], found["verb"], f"{resource}/{sub}" if sub else resource, found["namespace"])


def api_message(err: ApiException) -> str:
    """``<code> <reason>: <Status message>``, e.g. ``409 Conflict: ...``; a refusal by RBAC as its Denial; a call
    that failed for its whole retry budget (api_trouble.ApiUnavailable, also FactsUnavailable) as its own line."""
    if isinstance(err, FactsUnavailable):
        return err.message
    refused = denial(err)
    if refused is not None:
        return str(refused)
    message = _status_message(err)
    head = f"{err.status} {err.reason}".strip() if err.status else str(err.reason or "request failed")
    return one_line(f"{head}: {message}" if message else head)


@contextmanager
def permissions_as_facts() -> Iterator[None]:
    """Around fact gathering: an RBAC 403 becomes FactsUnavailable ("could not inspect"), never a traceback."""
    try:
        yield
    except ApiException as err:
        refused = denial(err)
        if refused is None:
            raise
        raise FactsUnavailable(str(refused)) from None


class EvidenceUnavailable(UserWarning):
    """Evidence that explains a result (a log, events) could not be read: the verdict stands, the report is poorer.

    A pytest warning, so it shows in the run's warnings summary, naming the test that wanted it.
    """


def evidence_unavailable(what: str, err: ApiException) -> str:
    """``(WHAT unavailable: reason)`` for the report; a missing permission is also warned about, so it is seen."""
    message = api_message(err)
    if denial(err) is not None:
        warnings.warn(EvidenceUnavailable(f"{what} not read: {message}"), stacklevel=2)
    return f"({what} unavailable: {message})"


def one_line(text: str, limit: int = 400) -> str:
    """Collapse whitespace (tracebacks, multi-line messages) into one line of at most ``limit`` characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
