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
_LABEL_LIST = re.compile(rf"(?:{_LABEL})(?:,(?:{_LABEL}))*,?")
# Every line of a body as exporters write it, in one pass: a sample without timestamp (labels taken loosely, then
# checked once per distinct label text), a HELP or TYPE line, or an empty line. Any other line fails the count.
_PLAIN_LINE = re.compile(rf"^(?:({_NAME})(?:\{{([^}}\n]*)\}})?[ \t]+([^ \t_\r\n]+)"
                         rf"|# (?:HELP {_NAME}(?: .*)?|TYPE {_NAME} [a-z]+)|)$", re.MULTILINE)
_ESCAPE = re.compile(r'\\[\\n"]')
_UNESCAPED = {"\\\\": "\\", "\\n": "\n", '\\"': '"'}


class BadLine(ValueError):
    """The first line prometheus_client refuses: its number (from 1), its text, and prometheus_client's reason."""

    def __init__(self, number: int, line: str, reason: str) -> None:
        super().__init__(f"line {number}: {reason}")
        self.number, self.line, self.reason = number, line, reason


def samples_of(text: str) -> list[Sample]:
    """Every sample of ``text``, in order; BadLine at the first line prometheus_client refuses."""
    plain = _plain_samples(text)
    return plain if plain is not None else _samples_by_line(text)


def _plain_samples(text: str) -> list[Sample] | None:
    """The samples of a body whose every line is plain (see _PLAIN_LINE), read in one pass over the text with the
    labels of each distinct label text read once (an exporter repeats each GPU's labels on ~100 series); None
    where any line is not plain, or a label or value is one _samples_by_line must judge."""
    lines = _PLAIN_LINE.findall(text)
    if len(lines) != text.count("\n") + 1:
        return None
    labels_of: dict[str, dict[str, str]] = {"": {}}
    found: list[Sample] = []
    for name, label_text, value_text in lines:
        if not name:
            continue
        labels = labels_of.get(label_text)
        if labels is None:
            if "\\" in label_text or "__name__" in label_text or not _LABEL_LIST.fullmatch(label_text):
                return None
            labels = labels_of[label_text] = dict(_LABELS.findall(label_text))
        value = _number(value_text)
        if value is None:
            return None
        found.append(Sample(name, dict(labels), value))
    return found


def _samples_by_line(text: str) -> list[Sample]:
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
    value = _number(value_text)
    return None if value is None else Sample(name, labels, value)


def _number(text: str) -> float | None:
    """An integer as int, anything else float() reads as float (NaN, +Inf, 1e3); None where it reads none."""
    if (text[1:] if text[:1] in "+-" else text).isdecimal():  # what int() reads, without raising for the rest
        return int(text)
    try:
        return float(text)
    except ValueError:
        return None
