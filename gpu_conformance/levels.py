"""Check levels: which checks a run selects (``--level``) and which failures keep the gate from admitting a node.

A ``tutorial`` check is a link of the tutorial's chain; a ``hardening`` check goes beyond it (each catalogue entry
says which in the checks/ catalogue). Both run by default and both count for the suite's exit status: ``--level``
narrows what a run selects, ``admission-levels`` narrows what blocks ``gpu-conformance gate`` (the rest is reported).
"""

from __future__ import annotations

from collections.abc import Collection

from .checks import LEVELS, Level

ALL_LEVELS = "all"
LEVEL_CHOICES: tuple[str, ...] = (*LEVELS, ALL_LEVELS)  # the values of --level
MEANING: dict[Level, str] = {"tutorial": "a link of the tutorial's chain", "hardening": "beyond the tutorial's chain"}


def level_syntax(text: str) -> str | None:
    """None when ``text`` names a level, else what was expected (an option's syntax, settings.py)."""
    return None if text in LEVELS else " or ".join(repr(level) for level in LEVELS)


def selected(level: Level, chosen: str) -> bool:
    """Whether a check of ``level`` runs under ``--level chosen``."""
    return chosen in (ALL_LEVELS, level)


def blocks_admission(level: str, admission_levels: Collection[str]) -> bool:
    """Whether a failure of a check of ``level`` keeps the gate from admitting the node."""
    return level in admission_levels
