"""Which API versions a cluster serves: resource.k8s.io by Kubernetes release and ``--runtime-config``.

The kinds are stored once, in the newest shape (see resources.py); what differs between clusters is
which versions of ``resource.k8s.io`` the apiserver serves, as kube-apiserver decides it:

- 1.32 has ``v1beta1``; 1.33 adds ``v1beta2``; 1.34 brings ``v1`` (GA), later releases keep all three.
- GA versions are on by default; beta versions are off unless ``--runtime-config=resource.k8s.io/v1beta1=true``
  (pkg/controlplane/instance.go, betaAPIGroupVersionsDisabledByDefault, since KEP-3136).
- Discovery lists a group's served versions in the scheme's priority order and prefers the first
  (pkg/apis/resource/install/install.go): the newest, as a 1.33.5 apiserver answers ``/apis/resource.k8s.io``
  with v1beta2, v1beta1 and prefers v1beta2; 1.34 on prefers ``v1``.

A cluster that serves resource.k8s.io is taken to run with the DynamicResourceAllocation feature gate on
(default from 1.34; on 1.32/1.33 DRA needs both, and clusters that enable the API enable the gate), one that
serves none with it off: pods there lose their claims (see resource_defaults.drop_claims_without_dra).

Releases before 1.32 served only alpha versions of the group (``v1alpha2``/``v1alpha3``, with another
shape), which the test bed does not model: such a cluster serves no resource.k8s.io.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ..model import ClusterVersion
from ..resources import RESOURCE_GROUP, RESOURCES, ResourceType

# Per release (first minor it applies from): (version, on by default), in the scheme's priority order.
_RESOURCE_RELEASES: tuple[tuple[int, tuple[tuple[str, bool], ...]], ...] = (
    (34, (("v1", True), ("v1beta2", False), ("v1beta1", False))),
    (33, (("v1beta2", False), ("v1beta1", False))),
    (32, (("v1beta1", False),)),
)


def minor_number(version: ClusterVersion) -> int:
    """The minor release as a number: vendor builds report ``"28+"``."""
    match = re.match(r"\d+", version.minor)
    return int(match.group()) if match else 0


def resource_versions(version: ClusterVersion) -> tuple[tuple[str, bool], ...]:
    """The resource.k8s.io versions this release knows, with whether each is on by default."""
    minor = minor_number(version)
    for since, versions in _RESOURCE_RELEASES:
        if minor >= since:
            return versions
    return ()


def runtime_config_problem(version: ClusterVersion, key: str) -> str | None:
    """Why ``--runtime-config`` cannot name ``key`` on this release; None when it can."""
    group, _, api_version = key.partition("/")
    if group != RESOURCE_GROUP or not api_version or "/" in api_version:
        return (f'the test bed models --runtime-config for {RESOURCE_GROUP}/<version> only, not "{key}"')
    known = [v for v, _ in resource_versions(version)]
    if api_version not in known:
        has = f"it has {', '.join(known)}" if known else f"the test bed serves {RESOURCE_GROUP} from 1.32 on"
        return f"Kubernetes {version.git_version} has no {key} ({has})"
    return None


@dataclass(frozen=True)
class ServedApis:
    """The API versions one apiserver serves; core and other groups serve their one stored version."""

    resource: tuple[str, ...] = ()  # served resource.k8s.io versions, preferred first

    def versions(self, group: str) -> tuple[str, ...]:
        if group == RESOURCE_GROUP:
            return self.resource
        return tuple(dict.fromkeys(rt.version for rt in RESOURCES if rt.group == group))

    def lookup(self, group: str, version: str, plural: str) -> ResourceType | None:
        """The stored kind behind ``/apis/{group}/{version}/{plural}``, when that version is served."""
        if version not in self.versions(group):
            return None
        for rt in RESOURCES:
            if rt.group == group and rt.plural == plural:
                return rt
        return None

    def kinds(self, group: str, version: str) -> list[ResourceType]:
        """The kinds ``/apis/{group}/{version}`` lists; none when that version is not served."""
        if version not in self.versions(group):
            return []
        return [rt for rt in RESOURCES if rt.group == group]

    def groups(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        """(group, served versions) of the named groups that serve anything, in discovery order."""
        for group in dict.fromkeys(rt.group for rt in RESOURCES if rt.group):
            versions = self.versions(group)
            if versions:
                yield group, versions


def served_apis(version: ClusterVersion, runtime_config: Mapping[str, bool]) -> ServedApis:
    """What kube-apiserver of ``version`` started with ``--runtime-config`` serves."""
    served = []
    for api_version, default in resource_versions(version):
        if runtime_config.get(f"{RESOURCE_GROUP}/{api_version}", default):
            served.append(api_version)
    return ServedApis(resource=tuple(served))
