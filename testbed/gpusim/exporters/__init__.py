"""Simulated per-node GPU metric exporters (nvidia_gpu_exporter and dcgm-exporter) on loopback addresses.

Each GPU node's ``ExporterSetup`` says which exporter it runs, on which port, and how it misbehaves
(down, hanging, nvidia-smi failing, malformed output, a GPU missing). Values come from a
deterministic model of live telemetry; formats follow the real exporters' source.
"""

from gpusim.exporters.pool import ExporterPool

__all__ = ["ExporterPool"]
