"""SimCluster's lifecycle: what start makes, stop removes, even after a failed start."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from gpusim.cluster import SimCluster, SimStartError
from gpusim.scenario import load

pytestmark = pytest.mark.e2e


def test_stop_removes_kubeconfig_host_roots_and_ports(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    cluster = SimCluster(load("seed"), kubeconfig, time_scale=0.2).start()
    host_root = cluster.host_root("k8s-node05")
    assert (host_root / "proc/driver/nvidia/version").exists() and kubeconfig.exists()
    assert cluster.workdir is not None and host_root.is_relative_to(cluster.workdir)
    assert oct(kubeconfig.stat().st_mode & 0o777) == "0o600"
    port = int(cluster.url.rsplit(":", 1)[1])
    cluster.stop()
    cluster.stop()  # idempotent
    assert not kubeconfig.exists() and not cluster.workdir.exists()
    with pytest.raises(RuntimeError, match="not running"):
        cluster.host_root("k8s-node05")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_a_busy_exporter_address_fails_the_start_and_leaves_nothing(tmp_path: Path) -> None:
    scenario = load("seed")
    node = scenario.node("k8s-node06")
    kubeconfig = tmp_path / "kubeconfig"
    with socket.socket() as busy:
        busy.bind((node.internal_ip, node.exporter.port))
        busy.listen()
        cluster = SimCluster(scenario, kubeconfig, time_scale=0.2)
        with pytest.raises(SimStartError, match=f"{node.internal_ip}:{node.exporter.port}"):
            cluster.start()
    assert not kubeconfig.exists()
    assert cluster.workdir is not None and not cluster.workdir.exists()
