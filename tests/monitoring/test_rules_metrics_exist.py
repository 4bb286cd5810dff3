"""RULES-METRICS-EXIST against what the simulated exporters really serve: rules written for one exporter
do not read the other's metrics."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from gpusim.testing import StartCluster

from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.monitoring import bundled
from gpu_conformance.monitoring.exporters.formats import parse_metrics
from gpu_conformance.monitoring.rules import read_rule_files
from gpu_conformance.requirements.alert_rules import rule_metrics_served
from tests.monitoring.promtool_support import TUTORIAL_RULES, rule_file

pytestmark = pytest.mark.e2e


def served(start_cluster: StartCluster, scenario: str) -> tuple[frozenset[str], str]:
    """The metric names the scenario's first GPU node's exporter serves, and its URL."""
    cluster = start_cluster(scenario)
    node = next(n for n in cluster.scenario.nodes if n.has_gpus)
    url = f"http://{node.internal_ip}:{node.exporter.port}/metrics"
    answer = requests.get(url, timeout=5)
    answer.raise_for_status()
    return frozenset(parse_metrics(answer.text).metric_names), url


def test_nvidia_gpu_exporter_rules_against_nvidia_gpu_exporter(start_cluster: StartCluster) -> None:
    names, url = served(start_cluster, "seed")
    assert rule_metrics_served(read_rule_files([TUTORIAL_RULES]), names, url).ok
    verdict = rule_metrics_served(read_rule_files([bundled.RULES[0]]), names, url)
    assert verdict.ok, verdict.message
    assert verdict.message == ("found all 4 metrics the alerts read (nvidia_smi_utilization_gpu_ratio, "
                               "nvidia_smi_memory_used_bytes, nvidia_smi_memory_total_bytes, "
                               f"nvidia_smi_temperature_gpu) served at {url}")


def test_dcgm_rules_against_nvidia_gpu_exporter_fail(start_cluster: StartCluster) -> None:
    names, url = served(start_cluster, "seed")
    verdict = rule_metrics_served(read_rule_files([bundled.DCGM_RULES]), names, url)
    assert not verdict.ok
    assert "DCGM_FI_DEV_GPU_UTIL (read by GPUBusy) not served" in verdict.message
    assert "DCGM_FI_DEV_FB_FREE (read by GPUMemoryAlmostFull) not served" in verdict.message
    assert "the exporters serve nvidia_smi_* metrics" in verdict.message and url in verdict.message


def test_nvidia_gpu_exporter_rules_against_dcgm_exporter_fail(start_cluster: StartCluster) -> None:
    names, url = served(start_cluster, "gpu-operator")
    assert rule_metrics_served(read_rule_files([bundled.DCGM_RULES]), names, url).ok
    verdict = rule_metrics_served(read_rule_files([bundled.RULES[0]]), names, url)
    assert not verdict.ok and "nvidia_smi_temperature_gpu (read by GPUTooHot) not served" in verdict.message
    assert "DCGM_FI_*" in verdict.message


def test_prometheus_own_series_and_recorded_metrics_need_no_exporter(tmp_path: Path) -> None:
    extra = """\
        - record: gpu:busy
          expr: avg by (instance) (nvidia_smi_utilization_gpu_ratio)
        """
    path = rule_file(tmp_path, 'gpu:busy > 0.9 or up{job="gpu-exporter"} == 0', extra=extra)
    served_names = frozenset({"nvidia_smi_utilization_gpu_ratio"})
    verdict = rule_metrics_served(read_rule_files([path]), served_names, "x")
    assert verdict.ok and "(nvidia_smi_utilization_gpu_ratio) served" in verdict.message


def test_no_served_metrics_cannot_be_judged() -> None:
    with pytest.raises(FactsUnavailable, match=r"\[RULES-METRICS-EXIST\] no exporter metrics to compare"):
        rule_metrics_served(read_rule_files([TUTORIAL_RULES]), frozenset(), "no exporter answered")
