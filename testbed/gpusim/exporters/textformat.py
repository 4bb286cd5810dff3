"""The Prometheus text format (0.0.4) as Go's ``client_golang`` writes it.

Both simulated exporters are Go programs; what a scraper sees depends on Go's details: floats in
``strconv.FormatFloat(f, 'g', -1, 64)`` form (``7.06740224e+08``, ``6e+06``, ``0.38``), label pairs
sorted by name, families sorted by name, and escaping of HELP text and label values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Labels = tuple[tuple[str, str], ...]


def go_float(value: float) -> str:
    """Format ``value`` as Go's ``strconv.FormatFloat(value, 'g', -1, 64)`` does (expfmt's writeFloat)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    # repr() gives the shortest round-tripping digits, as Go's -1 precision does; only the layout differs.
    text = repr(abs(value))
    mantissa, _, exp_text = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    raw = whole + fraction
    point = len(whole) + int(exp_text or 0)  # position of the decimal point relative to raw's digits
    digits = raw.lstrip("0")
    point -= len(raw) - len(digits)
    digits = digits.rstrip("0")
    decimal_exponent = point - 1
    prefix = "-" if value < 0 else ""
    # With the shortest representation Go switches to %e when the exponent is < -4 or >= 6.
    if decimal_exponent < -4 or decimal_exponent >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        exp_sign = "-" if decimal_exponent < 0 else "+"
        return f"{prefix}{mantissa}e{exp_sign}{abs(decimal_exponent):02d}"
    if point <= 0:
        return f"{prefix}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{prefix}{digits}{'0' * (point - len(digits))}"
    return f"{prefix}{digits[:point]}.{digits[point:]}"


def escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def escape_label_value(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


@dataclass(frozen=True)
class Sample:
    """One line of a family: an optional name suffix (``_sum``, ``_count``), labels and a value."""

    labels: Labels
    value: float
    suffix: str = ""


@dataclass(frozen=True)
class Family:
    name: str
    help: str
    type: str  # gauge, counter, summary, untyped
    samples: Sequence[Sample]


def gauge(name: str, help_text: str, value: float, labels: Labels = ()) -> Family:
    return Family(name, help_text, "gauge", (Sample(labels, value),))


def counter(name: str, help_text: str, value: float, labels: Labels = ()) -> Family:
    return Family(name, help_text, "counter", (Sample(labels, value),))


def _render_sample(name: str, sample: Sample) -> str:
    labels = sorted(sample.labels)
    label_text = ",".join(f'{key}="{escape_label_value(val)}"' for key, val in labels)
    braces = f"{{{label_text}}}" if labels else ""
    return f"{name}{sample.suffix}{braces} {go_float(sample.value)}\n"


def render_gathered(families: Iterable[Family]) -> str:
    """Render families as ``promhttp`` does after ``Gather``: by name, series sorted by label values."""
    parts: list[str] = []
    for family in sorted(families, key=lambda f: f.name):
        parts.append(f"# HELP {family.name} {escape_help(family.help)}\n")
        parts.append(f"# TYPE {family.name} {family.type}\n")
        if family.type == "summary":
            samples: Iterable[Sample] = family.samples  # quantiles, _sum, _count keep their order
        else:
            samples = sorted(family.samples, key=lambda s: [v for _, v in sorted(s.labels)])
        parts.extend(_render_sample(family.name, sample) for sample in samples)
    return "".join(parts)
