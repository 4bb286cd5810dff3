"""MON-PROM-CONFIG-VALID with the real promtool, and MON-PROM-TARGETS from the file's scrape jobs."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.monitoring import bundled
from gpu_conformance.monitoring.prometheus_config import read_scrape_config
from gpu_conformance.monitoring.promtool import Promtool
from gpu_conformance.requirements.prometheus import config_valid, exporter_scraped
from gpu_conformance.settings import Settings
from tests.monitoring.promtool_support import TUTORIAL_CONFIG, real_promtool
from tests.requirements.builders import gpu_node

pytestmark = pytest.mark.e2e

NODE = gpu_node("k8s-node05")  # InternalIP 127.0.10.5


@pytest.fixture(scope="module")
def promtool() -> Promtool:
    return real_promtool()


def config(tmp_path: Path, jobs: str) -> Path:
    path = tmp_path / "prometheus.yml"
    path.write_text(f"scrape_configs:\n{jobs}")
    return path


def test_the_tutorials_scrape_config_fails_on_lables(promtool: Promtool) -> None:
    verdict = config_valid(promtool.check_config(TUTORIAL_CONFIG))
    assert not verdict.ok
    assert verdict.message.startswith(
        f'[MON-PROM-CONFIG-VALID] found "FAILED: parsing YAML file {TUTORIAL_CONFIG}: yaml: unmarshal '
        'errors: / line 7: field lables not found in type struct')
    assert f"(exit 1) at `promtool check config {TUTORIAL_CONFIG}`" in verdict.message
    assert "`lables:` where Prometheus reads `labels:`" in verdict.message  # the fix


def test_the_bundled_scrape_config_and_its_rules_load(promtool: Promtool) -> None:
    verdict = config_valid(promtool.check_config(bundled.SCRAPE_CONFIG))
    assert verdict.ok
    assert verdict.message == f"found SUCCESS at `promtool check config {bundled.SCRAPE_CONFIG}`"


def test_the_tutorials_targets_are_read_despite_the_typo() -> None:
    scrape = read_scrape_config(TUTORIAL_CONFIG)
    assert [(j.name, j.targets) for j in scrape.jobs] == [
        ("gpu-exporter", ("192.168.2.23:9835", "192.168.2.26:9835"))]
    verdict = exporter_scraped(NODE, scrape, Settings())
    assert not verdict.ok
    assert ("found no scrape job with target 127.0.10.5:9835 or k8s-node05:9835 of node k8s-node05 (static "
            f"targets: 192.168.2.23:9835, 192.168.2.26:9835) at {TUTORIAL_CONFIG}") in verdict.message


@pytest.mark.parametrize("target", ["127.0.10.5:9835", "K8S-NODE05:9835"])
def test_a_node_listed_by_ip_or_name_is_scraped(tmp_path: Path, target: str) -> None:
    jobs = f"- job_name: other\n- job_name: gpu\n  static_configs:\n  - targets: ['{target}']\n"
    path = config(tmp_path, jobs)
    verdict = exporter_scraped(NODE, read_scrape_config(path), Settings())
    assert verdict.ok and "of node k8s-node05 in the static_configs of job gpu" in verdict.message


def test_the_exporter_url_option_sets_the_port(tmp_path: Path) -> None:
    path = config(tmp_path, "- job_name: dcgm\n  static_configs:\n  - targets: ['127.0.10.5:9400']\n")
    assert not exporter_scraped(NODE, read_scrape_config(path), Settings()).ok
    assert exporter_scraped(NODE, read_scrape_config(path), Settings(exporter_url="http://{ip}:9400/metrics")).ok


def test_discovered_targets_are_not_resolved_and_say_so(tmp_path: Path) -> None:
    path = config(tmp_path, "- job_name: pods\n  kubernetes_sd_configs:\n  - role: pod\n")
    verdict = exporter_scraped(NODE, read_scrape_config(path), Settings())
    assert verdict.skip
    assert "jobs pods (kubernetes_sd_configs) discover targets at run time, which is not resolved" \
        in verdict.message
    assert "--prometheus-url" in verdict.message


def test_an_unreadable_config_is_could_not_inspect(tmp_path: Path) -> None:
    with pytest.raises(FactsUnavailable, match=r"\[MON-PROM-TARGETS\] could not read scrape jobs .*: cannot"):
        exporter_scraped(NODE, read_scrape_config(tmp_path / "absent.yml"), Settings())
    with pytest.raises(FactsUnavailable, match="no scrape_configs list"):
        exporter_scraped(NODE, read_scrape_config(config(tmp_path, " 3")), Settings())
