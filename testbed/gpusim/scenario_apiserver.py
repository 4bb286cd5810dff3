"""The ``apiServer`` section: kube-apiserver flags that change what the cluster serves.

``apiServer: {runtimeConfig: {resource.k8s.io/v1beta1: true}}`` is ``--runtime-config=resource.k8s.io/v1beta1=true``:
beta versions of resource.k8s.io are off by default and a 1.32/1.33 cluster serves DRA only with it.
"""

from __future__ import annotations

from gpusim.api.served import runtime_config_problem
from gpusim.model import ClusterVersion
from gpusim.scenario_yaml import Value

API_SERVER_FIELDS = ("runtimeConfig",)


def runtime_config(value: Value | None, version: ClusterVersion) -> tuple[tuple[str, bool], ...]:
    if value is None:
        return ()
    config = value.mapping(API_SERVER_FIELDS).get("runtimeConfig")
    if config is None or config.is_null:
        return ()
    entries: list[tuple[str, bool]] = []
    for key, entry in config.mapping().entries.items():
        problem = runtime_config_problem(version, key)
        if problem is not None:
            raise entry.error(problem)
        entries.append((key, entry.boolean()))
    return tuple(entries)
