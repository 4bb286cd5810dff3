"""What pytest itself costs for as many test items as a suite run has: the floor under the suite's own figures.

A read-only run at 1000 GPU nodes runs about 12,000 items and deselects about 20 (the workload checks, one item each:
conformance/plugin/whole_check_deselection.py). The same numbers of items that do nothing, in a test file of their
own (no conformance plugin, no cluster), show what part of the suite's wall time is pytest's and allure-pytest's
per-item work, which no change to the suite removes.
"""

from __future__ import annotations

import re
from pathlib import Path

COUNTS = re.compile(r"(?P<count>\d+) (?P<what>passed|failed|skipped|deselected|errors?)")
# One function per item, no parameters and no fixtures: a parametrized item would bring a fixture per item, which
# allure-pytest records in a container file of its own (the suite records none for its per-item fixtures).
_RUN = "def test_runs_{}():\n    pass\n"
_DESELECTED = "@pytest.mark.workload\ndef test_deselected_{}():\n    pass\n"


def item_counts(tail: str) -> tuple[int, int]:
    """(items run, items deselected) from pytest's last line, e.g. ``8008 passed, 4003 skipped, 21002 deselected``."""
    counts = {m["what"]: int(m["count"]) for m in COUNTS.finditer(tail)}
    return sum(v for k, v in counts.items() if k != "deselected"), counts.get("deselected", 0)


def write_floor_tests(directory: Path, run: int, deselected: int) -> Path:
    """A directory holding ``run`` items that pass at once and ``deselected`` more marked ``workload``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "pytest.ini").write_text("[pytest]\nmarkers =\n    workload: deselected by -m 'not workload'\n")
    tests = [_RUN.format(i) for i in range(run)] + [_DESELECTED.format(i) for i in range(deselected)]
    (directory / "test_floor.py").write_text("import pytest\n\n\n" + "\n\n".join(tests))
    return directory
