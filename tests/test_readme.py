"""README stays true: every option and every check is documented there."""

from __future__ import annotations

from pathlib import Path

from gpu_conformance.checks import CHECKS
from gpu_conformance.settings import OPTIONS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_every_option_is_documented() -> None:
    assert [o.name for o in OPTIONS if f"`--{o.name}`" not in README] == []


def test_every_check_is_documented() -> None:
    assert [c.id for c in CHECKS if f"| {c.id} |" not in README] == []
