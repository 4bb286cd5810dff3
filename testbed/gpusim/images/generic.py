"""Any other image (busybox, ubuntu, pause, servers): a tiny interpreter for common commands.

``echo``, ``sleep``, ``exit``, ``true`` and ``false``, directly or in ``sh -c`` scripts, are
acted out; anything else runs until the container is stopped, like a server would. Shell
images started without a command exit at once, as a shell without a terminal does.
"""

from __future__ import annotations

import re
import shlex

from .base import ContainerContext, Outcome, Script, command_line

_SHELLS = ("sh", "/bin/sh", "bash", "/bin/bash", "ash", "/bin/ash")
_SHELL_IMAGES = ("busybox", "ubuntu", "alpine", "debian", "centos", "fedora", "rockylinux", "almalinux")
_FOREVER = Script(exit_code=None)


def _image_name(image: str) -> str:
    return image.rsplit("/", 1)[-1].split("@")[0].split(":")[0]


def _interpret(statements: list[list[str]]) -> Outcome:
    steps: list[tuple[float, str]] = []
    wait = 0.0
    for words in statements:
        if not words:
            continue
        name, rest = words[0], words[1:]
        if name == "echo":
            steps.append((wait, " ".join(w for w in rest if w != "-e") + "\n"))
            wait = 0.0
        elif name == "sleep" and rest and re.fullmatch(r"\d+(\.\d+)?", rest[0]):
            wait += float(rest[0])
        elif name in ("sleep", "tail") and rest and rest[0] in ("infinity", "-f"):
            return Script(steps=tuple(steps), exit_code=None)
        elif name == "exit":
            code = int(rest[0]) if rest and rest[0].isdigit() else 0
            return Script(steps=(*steps, (wait, "")), exit_code=code)
        elif name in ("true", ":"):
            continue
        elif name == "false":
            return Script(steps=(*steps, (wait, "")), exit_code=1)
        else:
            return Script(steps=tuple(steps), exit_code=None)
    return Script(steps=(*steps, (wait, "")), exit_code=0)


def _split_script(script: str) -> list[list[str]]:
    statements: list[list[str]] = []
    for part in re.split(r"\s*(?:;|&&|\n)\s*", script):
        try:
            statements.append(shlex.split(part))
        except ValueError:
            statements.append(["?"])
    return statements


def run(ctx: ContainerContext) -> Outcome:
    image = _image_name(str(ctx.container.get("image", "")))
    words = command_line(ctx.container)
    if image == "pause":
        return _FOREVER
    if not words:
        return Script(exit_code=0) if image in _SHELL_IMAGES else _FOREVER
    if words[0] in _SHELLS:
        if len(words) >= 3 and words[1] == "-c":
            return _interpret(_split_script(words[2]))
        return Script(exit_code=0)
    return _interpret([words])
