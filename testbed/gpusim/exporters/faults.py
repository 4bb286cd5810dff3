"""How an exporter's declared health bends what it serves (the faults shared by both formats)."""

from __future__ import annotations

import re

from gpusim.model import Gpu, NodeSpec

# How far into a series' label set the malformed body is cut.
_CUT_INTO_LABELS = 12
_LABELLED_SERIES = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*\{", re.MULTILINE)


def driver_reachable(node: NodeSpec) -> bool:
    """Whether nvidia-smi / NVML can talk to a driver at all (no driver: every query fails)."""
    return node.exporter.health != "nvidia_smi_failing" and node.host is not None \
        and node.host.driver_version is not None


def visible_gpus(node: NodeSpec) -> tuple[Gpu, ...]:
    """The GPUs the driver still sees: with ``wrong_gpu_count`` the last one has fallen off the bus."""
    if node.exporter.health == "wrong_gpu_count":
        return node.gpus[:-1]
    return node.gpus


def truncate_in_series(body: str, metric: str) -> str:
    """``body`` cut off inside the label set of the first ``metric`` series.

    This is what a write truncated at a buffer boundary leaves: a 200 whose last line stops in the
    middle of a label value (``nvidia_smi_memory_used_bytes{uuid="df6e7a7c-73``). Prometheus fails
    the scrape; ``prometheus_client``'s parser raises ``ValueError`` ("could not convert string to
    float") once it reaches that line, after yielding the families before it.
    Without such a series (no GPU visible) the first labelled series of any name is cut instead.
    """
    match = re.search(rf"^{re.escape(metric)}{{", body, re.MULTILINE) or _LABELLED_SERIES.search(body)
    if match is None:
        return body
    return body[:match.end() + _CUT_INTO_LABELS]
