"""Field errors as the apiserver words them (``field.Invalid``, ``field.Required``, ``field.NotSupported``)."""

from __future__ import annotations

from typing import Any

Cause = tuple[str, str, str]  # (reason, field, message)


def go_value(value: Any) -> str:
    """A value as field.Invalid prints it: strings quoted, string lists as Go's ``%#v``, others as they are."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[]string{" + ", ".join(f'"{v}"' for v in value) + "}"
    return str(value)


def invalid_value(field: str, value: Any, message: str) -> Cause:
    return ("FieldValueInvalid", field, f"Invalid value: {go_value(value)}: {message}")


def required(field: str, detail: str = "") -> Cause:
    return ("FieldValueRequired", field, "Required value" + (f": {detail}" if detail else ""))


def unsupported(field: str, value: str, allowed: tuple[str, ...]) -> Cause:
    choices = ", ".join(f'"{a}"' for a in allowed)
    return ("FieldValueNotSupported", field, f'Unsupported value: "{value}": supported values: {choices}')
