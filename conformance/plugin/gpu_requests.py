"""``--gpu-request``: the checks of a way of requesting GPUs the run does not use are deselected, as ``--level``
deselects (with both in use, per node: a node that shows one way only is not checked the other way), and the
summary says once what was chosen and why (the choice is made at session start, session.py; kept in discovered.py).
"""

from __future__ import annotations

import pytest

from .discovered import GPU_REQUEST
from .selection import Keep, deselect


def gpu_request_keep(config: pytest.Config) -> Keep:
    """Whether an item runs: its check's way of requesting GPUs is in use (on its node, for a per-node item)."""
    choice = config.stash.get(GPU_REQUEST, None)
    return lambda check, node: choice is None or choice.runs(check.gpu_request, node)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.stash.get(GPU_REQUEST, None) is not None:
        deselect(config, items, gpu_request_keep(config))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    choice = config.stash.get(GPU_REQUEST, None)
    if choice is not None:
        terminalreporter.write_line(f"gpu-conformance: {choice.summary()}")
