"""Prometheus' text format (0.0.4) read fast: every sample of an exporter's body, in order.

prometheus_client's parser walks each line character by character: about 30 ms for one exporter's body (the
Go runtime's series and eight GPUs'), 30 s for a run over 1000 nodes. Here the lines exporters write (a name,
quoted labels, a value) are read with one regular expression each; any other line (a timestamp, spaces inside
the braces, a bad line) is handed, alone, to prometheus_client's parser, which reads it or raises ValueError
(or IndexError) for it. So a body is accepted exactly when prometheus_client accepts it line by line: what
it accepts depends on no other line (its ``# TYPE`` context only groups samples into families).

Names are kept as exposed, as Prometheus stores them: prometheus_client appends ``_total`` to the samples of a
``counter`` family whose name lacks it (its OpenMetrics view); a scrape does not.
"""

from __future__ import annotations

import re

from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"'
_SAMPLE = re.compile(rf"({_NAME})(?:\{{((?:{_LABEL})(?:,(?:{_LABEL}))*,?)?\}})?[ \t]+([^ \t_]+)")
_LABELS = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"')
_DESCRIPTOR = re.compile(rf"# (?:HELP {_NAME}(?: .*)?|TYPE {_NAME} [a-z]+)")
_ESCAPE = re.compile(r'\\[\\n"]')
_UNESCAPED = {"\\\\": "\\", "\\n": "\n", '\\"': '"'}


class BadLine(ValueError):
    """The first line prometheus_client refuses: its number (from 1), its text, and prometheus_client's reason."""

    def __init__(self, number: int, line: str, reason: str) -> None:
        super().__init__(f"line {number}: {reason}")
        self.number, self.line, self.reason = number, line, reason


def samples_of(text: str) -> list[Sample]:
    """Every sample of ``text``, in order; BadLine at the first line prometheus_client refuses."""
    found: list[Sample] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line or _DESCRIPTOR.fullmatch(line):
            continue
        match = None if line[0] == "#" else _SAMPLE.fullmatch(line)
        sample = _sample(match) if match else None
        if sample is not None:
            found.append(sample)
            continue
        try:
            found.extend(s for family in text_string_to_metric_families(line) for s in family.samples)
        except (ValueError, IndexError) as exc:
            raise BadLine(number, raw.rstrip("\r"), str(exc) or type(exc).__name__) from None
    return found


def _sample(match: re.Match[str]) -> Sample | None:
    """The sample of a matched line; None where prometheus_client must judge (a name given twice, a value it may
    refuse)."""
    name, label_text, value_text = match.groups()
    labels: dict[str, str] = {}
    if label_text:
        for key, quoted in _LABELS.findall(label_text):
            labels[key] = _ESCAPE.sub(lambda m: _UNESCAPED[m.group(0)], quoted) if "\\" in quoted else quoted
        if "__name__" in labels:
            return None
    try:
        value: float = int(value_text)
    except ValueError:
        try:
            value = float(value_text)
        except ValueError:
            return None
    return Sample(name, labels, value)
