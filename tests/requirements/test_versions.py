"""PRE-K8S-VERSION and PRE-KUBELET-VERSION on real /version answers and kubelet versions, vendors included."""

from __future__ import annotations

import pytest

from gpu_conformance.facts.cluster import ApiVersion
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.requirements.prerequisites import kubelet_at_least, kubernetes_at_least
from gpu_conformance.settings import Settings

from .builders import API_SOURCE, gpu_node

PASSING = [
    ("1", "28", "v1.28.3"),
    ("1", "28+", "v1.28.3-eks-4f4795d"),
    ("1", "27+", "v1.27.8-gke.1067004"),
    ("1", "30", "v1.30.4+k3s1"),
    ("1", "10", "v1.10.0"),
    ("1", "29+", "not-a-version"),  # gitVersion unreadable: /version's major and minor decide
]


@pytest.mark.parametrize(("major", "minor", "git"), PASSING)
def test_kubernetes_new_enough(major: str, minor: str, git: str) -> None:
    verdict = kubernetes_at_least(ApiVersion(major, minor, git, API_SOURCE), Settings())
    assert verdict.ok and not verdict.skip
    assert verdict.message == f"found {git} (major {major}, minor {minor}) at {API_SOURCE}"


@pytest.mark.parametrize(("major", "minor", "git"), [("1", "9", "v1.9.11"), ("1", "9+", "v1.9.7-gke.11")])
def test_kubernetes_too_old(major: str, minor: str, git: str) -> None:
    verdict = kubernetes_at_least(ApiVersion(major, minor, git, API_SOURCE), Settings())
    assert not verdict.ok
    assert verdict.message.startswith(f"[PRE-K8S-VERSION] found {git} (major {major}, minor {minor}) at "
                                      f"{API_SOURCE}, expected >= 1.10; fix: upgrade the control plane")


def test_kubernetes_floor_is_a_setting() -> None:
    api = ApiVersion("1", "28", "v1.28.3", API_SOURCE)
    assert not kubernetes_at_least(api, Settings(min_kubernetes="1.29")).ok
    assert kubernetes_at_least(api, Settings(min_kubernetes="1.28.3")).ok
    assert not kubernetes_at_least(api, Settings(min_kubernetes="1.28.4")).ok


def test_kubernetes_unreadable_is_unavailable() -> None:
    expected = r"\[PRE-K8S-VERSION\] could not read the Kubernetes version at GET https://127.0.0.1:6443/version"
    with pytest.raises(FactsUnavailable, match=expected + ": gitVersion ''"):
        kubernetes_at_least(ApiVersion("", "", "", API_SOURCE), Settings())


@pytest.mark.parametrize(("kubelet", "ok"), [("v1.28.3", True), ("v1.30.4+k3s1", True), ("v1.10.13", True),
                                             ("v1.9.11", False), ("v1.8.15-gke.0", False)])
def test_kubelet(kubelet: str, ok: bool) -> None:
    verdict = kubelet_at_least(gpu_node(kubelet=kubelet), Settings())
    source = "node k8s-node05 status.nodeInfo.kubeletVersion"
    assert verdict.ok is ok
    failed = f"[PRE-KUBELET-VERSION] found {kubelet} at {source}, expected >= 1.10; fix: upgrade the node's"
    expected = f"found {kubelet} at {source}" if ok else failed
    assert verdict.message.startswith(expected)


def test_kubelet_without_version_is_unavailable() -> None:
    with pytest.raises(FactsUnavailable, match=r"PRE-KUBELET-VERSION.*kubeletVersion: expected a Kubernetes"):
        kubelet_at_least(gpu_node(kubelet=""), Settings())
