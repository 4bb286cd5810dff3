"""The real promtool: found on PATH or at --promtool, run with a timeout, its verdict kept with its words.

promtool exits 0 when all is well and 1 on a failure; what it found wrong goes to stderr (``check``)
or stdout (``test rules``). A promtool that is missing, not executable or hangs is "could not
inspect" (FactsUnavailable) with a hint on how to install it, never a silent skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from gpu_conformance.facts.promtool import PromtoolRun
from gpu_conformance.facts.unavailable import FactsUnavailable

INSTALL_HINT = ("install it: `apt-get install prometheus` (Debian/Ubuntu; promtool comes with it), or "
                "take promtool from a release tarball at https://github.com/prometheus/prometheus/releases "
                "and pass --promtool PATH")
DEFAULT_TIMEOUT = 60.0


@dataclass(frozen=True)
class Promtool:
    binary: str  # the resolved path
    version: str  # first line of `promtool --version`
    timeout: float = DEFAULT_TIMEOUT

    def run(self, *args: str, cwd: Path | None = None) -> PromtoolRun:
        """Run ``promtool ARGS``; FactsUnavailable when it cannot be run or outlives the timeout."""
        try:
            done = subprocess.run([self.binary, *args], capture_output=True, text=True, timeout=self.timeout,
                                  cwd=cwd, check=False, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise FactsUnavailable(f"`promtool {' '.join(args)}` did not finish within "
                                   f"{self.timeout:g}s") from None
        except OSError as exc:
            raise FactsUnavailable(f"cannot run {self.binary}: {exc.strerror or exc}; "
                                   f"{INSTALL_HINT}") from None
        return PromtoolRun(tuple(args), done.returncode, done.stdout, done.stderr)

    def check_config(self, path: str | Path) -> PromtoolRun:
        return self.run("check", "config", str(path))

    def check_rules(self, *paths: str | Path) -> PromtoolRun:
        return self.run("check", "rules", *map(str, paths))

    def test_rules(self, *paths: str | Path, cwd: Path | None = None) -> PromtoolRun:
        return self.run("test", "rules", *map(str, paths), cwd=cwd)


def find_promtool(setting: str = "promtool", timeout: float = DEFAULT_TIMEOUT) -> Promtool:
    """promtool named by ``setting`` (a path, or a name looked up on PATH), checked by asking its version."""
    executable = setting if os.access(setting, os.X_OK) else None
    found = executable if os.sep in setting else shutil.which(setting)
    if found is None:
        where = "on PATH" if os.sep not in setting else "there or not executable"
        raise FactsUnavailable(f"promtool not found: {setting!r} is not {where}; {INSTALL_HINT}")
    version = Promtool(found, "", timeout).run("--version")
    if not version.ok:
        raise FactsUnavailable(f"{found} --version exited {version.returncode}: {version.summary()}; "
                               f"{INSTALL_HINT}")
    first = (version.stdout or version.stderr).strip().splitlines()
    return Promtool(found, first[0] if first else "promtool", timeout)
