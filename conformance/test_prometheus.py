"""Tutorial 三、Prometheus监控GPU, 在prometheus.yml中添加exporter地址: Prometheus loads its configuration and
scrapes every GPU node's exporter (--prometheus-config, --prometheus-url; each skipped when not given)."""

import pytest

from conformance.binding import require, verifies
from gpu_conformance.checks import (
    MON_PROM_CONFIG_VALID,
    MON_PROM_LIVE_RULES,
    MON_PROM_LIVE_TARGETS_UP,
    MON_PROM_TARGETS,
)
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.facts.prometheus import LivePrometheus, ScrapeConfig
from gpu_conformance.facts.promtool import PromtoolRun
from gpu_conformance.facts.rules import RuleFile
from gpu_conformance.requirements.prometheus import (
    config_valid,
    exporter_scraped,
    live_rules_loaded,
    live_target_up,
)
from gpu_conformance.settings import Settings

pytestmark = pytest.mark.monitoring


@verifies(MON_PROM_CONFIG_VALID)
def test_prometheus_config_is_valid(prometheus_config_check: PromtoolRun) -> None:
    require(config_valid(prometheus_config_check))


@verifies(MON_PROM_TARGETS)
def test_exporter_is_a_scrape_target(gpu_node: GpuNode, scrape_config: ScrapeConfig,
                                     settings: Settings) -> None:
    require(exporter_scraped(gpu_node, scrape_config, settings))


@verifies(MON_PROM_LIVE_TARGETS_UP)
def test_prometheus_scrapes_the_exporter(gpu_node: GpuNode, live_prometheus: LivePrometheus,
                                         settings: Settings) -> None:
    require(live_target_up(gpu_node, live_prometheus, settings))


@verifies(MON_PROM_LIVE_RULES)
def test_prometheus_has_the_gpu_rules(live_prometheus: LivePrometheus,
                                      rule_files: tuple[RuleFile, ...]) -> None:
    require(live_rules_loaded(live_prometheus, rule_files))
