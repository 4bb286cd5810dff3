"""Allure 3 (the npm package ``allure``, Node only): a ready binary, or a pinned version installed on first use.

Resolution order: ``--allure PATH``, then ``$GPU_CONFORMANCE_ALLURE`` (the container image sets it to a
preinstalled binary), then ``<cache>/gpu-conformance/allure-<version>``, npm-installed there once. The install
goes into a temporary directory beside the cache entry and is renamed into place only when complete, so an
interrupted install never leaves a half-filled cache that later runs would trust.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..errors import UsageError
from ..node.hostfs import first_line

ALLURE_VERSION = "3.18.0"
MIN_NODE_MAJOR = 20  # Allure 3's minimum
ENV = "GPU_CONFORMANCE_ALLURE"
INSTALL_TIMEOUT_S = 600
OFFLINE_HINT = ("offline or air-gapped? pass --allure PATH (or set GPU_CONFORMANCE_ALLURE) to an installed Allure 3, "
                "or point npm at a mirror: npm config set registry URL")
# npm's key/value lines around the real message ("npm error code ECONNREFUSED", "npm error errno ...").
_NPM_DETAIL = re.compile(r"^(code|syscall|errno|path|dest|A complete log)\b|^\s*$")


def find_allure(given: str | None = None) -> str:
    """The allure executable to run: ``given``, else ``$GPU_CONFORMANCE_ALLURE``, else the cached install."""
    if given:
        return ready_binary(given, "--allure")
    if os.environ.get(ENV):
        return ready_binary(os.environ[ENV], ENV)
    return install(cache_dir())


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME`` (when absolute, as the XDG spec requires) or ``~/.cache``, then our entry."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "gpu-conformance" / f"allure-{ALLURE_VERSION}"


def ready_binary(value: str, source: str) -> str:
    """An installed allure named by path or command name; refused unless its ``--version`` says 3.x."""
    found = shutil.which(value)
    if found is None:
        raise UsageError(f"{source} {value}: no such executable file")
    try:
        done = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise UsageError(f"{source} {value}: could not run it: {err}") from err
    version = first_line(done.stdout)
    if done.returncode != 0 or not version.startswith("3."):
        said = version or first_line(done.stderr) or f"exit status {done.returncode}"
        raise UsageError(f"{source} {value}: not Allure 3 (`{value} --version` said: {said})")
    return found


def install(target: Path) -> str:
    """``target/node_modules/.bin/allure``, npm-installing the pinned version there first if it is missing."""
    binary = target / "node_modules" / ".bin" / "allure"
    if binary.exists():
        return str(binary)
    npm = _node_and_npm()
    print(f"gpu-conformance: installing Allure {ALLURE_VERSION} into {target} (first use)", file=sys.stderr,
          flush=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        _npm_install(npm, staging)
        try:
            staging.rename(target)
        except OSError as err:  # another run finished first (fine), or something else sits there
            if not binary.exists():
                raise UsageError(f"cannot install Allure into {target}: {err.strerror}; remove it and retry") from err
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return str(binary)


def _node_and_npm() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise UsageError(f"{'node' if node is None else 'npm'} not found: the HTML report needs Node.js "
                         f">= {MIN_NODE_MAJOR} with npm (Debian: apt-get install nodejs npm), or pass --allure PATH")
    try:
        version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30,
                                 check=False).stdout.strip()
    except (OSError, subprocess.TimeoutExpired) as err:
        raise UsageError(f"{node} --version failed: {err}") from err
    major = re.match(r"v(\d+)\.", version)
    if major is None or int(major.group(1)) < MIN_NODE_MAJOR:
        raise UsageError(f"{node} is Node.js {version or '(unknown version)'}: Allure 3 needs Node.js "
                         f">= {MIN_NODE_MAJOR}; upgrade it or pass --allure PATH")
    return npm


def _npm_install(npm: str, prefix: Path) -> None:
    (prefix / "package.json").write_text(json.dumps({"name": "gpu-conformance-allure", "private": True}))
    command = [npm, "install", "--no-audit", "--no-fund", "--no-update-notifier", "--loglevel=error",
               "--save-exact", f"allure@{ALLURE_VERSION}"]
    try:
        done = subprocess.run(command, cwd=prefix, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S,
                              check=False)
    except subprocess.TimeoutExpired as err:
        raise UsageError(f"npm install allure@{ALLURE_VERSION} took over {INSTALL_TIMEOUT_S}s; {OFFLINE_HINT}") from err
    if done.returncode != 0 or not (prefix / "node_modules" / ".bin" / "allure").exists():
        raise UsageError(f"npm install allure@{ALLURE_VERSION} failed: {npm_error(done.stderr or done.stdout)}; "
                         f"{OFFLINE_HINT}")


def npm_error(output: str) -> str:
    """The line of npm's error output that says what went wrong, without its ``npm error`` prefix."""
    lines = [re.sub(r"^npm (error|ERR!)\s?", "", line) for line in output.splitlines()
             if line.startswith(("npm error", "npm ERR!"))]
    return next((line.strip() for line in lines if not _NPM_DETAIL.search(line)), first_line(output) or "no output")
