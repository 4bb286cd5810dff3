"""What the session found at its start (session.py), kept in the config's stash for the other plugins and fixtures.

A module without hooks: a plugin registered before session.py imports this, never session.py itself, which pytest
would then find imported before it could rewrite its asserts (a PytestAssertRewriteWarning on every run).
"""

from __future__ import annotations

import pytest

from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.facts.gpu_request_choice import GpuRequestChoice
from gpu_conformance.kube.client import Connection

CONNECTION = pytest.StashKey[Connection]()
GPU_NODES = pytest.StashKey[list[GpuNode]]()
GPU_REQUEST = pytest.StashKey[GpuRequestChoice]()


def discovered_nodes(config: pytest.Config) -> list[GpuNode]:
    return config.stash.get(GPU_NODES, [])
