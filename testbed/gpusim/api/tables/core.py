"""Printers for events, namespaces, services, endpoints, configmaps, service accounts, runtime classes."""

from __future__ import annotations

from typing import Any

from .columns import Column, age_column, column, name_column
from .duration import since
from .formatting import NONE, format_labels

Obj = dict[str, Any]

EVENT_COLUMNS: list[Column] = [
    column(
        "Last Seen", description="The time at which the most recent occurrence of this event was recorded."
    ),
    column(
        "Type", description="Type of this event (Normal, Warning), new types could be added in the future"
    ),
    column(
        "Reason",
        description="This should be a short, machine understandable string that gives the reason for "
        "the transition into the object's current status.",
    ),
    column("Object", description="The object that this event is about."),
    column(
        "Subobject",
        priority=1,
        description="If referring to a piece of an object instead of an entire object, "
        "this string should contain a valid JSON/Go field access statement, such as "
        "desiredState.manifest.containers[2].",
    ),
    column(
        "Source",
        priority=1,
        description="The component reporting this event. Should be a short machine understandable string.",
    ),
    column("Message", description="A human-readable description of the status of this operation."),
    column(
        "First Seen",
        priority=1,
        description="The time at which the event was first recorded. (Time of server "
        "receipt is in TypeMeta.)",
    ),
    column("Count", priority=1, description="The number of times this event has occurred."),
    column("Name", priority=1, fmt="name", description="Name must be unique within a namespace."),
]
NAMESPACE_COLUMNS = [name_column(), column("Status", description="The status of the namespace"), age_column()]
SERVICE_COLUMNS = [
    name_column(),
    column("Type", description="type determines how the Service is exposed."),
    column("Cluster-IP", description="clusterIP is the IP address of the service."),
    column(
        "External-IP",
        description="externalIPs is a list of IP addresses for which nodes in the cluster will "
        "also accept traffic for this service.",
    ),
    column("Port(s)", description="The list of ports that are exposed by this service."),
    age_column(),
    column(
        "Selector",
        priority=1,
        description="Route service traffic to pods with label keys and values matching this selector.",
    ),
]
ENDPOINTS_COLUMNS = [
    name_column(),
    column("Endpoints", description="The set of all endpoints is the union of all subsets."),
    age_column(),
]
CONFIGMAP_COLUMNS = [
    name_column(),
    column("Data", "integer", description="Data contains the configuration data."),
    age_column(),
]
SERVICEACCOUNT_COLUMNS = [
    name_column(),
    column(
        "Secrets",
        "integer",
        description="Secrets is a list of the secrets "
        "in the same namespace that pods running using this ServiceAccount "
        "are allowed to use.",
    ),
    age_column(),
]
RUNTIMECLASS_COLUMNS = [
    name_column(),
    column(
        "Handler",
        description="handler specifies the underlying runtime and "
        "configuration that the CRI implementation will use to handle pods "
        "of this class.",
    ),
    age_column(),
]


def _event_source(event: Obj) -> str:
    source = event.get("source") or {}
    component, host = source.get("component", ""), source.get("host", "")
    if not component and not host:
        component, host = event.get("reportingComponent", ""), event.get("reportingInstance", "")
    return f"{component}, {host}" if host else component


def event_row(event: Obj) -> list[Any]:
    first = event.get("firstTimestamp") or event.get("eventTime")
    first_seen = since(first)
    last_seen = since(event["lastTimestamp"]) if event.get("lastTimestamp") else first_seen
    count = event.get("count") or 1
    series = event.get("series")
    if series:
        last_seen, count = since(series.get("lastObservedTime")), series.get("count", count)
    involved = event.get("involvedObject") or {}
    kind = str(involved.get("kind", "")).lower()
    target = f"{kind}/{involved['name']}" if involved.get("name") else kind
    return [
        last_seen,
        event.get("type", ""),
        event.get("reason", ""),
        target,
        involved.get("fieldPath", ""),
        _event_source(event),
        (event.get("message") or "").strip(),
        first_seen,
        count,
        event["metadata"]["name"],
    ]


def namespace_row(ns: Obj) -> list[Any]:
    return [
        ns["metadata"]["name"],
        (ns.get("status") or {}).get("phase", ""),
        since(ns["metadata"].get("creationTimestamp")),
    ]


def _ports(ports: list[Obj]) -> str:
    parts = []
    for port in ports:
        text = f"{port.get('port')}/{port.get('protocol', 'TCP')}"
        if port.get("nodePort"):
            text = f"{port.get('port')}:{port['nodePort']}/{port.get('protocol', 'TCP')}"
        parts.append(text)
    return ",".join(parts) or NONE


def service_row(svc: Obj) -> list[Any]:
    spec = svc.get("spec") or {}
    kind = spec.get("type", "ClusterIP")
    external = ",".join(spec.get("externalIPs") or [])
    if kind == "ExternalName":
        external = spec.get("externalName", "")
    elif kind == "LoadBalancer":
        ingress = ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        external = ",".join(
            [i.get("ip") or i.get("hostname", "") for i in ingress] + ([external] if external else [])
        )
        external = external or "<pending>"
    return [
        svc["metadata"]["name"],
        kind,
        spec.get("clusterIP") or NONE,
        external or NONE,
        _ports(spec.get("ports") or []),
        since(svc["metadata"].get("creationTimestamp")),
        format_labels(spec.get("selector")),
    ]


def endpoints_row(ep: Obj) -> list[Any]:
    addresses = []
    for subset in ep.get("subsets") or []:
        ports = [p.get("port") for p in subset.get("ports") or []] or [None]
        for address in subset.get("addresses") or []:
            for port in ports:
                addresses.append(address.get("ip", "") + (f":{port}" if port is not None else ""))
    text = ",".join(addresses[:3]) + (f" + {len(addresses) - 3} more..." if len(addresses) > 3 else "")
    return [ep["metadata"]["name"], text or NONE, since(ep["metadata"].get("creationTimestamp"))]


def configmap_row(cm: Obj) -> list[Any]:
    count = len(cm.get("data") or {}) + len(cm.get("binaryData") or {})
    return [cm["metadata"]["name"], count, since(cm["metadata"].get("creationTimestamp"))]


def serviceaccount_row(sa: Obj) -> list[Any]:
    return [
        sa["metadata"]["name"],
        len(sa.get("secrets") or []),
        since(sa["metadata"].get("creationTimestamp")),
    ]


def runtimeclass_row(rc: Obj) -> list[Any]:
    return [rc["metadata"]["name"], rc.get("handler", ""), since(rc["metadata"].get("creationTimestamp"))]


LEASE_COLUMNS = [
    name_column(),
    column("Holder", description="The holder of the lease."),
    age_column(),
]


def lease_row(lease: Obj) -> list[Any]:
    holder = (lease.get("spec") or {}).get("holderIdentity") or NONE
    return [lease["metadata"]["name"], holder, since(lease["metadata"].get("creationTimestamp"))]
