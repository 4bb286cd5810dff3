"""A secret that pytest's repr cut short (``--showlocals``, a setup error) is redacted as well: the head
before the ellipsis and the tail after it are the secret's, and either would leak a part of it."""

from __future__ import annotations

import pytest
from _pytest._io.saferepr import saferepr

from gpu_conformance.reporting.secrets import REDACTED, Redactor

TOKEN = "eyJhbGciOiJSUzI1NiIsImtpZCI6IkFCQyJ9." + "x" * 300 + ".LD74ip61_ILex0Q"
PASSWORD = "correct-horse-battery-staple-QXZ"


@pytest.mark.parametrize("value", [{"token": TOKEN}, f"https://ci:{PASSWORD}@127.0.0.1:9/metrics" + "/" * 300,
                                   ["prefix" * 40, TOKEN]])
def test_what_pytest_shortened_shows_no_part_of_a_secret(value: object) -> None:
    shown = saferepr(value, maxsize=240)  # what --showlocals prints for a long local
    assert "..." in shown
    redacted = Redactor([TOKEN, PASSWORD])(shown)
    for secret in (TOKEN, PASSWORD):
        assert not any(secret[i:i + 8] in redacted for i in range(len(secret) - 7)), redacted


def test_eight_characters_beside_an_ellipsis_are_a_fragment_seven_are_not() -> None:
    redact = Redactor([TOKEN])
    assert redact("a eyJhbGci... b") == f"a {REDACTED}... b"
    assert redact("a eyJhbGc... b ...x_ILex0Q c") == "a eyJhbGc... b ...x_ILex0Q c"
    assert redact("waiting... done ...p61_ILex0Q") == f"waiting... done ...{REDACTED}"
