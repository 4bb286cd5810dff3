"""The namespace the suite works in: created (labelled as the suite's) when missing, remembered in the run."""

from __future__ import annotations

from kubernetes.client.exceptions import ApiException

from .client import Connection
from .retry import budget_of, create_retrying
from .run import MANAGED_BY, MANAGER, RunContext


def ensure_namespace(conn: Connection, namespace: str, run: RunContext) -> None:
    """Create ``namespace`` unless it exists, once a run; ``run.created_namespace`` tells cleanup whether it may go.

    Creating first (rather than reading first) is one call either way and works for users who
    may create namespaces but not read them; a 403 on create is fine when the namespace exists.
    """
    if run.namespace_ready:
        return
    body = {"metadata": {"name": namespace, "labels": {MANAGED_BY: MANAGER}}}
    try:
        create_retrying(lambda: conn.core.create_namespace(body), "POST /api/v1/namespaces", budget_of(conn.api_client))
    except ApiException as err:
        if err.status == 409:
            run.namespace_ready = True
            return
        if err.status != 403:
            raise
        conn.core.read_namespace(namespace)  # raises the real problem when it does not exist either
        run.namespace_ready = True
        return
    run.created_namespace = run.namespace_ready = True
