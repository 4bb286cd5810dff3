"""MON-PROM-LIVE-* against a real Prometheus (Debian's `prometheus`) started on loopback, scraping the
simulated seed cluster's exporters with the bundled rules loaded."""

from __future__ import annotations

import dataclasses
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from gpusim.cluster import SimCluster
from gpusim.scenario import load
from gpusim.testing import TEST_ADDRESS_BLOCK

from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.facts.prometheus import LivePrometheus
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.monitoring import bundled
from gpu_conformance.monitoring.live import read_live
from gpu_conformance.monitoring.rules import read_rule_files
from gpu_conformance.requirements.prometheus import live_rules_loaded, live_target_up
from gpu_conformance.settings import Settings
from tests.monitoring.promtool_support import TUTORIAL_RULES
from tests.requirements.builders import gpu_node
from tests.suite.suite_runner import stop_process

pytestmark = pytest.mark.e2e

SETTLE_S = 30.0
# Evaluating it fails on a node with two GPUs: both series land in one match group.
BROKEN_RULES = """\
groups:
- name: broken-gpu-rules
  rules:
  - alert: GPUTemperatureSpread
    expr: nvidia_smi_temperature_gpu / on() nvidia_smi_temperature_gpu > 1
"""


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclasses.dataclass(frozen=True)
class Setup:
    url: str
    cluster: SimCluster
    down: str  # a target address where nothing listens
    broken_rules: Path


def _get(url: str, path: str) -> dict[str, Any]:
    data: dict[str, Any] = requests.get(url + path, timeout=2).json()["data"]
    return data


def _evaluations(url: str) -> dict[str, str]:
    return {g["name"]: g.get("lastEvaluation", "") for g in _get(url, "/api/v1/rules")["groups"]}


def _wait(condition: Callable[[], object], process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SETTLE_S
    while True:
        try:
            if condition():
                return
        except (requests.RequestException, ValueError, KeyError):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"Prometheus did not settle within {SETTLE_S:g}s: {log.read_text()[-2000:]}",
                        pytrace=False)
        time.sleep(0.2)


def settle(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Both targets scraped once, GPU series stored, then every rule group evaluated again over them."""
    _wait(lambda: len(targets := _get(url, "/api/v1/targets")["activeTargets"]) == 2
          and all(t["health"] != "unknown" for t in targets), process, log)
    _wait(lambda: _get(url, "/api/v1/query?query=nvidia_smi_temperature_gpu")["result"], process, log)
    before = _evaluations(url)
    _wait(lambda: all(after != before.get(name) for name, after in _evaluations(url).items()), process, log)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.fail("these tests run the real Prometheus: apt-get install prometheus", pytrace=False)
    folder = tmp_path_factory.mktemp("prometheus")
    cluster = SimCluster(load("seed"), folder / "kubeconfig", time_scale=0.2,
                         address_block=TEST_ADDRESS_BLOCK)
    cluster.start()
    node05 = next(n for n in cluster.scenario.nodes if n.name == "k8s-node05")
    down = f"127.0.0.1:{free_loopback_port()}"
    broken = folder / "broken.yml"
    broken.write_text(BROKEN_RULES)
    (folder / "prometheus.yml").write_text(f"""\
global: {{scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}}
rule_files: ['{bundled.RULES[0]}', '{broken}']
scrape_configs:
- job_name: gpu-exporter
  static_configs:
  - targets: ['{node05.internal_ip}:9835', '{down}']
""")
    port = free_loopback_port()
    process = subprocess.Popen(
        [binary, f"--config.file={folder / 'prometheus.yml'}", f"--web.listen-address=127.0.0.1:{port}",
         f"--storage.tsdb.path={folder / 'data'}", "--log.level=warn"],
        stdout=subprocess.DEVNULL, stderr=(folder / "prometheus.log").open("w"))
    url = f"http://127.0.0.1:{port}"
    try:
        settle(url, process, folder / "prometheus.log")
        yield Setup(url, cluster, down, broken)
    finally:
        stop_process(process)
        cluster.stop()


@pytest.fixture(scope="module")
def live(setup: Setup) -> LivePrometheus:
    return read_live(setup.url)


def node(setup: Setup, name: str, ip: str | None = None) -> GpuNode:
    spec = next(n for n in setup.cluster.scenario.nodes if n.name == name)
    return dataclasses.replace(gpu_node(name), internal_ip=ip or spec.internal_ip)


def test_a_scraped_exporter_is_up(setup: Setup, live: LivePrometheus) -> None:
    verdict = live_target_up(node(setup, "k8s-node05"), live, Settings())
    assert verdict.ok, verdict.message
    assert verdict.message == (f"found http://{node(setup, 'k8s-node05').internal_ip}:9835/metrics of node "
                               f"k8s-node05 up in job gpu-exporter at {setup.url}/api/v1/targets")


def test_an_exporter_missing_from_the_config_is_named(setup: Setup, live: LivePrometheus) -> None:
    verdict = live_target_up(node(setup, "k8s-node06"), live, Settings())
    assert not verdict.ok
    assert "found no active target " in verdict.message
    assert "of node k8s-node06 among 2 targets" in verdict.message


def test_a_down_target_shows_prometheus_last_error(setup: Setup, live: LivePrometheus) -> None:
    ip, port = setup.down.split(":")
    settings = Settings(exporter_url=f"http://{{ip}}:{port}/metrics")
    verdict = live_target_up(node(setup, "k8s-node05", ip), live, settings)
    assert not verdict.ok
    assert f"found http://{setup.down}/metrics of node k8s-node05 down in job gpu-exporter" in verdict.message
    assert "connection refused" in verdict.message


def test_the_bundled_rules_are_loaded_and_healthy(live: LivePrometheus) -> None:
    verdict = live_rules_loaded(live, read_rule_files(bundled.RULES))
    assert verdict.ok, verdict.message
    assert "3 alerts (GPUBusy, GPUMemoryAlmostFull, GPUTooHot) loaded with health ok" in verdict.message


def test_rules_not_loaded_are_named(live: LivePrometheus) -> None:
    verdict = live_rules_loaded(live, read_rule_files([TUTORIAL_RULES]))
    assert not verdict.ok
    assert "3 alerts not loaded (GPU内存使用率, GPU温度过高, GPU负载高; loaded alerts: " in verdict.message


def test_a_rule_failing_to_evaluate_is_unhealthy(setup: Setup, live: LivePrometheus) -> None:
    verdict = live_rules_loaded(live, read_rule_files([setup.broken_rules]))
    assert not verdict.ok
    assert "rule GPUTemperatureSpread of group broken-gpu-rules health err" in verdict.message
    assert "many-to-many matching not allowed" in verdict.message or "duplicate series" in verdict.message


def test_no_prometheus_there_is_could_not_inspect(setup: Setup) -> None:
    gone = read_live(f"http://127.0.0.1:{free_loopback_port()}", timeout=2)
    with pytest.raises(FactsUnavailable, match=r"\[MON-PROM-LIVE-RULES\] could not read the live Prometheus"):
        live_rules_loaded(gone, read_rule_files(bundled.RULES))
    exporter = read_live(f"http://{node(setup, 'k8s-node05').internal_ip}:9835", timeout=2)
    assert exporter.problem is not None and "not a Prometheus API answer" in exporter.problem
