"""What an Xid means: NVIDIA's Xid catalogue (https://docs.nvidia.com/deploy/xid-errors/, "Xid Error Listing"),
for the Xids GPU nodes really report, and which of them the device plugin treats as the application's fault.

The driver logs an Xid to the kernel log (``NVRM: Xid (PCI:0000:3b:00): 79, pid=..., GPU has fallen off the bus.``)
and NVML raises it as an XidCriticalError event; NVIDIA's device plugin marks the GPU unhealthy on any Xid but the
application errors it skips (internal/rm/health.go)."""

from __future__ import annotations

MEANINGS: dict[int, str] = {
    13: "Graphics Engine Exception",
    31: "GPU memory page fault",
    43: "GPU stopped processing",
    45: "Preemptive cleanup, due to previous errors",
    48: "Double Bit ECC Error",
    61: "Internal micro-controller breakpoint/warning",
    62: "Internal micro-controller halt",
    63: "ECC page retirement or row remapping recording event",
    64: "ECC page retirement or row remapper recording failure",
    68: "Video processor exception",
    74: "NVLINK Error",
    79: "GPU has fallen off the bus",
    92: "High single-bit ECC error rate",
    94: "Contained ECC error",
    95: "Uncontained ECC error",
    109: "Context Switch Timeout Error",
    119: "GSP RPC Timeout",
    120: "GSP Error",
}
# The device plugin's skippedXids (internal/rm/health.go): errors of the application, not of the GPU.
APPLICATION_XIDS = frozenset({13, 31, 43, 45, 68, 109})


def described(xid: int) -> str:
    """``Xid 79 (GPU has fallen off the bus)``; an Xid the table lacks is named by its number and the catalogue."""
    meaning = MEANINGS.get(xid)
    return f"Xid {xid} ({meaning})" if meaning else f"Xid {xid} (see https://docs.nvidia.com/deploy/xid-errors/)"
