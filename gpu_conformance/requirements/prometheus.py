"""Prometheus scrapes the GPU exporters: the configuration loads and lists them, a live server has them up
and the GPU alert rules loaded (tutorial 三、Prometheus监控GPU)."""

from __future__ import annotations

from collections.abc import Sequence

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
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.monitoring.addresses import exporter_addresses
from gpu_conformance.requirements.wording import plural, quoted
from gpu_conformance.settings import Settings
from gpu_conformance.verdict import Verdict


def config_valid(run: PromtoolRun) -> Verdict:
    """MON-PROM-CONFIG-VALID: `promtool check config FILE` succeeds; its own words when it does not."""
    if run.ok:
        return Verdict.passed(MON_PROM_CONFIG_VALID, "SUCCESS", f"`{run.command}`")
    return Verdict.failed(MON_PROM_CONFIG_VALID, f"{quoted(run.summary())} (exit {run.returncode})",
                          f"`{run.command}`", "the configuration to load (exit 0)")


def _addresses(check_id: str, node: GpuNode, settings: Settings) -> tuple[str, ...]:
    try:
        return exporter_addresses(settings.exporter_url, node.internal_ip, node.name)
    except ValueError as exc:
        raise FactsUnavailable(f"[{check_id}] could not tell node {node.name}'s exporter address: "
                               f"{exc}") from None


def exporter_scraped(node: GpuNode, config: ScrapeConfig, settings: Settings) -> Verdict:
    """MON-PROM-TARGETS: the node's exporter address is a static target of some scrape job."""
    check = MON_PROM_TARGETS
    if config.problem is not None:
        raise FactsUnavailable(f"[{check.id}] could not read scrape jobs from {config.path}: "
                               f"{config.problem}")
    addresses = _addresses(check.id, node, settings)
    jobs = config.jobs_scraping(addresses)
    if jobs:
        return Verdict.passed(check, f"{addresses[0]} of node {node.name} in the static_configs of job "
                                     f"{jobs[0].name}", config.path)
    if config.discovering:
        names = ", ".join(f"{j.name} ({', '.join(j.discovery)})" for j in config.discovering)
        return Verdict.skipped(check, f"{addresses[0]} of node {node.name} is no static target in "
                                      f"{config.path}, but jobs {names} discover targets at run time, which "
                                      "is not resolved from the file: give --prometheus-url to check what "
                                      "Prometheus scrapes")
    static = sorted({t for job in config.jobs for t in job.targets})
    return Verdict.failed(check, f"no scrape job with target {' or '.join(addresses)} of node {node.name} "
                                 f"(static targets: {', '.join(static) or 'none'})", config.path,
                          "the node's exporter among the targets of a scrape job")


def _live(check_id: str, live: LivePrometheus) -> LivePrometheus:
    if live.problem is not None:
        raise FactsUnavailable(f"[{check_id}] could not read the live Prometheus at {live.url}: "
                               f"{live.problem}")
    return live


def live_target_up(node: GpuNode, live: LivePrometheus, settings: Settings) -> Verdict:
    """MON-PROM-LIVE-TARGETS-UP: Prometheus scrapes the node's exporter, with health up."""
    check = MON_PROM_LIVE_TARGETS_UP
    addresses = _addresses(check.id, node, settings)
    source = f"{_live(check.id, live).url}/api/v1/targets"
    targets = live.targets_at(addresses)
    up = [t for t in targets if t.health == "up"]
    if up:
        return Verdict.passed(check, f"{up[0].scrape_url} of node {node.name} up in job {up[0].job}", source)
    if targets:
        target = targets[0]
        return Verdict.failed(check, f"{target.scrape_url} of node {node.name} {target.health} in job "
                                     f"{target.job} (lastError {target.last_error!r})", source, "health up")
    jobs = sorted({t.job for t in live.targets})
    return Verdict.failed(check, f"no active target {' or '.join(addresses)} of node {node.name} among "
                                 f"{plural(len(live.targets), 'target')} (jobs: {', '.join(jobs) or 'none'})",
                          source, "the node's exporter scraped with health up")


def live_rules_loaded(live: LivePrometheus, rule_files: Sequence[RuleFile]) -> Verdict:
    """MON-PROM-LIVE-RULES: every alert of the checked rule files is loaded, and healthy, in Prometheus."""
    check = MON_PROM_LIVE_RULES
    source = f"{_live(check.id, live).url}/api/v1/rules"
    expected = list(dict.fromkeys(a.name for f in rule_files for a in f.alerts))
    if not expected:
        raise FactsUnavailable(f"[{check.id}] the rule files {', '.join(f.path for f in rule_files)} hold no "
                               "alerts to look for")
    loaded = {r.name: r for r in live.rules if r.kind == "alerting"}
    missing = [name for name in expected if name not in loaded]
    groups = {loaded[name].group for name in expected if name in loaded}
    unhealthy = [r for r in live.rules if r.group in groups and r.health != "ok"]
    if not missing and not unhealthy:
        return Verdict.passed(check, f"{plural(len(expected), 'alert')} ({', '.join(expected)}) loaded with "
                                     f"health ok in {plural(len(groups), 'group')} "
                                     f"({', '.join(sorted(groups))})", source)
    found = []
    if missing:
        found.append(f"{plural(len(missing), 'alert')} not loaded ({', '.join(missing)}; loaded alerts: "
                     f"{', '.join(loaded) or 'none'})")
    found += [f"rule {r.name} of group {r.group} health {r.health} (lastError {r.last_error!r})"
              for r in unhealthy]
    return Verdict.failed(check, "; ".join(found), source,
                          f"the alerts of {', '.join(f.path for f in rule_files)} loaded with health ok")
