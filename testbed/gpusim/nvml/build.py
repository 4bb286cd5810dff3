"""Compiling the stand-in libnvidia-ml.so.1 once, cached by the source's hash.

The cache is ``$XDG_CACHE_HOME/gpu-conformance/nvml/<hash>/`` (``~/.cache`` without XDG), so runs
and processes share one build. Without a C compiler there is no library: simulated hosts then have
no NVML, which the probe reports as NVML_ERROR_LIBRARY_NOT_FOUND.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

SOURCE = Path(__file__).with_name("libnvidia-ml.c")
SONAME = "libnvidia-ml.so.1"
FLAGS = ("-shared", "-fPIC", "-O2", "-Wall", "-Werror", f"-Wl,-soname,{SONAME}")
COMPILE_TIMEOUT_SECONDS = 60

log = logging.getLogger(__name__)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gpu-conformance" / "nvml"


@functools.cache
def build_library() -> Path | None:
    """The built library (compiled on first use in this process if not cached), or None."""
    source = SOURCE.read_bytes()
    digest = hashlib.sha256(source + " ".join(FLAGS).encode()).hexdigest()[:16]
    target = cache_dir() / digest / SONAME
    if target.is_file():
        return target
    compiler = os.environ.get("CC") or shutil.which("cc")
    if compiler is None:
        log.warning("no C compiler (cc): simulated GPU nodes get no libnvidia-ml.so.1")
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    # Build beside the target and rename: concurrent processes never see a half-written library.
    handle, partial = tempfile.mkstemp(prefix=".build-", suffix=".so", dir=target.parent)
    os.close(handle)
    try:
        done = subprocess.run([compiler, *FLAGS, "-o", partial, str(SOURCE), "-lpthread"],
                              capture_output=True, text=True, timeout=COMPILE_TIMEOUT_SECONDS, check=False)
        if done.returncode != 0:
            log.warning("building the stand-in libnvidia-ml.so.1 failed: %s", done.stderr.strip()[:2000])
            return None
        os.replace(partial, target)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("building the stand-in libnvidia-ml.so.1 failed: %s", exc)
        return None
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return target
