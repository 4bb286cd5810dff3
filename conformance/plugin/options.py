"""The suite's command-line options, and the effective settings they make (one line and exit 4 when bad).

Every option's name says it is the suite's, so that it cannot clash with another plugin's. A renamed
option's former flag is still accepted, hidden, with a notice naming the new one, unless that flag
belongs to a common plugin now (TAKEN).
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

import pytest

from gpu_conformance.errors import UsageError
from gpu_conformance.settings import OPTIONS, Option, Settings, resolve

SUITE_DIR = Path(__file__).resolve().parent.parent
SETTINGS_KEY = pytest.StashKey[Settings]()
TAKEN = frozenset({"timeout"})  # pytest-timeout's --timeout


def _add(group: pytest.OptionGroup, flag: str, option: Option, dest: str, help: str) -> None:
    if option.kind == "bool":
        group.addoption(flag, action="store_true", default=None, dest=dest, help=help)
    elif option.kind == "list":
        group.addoption(flag, action="append", default=None, dest=dest, help=help)
    else:
        group.addoption(flag, default=None, dest=dest, help=help, choices=option.choices or None)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gpu-conformance", "GPU conformance (each also GPU_CONFORMANCE_<NAME> and a profile key)")
    group.addoption("--requirements", metavar="FILE", default=None,
                    help="profile file (YAML) with option values and requirement floors")
    for option in OPTIONS:
        _add(group, f"--{option.name}", option, f"gpuc_{option.attr}", option.help)
        if option.formerly and option.formerly not in TAKEN:
            _add(group, f"--{option.formerly}", option, f"gpuc_formerly_{option.attr}", argparse.SUPPRESS)


def _command_line(config: pytest.Config, notices: list[str]) -> dict[str, Any]:
    """Option field -> its value on the command line (None: not given), former flags included."""
    values = {}
    for option in OPTIONS:
        value = config.getoption(f"gpuc_{option.attr}")
        former = config.getoption(f"gpuc_formerly_{option.attr}", None)
        if value is None and former is not None:
            value = former
            notices.append(f"--{option.formerly} is deprecated: use --{option.name}")
        values[option.attr] = value
    return values


def settings_from(config: pytest.Config) -> Settings:
    """The effective settings; a bad profile or value is one line and exit status 4 (pytest's usage error)."""
    if SETTINGS_KEY not in config.stash:
        notices: list[str] = []
        cli = _command_line(config, notices)
        profile = config.getoption("requirements")
        try:
            settings = resolve(cli, profile=Path(profile) if profile else None)
        except UsageError as err:
            raise pytest.UsageError(str(err)) from None
        config.stash[SETTINGS_KEY] = dataclasses.replace(settings, notices=(*notices, *settings.notices))
    return config.stash[SETTINGS_KEY]


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Former option names still work, and say so once, with the new name."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    for notice in settings_from(session.config).notices:
        (reporter.write_line if reporter is not None else print)(f"gpu-conformance: {notice}")
