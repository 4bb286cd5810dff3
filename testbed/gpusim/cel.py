"""The subset of CEL that DeviceClass and ResourceClaim selectors use, evaluated against one device.

Real Kubernetes compiles selectors with cel-go plus its DRA environment
(staging/src/k8s.io/dynamic-resource-allocation/cel/compile.go): ``device.driver``, ``device.attributes[domain]``
(the device's attributes of that domain; unqualified names belong to the driver's domain),
``device.capacity[domain]``, the semver library (``semver('560.0.0')``, ``compareTo``, ``isGreaterThan``,
``isLessThan``) and the quantity library (``quantity('40Gi')``, ``compareTo``). This module understands string,
int and bool literals, ``==``/``!=``/``<``/``<=``/``>``/``>=``, ``&&``, ``||``, ``!`` and parentheses over those.
Anything else raises :class:`CelError` naming the expression: a selector outside the subset never silently
matches. A missing attribute is a runtime error as in cel-go (``no such key``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import total_ordering
from typing import Any

from .controllers.quantity import parse_quantity


class CelError(ValueError):
    """The expression is outside the supported subset, or failed at run time."""


@total_ordering
@dataclass(frozen=True)
class Semver:
    """A semantic version as the CEL semver library compares them (pre-releases sort before the release)."""

    text: str

    def key(self) -> tuple[tuple[int, int, int], int, str]:
        match = re.fullmatch(r"v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?", self.text)
        if match is None:
            raise CelError(f"invalid semver {self.text!r}")
        core = (int(match[1]), int(match[2]), int(match[3]))
        return core, 0 if match[4] else 1, match[4] or ""

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Semver):
            return NotImplemented
        return self.key() < other.key()


@dataclass(frozen=True)
class Quantity:
    value: Decimal


@dataclass(frozen=True)
class Device:
    """What a selector sees of one device: its driver, attributes and capacity keyed by qualified name."""

    driver: str
    attributes: dict[str, Any]  # as published: name -> {string|int|bool|version: value}
    capacity: dict[str, Any]  # name -> {value: quantity}

    def domain(self, field: str, domain: str) -> dict[str, Any]:
        entries = self.attributes if field == "attributes" else self.capacity
        found: dict[str, Any] = {}
        for name, value in entries.items():
            qualifier, _, short = name.rpartition("/")
            if (qualifier or self.driver) == domain:
                found[short] = _attribute(value) if field == "attributes" else Quantity(parse_quantity(value["value"]))
        return found


def _attribute(value: dict[str, Any]) -> Any:
    if "version" in value:
        return Semver(str(value["version"]))
    for kind in ("string", "int", "bool"):
        if kind in value:
            return value[kind]
    raise CelError(f"unsupported attribute value {value!r}")


_TOKEN = re.compile(r"\s*(?:(?P<str>'[^']*'|\"[^\"]*\")|(?P<num>\d+)|(?P<id>[A-Za-z_]\w*)"
                    r"|(?P<op>&&|\|\||==|!=|<=|>=|[<>!().\[\],]))")
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: bool(a == b), "!=": lambda a, b: bool(a != b), "<": lambda a, b: bool(a < b),
    "<=": lambda a, b: bool(a <= b), ">": lambda a, b: bool(a > b), ">=": lambda a, b: bool(a >= b),
}
Node = Callable[[Device], Any]


class _Parser:
    def __init__(self, expression: str) -> None:
        self._expression = expression
        self._tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(expression.rstrip()):
            match = _TOKEN.match(expression, pos)
            if match is None or match.lastgroup is None:
                raise self._unsupported()
            self._tokens.append((match.lastgroup, match[match.lastgroup]))
            pos = match.end()
        self._pos = 0

    def _unsupported(self) -> CelError:
        return CelError(f"unsupported CEL expression (the simulated scheduler evaluates a subset): "
                        f"{self._expression}")

    def _peek(self) -> str | None:
        return self._tokens[self._pos][1] if self._pos < len(self._tokens) else None

    def _take(self, expected: str | None = None) -> tuple[str, str]:
        if self._pos >= len(self._tokens) or (expected is not None and self._tokens[self._pos][1] != expected):
            raise self._unsupported()
        self._pos += 1
        return self._tokens[self._pos - 1]

    def parse(self) -> Node:
        node = self._or()
        if self._pos != len(self._tokens):
            raise self._unsupported()
        return node

    def _or(self) -> Node:
        node = self._and()
        while self._peek() == "||":
            self._take()
            node = _either(node, self._and())
        return node

    def _and(self) -> Node:
        node = self._compare()
        while self._peek() == "&&":
            self._take()
            node = _both(node, self._compare())
        return node

    def _compare(self) -> Node:
        left = self._unary()
        op = self._peek()
        if op not in _COMPARE:
            return left
        self._take()
        right, compare = self._unary(), _COMPARE[op]
        return lambda d: compare(*_same_type(left(d), right(d)))

    def _unary(self) -> Node:
        if self._peek() == "!":
            self._take()
            inner = self._unary()
            return lambda d: not _bool(inner(d))
        return self._postfix(self._primary())

    def _primary(self) -> Node:
        kind, text = self._take()
        if kind == "str":
            return lambda d: text[1:-1]
        if kind == "num":
            return lambda d: int(text)
        if text == "(":
            node = self._or()
            self._take(")")
            return node
        if text in ("true", "false"):
            return lambda d: text == "true"
        if text == "device":
            return lambda d: d
        if text in ("semver", "quantity") and self._peek() == "(":
            self._take("(")
            kind, literal = self._take()
            self._take(")")
            if kind != "str":
                raise self._unsupported()
            value: Any = Semver(literal[1:-1]) if text == "semver" else Quantity(parse_quantity(literal[1:-1]))
            if isinstance(value, Semver):
                value.key()  # reject an invalid literal now
            return lambda d: value
        raise self._unsupported()

    def _postfix(self, node: Node) -> Node:
        while self._peek() in (".", "["):
            if self._take()[1] == "[":
                key = self._or()
                self._take("]")
                node = self._index(node, key)
                continue
            _, name = self._take()
            node = self._method(node, name) if self._peek() == "(" else self._field(node, name)
        return node

    def _field(self, node: Node, name: str) -> Node:
        def select(d: Device) -> Any:
            target = node(d)
            if isinstance(target, Device):
                if name == "driver":
                    return target.driver
                if name in ("attributes", "capacity"):
                    return (name, target)
                raise self._unsupported()
            if isinstance(target, dict):
                if name not in target:
                    raise CelError(f"no such key: {name}")
                return target[name]
            raise self._unsupported()
        return select

    def _index(self, node: Node, key: Node) -> Node:
        def index(d: Device) -> Any:
            target, domain = node(d), key(d)
            if isinstance(target, tuple) and isinstance(domain, str):
                return target[1].domain(target[0], domain)
            raise self._unsupported()
        return index

    def _method(self, node: Node, name: str) -> Node:
        self._take("(")
        argument = self._or()
        self._take(")")
        methods: dict[str, Callable[[Any, Any], Any]] = {
            "compareTo": lambda a, b: (a.value > b.value) - (a.value < b.value) if isinstance(a, Quantity)
            else (a > b) - (a < b),
            "isGreaterThan": lambda a, b: a > b, "isLessThan": lambda a, b: a < b,
        }
        if name not in methods:
            raise self._unsupported()
        method = methods[name]

        def call(d: Device) -> Any:
            receiver, other = node(d), argument(d)
            if type(receiver) is not type(other) or not isinstance(receiver, (Semver, Quantity)):
                raise self._unsupported()
            if isinstance(receiver, Quantity) and name != "compareTo":
                raise self._unsupported()
            return method(receiver, other)
        return call


def _either(left: Node, right: Node) -> Node:
    return lambda d: _bool(left(d)) or _bool(right(d))


def _both(left: Node, right: Node) -> Node:
    return lambda d: _bool(left(d)) and _bool(right(d))


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise CelError(f"no such overload: expected bool, got {type(value).__name__}")
    return value


def _same_type(left: Any, right: Any) -> tuple[Any, Any]:
    if type(left) is not type(right):
        raise CelError(f"no such overload: {type(left).__name__} compared with {type(right).__name__}")
    return left, right


def compile_selector(expression: str) -> Callable[[Device], bool]:
    """Parse ``expression`` once; the result says whether a device matches (CelError on a runtime error)."""
    node = _Parser(expression).parse()
    return lambda device: _bool(node(device))
