"""A line per gathering phase as it completes: on the terminal when it is one, in the log otherwise."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from fixtures.progress import answered, phase
from gpu_conformance.facts.unavailable import FactsUnavailable


@dataclass
class Reporter:
    isatty: bool
    lines: list[str] = field(default_factory=list)

    def write_line(self, line: str) -> None:
        self.lines.append(line)


@dataclass
class Plugins:
    reporter: Reporter | None

    def get_plugin(self, name: str) -> Any:
        return self.reporter if name == "terminalreporter" else None


@dataclass
class Config:
    pluginmanager: Plugins


def gathered() -> dict[str, object]:
    return {"gpu-0001": "facts", "gpu-0002": FactsUnavailable("node gpu-0002 is NotReady"), "gpu-0003": "facts"}


def test_on_a_terminal_the_line_is_written_there(caplog: pytest.LogCaptureFixture) -> None:
    reporter = Reporter(isatty=True)
    found = phase(cast(pytest.Config, Config(Plugins(reporter))), "workloads", 3, gathered, answered)
    assert found.keys() == gathered().keys()
    assert [line.split(" in ")[0] for line in reporter.lines] == ["gpu-conformance: workloads 2/3 nodes answered"]
    assert not caplog.records


@pytest.mark.parametrize("reporter", [Reporter(isatty=False), None])
def test_otherwise_it_goes_to_the_log(reporter: Reporter | None, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="gpu_conformance.progress"):
        phase(cast(pytest.Config, Config(Plugins(reporter))), "probes", 1000, gathered, answered)
    assert [r.getMessage().split(" in ")[0] for r in caplog.records] == ["probes 2/1000 nodes answered"]
    assert reporter is None or reporter.lines == []
