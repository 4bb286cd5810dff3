"""Where the conformance suite and its monitoring assets are: in the installed package, or in a checkout.

A wheel carries them as package data in gpu_conformance/_suite/ (setup.py copies them in at build
time), found through importlib.resources wherever the wheel is installed. An editable install from a
checkout has no _suite/: there they are at the checkout's top level, where the project keeps them. No
other module knows a path.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from .errors import UsageError

SUITE_FILES = ("conftest.py", "conformance", "fixtures", "monitoring", "pyproject.toml")  # pyproject: pytest's settings
PACKAGED = Path(str(files(__package__))) / "_suite"
CHECKOUT = Path(__file__).resolve().parent.parent


def _complete(root: Path) -> bool:
    return all((root / name).exists() for name in SUITE_FILES)


ROOT = PACKAGED if _complete(PACKAGED) else CHECKOUT
MONITORING = ROOT / "monitoring"


def suite_root() -> Path:
    """The suite's root; UsageError when this installation carries no suite."""
    if not _complete(ROOT):
        missing = ", ".join(name for name in SUITE_FILES if not (ROOT / name).exists())
        raise UsageError(f"no conformance suite in {PACKAGED} nor {CHECKOUT} ({missing} missing): install the "
                         "gpu-conformance wheel, or `pip install -e .` from a checkout")
    return ROOT
