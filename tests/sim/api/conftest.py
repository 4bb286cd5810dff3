"""A live simulated API server per test, on loopback, with a kubeconfig for kubectl and the client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gpusim.resources import POD
from gpusim.tls import TlsMaterial, make_tls

from tests.sim.api.api_harness import SimApi, pod_object, start_sim


@pytest.fixture(scope="session")
def tls_material() -> TlsMaterial:
    return make_tls()


@pytest.fixture
def sim(tmp_path: Path, tls_material: TlsMaterial) -> Iterator[SimApi]:
    api = start_sim(tmp_path, tls_material)
    api.store.create(
        POD,
        pod_object(
            "web", node="node-1", phase="Running", state={"running": {"startedAt": "2024-01-01T00:00:00Z"}}
        ),
    )
    yield api
    api.server.stop()
