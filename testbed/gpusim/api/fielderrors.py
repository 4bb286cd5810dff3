"""Field errors as the apiserver words them (``field.Invalid``, ``field.Required``, ``field.NotSupported``)."""

from __future__ import annotations

import re
from typing import Any

Cause = tuple[str, str, str]  # (reason, field, message)

_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
SUBDOMAIN_PATTERN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_MESSAGE = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
    "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
    "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
SUBDOMAIN_MESSAGE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
    "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)


def go_value(value: Any) -> str:
    """A value as field.Invalid prints it: strings quoted, string lists as Go's ``%#v``, others as they are."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
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


def dns_label(field: str, value: str) -> list[Cause]:
    """ValidateDNS1123Label: an empty value is invalid, not missing."""
    return [] if len(value) <= 63 and _LABEL.match(value) else [invalid_value(field, value, LABEL_MESSAGE)]


def dns_subdomain(field: str, value: str) -> list[Cause]:
    valid = len(value) <= 253 and SUBDOMAIN_PATTERN.match(value)
    return [] if valid else [invalid_value(field, value, SUBDOMAIN_MESSAGE)]
