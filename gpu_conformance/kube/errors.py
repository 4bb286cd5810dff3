"""API errors as one readable line: the Status message the API server wrote, not the client's dump."""

from __future__ import annotations

import json

from kubernetes.client.exceptions import ApiException


def api_message(err: ApiException) -> str:
    """``<code> <reason>: <Status message>``, e.g. ``403 Forbidden: pods "x" is forbidden: ...``."""
    message = ""
    try:
        status = json.loads(err.body or "")
        if isinstance(status, dict):
            message = str(status.get("message") or "")
    except (TypeError, ValueError):
        message = str(err.body or "").strip()
    head = f"{err.status} {err.reason}".strip() if err.status else str(err.reason or "request failed")
    return one_line(f"{head}: {message}" if message else head)


def one_line(text: str, limit: int = 400) -> str:
    """Collapse whitespace (tracebacks, multi-line messages) into one line of at most ``limit`` characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
