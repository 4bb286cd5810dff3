"""What each GPU node's exporter gave when scraped: the answer, read, with the evidence for a report."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from concurrent.futures import Future

from gpu_conformance.facts.exporters import ExporterFacts, MetricsParseError
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.kube.client import Connection
from gpu_conformance.monitoring.exporters.formats import parse_metrics
from gpu_conformance.monitoring.exporters.scrape import ScrapeResult, submit_each
from gpu_conformance.monitoring.exporters.targets import Target, exporter_targets
from gpu_conformance.settings import Settings

EXCERPT_LINES = 20
_EXCERPT_CHARS = 4000
_RUNTIME_METRIC = re.compile(r"(# (HELP|TYPE) )?(go|process|promhttp)_")


def excerpt(text: str) -> str:
    """The body's first lines about GPUs: the Go runtime and process metrics every exporter leads with are skipped.

    A body with nothing else (an HTML page, a malformed answer) is shown from its start.
    """
    lines = text.splitlines()
    gpu_lines = list(itertools.islice((line for line in lines if not _RUNTIME_METRIC.match(line)), EXCERPT_LINES))
    head = "\n".join((gpu_lines or lines)[:EXCERPT_LINES])
    return head if len(head) <= _EXCERPT_CHARS else head[:_EXCERPT_CHARS] + "..."


def exporter_facts(target: Target, timeout: float, result: ScrapeResult | None) -> ExporterFacts:
    """The facts from a target and its scrape (None when there was nothing to scrape)."""
    base = ExporterFacts(target.node, target.url, target.source, timeout, target.missing, target.unavailable)
    if result is None:
        return base
    text = result.body.decode("utf-8", errors="replace")
    parse_error, metrics = None, None
    if result.error is None and result.status == 200:
        try:
            metrics = parse_metrics(text)
        except MetricsParseError as exc:
            parse_error = exc
    return ExporterFacts(
        base.node, base.url, base.source, timeout, status=result.status, reason=result.reason,
        content_type=result.content_type, location=result.location, transport_error=result.error,
        body_bytes=len(result.body), parse_error=parse_error, metrics=metrics, excerpt=excerpt(text),
        elapsed_s=result.elapsed_s,
    )


def start_exporters(nodes: Sequence[GpuNode], settings: Settings,
                    connection: Connection | None = None) -> dict[str, Future[ExporterFacts]]:
    """Every node's exporter scrape started at once (node name -> its facts to come): each is done as soon as its
    exporter answered or timed out, the last within about one timeout however many hang."""
    targets = {t.node: t for t in exporter_targets(nodes, settings, connection)}
    urls = {node: t.url for node, t in targets.items() if t.url is not None}
    timeout = settings.exporter_timeout
    submitted = submit_each(urls, timeout, lambda node, result: exporter_facts(targets[node], timeout, result))
    return {node: submitted.get(node) or _known(exporter_facts(t, timeout, None)) for node, t in targets.items()}


def gather_exporters(nodes: Sequence[GpuNode], settings: Settings,
                     connection: Connection | None = None) -> dict[str, ExporterFacts]:
    """Every node's exporter scraped at once (node name -> facts): about one timeout, however many hang."""
    return {node: future.result() for node, future in start_exporters(nodes, settings, connection).items()}


def _known(facts: ExporterFacts) -> Future[ExporterFacts]:
    """Facts known without a scrape (no URL for the node), as a future already done."""
    future: Future[ExporterFacts] = Future()
    future.set_result(facts)
    return future
