"""Which nvidia_gpu_exporter series only some exporters serve, and what they need: the panels of Grafana 14574
that may stay empty on a healthy node.

From utkuozdemir/nvidia_gpu_exporter's own documentation and history (docs/METRICS.md, README.md "Try the native
NVML backend", docs/grafana/README.md at v1.14.0; the version is the first tag holding the commit that added the
series): per-process series came in v1.9.0 (43dedb0, opt-in), the recovery action and fabric state in v1.11.0
(cbef58d), the NVML backend in v1.11.0 (f43b5b0) and its Xid, energy, PCIe and MIG families in v1.12.0
(d2cb648, 4d87490, 2907833). Its README says the NVML panels "sit empty on the default backend". The other
series every version serves for every GPU, from the nvidia-smi query fields its AUTO mode discovers; nvidia-smi
itself leaves some out on some boards ([N/A]: a passively cooled board's fan, ECC counters without ECC memory,
utilization with MIG enabled), which the exporter skips. Not confirmed: which driver first reports
gpu_recovery_action (the exporter only says "a recent driver").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NVML = "the NVML backend (v1.12.0 on)"


@dataclass(frozen=True)
class Need:
    """What an exporter needs to serve the series whose names match ``names``."""

    names: re.Pattern[str]
    needs: str


NEEDS = (
    Need(re.compile(r"nvidia_smi_gpu_recovery_action"),
         "nvidia_gpu_exporter v1.11.0 on, with a driver that reports gpu_recovery_action"),
    Need(re.compile(r"nvidia_smi_fabric_state"), "nvidia_gpu_exporter v1.11.0 on, on GPUs of an NVLink fabric"),
    Need(re.compile(r"nvidia_smi_compute_apps?_"),
         "nvidia_gpu_exporter v1.9.0 on, run with --collect.compute-apps"),
    Need(re.compile(r"nvidia_smi_xid_"), f"{_NVML}, after a GPU's first Xid"),
    Need(re.compile(r"nvidia_smi_energy_joules_total"), f"{_NVML}, on Volta or newer"),
    Need(re.compile(r"nvidia_smi_pcie_throughput_"), f"{_NVML} with --collect.pcie-throughput"),
    Need(re.compile(r"nvidia_smi_mig_"), f"{_NVML}, with MIG enabled"),
    Need(re.compile(r"nvidia_smi_ecc_errors_"), "ECC memory (datacenter boards)"),
    Need(re.compile(r"nvidia_smi_fan_speed_ratio"), "a fan (passively cooled boards have none)"),
    Need(re.compile(r"nvidia_smi_utilization_(gpu|memory)_ratio"),
         "MIG disabled (nvidia-smi reports no utilization with MIG on)"),
)


def need_of(series: str) -> str | None:
    """What the series needs beyond a working nvidia_gpu_exporter, or None: every exporter serves it for every GPU.

    ``series`` is a metric name or a ``__name__`` pattern (``nvidia_smi_ecc_errors_uncorrected_.+``)."""
    return next((need.needs for need in NEEDS if need.names.match(series)), None)
