"""Durations as the messages say them; pure, for gatherers and judges alike."""

from __future__ import annotations


def seconds(value: float) -> str:
    """A duration as the messages say it: ``5 s``, ``0.5 s``."""
    return f"{value:g} s"
