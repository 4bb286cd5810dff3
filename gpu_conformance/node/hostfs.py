"""Reading a host through its root (``/host`` in the probe pod, ``/`` with ``--local-probe``).

Paths are given as on the host (``/proc/driver/nvidia/version``) and shown as actually read
(``/host/proc/driver/nvidia/version``), so every fact names the exact file or command behind it.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Where distributions put the driver's user-space libraries, most common first.
LIBRARY_DIRS = (
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib64",
    "/usr/lib/aarch64-linux-gnu",
    "/usr/lib",
    "/lib64",
    "/lib/x86_64-linux-gnu",
    "/lib/aarch64-linux-gnu",
    "/lib",
)
COMMAND_TIMEOUT_SECONDS = 5.0
EXCERPT_LIMIT = 4000

# Keys whose values must never reach a report: registry credentials in runtime configs.
_SECRET = re.compile(
    r"""^(\s*"?[\w.-]*(?:password|passwd|auth|token|secret|identitytoken)[\w.-]*"?\s*[=:]\s*).*$""",
    re.IGNORECASE | re.MULTILINE,
)


def excerpt(text: str) -> str:
    """The raw text for a report: secret-looking values redacted, trimmed to a few kB."""
    redacted = _SECRET.sub(r"\1<redacted>", text)
    if len(redacted) > EXCERPT_LIMIT:
        return redacted[:EXCERPT_LIMIT] + f"\n... ({len(redacted) - EXCERPT_LIMIT} more characters)"
    return redacted


def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


@dataclass(frozen=True)
class CommandResult:
    shown: str  # the command line as run, e.g. "/host/usr/bin/nvidia-ctk --version"
    stdout: str | None  # what it printed; None when it did not run
    error: str | None


class HostRoot:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, host_path: str) -> Path:
        return self.root / host_path.lstrip("/")

    def shown(self, host_path: str) -> str:
        return str(self.path(host_path))

    def host_path(self, path: Path) -> str:
        """The inverse of ``path``: ``/host/etc/x`` -> ``/etc/x``."""
        return "/" + str(path.relative_to(self.root))

    def exists(self, host_path: str) -> bool:
        return self.path(host_path).exists()

    def read(self, host_path: str) -> tuple[str | None, str | None]:
        """(text, None) or (None, one-line error)."""
        try:
            return self.path(host_path).read_text(encoding="utf-8", errors="replace"), None
        except FileNotFoundError:
            return None, "no such file"
        except OSError as exc:
            return None, exc.strerror or str(exc)

    def library_dirs(self) -> list[Path]:
        return [self.path(d) for d in LIBRARY_DIRS if self.path(d).is_dir()]

    def find_library(self, name: str) -> Path | None:
        return next((d / name for d in self.library_dirs() if (d / name).exists()), None)

    def run(self, host_path: str, *args: str) -> CommandResult:
        """Execute the host's own binary directly (no shell), its libraries first on the search path."""
        binary = self.path(host_path)
        if not binary.exists():
            return CommandResult(" ".join([str(binary), *args]), None, "no such file")
        if not os.access(binary, os.X_OK):
            return CommandResult(" ".join([str(binary), *args]), None, "not executable")
        libraries = {}
        if self.root.resolve() != Path("/"):
            libraries["LD_LIBRARY_PATH"] = os.pathsep.join(str(d) for d in self.library_dirs())
        return run_command([str(binary), *args], libraries)


def run_command(argv: list[str], extra_env: dict[str, str] | None = None) -> CommandResult:
    """Run a program without a shell, with a short timeout; a non-zero exit is an error (its first line)."""
    shown = " ".join(argv)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", **(extra_env or {})}
    try:
        done = subprocess.run(argv, capture_output=True, text=True, errors="replace", env=env,
                              timeout=COMMAND_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        return CommandResult(shown, None, f"timed out after {COMMAND_TIMEOUT_SECONDS:g} s")
    except OSError as exc:
        return CommandResult(shown, None, exc.strerror or str(exc))
    if done.returncode != 0:
        why = first_line(done.stderr) or first_line(done.stdout) or "no output"
        return CommandResult(shown, done.stdout, f"exit status {done.returncode}: {why}")
    return CommandResult(shown, done.stdout, None)
