"""A registered image's container as its process sees it: its own /dev and, when injected, the driver's NVML.

In a real container /dev is a tmpfs the runtime fills with the device nodes it injects: ``nvidiaN`` for each
GPU (N its minor), ``nvidiactl``, ``nvidia-uvm``, ``nvidia-uvm-tools`` with the driver, every host node for a
privileged container. Here it is the container's ``dev`` directory, holding an empty file per injected node,
"mounted" at /dev (images/registered.py rewrites arguments and what the process prints).

The driver's libraries reach a container only when the runtime injects the driver. Here the stand-in
libnvidia-ml.so.1 is placed in the container's own ``root/<libdir>`` with a data file under ``root/run`` that
lists only the GPUs the container sees (the library finds it from its own folder), and the process gets
LD_LIBRARY_PATH pointing there, so a program that loads ``libnvidia-ml.so.1`` by soname finds it; without the
driver it finds none (NVML's "Library Not Found"), as in a container without it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .. import hostroot  # noqa: F401  (before nvml, whose installer writes through hostroot's files)
from ..model import NodeSpec
from ..nvml.build import SONAME
from ..nvml.install import DATA_FILE, library_dir, nvml_data, place_library
from .injection import Injection

DEV = "/dev"


def prepare(directory: Path, node: NodeSpec | None, injection: Injection) -> tuple[Path, Path | None]:
    """Write the container's /dev (and its NVML when the driver is injected) under ``directory``, afresh:
    (the /dev directory, the library directory or None)."""
    shutil.rmtree(directory, ignore_errors=True)
    dev = directory / "dev"
    dev.mkdir(parents=True, mode=0o700)
    for name in injection.device_nodes:
        (dev / name).touch()
    if not injection.driver or node is None:
        return dev, None
    data = nvml_data(node, injection.gpus)
    folder = library_dir(node)
    root = directory / "root"
    libraries = root / folder.lstrip("/")
    if data is None or not place_library(libraries / SONAME):
        return dev, None
    target = root / DATA_FILE.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(data, encoding="utf-8")
    return dev, libraries
