"""Any fragment of a secret of 8 or more characters is redacted: a repr pytest cut short (``--showlocals``, a
setup error), a line wrapped in a message, a value truncated by whoever printed it."""

from __future__ import annotations

import pytest
from _pytest._io.saferepr import saferepr

from gpu_conformance.reporting.secrets import Redactor
from gpu_conformance.secret import REDACTED, Secret

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


def test_eight_characters_anywhere_are_a_fragment_seven_are_not() -> None:
    redact = Redactor([TOKEN])
    assert redact("a eyJhbGci... b") == f"a {REDACTED}... b"
    assert redact("a eyJhbGc... b ...x_ILex0Q c") == "a eyJhbGc... b ...x_ILex0Q c"
    assert redact("waiting... done ...p61_ILex0Q") == f"waiting... done ...{REDACTED}"
    assert redact(f"wrapped: {TOKEN[:150]}\n{TOKEN[150:]}") == f"wrapped: {REDACTED}\n{REDACTED}"
    assert redact("middle SUzI1NiIs only") == f"middle {REDACTED} only"
    assert redact("middle SUzI1Ni only") == "middle SUzI1Ni only"


def test_a_secret_value_is_known_by_its_characters_not_its_mask() -> None:
    assert Redactor([Secret(PASSWORD)])(f"pw={PASSWORD[3:20]}") == f"pw={REDACTED}"
