"""The ENV a Dockerfile's final stage gives its image, as ``docker inspect`` would list it (Config.Env).

Enough of the Dockerfile syntax for ENV: line continuations, comments, ``ENV KEY=VALUE ...`` with shell-like
quoting, the legacy ``ENV KEY VALUE`` form, and stages (only instructions after the last ``FROM`` count; a
stage built FROM an earlier one is not followed).
"""

from __future__ import annotations

import shlex
from pathlib import Path


def _instructions(text: str) -> list[str]:
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        lines.append(pending + stripped)
        pending = ""
    if pending:
        lines.append(pending)
    return lines


def final_stage_env(path: Path) -> dict[str, str]:
    """KEY -> VALUE set by ENV in the final stage of the Dockerfile at ``path``."""
    env: dict[str, str] = {}
    for instruction in _instructions(path.read_text(encoding="utf-8")):
        keyword, _, rest = instruction.partition(" ")
        if keyword.upper() == "FROM":
            env = {}
        elif keyword.upper() == "ENV":
            words = shlex.split(rest)
            if words and "=" not in words[0]:
                env[words[0]] = " ".join(words[1:])
                continue
            for word in words:
                key, _, value = word.partition("=")
                env[key] = value
    return env
