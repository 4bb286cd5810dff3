"""Wording every requirement shares: how to name a source, show a version, quote a log, say "unavailable"."""

from __future__ import annotations

import re
from dataclasses import replace

from gpu_conformance.checks import Check
from gpu_conformance.facts.cluster import ProbeOutcome
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.node.versions import at_least
from gpu_conformance.verdict import Verdict

PROBE_HINT = ("the probe runs --probe-image on the node with the host mounted: mirror that image for "
              "air-gapped clusters, or run the suite with --local-probe on the node itself")
# klog's header, "E0101 12:00:00.000000       1 factory.go:116] ", dropped when quoting a log line.
_KLOG_HEADER = re.compile(r"^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ [\w.-]+:\d+\] ")


def node_field(node: str, path: str) -> str:
    """Where a fact of a Node object was read: ``node k8s-node05 status.nodeInfo.kubeletVersion``."""
    return f"node {node} {path}"


def at_least_or_unavailable(check: Check, version: str, minimum: str, source: str) -> bool:
    """``version >= minimum``; a version that is not one raises FactsUnavailable naming where it came from."""
    try:
        return at_least(version, minimum)
    except ValueError as exc:
        raise FactsUnavailable(f"[{check.id}] could not compare {version!r} from {source} with "
                               f"{minimum!r}: {exc}") from None


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def quoted(line: str) -> str:
    return f'"{line}"'


def log_message(line: str) -> str:
    """A log line without its klog header."""
    return _KLOG_HEADER.sub("", line.strip())


def key_line(log: str, phrases: tuple[str, ...]) -> str | None:
    """The log's telling line: the first with the earliest phrase found, else the last; klog header cut."""
    lines = [log_message(line) for line in log.splitlines() if line.strip()]
    for phrase in phrases:
        found = next((line for line in lines if phrase in line), None)
        if found is not None:
            return found
    return lines[-1] if lines else None


def with_warning(verdict: Verdict, warning: str | None) -> Verdict:
    return verdict if warning is None else replace(verdict, message=f"{verdict.message}; warning: {warning}")


def probe_unavailable(check: Check, outcome: ProbeOutcome, what: str, why: str | None = None,
                      also: str | None = None) -> FactsUnavailable:
    """``what`` could not be inspected on the node: the probe did not run or did not see it (``why``)."""
    last = key_line(outcome.log_tail, ())
    log = f"; probe log: {quoted(last)}" if last else ""
    more = f"; {also}" if also else ""
    why = why or outcome.error or "the probe gave no facts"
    hint = "" if outcome.node_not_ready else f"; hint: {PROBE_HINT}"  # no image to mirror: the node is down
    return FactsUnavailable(f"[{check.id}] could not inspect {what} of node {outcome.node}: {why} at "
                            f"{outcome.source}{more}{log}{hint}")


def driver_text(version: tuple[int, ...]) -> str:
    """A driver version tuple as NVIDIA writes it: (450, 36, 6) -> ``450.36.06``."""
    return ".".join([str(version[0]), *(f"{part:02d}" for part in version[1:])])


def cuda_text(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"
