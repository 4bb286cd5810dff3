"""Each module of this folder starts at most one simulated cluster, shared by its tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from gpusim.cluster import SimCluster
from gpusim.scenario import load
from gpusim.testing import TEST_ADDRESS_BLOCK


@pytest.fixture(scope="module")
def dra_cluster(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimCluster]:
    """The cluster of the module's ``SCENARIO`` (a bundled name or a Scenario)."""
    scenario = request.module.SCENARIO
    loaded = load(scenario) if isinstance(scenario, str) else scenario
    path = tmp_path_factory.mktemp(loaded.name) / "kubeconfig"
    cluster = SimCluster(loaded, path, time_scale=0.2, address_block=TEST_ADDRESS_BLOCK).start()
    yield cluster
    cluster.stop()
