"""The catalogue: stable ids, one check per requirement function, wording the verdicts reuse."""

from __future__ import annotations

import pytest

from gpu_conformance import checks
from gpu_conformance.checks import CHECKS, by_id
from gpu_conformance.read_options import missing_option
from gpu_conformance.settings import Settings

IDS = ("NODE-READY", "PRE-K8S-VERSION", "PRE-KUBELET-VERSION", "PRE-DRIVER", "PRE-TOOLKIT", "PRE-RUNTIME-DEFAULT",
       "CDI-SPEC", "PLUGIN-DEPLOYED", "PLUGIN-DAEMONSET-READY", "PLUGIN-POD-READY", "CAPACITY-GPU-NODES",
       "CAPACITY-ADVERTISED",
       "CAPACITY-MATCHES-GPUS", "HEALTH-ALLOCATABLE", "HEALTH-XID", "HEALTH-FABRIC", "HEALTH-CGROUP-DEVICES",
       "DRA-API", "DRA-DEVICECLASS", "DRA-DRIVER-READY", "DRA-SLICES-MATCH-GPUS", "DRA-DEVICES-HEALTHY",
       "DRA-VECTORADD",
       "WORKLOAD-VECTORADD", "WORKLOAD-DRIVER-FITS-IMAGE", "DIAG-DCGM", "PERF-BANDWIDTH", "PERF-NCCL",
       "SEC-NO-REQUEST-NO-GPU", "SEC-ENV-NO-GPU", "SEC-CONTAINER-ISOLATION", "SEC-POD-ISOLATION",
       "DRA-SECURE-ACCESS",
       "MON-EXPORTER-UP", "MON-EXPORTER-GPUS", "MON-EXPORTER-DRIVER", "MON-DASHBOARD-METRICS",
       "MON-PROM-CONFIG-VALID", "MON-PROM-TARGETS", "MON-PROM-LIVE-TARGETS-UP", "MON-PROM-LIVE-RULES",
       "MON-GRAFANA-DASHBOARD",
       "RULES-VALID", "RULES-UNIT-TESTS", "RULES-CAN-FIRE", "RULES-METRICS-EXIST")


def test_ids_are_the_stable_ones_in_order() -> None:
    assert tuple(c.id for c in CHECKS) == IDS


@pytest.mark.parametrize("check_id", IDS)
def test_by_id_and_module_constant_agree(check_id: str) -> None:
    check = by_id(check_id)
    assert getattr(checks, check_id.replace("-", "_")) is check
    assert check.area == {"NODE": "prerequisites", "PRE": "prerequisites", "CDI": "prerequisites",
                          "PLUGIN": "device-plugin", "CAPACITY": "capacity", "DRA": "dra", "WORKLOAD": "workload",
                          "SEC": "isolation", "HEALTH": "health", "MON": "monitoring",
                          "RULES": "alert-rules", "DIAG": "diagnostics", "PERF": "diagnostics"}[check_id.split("-")[0]]
    assert check.title_template and "\n" not in check.title_template
    assert check.requirement_template and check.remediation and check.tutorial


def test_unknown_id_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match=r"unknown check 'PRE-GPU'.*PRE-K8S-VERSION, PRE-KUBELET-VERSION"):
        by_id("PRE-GPU")


def test_remediations_carry_the_tutorials_commands() -> None:
    assert "yum install -y nvidia-container-toolkit" in by_id("PRE-TOOLKIT").remediation
    assert "apt-get install -y nvidia-container-toolkit" in by_id("PRE-TOOLKIT").remediation
    assert ("kubectl create -f https://raw.githubusercontent.com/NVIDIA/k8s-device-plugin/v0.14.3/"
            "nvidia-device-plugin.yml") in by_id("PLUGIN-DEPLOYED").remediation
    assert 'default_runtime_name = "nvidia"' in by_id("PRE-RUNTIME-DEFAULT").remediation
    assert "systemctl restart docker" in by_id("PRE-RUNTIME-DEFAULT").remediation


def test_only_the_image_fit_is_minor() -> None:
    assert [c.id for c in CHECKS if c.severity == "minor"] == ["WORKLOAD-DRIVER-FITS-IMAGE"]
    assert by_id("PRE-DRIVER").severity == "blocker"


def test_checks_reading_an_option_are_skipped_without_it_naming_it() -> None:
    reading = {c.id: c.reads_option for c in CHECKS if c.reads_option}
    assert reading == {"MON-PROM-CONFIG-VALID": "prometheus-config", "MON-PROM-TARGETS": "prometheus-config",
                       "MON-PROM-LIVE-TARGETS-UP": "prometheus-url", "MON-PROM-LIVE-RULES": "prometheus-url",
                       "MON-GRAFANA-DASHBOARD": "grafana-url"}
    given = Settings(prometheus_config="prometheus.yml", prometheus_url="http://127.0.0.1:9090",
                     grafana_url="http://127.0.0.1:3000")
    for check in CHECKS:
        assert missing_option(check, given) is None
        assert missing_option(check, Settings()) == (f"no --{check.reads_option} given" if check.reads_option
                                                     else None)
