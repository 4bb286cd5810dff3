"""Opt-in checks (DIAG-DCGM, PERF-*: minutes of work holding every GPU) are deselected unless their option is on,
as ``--level`` deselects; the run's last lines say which were not run and how to ask for them, and a long DCGM
level is announced before anything runs."""

from __future__ import annotations

import pytest

from gpu_conformance.checks import CHECKS
from gpu_conformance.opt_in import how_to_ask, opted_in

from .options import settings_from
from .selection import Keep, deselect

NOT_RUN = pytest.StashKey[list[str]]()
LONG_DCGM = {"2": "about 2 minutes", "3": "about 15 minutes"}  # dcgmi diag's medium and long runs (FACTS.md)


def opt_in_keep(config: pytest.Config) -> Keep:
    """Whether an item runs: its check is not opt-in, or its option is on."""
    settings = settings_from(config)
    return lambda check, _node: opted_in(check, settings)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    settings = settings_from(config)
    deselect(config, items, opt_in_keep(config))
    config.stash[NOT_RUN] = [f"{c.id} ({how_to_ask(c)})" for c in CHECKS if not opted_in(c, settings)]


def pytest_sessionstart(session: pytest.Session) -> None:
    level = settings_from(session.config).dcgm_diag
    if level in LONG_DCGM:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        line = (f"gpu-conformance: --dcgm-diag {level} runs DCGM's diagnostic for {LONG_DCGM[level]} on every GPU "
                "node at once, holding all its GPUs")
        (reporter.write_line if reporter is not None else print)(line)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    not_run = config.stash.get(NOT_RUN, [])
    if not_run:
        terminalreporter.write_line(f"gpu-conformance: opt-in checks not run: {', '.join(not_run)}")
