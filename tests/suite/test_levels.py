"""Check levels: every catalogue entry chooses one, ``--level`` keeps the items of its level and deselects the
rest (judged on the real catalogue's entries, bound as ``@verifies`` binds them), and the options are checked
like the others: one line naming the option and where it came from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance.binding import MARKER, verifies
from conformance.plugin.levels import item_level, split_by_level
from gpu_conformance.checks import CHECKS, LEVELS, Check, by_id
from gpu_conformance.errors import UsageError
from gpu_conformance.levels import LEVEL_CHOICES
from gpu_conformance.settings import resolve

# The suite's markers are registered by its plugin, which the project's own tests do not load.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnknownMarkWarning")
README = Path(__file__).resolve().parents[2] / "README.md"
HARDENING = {"SEC-NO-REQUEST-NO-GPU", "SEC-ENV-NO-GPU", "SEC-CONTAINER-ISOLATION", "SEC-POD-ISOLATION",
             "DRA-DEVICES-HEALTHY", "DRA-SECURE-ACCESS", "HEALTH-XID", "HEALTH-CGROUP-DEVICES", "DIAG-DCGM",
             "PERF-BANDWIDTH", "PERF-NCCL"}


@dataclass(frozen=True)
class Item:
    """What --level reads of a collected item: the check mark ``@verifies`` put on its test."""

    name: str
    marks: tuple[pytest.Mark, ...]

    def get_closest_marker(self, name: str) -> pytest.Mark | None:
        return next((m for m in self.marks if m.name == name), None)


def _item(check: Check) -> Item:
    def test() -> None: ...
    return Item(check.id, tuple(getattr(verifies(check)(test), "pytestmark", ())))


@pytest.fixture(name="items")
def catalogue_items() -> list[Item]:
    """One item per catalogue entry, in the catalogue's order."""
    return [_item(check) for check in CHECKS]


def test_every_entry_has_a_level_and_a_new_one_must_choose() -> None:
    assert {check.level for check in CHECKS} <= set(LEVELS)
    with pytest.raises(TypeError, match="level"):
        Check("X-NEW", "workload", "t", "r", "fix", tutorial="2.2")  # type: ignore[call-arg]


def test_the_tutorials_chain_is_tutorial_and_the_isolation_checks_hardening() -> None:
    assert by_id("CDI-SPEC").level == "tutorial" and by_id("PRE-RUNTIME-DEFAULT").level == "tutorial"
    assert {check.id for check in CHECKS if check.level == "hardening"} == HARDENING


def test_the_readme_lists_the_hardening_checks() -> None:
    listed = re.search(r"Hardening checks: ([^;]+);", " ".join(README.read_text().split()))
    assert listed is not None, "README: the line 'Hardening checks: ID, ...;' is missing"
    assert set(listed.group(1).split(", ")) == {check.id for check in CHECKS if check.level == "hardening"}


def test_items_carry_their_checks_level(items: list[Item]) -> None:
    assert {item.name: item_level(item) for item in items} == {check.id: check.level for check in CHECKS}
    assert item_level(Item("not-a-check", ())) is None


@pytest.mark.parametrize("chosen", LEVEL_CHOICES)
def test_level_keeps_its_checks_and_deselects_the_others(items: list[Item], chosen: str) -> None:
    kept, dropped = split_by_level(items, chosen)
    expected = {c.id for c in CHECKS if chosen in ("all", c.level)}
    assert {item.name for item in kept} == expected
    assert {item.name for item in dropped} == {c.id for c in CHECKS} - expected
    assert [item.name for item in kept] == [c.id for c in CHECKS if c.id in expected]  # in collection order


def test_tutorial_deselects_the_hardening_checks(items: list[Item]) -> None:
    kept, dropped = split_by_level(items, "tutorial")
    assert {item.name for item in dropped} == HARDENING
    assert not HARDENING & {item.name for item in kept}


def test_items_that_verify_no_check_are_kept(items: list[Item]) -> None:
    plain = Item("helper", (pytest.mark.workload.mark,))
    assert split_by_level([plain], "hardening") == ([plain], [])
    assert all(m.name == MARKER for item in items for m in item.marks)


def test_both_levels_run_and_block_by_default() -> None:
    settings = resolve({}, {})
    assert (settings.level, settings.admission_levels) == ("all", ("tutorial", "hardening"))


def test_the_profile_chooses_the_admission_levels(tmp_path: Path) -> None:
    profile = tmp_path / "profile.yaml"
    profile.write_text("admission_levels: [tutorial]\nlevel: tutorial\n")
    settings = resolve({}, {}, profile)
    assert (settings.level, settings.admission_levels) == ("tutorial", ("tutorial",))
    assert settings.sources["admission-levels"] == f"profile {profile}"


@pytest.mark.parametrize(("cli", "environ", "message"), [
    ({"level": "hard"}, {}, "command line: level: expected 'tutorial' or 'hardening' or 'all', got 'hard'"),
    ({}, {"GPU_CONFORMANCE_LEVEL": "Tutorial"},
     "environment $GPU_CONFORMANCE_LEVEL: level: expected 'tutorial' or 'hardening' or 'all', got 'Tutorial'"),
    ({"admission_levels": ["tutorial", "all"]}, {},
     "command line: admission-levels: expected 'tutorial' or 'hardening', got 'all'"),
])
def test_a_bad_level_is_one_line(cli: dict[str, object], environ: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError) as raised:
        resolve(cli, environ)
    assert str(raised.value) == message


def test_a_bad_admission_level_in_the_profile_names_the_key_and_the_file(tmp_path: Path) -> None:
    profile = tmp_path / "gate.yaml"
    profile.write_text("admission_levels: [tutorial, harden]\n")
    with pytest.raises(UsageError) as raised:
        resolve({}, {}, profile)
    assert str(raised.value) == (f"profile {profile}: admission-levels: expected 'tutorial' or 'hardening', "
                                 "got 'harden'")
