"""``--gpu-request``: the checks of a way of requesting GPUs the run does not use are deselected, as ``--level``
deselects (with both in use, per node: a node that shows one way only is not checked the other way), and the
summary says once what was chosen and why (the choice is made at session start, session.py; kept in discovered.py).
"""

from __future__ import annotations

import pytest

from .discovered import GPU_REQUEST
from .selection import deselect


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    choice = config.stash.get(GPU_REQUEST, None)
    if choice is not None:
        deselect(config, items, lambda check, node: choice.runs(check.gpu_request, node))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    choice = config.stash.get(GPU_REQUEST, None)
    if choice is not None:
        terminalreporter.write_line(f"gpu-conformance: {choice.summary()}")
