"""Reading exporter bodies: the lines FACTS.md records from the real exporters, and what the simulated
nvidia_gpu_exporter and dcgm-exporter serve in each of their states."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from gpusim.exporters.dcgm_exporter import LANDING_PAGE as DCGM_LANDING
from gpusim.exporters.dcgm_exporter import DcgmExporter
from gpusim.exporters.nvidia_gpu_exporter import LANDING_PAGE as NVIDIA_LANDING
from gpusim.exporters.nvidia_gpu_exporter import NvidiaGpuExporter
from gpusim.model import ExporterHealth, ExporterKind, ExporterSetup, Gpu, HostState, NodeSpec

from gpu_conformance.facts.exporters import MetricsParseError
from gpu_conformance.monitoring.exporters.formats import gpu_key, parse_metrics

DRIVER = "535.104.05"
UUIDS = ("GPU-868d62cf-5637-84e5-a646-965aaaae698d", "GPU-1B77A84D-EA51-9545-0551-A98179D2A5CF",
         "GPU-df6e7a7c-7314-46f8-abc4-b88b36dcf3aa")
# FACTS.md: nvidia_gpu_exporter v1.2.0's lines, as scraped from a one-GPU host.
FACTS_NVIDIA = """\
# HELP nvidia_smi_utilization_gpu_ratio utilization.gpu [%]
# TYPE nvidia_smi_utilization_gpu_ratio gauge
nvidia_smi_utilization_gpu_ratio{uuid="df6e7a7c-7314-46f8-abc4-b88b36dcf3aa"} 0
nvidia_smi_temperature_gpu{uuid="df6e7a7c-7314-46f8-abc4-b88b36dcf3aa"} 34
nvidia_smi_memory_used_bytes{uuid="df6e7a7c-7314-46f8-abc4-b88b36dcf3aa"} 7.06740224e+08
nvidia_smi_gpu_info{driver_model_current="",driver_model_pending="",driver_version="535.104.05",\
name="NVIDIA GeForce RTX 4090",uuid="df6e7a7c-7314-46f8-abc4-b88b36dcf3aa",vbios_version="95.02.18.80.87"} 1
nvidia_smi_command_exit_code 0
"""
FACTS_SMI_FAILING = """\
# HELP nvidia_smi_command_exit_code Exit code of the last scrape command
# TYPE nvidia_smi_command_exit_code gauge
nvidia_smi_command_exit_code 9
# HELP nvidia_smi_failed_scrapes_total Number of failed scrapes
# TYPE nvidia_smi_failed_scrapes_total counter
nvidia_smi_failed_scrapes_total 3
"""
NODE_EXPORTER = """\
# HELP node_load1 1m load average.
# TYPE node_load1 gauge
node_load1 0.21
node_cpu_seconds_total{cpu="0",mode="idle"} 8212.5
"""


def node(health: ExporterHealth = "healthy", kind: ExporterKind = "nvidia_gpu_exporter",
         gpus: int = 3) -> NodeSpec:
    return NodeSpec(
        name="k8s-node05", internal_ip="127.0.0.1",
        gpus=tuple(Gpu(index=i, uuid=UUIDS[i], name="NVIDIA GeForce RTX 4090", memory_mib=24564,
                       pci_bus_id=f"00000000:{i + 1:02X}:00.0") for i in range(gpus)),
        host=HostState(driver_version=DRIVER), exporter=ExporterSetup(kind=kind, health=health))


def served(health: ExporterHealth = "healthy", kind: ExporterKind = "nvidia_gpu_exporter", gpus: int = 3) -> str:
    """The body the simulated exporter serves for ``/metrics``."""
    spec = node(health, kind, gpus)
    app = DcgmExporter(spec, time.time()) if kind == "dcgm-exporter" else NvidiaGpuExporter(spec, time.time())
    return app.metrics_text(time.time())


def test_facts_lines_of_nvidia_gpu_exporter() -> None:
    metrics = parse_metrics(FACTS_NVIDIA)
    assert metrics.format == "nvidia_gpu_exporter"
    assert metrics.gpu_uuids == ("df6e7a7c-7314-46f8-abc4-b88b36dcf3aa",)
    assert metrics.gpu_series == "nvidia_smi_gpu_info{uuid}"
    assert metrics.driver_versions == (DRIVER,)
    assert metrics.driver_label == "nvidia_smi_gpu_info{driver_version}"
    assert metrics.smi_exit_code == 0 and metrics.smi_failed_scrapes is None
    assert not metrics.smi_failing


def test_nvidia_smi_failing_leaves_only_its_counters() -> None:
    metrics = parse_metrics(FACTS_SMI_FAILING)
    assert metrics.format == "nvidia_gpu_exporter"
    assert metrics.gpu_uuids == () and metrics.driver_versions == ()
    assert (metrics.smi_exit_code, metrics.smi_failed_scrapes) == (9, 3)
    assert metrics.smi_failing


@pytest.mark.parametrize("kind", ["nvidia_gpu_exporter", "dcgm-exporter"])
def test_healthy_simulated_exporters_report_every_gpu_and_the_driver(kind: ExporterKind) -> None:
    metrics = parse_metrics(served(kind=kind))
    assert metrics.format == kind
    assert sorted(gpu_key(u) for u in metrics.gpu_uuids) == sorted(gpu_key(u) for u in UUIDS)
    assert metrics.driver_versions == (DRIVER,)
    assert metrics.samples > 20
    assert metrics.exporter_version == ("1.2.0" if kind == "nvidia_gpu_exporter" else None)  # its build_info


def test_the_two_formats_write_uuids_differently_but_name_the_same_gpus() -> None:
    nvidia = parse_metrics(served(kind="nvidia_gpu_exporter"))
    dcgm = parse_metrics(served(kind="dcgm-exporter"))
    assert nvidia.uuid_label == "uuid" and dcgm.uuid_label == "UUID"
    assert "1b77a84d-ea51-9545-0551-a98179d2a5cf" in nvidia.gpu_uuids  # lower-cased, GPU- cut off
    assert UUIDS[1] in dcgm.gpu_uuids  # as NVML writes it
    assert dcgm.driver_label is not None and dcgm.driver_label.endswith("{DCGM_FI_DRIVER_VERSION}")


def test_simulated_wrong_gpu_count_drops_a_gpu() -> None:
    assert len(parse_metrics(served("wrong_gpu_count")).gpu_uuids) == 2
    assert len(parse_metrics(served("wrong_gpu_count", "dcgm-exporter")).gpu_uuids) == 2


def test_simulated_nvidia_smi_failing() -> None:
    metrics = parse_metrics(served("nvidia_smi_failing"))
    assert metrics.gpu_uuids == () and metrics.smi_failing
    assert metrics.smi_exit_code not in (None, 0)
    assert served("nvidia_smi_failing", "dcgm-exporter") == ""  # DCGM renders nothing: an empty body


@pytest.mark.parametrize("kind", ["nvidia_gpu_exporter", "dcgm-exporter"])
def test_a_truncated_body_quotes_its_last_line(kind: ExporterKind) -> None:
    body = served("malformed", kind)
    with pytest.raises(MetricsParseError) as caught:
        parse_metrics(body)
    lines = body.splitlines()
    assert caught.value.line_number == len(lines)
    assert caught.value.line == lines[-1]
    assert caught.value.reason.startswith("could not convert string to float")
    assert str(caught.value).startswith(f'line {len(lines)} "{lines[-1]}": could not convert')


def test_a_bad_line_in_the_middle_is_found() -> None:
    lines = FACTS_NVIDIA.splitlines()
    lines.insert(3, "nvidia_smi_power_draw_watts{uuid=df6e7a7c} 41.2")  # unquoted label value
    with pytest.raises(MetricsParseError) as caught:
        parse_metrics("\n".join(lines) + "\n")
    assert caught.value.line_number == 4
    assert caught.value.line == "nvidia_smi_power_draw_watts{uuid=df6e7a7c} 41.2"


@pytest.mark.parametrize("page", [NVIDIA_LANDING, DCGM_LANDING])
def test_a_landing_page_is_not_metrics(page: str) -> None:
    with pytest.raises(MetricsParseError) as caught:
        parse_metrics(page)
    assert caught.value.line_number == 1
    assert caught.value.line.startswith("<html")
    assert "invalid metric name" in caught.value.reason


def test_a_long_offending_line_is_shortened_when_quoted() -> None:
    with pytest.raises(MetricsParseError) as caught:
        parse_metrics("x" * 500 + " not-a-number\n")
    assert len(caught.value.line) == 513
    assert len(str(caught.value)) < 300


def test_an_empty_body_parses_to_no_samples() -> None:
    metrics = parse_metrics("")
    assert (metrics.samples, metrics.format, metrics.gpu_uuids) == (0, "unknown", ())


def test_another_exporter_is_told_apart() -> None:
    metrics = parse_metrics(NODE_EXPORTER)
    assert metrics.format == "unknown"
    assert metrics.gpu_uuids == () and metrics.uuid_label is None
    assert metrics.names_shown() == "node_load1, node_cpu_seconds_total"


def test_gpu_key_joins_both_spellings() -> None:
    assert gpu_key("GPU-1B77A84D-EA51-9545-0551-A98179D2A5CF") == gpu_key("1b77a84d-ea51-9545-0551-a98179d2a5cf")
    assert gpu_key(" GPU-abc ") == "abc"


def test_dcgm_exporter_s_last_xid_per_gpu_is_read_and_nvidia_gpu_exporter_serves_none() -> None:
    spec = replace(node(kind="dcgm-exporter"), unhealthy_gpus=(1,), unhealthy_xid=79)
    dcgm = parse_metrics(DcgmExporter(spec, time.time()).metrics_text(time.time()))
    assert dcgm.xid_series == "DCGM_FI_DEV_XID_ERRORS{UUID}"
    assert dcgm.xids == ((UUIDS[0], 0), (UUIDS[1], 79), (UUIDS[2], 0))
    nvidia = parse_metrics(served(kind="nvidia_gpu_exporter"))
    assert (nvidia.xid_series, nvidia.xids) == (None, ())
