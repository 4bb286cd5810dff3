"""The suite's markers, and node_local checks counted as workload (they create probe pods)."""

from __future__ import annotations

import pytest

from .options import settings_from
from .selection import Marked

MARKERS = {
    "check(id)": "the check of gpu_conformance.checks this test states (one per conformance test)",
    "cluster": "reads the Kubernetes API only",
    "node_local": "needs facts from the node itself: a probe pod per GPU node (also marked workload), or --local-probe",
    "workload": "creates pods in the cluster (probe pods, vectoradd Jobs); -m 'not workload' is read-only",
    "monitoring": "reads the GPU exporters (and Prometheus) over HTTP; creates nothing",
    "security": "secure accelerator access: unprivileged pods per GPU node show what they see of the GPUs (also "
                "marked workload)",
}


def pytest_configure(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")


def counts_as_workload(marked: Marked, config: pytest.Config) -> bool:
    """node_local checks create probe pods, so they count as workload (unless --local-probe probes this machine)."""
    return marked.get_closest_marker("node_local") is not None and not settings_from(config).local


@pytest.hookimpl(tryfirst=True)  # before -m deselects, so -m "not workload" leaves them out
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if counts_as_workload(item, config):
            item.add_marker(pytest.mark.workload)
