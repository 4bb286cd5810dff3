"""Checks whose option was not given (``Check.reads_option``) are skipped, naming the option, before any fixture is
set up; a per-node one is one item, not one per GPU node.

"No --prometheus-url given" is a fact about the run, not about each node: reported once, it reads as what it is,
and a run at 1000 GPU nodes without the options does not make 2000 items that can only skip.
"""

from __future__ import annotations

import pytest

from gpu_conformance.read_options import missing_option

from .options import settings_from
from .selection import item_check

EVERY_GPU_NODE = "every-gpu-node"  # the id of the one item of a per-node check skipped for its option


def skipped_everywhere(metafunc: pytest.Metafunc) -> bool:
    """Whether the function's check reads an option the run left out: skipped whatever the node."""
    check = item_check(metafunc.definition)
    return check is not None and missing_option(check, settings_from(metafunc.config)) is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    settings = settings_from(config)
    for item in items:
        check = item_check(item)
        why = missing_option(check, settings) if check is not None else None
        if why is not None:
            item.add_marker(pytest.mark.skip(reason=why))
