"""MON-DASHBOARD-METRICS on scrapes built line by line: panels left empty fail, documented absences are named."""

from __future__ import annotations

import pytest

from gpu_conformance.checks import MON_DASHBOARD_METRICS
from gpu_conformance.monitoring.bundled import DASHBOARD
from gpu_conformance.monitoring.dashboard import Dashboard, dashboard_from_model, load_dashboard
from gpu_conformance.requirements.dashboard import dashboard_metrics_served
from tests.monitoring.test_exporters_requirements import URL, dcgm_body, scraped
from tests.requirements.builders import gpu_node

UUID = "868d62cf-0000-0000-0000-000000000000"
CORE = ("nvidia_smi_index", "nvidia_smi_gpu_info", "nvidia_smi_temperature_gpu", "nvidia_smi_pstate")


def body(*names: str) -> str:
    return "".join(f'{name}{{uuid="{UUID}"}} 1\n' for name in names)


def dashboard() -> Dashboard:
    model = {"uid": "vlvPlrgnk", "title": "Nvidia GPU Metrics",
             "templating": {"list": [{"type": "query", "name": "gpu",
                                      "query": {"query": "label_values(nvidia_smi_index, uuid)"}}]},
             "panels": [{"title": "Temperature", "targets": [{"expr": 'nvidia_smi_temperature_gpu{uuid="$gpu"}'}]},
                        {"title": "P-State", "targets": [{"expr": 'nvidia_smi_pstate{uuid="$gpu"}'}]},
                        {"title": "Recovery Action", "targets": [{"expr": "nvidia_smi_gpu_recovery_action"}]},
                        {"title": "XID Errors by Code", "targets": [{"expr": "nvidia_smi_xid_errors_total"}]},
                        {"title": "Fan", "targets": [{"expr": "sum(nvidia_smi_fan_speed_ratio) or "
                                                              "sum(nvidia_smi_gpu_info) * 0 - 1"}]}]}
    return dashboard_from_model(model, "dashboard.json")


def test_every_panel_with_data_passes() -> None:
    verdict = dashboard_metrics_served(gpu_node(), scraped(body(*CORE, "nvidia_smi_gpu_recovery_action",
                                                                "nvidia_smi_xid_errors_total")), dashboard())
    assert verdict.ok and not verdict.skip
    assert verdict.message == (f"found data for 6 of 6 panels and variables of dashboard 'Nvidia GPU Metrics' "
                               f"(uid vlvPlrgnk) at {URL}")


def test_panels_the_exporter_documents_as_conditional_are_named_not_failed() -> None:
    verdict = dashboard_metrics_served(gpu_node(), scraped(body(*CORE)), dashboard())
    assert verdict.ok and not verdict.skip
    assert ("data for 4 of 6 panels and variables of dashboard 'Nvidia GPU Metrics' (uid vlvPlrgnk); may stay empty, "
            "as nvidia_gpu_exporter documents: 'Recovery Action' (need nvidia_gpu_exporter v1.11.0 on, with a driver "
            "that reports gpu_recovery_action); 'XID Errors by Code' (need the NVML backend (v1.12.0 on), after a "
            "GPU's first Xid)") in verdict.message


def test_a_panel_without_a_series_every_exporter_serves_fails_naming_it() -> None:
    verdict = dashboard_metrics_served(gpu_node(), scraped(body("nvidia_smi_index", "nvidia_smi_gpu_info")),
                                       dashboard())
    assert not verdict.ok and not verdict.skip
    assert verdict.message.startswith(
        "[MON-DASHBOARD-METRICS] found 2 panels of dashboard 'Nvidia GPU Metrics' (uid vlvPlrgnk) without data: "
        f"'Temperature' (nvidia_smi_temperature_gpu), 'P-State' (nvidia_smi_pstate) at {URL}, expected every series "
        "the dashboard reads for every GPU served (bundled from dashboard.json); fix: run nvidia_gpu_exporter with "
        "its default --query-field-names=AUTO")
    assert "Recovery Action" not in verdict.message


def test_an_empty_gpu_picker_fails_as_a_panel() -> None:
    verdict = dashboard_metrics_served(gpu_node(), scraped(body(*CORE[1:])), dashboard())
    assert "without data: 'variable $gpu' (nvidia_smi_index)" in verdict.message


@pytest.mark.parametrize(("text", "reason"), [
    (dcgm_body(), "the exporter of node k8s-node05 is dcgm-exporter, and dashboard 'Nvidia GPU Metrics' (uid "
                  "vlvPlrgnk) reads nvidia_gpu_exporter's nvidia_smi_* series: not judged"),
    ("nvidia_smi_command_exit_code 9\n", "the exporter of node k8s-node05 reports no GPU: see MON-EXPORTER-GPUS"),
])
def test_what_the_dashboard_cannot_be_judged_on_is_skipped(text: str, reason: str) -> None:
    verdict = dashboard_metrics_served(gpu_node(), scraped(text), dashboard())
    assert verdict.skip and verdict.message == f"[{MON_DASHBOARD_METRICS.id}] {reason}"


def test_no_answer_is_skipped_pointing_at_the_exporter_check() -> None:
    verdict = dashboard_metrics_served(gpu_node(), scraped(status=None, error="connection refused"), dashboard())
    assert verdict.skip and "see MON-EXPORTER-UP" in verdict.message


def test_the_bundled_dashboard_on_a_pre_2026_exporter_names_its_new_panels() -> None:
    """nvidia_gpu_exporter v1.2.0's AUTO series (2023) on a GeForce: the v1.11.0+ and NVML panels may stay empty."""
    v1_2 = ("nvidia_smi_index", "nvidia_smi_gpu_info", "nvidia_smi_pstate", "nvidia_smi_compute_mode",
            "nvidia_smi_utilization_gpu_ratio", "nvidia_smi_utilization_memory_ratio", "nvidia_smi_power_draw_watts",
            "nvidia_smi_enforced_power_limit_watts", "nvidia_smi_fan_speed_ratio", "nvidia_smi_temperature_gpu",
            "nvidia_smi_memory_used_bytes", "nvidia_smi_memory_total_bytes",
            *(f"nvidia_smi_clocks_{kind}_{clock}_clock_hz" for kind in ("current", "max")
              for clock in ("graphics", "sm", "memory", "video")),
            *(f"nvidia_smi_clocks_throttle_reasons_{r}" for r in (
                "gpu_idle", "applications_clocks_setting", "sw_power_cap", "hw_slowdown", "hw_thermal_slowdown",
                "hw_power_brake_slowdown", "sw_thermal_slowdown", "sync_boost")))
    build = 'nvidia_gpu_exporter_build_info{branch="HEAD",goversion="go1.20",revision="x",version="1.2.0"} 1\n'
    verdict = dashboard_metrics_served(gpu_node(), scraped(body(*v1_2) + build), load_dashboard(DASHBOARD))
    assert verdict.ok and not verdict.skip, verdict.message
    assert "as nvidia_gpu_exporter documents (this node runs v1.2.0): 'Recovery Action' (need" in verdict.message
    for panel in ("'Recovery Action'", "'Fabric State'", "'GPU Processes'", "'MIG Memory Used'", "'PCIe Throughput'"):
        assert panel in verdict.message
