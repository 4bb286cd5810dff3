"""promtool found, run and read: RULES-VALID and RULES-UNIT-TESTS with the real binary."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.monitoring import bundled
from gpu_conformance.monitoring.promtool import Promtool, find_promtool
from gpu_conformance.requirements.alert_rules import rule_tests_pass, rules_valid
from tests.monitoring.promtool_support import TUTORIAL_RULES, real_promtool, rule_file

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def promtool() -> Promtool:
    return real_promtool()


def test_found_on_path_and_by_its_path(promtool: Promtool) -> None:
    assert promtool.version.startswith("promtool, version ")
    assert find_promtool(promtool.binary).binary == promtool.binary


@pytest.mark.parametrize("setting", ["no-such-promtool", "/nonexistent/bin/promtool"])
def test_a_missing_promtool_is_could_not_inspect_with_an_install_hint(setting: str) -> None:
    with pytest.raises(FactsUnavailable, match=r"not found: .*`apt-get install prometheus`.*tarball"):
        find_promtool(setting)


def test_a_promtool_that_hangs_is_cut_off(tmp_path: Path) -> None:
    hanging = tmp_path / "promtool"
    hanging.write_text('#!/bin/sh\n[ "$1" = --version ] && echo "promtool, version 0" && exit 0\nsleep 30\n')
    hanging.chmod(0o755)
    slow = find_promtool(str(hanging), timeout=0.5)
    with pytest.raises(FactsUnavailable, match=r"`promtool check rules x.yml` did not finish within 0.5s"):
        slow.check_rules("x.yml")


def test_the_tutorials_rules_pass_the_syntax_check(promtool: Promtool) -> None:
    run = promtool.check_rules(TUTORIAL_RULES)
    assert run.ok and "SUCCESS: 3 rules found" in run.stdout
    assert rules_valid([run]).ok


def test_a_broken_rule_file_fails_in_promtools_words(promtool: Promtool, tmp_path: Path) -> None:
    typo = tmp_path / "typo.yml"
    typo.write_text("groups:\n- name: g\n  rules:\n  - alert: A\n    expresion: up == 0\n")
    bad_expr = rule_file(tmp_path, "nvidia_smi_temperature_gpu >> 80")
    runs = [promtool.check_rules(TUTORIAL_RULES), promtool.check_rules(typo), promtool.check_rules(bad_expr)]
    verdict = rules_valid(runs)
    assert not verdict.ok
    assert "field expresion not found in type rulefmt.RuleNode" in verdict.message
    assert "could not parse expression" in verdict.message and "(exit 1)" in verdict.message
    assert f"`promtool check rules {typo}`" in verdict.message
    assert str(TUTORIAL_RULES) not in verdict.message  # only the failing files are named


def test_the_bundled_unit_tests_pass_from_any_directory(promtool: Promtool, tmp_path: Path) -> None:
    runs = [promtool.test_rules(path, cwd=tmp_path) for path in bundled.RULE_TESTS]
    verdict = rule_tests_pass(runs)
    assert verdict.ok, verdict.message
    assert verdict.message.startswith("found 2 rule test files passing")


def test_the_bundled_tests_fail_on_the_tutorials_utilization_rule(promtool: Promtool, tmp_path: Path) -> None:
    """The bundled tests can fail: GPUBusy with the tutorial's threshold never fires at 95%."""
    rules = bundled.RULES[0].read_text().replace("nvidia_smi_utilization_gpu_ratio > 0.9",
                                                 "nvidia_smi_utilization_gpu_ratio > 90")
    (tmp_path / "gpu-alerts.yml").write_text(rules)
    test_file = tmp_path / "gpu-alerts.test.yml"
    test_file.write_text(bundled.RULE_TESTS[0].read_text())
    verdict = rule_tests_pass([promtool.test_rules(test_file, cwd=Path(os.sep))])
    assert not verdict.ok
    assert "alertname: GPUBusy, time: 2m," in verdict.message and "got:[]" in verdict.message


def test_no_test_files_cannot_be_judged() -> None:
    with pytest.raises(FactsUnavailable, match=r"\[RULES-UNIT-TESTS\] no rule test file to run promtool on"):
        rule_tests_pass([])
