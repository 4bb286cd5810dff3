"""nvidia_gpu_exporter's --query-field-names: a list serves only its fields' series and gpu_info's own fields
(v1.2.0 internal/exporter/exporter.go buildQFieldToRFieldMap appends requiredFields to the list)."""

from __future__ import annotations

from dataclasses import replace

from gpusim.exporters.nvidia_gpu_exporter import NvidiaGpuExporter
from gpusim.model import ExporterSetup, NodeSpec
from gpusim.scenario import load

NOW = 1_750_000_000.0


def gpu_series(node: NodeSpec) -> set[str]:
    text = NvidiaGpuExporter(node, NOW).metrics_text(NOW)
    names = {line.split("{")[0].split(" ")[0] for line in text.splitlines() if line and not line.startswith("#")}
    return {name for name in names if name.startswith("nvidia_smi_")}


def node06(scenario: str) -> NodeSpec:
    return next(n for n in load(scenario).nodes if n.name == "k8s-node06")


def test_a_field_list_serves_those_fields_and_gpu_info() -> None:
    node = node06("seed")
    listed = replace(node, exporter=ExporterSetup(query_field_names=("uuid", "temperature.gpu", "memory.used")))
    # "NVIDIA GeForce RTX 4080" holds one number, which the exporter serves as nvidia_smi_name (its real quirk).
    assert gpu_series(listed) == {"nvidia_smi_command_exit_code", "nvidia_smi_gpu_info", "nvidia_smi_name",
                                  "nvidia_smi_temperature_gpu", "nvidia_smi_memory_used_bytes"}


def test_auto_serves_every_field_and_the_scenario_lacks_the_unlisted_ones() -> None:
    auto, short = gpu_series(node06("seed")), gpu_series(node06("exporter-query-fields"))
    assert {"nvidia_smi_pstate", "nvidia_smi_power_draw_watts", "nvidia_smi_clocks_max_graphics_clock_hz"} <= auto
    assert short < auto
    assert short == {"nvidia_smi_command_exit_code", "nvidia_smi_gpu_info", "nvidia_smi_name", "nvidia_smi_index",
                     "nvidia_smi_utilization_gpu_ratio", "nvidia_smi_utilization_memory_ratio",
                     "nvidia_smi_memory_used_bytes", "nvidia_smi_memory_total_bytes", "nvidia_smi_temperature_gpu"}
