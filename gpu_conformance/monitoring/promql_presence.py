"""Could a PromQL query return data, given which metric names a scrape serves? Grafana's panel queries, read.

An alert only needs its selectors listed (promql.analyse); a dashboard panel needs more: its fallbacks
(``a or b``, ``x or (gpu_info * 0 - 1)``) decide whether a missing series leaves it empty or shows a placeholder.
So this parses the expression (the tokens of promql.py) into a small tree and evaluates presence on it:
a selector is present when its metric is served (``{__name__=~"re"}`` when any served name matches), ``or``
when either side is, ``and`` and vector-to-vector arithmetic when both are, ``unless`` when its left side is;
functions and aggregations carry their vector argument's presence, ``absent()`` and ``vector()`` always
answer. Label values are not looked at: a panel's ``uuid="$gpu"`` is assumed to pick an existing GPU.
Grafana's template variables (``$gpu``, ``${job}``, ``[$__rate_interval]``) are replaced before parsing.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from gpu_conformance.monitoring.promql import tokens

_VARIABLE = re.compile(r"\$(?:\{[^}]*\}|\w+)")
_ALWAYS_VECTOR = ("absent", "absent_over_time", "vector")
_SCALAR_FUNCTIONS = ("scalar", "time", "pi")
_MODIFIERS = ("on", "ignoring", "group_left", "group_right")
_AGGREGATION_LABELS = ("by", "without")
_LEVELS: tuple[tuple[str, ...], ...] = (
    ("or",), ("and", "unless"), ("==", "!=", ">", "<", ">=", "<="), ("+", "-"), ("*", "/", "%", "atan2"), ("^",))


@dataclass(frozen=True)
class Selector:
    """A vector selector: by metric name, or by a regular expression on ``__name__``."""

    name: str | None
    name_pattern: str | None = None

    def served_by(self, served: Collection[str]) -> bool:
        if self.name is not None:
            return self.name in served
        pattern = re.compile(self.name_pattern or "")
        return any(pattern.fullmatch(name) for name in served)

    def __str__(self) -> str:
        return self.name if self.name is not None else f'{{__name__=~"{self.name_pattern}"}}'


@dataclass(frozen=True)
class _Literal:
    kind: str  # "scalar" or "string"


@dataclass(frozen=True)
class _Binary:
    op: str
    left: _Node
    right: _Node


@dataclass(frozen=True)
class _Call:
    name: str
    args: tuple[_Node, ...]


_Node = Selector | _Literal | _Binary | _Call


@dataclass(frozen=True)
class Query:
    """One parsed query: every selector it reads, and whether it could return data."""

    text: str
    root: _Node

    @property
    def selectors(self) -> tuple[Selector, ...]:
        return tuple(dict.fromkeys(_selectors(self.root)))

    def returns_data(self, served: Collection[str]) -> bool:
        kind, present = _evaluate(self.root, served)
        return kind != "vector" or present


def _selectors(node: _Node) -> Iterable[Selector]:
    if isinstance(node, Selector):
        yield node
    elif isinstance(node, _Binary):
        yield from _selectors(node.left)
        yield from _selectors(node.right)
    elif isinstance(node, _Call):
        for arg in node.args:
            yield from _selectors(arg)


def _evaluate(node: _Node, served: Collection[str]) -> tuple[str, bool]:
    """(kind, present): kind "vector", "scalar" or "string"; only a vector can be empty."""
    if isinstance(node, Selector):
        return "vector", node.served_by(served)
    if isinstance(node, _Literal):
        return node.kind, True
    if isinstance(node, _Call):
        if node.name in _ALWAYS_VECTOR:
            return "vector", True
        results = [_evaluate(arg, served) for arg in node.args]
        if node.name in _SCALAR_FUNCTIONS:
            return "scalar", True
        vectors = [present for kind, present in results if kind == "vector"]
        return ("vector", all(vectors)) if vectors else ("scalar", True)
    (left_kind, left), (right_kind, right) = _evaluate(node.left, served), _evaluate(node.right, served)
    if node.op == "or":
        return "vector", left or right
    if node.op == "unless":
        return "vector", left
    if left_kind == right_kind == "vector":
        return "vector", left and right
    if "vector" in (left_kind, right_kind):
        return "vector", left if left_kind == "vector" else right
    return "scalar", True


class _Parser:
    def __init__(self, text: str) -> None:
        self.items = [(t.kind, t.text) for t in tokens(_VARIABLE.sub("1", text))]
        self.at = 0

    def peek(self, ahead: int = 0) -> str:
        index = self.at + ahead
        return self.items[index][1] if index < len(self.items) else ""

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.at >= len(self.items) or (expected is not None and self.peek() != expected):
            raise ValueError(f"expected {expected or 'more'} at token {self.at}, found {self.peek()!r}")
        self.at += 1
        return self.items[self.at - 1]

    def skip_group(self) -> None:
        """A parenthesised label list (``by (a, b)``, ``on (uuid)``) or a bracket (``[5m]``, ``{...}``)."""
        opening = self.peek()
        closing = {"(": ")", "[": "]", "{": "}"}[opening]
        depth = 0
        while True:
            text = self.take()[1]
            depth += (text == opening) - (text == closing)
            if depth == 0:
                return

    def expression(self, level: int = 0) -> _Node:
        if level == len(_LEVELS):
            return self.unary()
        left = self.expression(level + 1)
        while self.peek().lower() in _LEVELS[level]:
            op = self.take()[1].lower()
            while self.peek().lower() in ("bool", *_MODIFIERS):
                modifier = self.take()[1]
                if modifier != "bool" and self.peek() == "(":
                    self.skip_group()
            # ^ is right-associative; the others left.
            right = self.expression(level if op == "^" else level + 1)
            left = _Binary(op, left, right)
        return left

    def unary(self) -> _Node:
        if self.peek() in ("-", "+"):
            self.take()
            return self.unary()
        node = self.primary()
        while self.peek() in ("[", "offset", "@"):
            if self.peek() == "[":
                self.skip_group()
            else:
                self.take()
                if self.peek() in ("-", "+"):
                    self.take()
                self.take()
        return node

    def primary(self) -> _Node:
        kind, text = self.take()
        if text == "(":
            inner = self.expression()
            self.take(")")
            return inner
        if kind == "number" or text.lower() in ("inf", "nan"):
            return _Literal("scalar")
        if kind == "string":
            return _Literal("string")
        if text == "{":
            self.at -= 1
            return self.selector(None)
        if kind != "ident":
            raise ValueError(f"unexpected {text!r} at token {self.at - 1}")
        if self.peek().lower() in _AGGREGATION_LABELS and self.peek(1) == "(":
            self.take()
            self.skip_group()
        if self.peek() == "(":
            return self.call(text)
        return self.selector(text)

    def call(self, name: str) -> _Call:
        self.take("(")
        args: list[_Node] = []
        while self.peek() != ")":
            args.append(self.expression())
            if self.peek() == ",":
                self.take()
        self.take(")")
        if self.peek().lower() in _AGGREGATION_LABELS:
            self.take()
            self.skip_group()
        return _Call(name.lower(), tuple(args))

    def selector(self, name: str | None) -> Selector:
        pattern = None
        if self.peek() == "{":
            start = self.at
            self.skip_group()
            body = [text for _, text in self.items[start + 1:self.at - 1] if text != ","]
            for index in range(0, len(body) - 2, 3):
                label, op, value = body[index:index + 3]
                if label == "__name__" and op == "=":
                    name = value[1:-1]
                elif label == "__name__" and op == "=~":
                    pattern = value[1:-1]
        return Selector(name, None if name is not None else pattern or ".*")


def parse(text: str) -> Query:
    """The query as a tree; ValueError where it is not PromQL this reader knows."""
    parser = _Parser(text)
    root = parser.expression()
    if parser.at != len(parser.items):
        raise ValueError(f"unexpected {parser.peek()!r} at token {parser.at} of {text!r}")
    return Query(text, root)
