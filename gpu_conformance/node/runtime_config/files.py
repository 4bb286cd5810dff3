"""Loading runtime configuration files under a host root, with errors that name the file and line."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from gpu_conformance.node.hostfs import HostRoot, excerpt

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


class ConfigError(Exception):
    """A configuration that cannot be read: one line naming the file (and line), plus what was read."""

    def __init__(self, message: str, texts: Texts | None = None) -> None:
        super().__init__(message)
        self.texts = texts


@dataclass
class Texts:
    """The files read so far, shown path -> raw text, in the order they were applied."""

    files: dict[str, str] = field(default_factory=dict)

    def add(self, shown: str, text: str) -> None:
        self.files[shown] = text

    @property
    def shown(self) -> tuple[str, ...]:
        return tuple(self.files)

    def excerpt(self) -> str | None:
        if not self.files:
            return None
        return excerpt("\n".join(f"# {shown}\n{text.rstrip()}" for shown, text in self.files.items()))


def read_text(host: HostRoot, host_path: str, texts: Texts) -> str:
    text, error = host.read(host_path)
    if text is None:
        raise ConfigError(f"{host.shown(host_path)}: {error}", texts)
    texts.add(host.shown(host_path), text)
    return text


def load_toml(host: HostRoot, host_path: str, texts: Texts) -> dict[str, Any]:
    text = read_text(host, host_path, texts)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        position = _TOML_POSITION.search(message)
        where = f"line {position.group(1)}: " if position else ""
        raise ConfigError(f"{host.shown(host_path)}: {where}invalid TOML: {_TOML_POSITION.sub('', message)}",
                          texts) from None


def load_json(host: HostRoot, host_path: str, texts: Texts) -> dict[str, Any]:
    text = read_text(host, host_path, texts)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise ConfigError(f"{host.shown(host_path)}: {where}: invalid JSON: {exc.msg}", texts) from None
    if not isinstance(data, dict):
        message = f"{host.shown(host_path)}: expected a JSON object, got {type(data).__name__}"
        raise ConfigError(message, texts)
    return data


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key, recursively; any other value in ``override`` replaces the base's."""
    merged = dict(base)
    for key, value in override.items():
        below = merged.get(key)
        if isinstance(below, dict) and isinstance(value, dict):
            value = deep_merge(below, value)
        merged[key] = value
    return merged


def table(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    """The nested table at ``keys``; an empty one when absent or not a table."""
    current: Any = data
    for key in keys:
        current = current.get(key) if isinstance(current, dict) else None
    return current if isinstance(current, dict) else {}


def text_value(data: dict[str, Any], key: str) -> str | None:
    """A non-empty string setting, else None (runtimes treat "" as unset)."""
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def bool_value(data: dict[str, Any], key: str) -> bool | None:
    value = data.get(key)
    return value if isinstance(value, bool) else None
