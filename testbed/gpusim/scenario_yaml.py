"""Scenario YAML read as nodes that remember their line, so every error names file, line and field.

PyYAML's ``compose`` keeps marks on every node; values are converted here, field by field, by the
loader that knows what each field means. A :class:`Value` may be *layered*: a mapping read through
``defaults`` or a ``base`` scenario lies under the node's own mapping, and reading it merges the
layers key by key (mappings merge recursively, anything else is replaced by the upper layer), each
entry keeping the path and line of the layer it came from.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, replace
from typing import TypeVar

import yaml

T = TypeVar("T")

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


class ScenarioError(Exception):
    """A problem in a scenario file; ``str()`` is one line: ``file:line: field.path: what is wrong``."""


def one_line(text: str) -> str:
    return " ".join(text.split())


def compose(text: str, source: str) -> Value | None:
    """The document's root node, or None for an empty document; YAML syntax errors name their line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = " ".join(part for part in (err.context, err.problem) if part)
        raise ScenarioError(f"{source}:{line}: invalid YAML: {one_line(problem)}") from None
    except yaml.YAMLError as err:
        raise ScenarioError(f"{source}:1: invalid YAML: {one_line(str(err))}") from None
    return None if node is None else Value(node, "", source)


def child_path(parent: str, key: str) -> str:
    if not _PLAIN_KEY.fullmatch(key):
        return f"{parent}[{json.dumps(key)}]"
    return f"{parent}.{key}" if parent else key


def suggestion(word: str, known: Collection[str]) -> str:
    close = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


@dataclass(frozen=True, slots=True)
class Value:
    """One YAML node with its field path (``nodes[1].gpus.count``) and the file it came from."""

    node: yaml.Node
    path: str
    source: str
    under: tuple[Value, ...] = ()  # lower layers (defaults, base scenario) of a mapping

    @property
    def line(self) -> int:
        return int(self.node.start_mark.line) + 1

    def error(self, what: str) -> ScenarioError:
        return ScenarioError(f"{self.source}:{self.line}: {self.path or '(document)'}: {what}")

    # --- what the node is -------------------------------------------------------------------
    @property
    def is_null(self) -> bool:
        return isinstance(self.node, yaml.ScalarNode) and self.node.tag == _NULL

    @property
    def is_mapping(self) -> bool:
        return isinstance(self.node, yaml.MappingNode)

    def describe(self) -> str:
        """How an error shows the value it got: strings quoted, other scalars as written."""
        node = self.node
        if isinstance(node, yaml.MappingNode):
            return "a mapping"
        if isinstance(node, yaml.SequenceNode):
            return "a list"
        if node.tag == _STR:
            return json.dumps(node.value)
        return "null" if node.tag == _NULL else str(node.value)

    def _expected(self, what: str) -> ScenarioError:
        hint = ""
        if isinstance(self.node, yaml.ScalarNode) and self.node.tag == _BOOL and "string" in what:
            hint = f'; quote it ("{self.node.value}") to mean the text'
        return self.error(f"expected {what}, got {self.describe()}{hint}")

    # --- scalars ---------------------------------------------------------------------------
    def string(self, what: str = "a string") -> str:
        """Text; a plain number is taken as written (``384.81`` stays ``"384.81"``, not a float)."""
        node = self.node
        if isinstance(node, yaml.ScalarNode) and node.tag in (_STR, _INT, _FLOAT):
            return str(node.value)
        raise self._expected(what)

    def nonempty(self, what: str = "a non-empty string") -> str:
        text = self.string(what)
        if not text.strip():
            raise self._expected(what)
        return text

    def integer(self, minimum: int | None = None, maximum: int | None = None) -> int:
        what = _integer_words(minimum, maximum)
        node = self.node
        if not (isinstance(node, yaml.ScalarNode) and node.tag == _INT):
            raise self._expected(what)
        number = int(_CONSTRUCTOR.construct_yaml_int(node))
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            raise self._expected(what)
        return number

    def number(self, minimum: float, maximum: float | None = None) -> float:
        what = (
            f"a number from {minimum:g} to {maximum:g}"
            if maximum is not None
            else ("a positive number" if minimum > 0 else f"a number >= {minimum:g}")
        )
        node = self.node
        if not (isinstance(node, yaml.ScalarNode) and node.tag in (_INT, _FLOAT)):
            raise self._expected(what)
        number = float(_CONSTRUCTOR.construct_yaml_float(node))
        if number < minimum or (maximum is not None and number > maximum) or number != number:
            raise self._expected(what)
        if minimum > 0 and number == 0:
            raise self._expected(what)
        return number

    def boolean(self) -> bool:
        node = self.node
        if isinstance(node, yaml.ScalarNode) and node.tag == _BOOL:
            return bool(_CONSTRUCTOR.construct_yaml_bool(node))
        raise self._expected("true or false")

    def choice(self, allowed: Collection[str]) -> str:
        text = self.string(f"one of {', '.join(allowed)}")
        if text not in allowed:
            raise self.error(
                f"expected one of {', '.join(allowed)}; got {json.dumps(text)}{suggestion(text, allowed)}"
            )
        return text

    def matching(self, pattern: re.Pattern[str], what: str) -> str:
        text = self.string(what)
        if not pattern.fullmatch(text):
            raise self._expected(what)
        return text

    # --- collections -----------------------------------------------------------------------
    def items(self) -> list[Value]:
        if not isinstance(self.node, yaml.SequenceNode):
            raise self._expected("a list")
        return [Value(item, f"{self.path}[{i}]", self.source) for i, item in enumerate(self.node.value)]

    def strings(self, convert: Callable[[Value], str] | None = None) -> tuple[str, ...]:
        return tuple((convert or Value.string)(item) for item in self.items())

    def mapping(self, allowed: Collection[str] | None = None) -> Fields:
        """The mapping's fields, lower layers first; ``allowed=None`` takes any key (labels, files)."""
        entries: dict[str, Value] = {}
        for layer in (*self.under, replace(self, under=())):
            for key, value in layer._own_entries(allowed):
                below = entries.get(key)
                if below is not None and below.is_mapping and value.is_mapping:
                    value = replace(value, under=(*below.under, replace(below, under=())))
                entries[key] = value
        return Fields(self, entries)

    def _own_entries(self, allowed: Collection[str] | None) -> Iterator[tuple[str, Value]]:
        node = self.node
        if not isinstance(node, yaml.MappingNode):
            raise self._expected("a mapping")
        seen: dict[str, Value] = {}
        for key_node, value_node in _flatten(node):
            if not (isinstance(key_node, yaml.ScalarNode) and key_node.tag in (_STR, _INT, _FLOAT)):
                raise Value(key_node, self.path, self.source).error("field names must be strings")
            key = str(key_node.value)
            path = child_path(self.path, key)
            if key in seen:
                raise Value(key_node, path, self.source).error(
                    f"duplicate field (first given on line {seen[key].line})"
                )
            if allowed is not None and key not in allowed:
                hint = suggestion(key, allowed) or f" (known fields: {', '.join(allowed)})"
                raise Value(key_node, path, self.source).error(f"unknown field{hint}")
            seen[key] = Value(value_node, path, self.source)
        yield from seen.items()


