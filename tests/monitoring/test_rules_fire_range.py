"""RULES-CAN-FIRE with the real promtool: alerts driven across their metrics' physical range."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpu_conformance.facts.fire_range import FireRange
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.monitoring import bundled
from gpu_conformance.monitoring.fire_range import fire_range
from gpu_conformance.monitoring.promtool import Promtool
from gpu_conformance.monitoring.rules import read_rule_files
from gpu_conformance.requirements.alert_rules import alerts_can_fire
from tests.monitoring.promtool_support import TUTORIAL_RULES, real_promtool, rule_file

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def promtool() -> Promtool:
    return real_promtool()


def ranges(promtool: Promtool, *paths: Path) -> dict[str, FireRange]:
    files = read_rule_files(paths)
    return {alert.name: fire_range(promtool, alert, files) for f in files for alert in f.alerts}


def test_the_tutorials_utilization_alert_can_never_fire(promtool: Promtool) -> None:
    found = ranges(promtool, TUTORIAL_RULES)
    busy = found["GPU负载高"]
    assert busy.judged and not busy.can_fire and busy.can_resolve
    verdict = alerts_can_fire(list(found.values()))
    assert not verdict.ok
    assert ("alert GPU负载高 (`nvidia_smi_utilization_gpu_ratio > 90`, " in verdict.message
            and "never fires with nvidia_smi_utilization_gpu_ratio 0..1 (ratio)" in verdict.message
            and "threshold > 90" in verdict.message)
    assert "GPU温度过高" not in verdict.message and "GPU内存使用率" not in verdict.message


def test_the_tutorials_temperature_and_memory_alerts_fire_where_expected(promtool: Promtool) -> None:
    found = ranges(promtool, TUTORIAL_RULES)
    hot, memory = found["GPU温度过高"], found["GPU内存使用率"]
    assert hot.can_fire and hot.can_resolve and memory.can_fire and memory.can_resolve
    assert min(p.values["nvidia_smi_temperature_gpu"] for p in hot.fires_at) == pytest.approx(80, abs=0.001)
    assert max(p.values["nvidia_smi_temperature_gpu"] for p in hot.quiet_at) == 80
    assert min(p.values["nvidia_smi_utilization_memory_ratio"] for p in memory.fires_at) > 0.9


@pytest.mark.parametrize("path", [*bundled.RULES, bundled.DCGM_RULES], ids=lambda p: p.name)
def test_the_bundled_alerts_fire_and_resolve(promtool: Promtool, path: Path) -> None:
    found = ranges(promtool, path)
    assert set(found) == {"GPUBusy", "GPUMemoryAlmostFull", "GPUTooHot"}
    verdict = alerts_can_fire(list(found.values()))
    assert verdict.ok, verdict.message
    memory = found["GPUMemoryAlmostFull"]  # used / total (or used + free) swept 0..1 of the board
    first = min(memory.fires_at, key=lambda p: p.fraction or 0)
    assert first.fraction is not None and 0.9 < first.fraction <= 0.925  # the next step above 90%


def test_an_alert_firing_everywhere_never_resolves(promtool: Promtool, tmp_path: Path) -> None:
    result = ranges(promtool, rule_file(tmp_path, "nvidia_smi_utilization_gpu_ratio < 90"))["Probe"]
    assert result.can_fire and not result.can_resolve
    verdict = alerts_can_fire([result])
    assert not verdict.ok
    assert "fires everywhere with nvidia_smi_utilization_gpu_ratio 0..1 (ratio)" in verdict.message


def test_an_absent_rule_fires_when_the_metric_is_gone(promtool: Promtool, tmp_path: Path) -> None:
    result = ranges(promtool, rule_file(tmp_path, "absent(nvidia_smi_temperature_gpu)"))["Probe"]
    assert result.fires_when_absent and not result.fires_at and result.can_resolve
    assert alerts_can_fire([result]).ok


def test_a_narrow_window_between_steps_is_found(promtool: Promtool, tmp_path: Path) -> None:
    path = rule_file(tmp_path, "DCGM_FI_DEV_GPU_TEMP > 80.1 and DCGM_FI_DEV_GPU_TEMP < 80.2", for_="5m")
    result = ranges(promtool, path)["Probe"]
    assert [round(p.values["DCGM_FI_DEV_GPU_TEMP"], 3) for p in result.fires_at] == [80.1, 80.2]


def test_recording_rules_are_followed_and_matchers_honoured(promtool: Promtool, tmp_path: Path) -> None:
    extra = """\
        - record: gpu:temperature:max
          expr: max by (instance) (nvidia_smi_temperature_gpu{job="gpu-exporter"})
        """
    path = rule_file(tmp_path, 'gpu:temperature:max{instance="gpu-node:9835"} > 85', extra=extra)
    result = ranges(promtool, path)["Probe"]
    assert result.alert.metrics == ("nvidia_smi_temperature_gpu",)
    assert result.can_fire and result.can_resolve


def test_an_alert_on_a_metric_of_unknown_range_is_not_judged(promtool: Promtool, tmp_path: Path) -> None:
    unknown = ranges(promtool, rule_file(tmp_path, "nvidia_smi_command_exit_code != 0"))["Probe"]
    assert not unknown.judged and unknown.unknown == ("nvidia_smi_command_exit_code",)
    with pytest.raises(FactsUnavailable, match=r"no alert to judge: Probe \(reads nvidia_smi_command_exit"):
        alerts_can_fire([unknown])
    busy = ranges(promtool, TUTORIAL_RULES)["GPU负载高"]
    assert "not judged: Probe (reads nvidia_smi_command_exit_code" in alerts_can_fire([busy, unknown]).message
