"""The suite's command-line options, and the effective settings they make (one line and exit 4 when bad).

Every option's name says it is the suite's, so that it cannot clash with another plugin's. A renamed
option's former flag is still accepted, hidden, with a notice naming the new one, unless that flag
belongs to a common plugin now (TAKEN).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from gpu_conformance.errors import UsageError
from gpu_conformance.settings import OPTIONS, Option, Settings, resolve

SUITE_DIR = Path(__file__).resolve().parent.parent
SETTINGS_KEY = pytest.StashKey[Settings]()
TAKEN = frozenset({"timeout"})  # pytest-timeout's --timeout
PLUGIN_OPTIONS = (  # the plugin's own options, beside the settings' (those are also environment and profile keys)
    Option("conformance-profile", "profile file (YAML) with option values and requirement floors",
           formerly="requirements"),
    Option("summary-dir", "where summary.json goes (default: reports/)", formerly="report-dir"),
    Option("evidence-dir", "write CNCF Kubernetes AI Conformance evidence markdown here (one file per requirement "
           "the suite covers, and index.md)"),
)


def _dest(option: Option) -> str:
    return f"gpuc_{option.attr}"


def _add(group: pytest.OptionGroup, flag: str, option: Option, dest: str, help: str) -> None:
    if option.kind == "bool":
        group.addoption(flag, action="store_true", default=None, dest=dest, help=help)
    elif option.kind == "list":
        group.addoption(flag, action="append", default=None, dest=dest, help=help)
    else:  # choices are checked with the other values (settings.py): one line, whatever the source
        group.addoption(flag, default=None, dest=dest, help=help)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gpu-conformance", "GPU conformance (each also GPU_CONFORMANCE_<NAME> and a profile key)")
    for option in (*PLUGIN_OPTIONS, *OPTIONS):
        _add(group, f"--{option.name}", option, _dest(option), option.help)
        if option.formerly and option.formerly not in TAKEN:
            _add(group, f"--{option.formerly}", option, f"{_dest(option)}_formerly", argparse.SUPPRESS)


def given(config: pytest.Config, option: Option) -> Any:
    """The option's value on the command line, under its name or its former one; None when not given."""
    value = config.getoption(_dest(option))
    return value if value is not None else config.getoption(f"{_dest(option)}_formerly", None)


def plugin_option(config: pytest.Config, name: str) -> Any:
    return given(config, next(o for o in PLUGIN_OPTIONS if o.name == name))


def settings_from(config: pytest.Config) -> Settings:
    """The effective settings; a bad profile or value is one line and exit status 4 (pytest's usage error)."""
    if SETTINGS_KEY not in config.stash:
        profile = plugin_option(config, "conformance-profile")
        try:
            config.stash[SETTINGS_KEY] = resolve({o.attr: given(config, o) for o in OPTIONS},
                                                 profile=Path(profile) if profile else None)
        except UsageError as err:
            raise pytest.UsageError(str(err)) from None
    return config.stash[SETTINGS_KEY]


def _former_flags(config: pytest.Config) -> list[str]:
    return [f"--{o.formerly} is deprecated: use --{o.name}" for o in (*PLUGIN_OPTIONS, *OPTIONS)
            if config.getoption(f"{_dest(o)}_formerly", None) is not None]


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Former option names still work, and say so once, with the new name."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    for notice in (*_former_flags(session.config), *settings_from(session.config).notices):
        (reporter.write_line if reporter is not None else print)(f"gpu-conformance: {notice}")
