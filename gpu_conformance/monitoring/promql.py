"""Just enough PromQL to know what an alert reads and what it compares against: no full parser.

A small tokenizer walks the expression and tells metric names from function names (followed by
``(``), keywords, label lists (``by (...)``, ``on (...)``, ``group_left (...)``), label matchers
(``{...}``), range and subquery brackets (``[5m]``, ``[1h:1m]``) and ``offset`` durations. Syntax errors
are promtool's to report (RULES-VALID); this module only reads expressions promtool accepts.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_TOKEN = re.compile(r"""
    (?P<space>\s+|\#[^\n]*)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
  | (?P<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?![a-zA-Z_]))
  | (?P<duration>(?:\d+(?:ms|[smhdwy]))+)
  | (?P<ident>[a-zA-Z_:][a-zA-Z0-9_:]*)
  | (?P<op>==|!=|>=|<=|=~|!~|[-+*/%^<>=@,(){}\[\]])
""", re.VERBOSE)
COMPARISONS = ("==", "!=", ">", "<", ">=", "<=")
_SET_OPERATORS = ("and", "or", "unless")
_LABEL_LISTS = ("by", "without", "on", "ignoring", "group_left", "group_right")
_KEYWORDS = (*_SET_OPERATORS, *_LABEL_LISTS, "bool", "offset")
Matcher = tuple[str, str, str]  # (label, operator, value): ("job", "=", "gpu-exporter")


@dataclass(frozen=True)
class Selector:
    metric: str
    matchers: tuple[Matcher, ...] = ()


@dataclass(frozen=True)
class Comparison:
    op: str  # one of COMPARISONS
    threshold: float
    literal: str  # as written: "90", "0.9", "8e+10"


@dataclass(frozen=True)
class Expression:
    text: str
    selectors: tuple[Selector, ...]
    comparisons: tuple[Comparison, ...]  # those with a number literal on one side
    numbers: tuple[float, ...]  # every number literal

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metric names read, in order of first appearance."""
        return tuple(dict.fromkeys(s.metric for s in self.selectors))


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


def tokens(expr: str) -> list[_Token]:
    """The expression's tokens without whitespace and comments; ValueError at a character PromQL has not."""
    found: list[_Token] = []
    position = 0
    while position < len(expr):
        match = _TOKEN.match(expr, position)
        if match is None:
            raise ValueError(f"unexpected {expr[position]!r} at offset {position} of {expr!r}")
        kind = match.lastgroup or ""
        if kind != "space":
            found.append(_Token(kind, match.group()))
        position = match.end()
    return found


def _number(text: str) -> float:
    lowered = text.lower().lstrip("+")
    if lowered.lstrip("-").startswith("0x"):
        return float(int(lowered, 16))
    special = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}
    return special[lowered] if lowered in special else float(lowered)


def _unquote(text: str) -> str:
    body = text[1:-1]
    return body if text.startswith("`") else re.sub(r"\\(.)", r"\1", body)


def _closing(items: list[_Token], start: int, opening: str, closing: str) -> int:
    """Index of the token closing the bracket opened at ``start``."""
    depth = 0
    for index in range(start, len(items)):
        if items[index].text == opening:
            depth += 1
        elif items[index].text == closing:
            depth -= 1
            if depth == 0:
                return index
    raise ValueError(f"unbalanced {opening!r} in expression")


def _matchers(items: list[_Token]) -> tuple[Matcher, ...]:
    """``label op "value"`` triples of the tokens between ``{`` and ``}``."""
    parts = [t for t in items if t.text != ","]
    return tuple((parts[i].text, parts[i + 1].text, _unquote(parts[i + 2].text))
                 for i in range(0, len(parts) - 2, 3) if parts[i + 2].kind == "string")


def _is_number(token: _Token) -> bool:
    return token.kind == "number" or (token.kind == "ident" and token.text.lower() in ("inf", "nan"))


_FLIPPED = {">": "<", "<": ">", ">=": "<=", "<=": ">=", "==": "==", "!=": "!="}


def _compared_number(items: list[_Token], index: int) -> Comparison | None:
    """The comparison at ``index`` as ``metric OP literal``: the literal right of it (after ``bool`` and a
    sign), else a lone one left of it (``90 < x`` reads as ``x > 90``)."""
    op = items[index].text
    right = index + 1
    if right < len(items) and items[right].text == "bool":
        right += 1
    sign = ""
    if right < len(items) and items[right].text in ("-", "+"):
        sign, right = items[right].text.replace("+", ""), right + 1
    if right < len(items) and _is_number(items[right]):
        literal = sign + items[right].text
        return Comparison(op, _number(literal), literal)
    left = index - 1
    before = items[left - 1].text if left >= 1 else "("
    if left >= 0 and _is_number(items[left]) and (before in ("(", ",", *COMPARISONS, *_SET_OPERATORS)):
        return Comparison(_FLIPPED[op], _number(items[left].text), items[left].text)
    return None


def analyse(expr: str) -> Expression:
    """The selectors, comparisons with a number, and number literals of a PromQL expression."""
    items = tokens(expr)
    kept: list[_Token] = []  # tokens outside [...], {...}, label lists and offset durations
    selectors: list[Selector] = []
    index = 0
    while index < len(items):
        token = items[index]
        following = items[index + 1].text if index + 1 < len(items) else ""
        if token.text == "[":
            index = _closing(items, index, "[", "]") + 1
            continue
        if token.text == "{":
            end = _closing(items, index, "{", "}")
            matchers = _matchers(items[index + 1:end])
            if kept and kept[-1].kind == "metric":
                selectors[-1] = Selector(selectors[-1].metric, matchers)
            else:
                name = next((value for label, op, value in matchers if (label, op) == ("__name__", "=")),
                            None)
                if name is not None:
                    selectors.append(Selector(name, tuple(m for m in matchers if m[0] != "__name__")))
                kept.append(_Token("metric", name or ""))
            index = end + 1
            continue
        if token.kind == "ident" and token.text.lower() in _LABEL_LISTS and following == "(":
            index = _closing(items, index + 1, "(", ")") + 1
            continue
        if token.kind == "ident" and token.text.lower() == "offset":
            index += 3 if following == "-" else 2
            continue
        called = following == "(" or following.lower() in ("by", "without")  # a function or aggregation
        if token.kind == "ident" and not _is_number(token) and token.text.lower() not in _KEYWORDS \
                and not called:
            selectors.append(Selector(token.text))
            token = _Token("metric", token.text)
        kept.append(token)
        index += 1
    found = (_compared_number(kept, i) for i, t in enumerate(kept)
             if t.kind == "op" and t.text in COMPARISONS)
    comparisons = [c for c in found if c is not None]
    numbers = tuple(_number(t.text) for t in kept if _is_number(t))
    return Expression(expr, tuple(selectors), tuple(comparisons), numbers)