def _flatten(node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
    """The mapping's pairs with YAML merge keys (``<<: *anchor``) expanded; explicit keys win."""
    merged: list[tuple[yaml.Node, yaml.Node]] = []
    own: list[tuple[yaml.Node, yaml.Node]] = []
    for key_node, value_node in node.value:
        if key_node.tag != _MERGE:
            own.append((key_node, value_node))
            continue
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for source in sources:
            if isinstance(source, yaml.MappingNode):
                merged.extend(_flatten(source))
    own_keys = {k.value for k, _ in own if isinstance(k, yaml.ScalarNode)}
    unique: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in merged:
        if key_node.value not in own_keys:
            unique[key_node.value] = (key_node, value_node)
    return [*unique.values(), *own]


def _integer_words(minimum: int | None, maximum: int | None) -> str:
    if maximum is not None:
        return f"an integer from {minimum if minimum is not None else 0} to {maximum}"
    if minimum == 1:
        return "a positive integer"
    if minimum == 0:
        return "a non-negative integer"
    return "an integer" if minimum is None else f"an integer >= {minimum}"


class Fields:
    """A mapping's fields after layering; every value still knows its own path and line."""

    def __init__(self, owner: Value, entries: dict[str, Value]) -> None:
        self.owner = owner
        self.entries = entries

    def __contains__(self, key: str) -> bool:
        return key in self.entries

    def get(self, key: str) -> Value | None:
        return self.entries.get(key)

    def require(self, key: str) -> Value:
        value = self.entries.get(key)
        if value is None:
            path = child_path(self.owner.path, key)
            raise ScenarioError(f"{self.owner.source}:{self.owner.line}: {path}: required field is missing")
        return value

    def read(self, key: str, convert: Callable[[Value], T], default: T) -> T:
        value = self.entries.get(key)
        return default if value is None else convert(value)

    def choice(self, key: str, allowed: Collection[str], default: str) -> str:
        value = self.entries.get(key)
        return default if value is None else value.choice(allowed)
