"""Which cluster a run is about: resolved once, when the suite connects, and said the same way by every report
(summary.json, the Allure environment, the metrics' ``cluster`` label, the gate)."""

from __future__ import annotations

from dataclasses import dataclass

IN_CLUSTER = "in-cluster"  # the name of the cluster a pod runs in: it has no kubeconfig context


@dataclass(frozen=True)
class ClusterIdentity:
    name: str  # what people call the cluster, stable from run to run: the context used, or IN_CLUSTER
    server: str  # the API server's URL
    kubeconfig: tuple[str, ...] = ()  # the files read, in KUBECONFIG order; none in a pod
    context: str = ""  # the kubeconfig context used (given, or the current one); "" in a pod
    cluster: str = ""  # the kubeconfig's cluster entry that context names; "" in a pod

    @classmethod
    def in_cluster(cls, server: str) -> ClusterIdentity:
        return cls(IN_CLUSTER, server)
