"""Credentials as values that cannot be printed: repr, str and format give ``[REDACTED]``.

A :class:`Secret` is a ``str`` so that it travels unchanged to where it is used (an HTTP header is
encoded from its characters), yet ``--showlocals``, a dict's repr in a traceback, ``print`` or an
f-string show the mask. Code that must hand the plain text to a library that calls ``str()`` on it
(requests does, for URLs) asks for :func:`reveal` at that one place.
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "[REDACTED]"
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^/@\s:]*:)(?P<password>[^/@\s]+)(?P<at>@)", re.I)


class Secret(str):
    """A credential: its characters are sent, never shown."""

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(REDACTED)

    def __str__(self) -> str:
        return REDACTED

    def __format__(self, spec: str) -> str:
        return format(REDACTED, spec)



class SecretUrl(str):
    """A URL whose password part is masked in repr, str and format; the rest is shown as written."""

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(mask_url_password(reveal(self)))

    def __str__(self) -> str:
        return mask_url_password(reveal(self))

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


class SecretValues(dict[str, Any]):
    """A mapping whose string values are stored as :class:`Secret` (the API client's ``api_key``)."""

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, Secret(value) if isinstance(value, str) else value)

    def __repr__(self) -> str:
        return repr({key: REDACTED for key in self})


def reveal(value: str) -> str:
    """The plain text of a :class:`Secret` or :class:`SecretUrl` (any ``str`` unchanged), for the one call that
    sends it."""
    return str.__str__(value)


def url_with_secret(value: str | None) -> str | None:
    """``value`` as a :class:`SecretUrl` when it carries a password, else unchanged."""
    if value is None or not _URL_PASSWORD.search(value):
        return value
    return SecretUrl(value)


def mask_userinfo(url: str) -> str:
    """``scheme://[REDACTED]@host`` for a URL that may be malformed (no scheme, say), where the password cannot be
    told apart: everything between the scheme and the last ``@`` is masked."""
    head, at, host = url.rpartition("@")
    if not at:
        return url
    scheme = head.partition("://")[0] + "://" if "://" in head else ""
    return f"{scheme}{REDACTED}@{host}"


def mask_url_password(text: str) -> str:
    """``https://user:[REDACTED]@host/`` for every URL with a password in ``text``."""
    return _URL_PASSWORD.sub(lambda m: f"{m['head']}{REDACTED}{m['at']}", text)
