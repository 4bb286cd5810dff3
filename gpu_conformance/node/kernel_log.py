"""The NVIDIA driver's Xids, as it writes them to the kernel log (NVIDIA's Xid catalogue, "Xid Messages"):
``NVRM: Xid (PCI:0000:3b:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.``

The probe reads the kernel log file syslog keeps on the host (/var/log/kern.log on Debian and Ubuntu,
/var/log/messages on RHEL), only its tail: a node's log can hold gigabytes. A host that keeps the kernel log in
journald's binary journal only has no such file: the fact is then missing, saying so.
"""

from __future__ import annotations

import re

from gpu_conformance.facts.node import Observed, XidEvent
from gpu_conformance.node.hostfs import HostRoot, excerpt

LOG_FILES = ("/var/log/kern.log", "/var/log/messages")
TAIL_BYTES = 4 * 1024 * 1024
_XID = re.compile(r"NVRM: Xid \(PCI:(?P<pci>[0-9a-fA-F:.]+)\): (?P<xid>\d+),")
_SYSLOG_TIME = re.compile(r"^(?P<when>[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}T\S+)\s")


def xid_events(text: str) -> tuple[tuple[XidEvent, ...], list[str]]:
    """(each Xid line's event, the lines themselves)."""
    events, lines = [], []
    for line in text.splitlines():
        found = _XID.search(line)
        if found:
            stamp = _SYSLOG_TIME.match(line)
            events.append(XidEvent(found["pci"].lower(), int(found["xid"]), stamp["when"] if stamp else ""))
            lines.append(line)
    return tuple(events), lines


def _tail(host: HostRoot, host_path: str) -> str:
    with host.path(host_path).open("rb") as log:
        log.seek(0, 2)
        size = log.tell()
        log.seek(max(0, size - TAIL_BYTES))
        return log.read().decode("utf-8", errors="replace")


def collect(host: HostRoot) -> Observed[tuple[XidEvent, ...]]:
    """The Xids in the first kernel log file the host has."""
    for host_path in LOG_FILES:
        if not host.exists(host_path):
            continue
        try:
            text = _tail(host, host_path)
        except OSError as exc:
            return Observed.missing(host.shown(host_path), exc.strerror or str(exc))
        events, lines = xid_events(text)
        return Observed(events, host.shown(host_path), None, excerpt("\n".join(lines)) if lines else None)
    return Observed.missing(" or ".join(host.shown(p) for p in LOG_FILES),
                            "no kernel log file (a host logging to journald only keeps none)")
