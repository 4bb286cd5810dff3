"""The GPU exporter checks (tutorial 三、Prometheus监控GPU): it answers, reports every GPU, shows the driver.

Reachable is not healthy: nvidia_gpu_exporter answers 200 while nvidia-smi fails, with no GPU series
at all (and Prometheus' ``up`` stays 1). That fails MON-EXPORTER-GPUS quoting nvidia-smi's exit code,
while MON-EXPORTER-UP passes: the exporter itself works.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gpu_conformance.checks import MON_EXPORTER_DRIVER, MON_EXPORTER_GPUS, MON_EXPORTER_UP
from gpu_conformance.durations import seconds
from gpu_conformance.facts.cluster import ProbeOutcome
from gpu_conformance.facts.exporters import ExporterFacts, ExporterMetrics
from gpu_conformance.facts.gpu_nodes import WHOLE_GPU, GpuNode
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.monitoring.exporters.formats import (
    DCGM_PREFIX,
    NVIDIA_PREFIX,
    SMI_EXIT_CODE,
    SMI_FAILED_SCRAPES,
    gpu_key,
)
from gpu_conformance.node.versions import release_tuple
from gpu_conformance.requirements.capacity import GFD_COUNT, GFD_REPLICAS, GFD_SHARING
from gpu_conformance.requirements.driver_facts import known_driver
from gpu_conformance.requirements.wording import node_field, plural
from gpu_conformance.verdict import Verdict

_SEE_UP = f"see {MON_EXPORTER_UP.id}"
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_EXPORTER = re.compile(r"exporter", re.IGNORECASE)
BODY_FIX = ("the exporter wrote a body Prometheus refuses (its scrape fails too): read the exporter's log "
            "and restart it; a body cut mid-line is a crashed or truncated write")
EMPTY_FIX = ("dcgm-exporter answers an empty body when DCGM reads nothing from the GPUs: run `nvidia-smi` "
             "on the node and read the exporter's log")
OTHER_EXPORTER_FIX = ("--exporter-url reaches something that is not a GPU exporter: point it at "
                      "nvidia_gpu_exporter (:9835) or dcgm-exporter (:9400)")


def _html_page(facts: ExporterFacts) -> tuple[str, str] | None:
    """An HTML page where metrics were expected: the exporter's own landing page (the URL lacks /metrics), or
    something else altogether (a proxy, a login page, another service on that port)."""
    html = facts.content_type.startswith("text/html") or facts.excerpt.lstrip().lower().startswith(("<!doctype",
                                                                                                    "<html"))
    if not html:
        return None
    title = _TITLE.search(facts.excerpt)
    named = f" titled {' '.join(title.group(1).split())!r}" if title else ""
    found = f"an HTML page{named} (HTTP 200, {facts.content_type or 'no Content-Type'}), not Prometheus text"
    if title and _EXPORTER.search(title.group(1)):
        return found, "that is the exporter's own page, not its metrics: end --exporter-url with /metrics"
    return found, ("something other than a GPU exporter answered (a proxy, a login page or another service on that "
                   "port): point --exporter-url at the exporter itself, nvidia_gpu_exporter :9835/metrics or "
                   "dcgm-exporter :9400/metrics")


def _no_answer(facts: ExporterFacts) -> tuple[str, str | None] | None:
    """(what came back instead of metrics, a fix more precise than the check's), or None for a good answer."""
    if facts.status is None:
        return facts.transport_error or "no answer", None
    if facts.status != 200:
        redirect = f", a redirect to {facts.location} (not followed)" if facts.location else ""
        return f"HTTP {facts.status} {facts.reason}".rstrip() + redirect, None
    if facts.transport_error is not None:
        return f"HTTP 200 but {facts.transport_error}", None
    if facts.parse_error is not None:
        kind = f" ({facts.content_type})" if facts.content_type else ""
        page = _html_page(facts)
        if page is not None:
            return page
        return f"a body{kind} that is not Prometheus text: {facts.parse_error}", BODY_FIX
    if facts.metrics is None or facts.metrics.samples == 0:
        if facts.body_bytes == 0:
            return "an empty body (HTTP 200, 0 bytes)", EMPTY_FIX
        return f"a body without samples (HTTP 200, {facts.body_bytes} bytes of comments)", EMPTY_FIX
    return None


def exporter_reachable(facts: ExporterFacts) -> Verdict:
    """HTTP 200 within the timeout, a body that parses as Prometheus text and holds samples."""
    check = MON_EXPORTER_UP
    if facts.unavailable is not None:
        raise FactsUnavailable(f"[{check.id}] could not inspect the exporter of node {facts.node}: "
                               f"{facts.unavailable} at {facts.source}")
    if facts.url is None:
        return Verdict.failed(check, facts.missing or "no exporter", facts.source,
                              f"an exporter running on node {facts.node}")
    expected = f"HTTP 200 with Prometheus text metrics within {seconds(facts.timeout_s)}"
    instead = _no_answer(facts)
    if instead is not None:
        found, fix = instead
        return Verdict.failed(check, found, facts.url, expected, fix)
    assert facts.metrics is not None  # a good answer parsed
    found = (f"HTTP 200, {facts.metrics.samples} samples ({facts.metrics.format} format) in "
             f"{facts.elapsed_s:.2f} s")
    return Verdict.passed(check, found, facts.url)


@dataclass(frozen=True)
class NodeGpus:
    """How many GPUs a node has, according to what, and their UUIDs where the probe listed them."""

    count: int
    according: str
    uuids: tuple[str, ...] = ()


def _probe_gpus(probe: ProbeOutcome | None) -> tuple[NodeGpus | None, str]:
    """The probe's GPU list, or why there is none."""
    if probe is None:
        return None, "this run probes no node (the node_local checks are not selected and no --local-probe)"
    if probe.probe is None:
        return None, f"the probe failed: {probe.error}"
    gpus = probe.probe.gpus
    if not gpus.ok or gpus.value is None:
        return None, f"the probe listed no GPUs: {gpus.error}"
    count = len(gpus.value)
    return NodeGpus(count, f"{plural(count, 'GPU')} listed by {gpus.source}",
                    tuple(g.uuid for g in gpus.value)), ""


def node_gpus(node: GpuNode, probe: ProbeOutcome | None) -> tuple[NodeGpus | None, str]:
    """The node's GPUs: the probe's list, else the whole GPUs it advertises (not when shared), else GFD's
    count label; or None and why none of them tells."""
    listed, why = _probe_gpus(probe)
    if listed is not None:
        return listed, ""
    whole = node.allocatable.get(WHOLE_GPU, 0)
    shared = node.labels.get(GFD_REPLICAS, "1") not in ("", "0", "1") or \
        node.labels.get(GFD_SHARING, "none") not in ("", "none")
    label = node.labels.get(GFD_COUNT, "")
    if whole and not shared:
        count, where = whole, f"advertised in {node_field(node.name, f'status.allocatable {WHOLE_GPU}')}"
    elif label.isdigit():
        count, where = int(label), f"per {GFD_COUNT}={label} on {node_field(node.name, 'metadata.labels')}"
    else:
        return None, (f"{why}; node {node.name} advertises no unshared {WHOLE_GPU} and has no {GFD_COUNT} "
                      "label")
    return NodeGpus(count, f"{plural(count, 'GPU')} {where} (not probed: {why})"), ""


def _gpu_series_missing(metrics: ExporterMetrics) -> str:
    if metrics.smi_failing:
        signals = ((SMI_EXIT_CODE, metrics.smi_exit_code), (SMI_FAILED_SCRAPES, metrics.smi_failed_scrapes))
        values = ", ".join(f"{name} {value:g}" for name, value in signals if value is not None)
        return f"no GPU series: nvidia-smi fails behind the exporter ({values})"
    prefix = DCGM_PREFIX if metrics.format == "dcgm-exporter" else NVIDIA_PREFIX
    return f"no GPU series ({metrics.format}: no {prefix}* series labelled {metrics.uuid_label})"


def _shown(uuids: tuple[str, ...] | list[str]) -> str:
    return ", ".join(uuids)


def _mismatch(metrics: ExporterMetrics, gpus: NodeGpus) -> str | None:
    """What differs between the exporter's GPUs and the node's, or None when they are the same."""
    exported = {gpu_key(u) for u in metrics.gpu_uuids}
    absent = [u for u in gpus.uuids if gpu_key(u) not in exported]
    known = {gpu_key(u) for u in gpus.uuids}
    foreign = [u for u in metrics.gpu_uuids if known and gpu_key(u) not in known]
    if len(exported) == gpus.count and not absent and not foreign:
        return None
    parts = [f"{plural(len(exported), 'GPU')} in {metrics.gpu_series} ({_shown(metrics.gpu_uuids)})"]
    if absent:
        parts.append(f"missing {_shown(absent)}")
    if foreign:
        parts.append(f"not the node's: {_shown(foreign)}")
    return "; ".join(parts)


def exporter_reports_every_gpu(node: GpuNode, facts: ExporterFacts, probe: ProbeOutcome | None) -> Verdict:
    """One series per GPU (distinct uuid/UUID), as many as the node has; the probe's UUIDs where known."""
    check = MON_EXPORTER_GPUS
    metrics = facts.metrics
    if metrics is None or facts.url is None:
        return Verdict.skipped(check, f"no metrics from the exporter of node {node.name}: {_SEE_UP}")
    gpus, unknown = node_gpus(node, probe)
    expected = f"one series per GPU, {gpus.according}" if gpus else "one series per GPU of the node"
    if metrics.format == "unknown":
        found = (f"no nvidia_gpu_exporter ({NVIDIA_PREFIX}*) or dcgm-exporter ({DCGM_PREFIX}*) metrics: "
                 f"{metrics.samples} samples named {metrics.names_shown()}")
        return Verdict.failed(check, found, facts.url, expected, OTHER_EXPORTER_FIX)
    if not metrics.gpu_uuids:
        return Verdict.failed(check, _gpu_series_missing(metrics), facts.url, expected)
    if gpus is None:
        return Verdict.skipped(check, f"the exporter of node {node.name} reports "
                                      f"{plural(len(metrics.gpu_uuids), 'GPU')} at {facts.url}, but how many "
                                      f"the node has is unknown: {unknown}")
    mismatch = _mismatch(metrics, gpus)
    if mismatch is not None:
        return Verdict.failed(check, mismatch, facts.url, expected)
    return Verdict.passed(check, f"{plural(gpus.count, 'GPU')} in {metrics.gpu_series}, matching "
                                 f"{gpus.according}", facts.url)


def _same_driver(reported: str, node_driver: str) -> bool:
    try:
        return release_tuple(reported) == release_tuple(node_driver)
    except ValueError:
        return reported.strip() == node_driver.strip()


def exporter_driver_matches(node: GpuNode, facts: ExporterFacts, probe: ProbeOutcome | None) -> Verdict:
    """Where the exporter reports driver_version, it is the node's driver (the probe's NVML, else GFD's)."""
    check = MON_EXPORTER_DRIVER
    metrics = facts.metrics
    if metrics is None or facts.url is None:
        return Verdict.skipped(check, f"no metrics from the exporter of node {node.name}: {_SEE_UP}")
    if not metrics.driver_versions:
        return Verdict.skipped(check, f"the exporter of node {node.name} ({metrics.format}) reports no "
                                      f"driver version at {facts.url}")
    known = known_driver(probe.probe if probe is not None else None, node)
    if known is None:
        return Verdict.skipped(check, f"the driver of node {node.name} is unknown: no probe reading and no "
                                      "GPU Feature Discovery driver label")
    version, where = known
    found = f"driver_version {_shown(metrics.driver_versions)} in {metrics.driver_label}"
    if all(_same_driver(v, version) for v in metrics.driver_versions):
        return Verdict.passed(check, f"{found}, the node's {version} per {where}", facts.url)
    return Verdict.failed(check, found, facts.url, f"{version} ({where})")
