"""Ages as kubectl prints them: k8s.io/apimachinery/pkg/util/duration.HumanDuration."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def human_duration(seconds_total: float) -> str:
    seconds = int(seconds_total)
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 60 * 2:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        rest = seconds % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = seconds // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d" if rest == 0 else f"{hours // 24}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if days == 0 else f"{hours // 24 // 365}y{days}d"
    return f"{hours // 24 // 365}y"


def parse_time(text: str) -> float:
    """RFC 3339 with or without fractional seconds (``MicroTime``), as a Unix timestamp."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).timestamp()


def since(timestamp: str | None, now: float | None = None) -> str:
    """translateTimestampSince: ``<unknown>`` for a missing timestamp."""
    if not timestamp:
        return "<unknown>"
    return human_duration((time.time() if now is None else now) - parse_time(timestamp))
