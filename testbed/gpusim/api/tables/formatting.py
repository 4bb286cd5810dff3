"""kubectl's small formatting helpers: label maps, label selectors, ``<none>`` for empty values."""

from __future__ import annotations

from typing import Any

NONE = "<none>"


def format_labels(labels: dict[str, str] | None) -> str:
    """labels.FormatLabels: ``k=v`` pairs sorted by key, or ``<none>``."""
    if not labels:
        return NONE
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def format_label_selector(selector: dict[str, Any] | None) -> str:
    """metav1.FormatLabelSelector: requirements sorted by key, or ``<none>``."""
    if not selector:
        return NONE
    requirements: list[tuple[str, str]] = [
        (k, f"{k}={v}") for k, v in (selector.get("matchLabels") or {}).items()
    ]
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key", ""), expr.get("operator", ""), sorted(expr.get("values") or [])
        text = {
            "In": f"{key} in ({','.join(values)})",
            "NotIn": f"{key} notin ({','.join(values)})",
            "Exists": key,
            "DoesNotExist": f"!{key}",
        }.get(op, key)
        requirements.append((key, text))
    return ",".join(text for _, text in sorted(requirements)) or NONE


def or_none(value: Any) -> Any:
    return NONE if value in (None, "") else value


def container_names_and_images(pod_spec: dict[str, Any]) -> tuple[str, str]:
    containers = pod_spec.get("containers") or []
    return (",".join(c.get("name", "") for c in containers), ",".join(c.get("image", "") for c in containers))
