"""The evidence behind a result: each gathered fact rendered as the attachments that explain it.

A conformance test receives facts (a probe's findings, the plugin's pods, the vectoradd pod, a scrape,
promtool's output); the report shows each as a step naming where it was seen, with the raw material
attached: what a reader would otherwise have to reproduce by hand with kubectl, curl or promtool.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from functools import singledispatch
from typing import Any

from gpu_conformance.facts.cluster import ApiVersion, PluginFacts, ProbeOutcome, WorkloadOutcome
from gpu_conformance.facts.exporters import ExporterFacts
from gpu_conformance.facts.fire_range import FireRange
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.facts.isolation import NodeIsolation
from gpu_conformance.facts.prometheus import LivePrometheus, ScrapeConfig
from gpu_conformance.facts.promtool import PromtoolRun

JSON, TEXT = "application/json", "text/plain"


@dataclass(frozen=True)
class Attachment:
    name: str
    body: str
    mime: str = TEXT


@dataclass(frozen=True)
class Evidence:
    step: str  # "probe pod gpu-conformance/probe-node05-x7k2p": what was looked at, and where
    attachments: tuple[Attachment, ...] = ()


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=_plain, ensure_ascii=False)


def _plain(value: Any) -> Any:
    """A dataclass as its fields, which json then encodes in turn; anything else json cannot encode as its str().

    Not dataclasses.asdict: it deep-copies every value before json reads it, half a millisecond for each node's
    facts, paid by every node of a run."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    return str(value)


@singledispatch
def evidence(fact: object, node: str | None) -> Evidence | None:
    """Evidence for a fact as seen by a check on ``node`` (None: a cluster-wide check); None: nothing to show."""
    if isinstance(fact, list) and fact and all(isinstance(f, PromtoolRun) for f in fact):
        return _promtool_runs(fact)
    if isinstance(fact, list) and fact and all(isinstance(f, FireRange) for f in fact):
        return Evidence("alerts driven across their metrics' ranges with generated promtool tests",
                        (Attachment("fire ranges (JSON)", _json([dataclasses.asdict(f) for f in fact]), JSON),))
    return None


@evidence.register
def _(fact: ApiVersion, node: str | None) -> Evidence:
    return Evidence(f"Kubernetes version from {fact.source}", (Attachment("version (JSON)", _json(fact), JSON),))


@evidence.register
def _(fact: GpuNode, node: str | None) -> Evidence:
    return Evidence(f"node {fact.name} from the Kubernetes API ({'; '.join(fact.why)})",
                    (Attachment(f"node {fact.name} (JSON)", _json(fact), JSON),))


@evidence.register
def _(fact: ProbeOutcome, node: str | None) -> Evidence:
    attachments = []
    if fact.probe is not None:
        attachments.append(Attachment("probe facts (JSON)", fact.probe.to_json(), JSON))
        runtime = fact.probe.runtime
        if runtime.excerpt:
            attachments.append(Attachment(f"runtime config excerpt ({runtime.source})", runtime.excerpt))
    if fact.error:
        attachments.append(Attachment("probe error", fact.error))
    if fact.log_tail:
        attachments.append(Attachment("probe pod log (tail)", fact.log_tail))
    return Evidence(f"node facts from {fact.source}", tuple(attachments))


@evidence.register
def _(fact: PluginFacts, node: str | None) -> Evidence:
    pods = fact.pods if node is None else fact.pods_on(node)
    attachments = [Attachment("plugin DaemonSets (JSON)", _json(list(fact.daemonsets)), JSON)]
    attachments += [Attachment(f"plugin pod {p.namespace}/{p.name} status (JSON)",
                               _json({k: v for k, v in dataclasses.asdict(p).items() if k != "log_tail"}), JSON)
                    for p in pods]
    attachments += [Attachment(f"plugin pod {p.namespace}/{p.name} log (tail)", p.log_tail)
                    for p in pods if p.log_tail]
    return Evidence(f"device plugin ({fact.install or 'not found'}, pods {fact.selector or '-'}) "
                    f"from {fact.source}", tuple(attachments))


@evidence.register
def _(fact: WorkloadOutcome, node: str | None) -> Evidence:
    attachments = [Attachment("vectoradd outcome", f"{fact.result}: {fact.detail}\nimage: {fact.image}")]
    if fact.log:
        attachments.append(Attachment("vectoradd pod log", fact.log))
    if fact.events:
        attachments.append(Attachment("vectoradd pod events", "\n".join(fact.events)))
    return Evidence(f"vectoradd Job pod {fact.pod or '(none created)'} on {fact.node}", tuple(attachments))


@evidence.register
def _(fact: NodeIsolation, node: str | None) -> Evidence:
    looks = (fact.image_env, fact.pod_env, fact.holder, fact.bystander, fact.other_holder)
    attachments = []
    for look in (look for look in looks if look is not None):
        if look.view is not None:  # its log is this JSON line
            attachments.append(Attachment(look.source, look.view.to_json(), JSON))
        else:
            log = f"\n\nlog:\n{look.log}" if look.log else ""
            attachments.append(Attachment(look.source, f"could not inspect: {look.problem}{log}"))
    return Evidence(f"isolation pods on {fact.node}: what each container saw (gpu-conformance sees)",
                    tuple(attachments))


@evidence.register
def _(fact: ExporterFacts, node: str | None) -> Evidence:
    answer = (f"HTTP {fact.status} {fact.reason}".strip() if fact.status is not None
              else fact.transport_error or fact.missing or fact.unavailable or "not scraped")
    attachments = [Attachment("scrape", f"GET {fact.url or '-'}\naddress from: {fact.source}\n"
                                        f"answer: {answer}\ncontent-type: {fact.content_type or '-'}\n"
                                        f"bytes: {fact.body_bytes}\nelapsed: {fact.elapsed_s:.3f} s")]
    if fact.excerpt:
        attachments.append(Attachment("exporter scrape excerpt", fact.excerpt))
    return Evidence(f"GPU exporter of {fact.node} at {fact.url or '(no address)'}", tuple(attachments))


@evidence.register
def _(fact: PromtoolRun, node: str | None) -> Evidence:
    return _promtool_runs([fact])


def _promtool_runs(runs: list[PromtoolRun]) -> Evidence:
    text = "\n\n".join(f"$ {r.command}   (exit {r.returncode})\n{r.stdout}{r.stderr}".rstrip() for r in runs)
    return Evidence("; ".join(r.command for r in runs), (Attachment("promtool output", text),))


@evidence.register
def _(fact: ScrapeConfig, node: str | None) -> Evidence:
    return Evidence(f"Prometheus scrape jobs read from {fact.path}",
                    (Attachment("scrape jobs (JSON)", _json(fact), JSON),))


@evidence.register
def _(fact: LivePrometheus, node: str | None) -> Evidence:
    return Evidence(f"live Prometheus at {fact.url}: /api/v1/targets and /api/v1/rules",
                    (Attachment("targets and rules (JSON)", _json(fact), JSON),))
