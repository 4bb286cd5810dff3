"""Discovery documents in the legacy (unaggregated) format, plus /version and the health endpoints.

kubectl asks for aggregated discovery first (``Accept: application/json;g=apidiscovery.k8s.io;v=v2;
as=APIGroupDiscoveryList,...,application/json``); answering ``Content-Type: application/json`` with the
legacy documents is what a server without aggregated discovery does, and clients fall back to them.
"""

from __future__ import annotations

from ..model import ClusterVersion
from ..resources import ResourceType
from .messages import Obj
from .served import ServedApis

GO_VERSION = "go1.20.10"
# Verbs each subresource serves, as the apiserver lists them.
_SUBRESOURCE_VERBS = {
    "status": ["get", "patch", "update"],
    "log": ["get"],
    "binding": ["create"],
    "eviction": ["create"],
    "finalize": ["update"],
    "token": ["create"],
}
_SUBRESOURCE_KINDS = {"log": ("Pod", ""), "binding": ("Binding", ""), "eviction": ("Eviction", "policy"),
                      "token": ("TokenRequest", "authentication.k8s.io")}


def version_info(version: ClusterVersion) -> Obj:
    return {
        "major": version.major,
        "minor": version.minor,
        "gitVersion": version.git_version,
        "gitCommit": "a8a1abc25cad87333840cd7d54be2efaf31a3177",
        "gitTreeState": "clean",
        "buildDate": "2023-10-18T11:33:18Z",
        "goVersion": GO_VERSION,
        "compiler": "gc",
        "platform": version.platform,
    }


def api_versions(server_address: str) -> Obj:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def _group(group: str, versions: tuple[str, ...]) -> Obj:
    """Served versions in priority order; the first is the preferred one."""
    listed = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {"name": group, "versions": listed, "preferredVersion": listed[0]}


def api_group_list(served: ServedApis) -> Obj:
    return {"kind": "APIGroupList", "apiVersion": "v1",
            "groups": [_group(g, versions) for g, versions in served.groups()]}


def api_group(served: ServedApis, group: str) -> Obj | None:
    for g, versions in served.groups():
        if g == group:
            return {"kind": "APIGroup", "apiVersion": "v1", **_group(g, versions)}
    return None


def _resource_entries(rt: ResourceType) -> list[Obj]:
    main: Obj = {
        "name": rt.plural,
        "singularName": rt.singular,
        "namespaced": rt.namespaced,
        "kind": rt.kind,
        "verbs": list(rt.verbs),
    }
    if rt.short_names:
        main["shortNames"] = list(rt.short_names)
    if rt.categories:
        main["categories"] = list(rt.categories)
    entries = [main]
    for sub in rt.subresources:
        kind, group = _SUBRESOURCE_KINDS.get(sub, (rt.kind, ""))
        entry: Obj = {
            "name": f"{rt.plural}/{sub}",
            "singularName": "",
            "namespaced": rt.namespaced,
            "kind": kind,
            "verbs": _SUBRESOURCE_VERBS.get(sub, ["get"]),
        }
        if group:
            entry["group"], entry["version"] = group, "v1"
        entries.append(entry)
    return entries


def api_resource_list(served: ServedApis, group: str, version: str) -> Obj | None:
    types = served.kinds(group, version)
    if not types:
        return None
    resources = [entry for rt in types for entry in _resource_entries(rt)]
    group_version = f"{group}/{version}" if group else version
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": resources,
    }
