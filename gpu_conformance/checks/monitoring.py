"""The monitoring checks: the GPU exporter and Prometheus's scrape of it."""

from __future__ import annotations

from . import tutorial_sections as sections
from .model import Check

MON_EXPORTER_UP = Check(
    "MON-EXPORTER-UP", "monitoring", "GPU exporter answers on the node",
    "the node's GPU exporter (nvidia_gpu_exporter on :9835, or dcgm-exporter on :9400) answers GET /metrics "
    "with HTTP 200 and a Prometheus text body",
    "run the exporter on the node (tutorial: `/usr/local/gpu-exporter/nvidia_gpu_exporter &`; better a systemd "
    "unit or a DaemonSet) listening on :9835 and reachable from Prometheus: `curl http://NODE_IP:9835/metrics`; "
    "for another exporter pass --exporter-url (e.g. http://{ip}:9400/metrics) or --exporter-selector",
    severity="critical", tutorial=sections.MONITORING,
    depends_on=("NODE-READY",),
    level="tutorial",
)
MON_EXPORTER_GPUS = Check(
    "MON-EXPORTER-GPUS", "monitoring", "GPU exporter reports every GPU of the node",
    "the exporter reports one series per GPU of the node (distinct uuid/UUID labels), as many as the node has",
    "`nvidia-smi` must succeed on the node (nvidia_gpu_exporter runs it on every scrape; when it fails only "
    "nvidia_smi_failed_scrapes_total and nvidia_smi_command_exit_code remain); `nvidia-smi -L` lists the GPUs "
    "the exporter should see; restart the exporter after GPU or driver changes",
    severity="critical", tutorial=sections.MONITORING,
    depends_on=("MON-EXPORTER-UP", "PRE-DRIVER"),
    level="tutorial",
)
MON_EXPORTER_DRIVER = Check(
    "MON-EXPORTER-DRIVER", "monitoring", "GPU exporter's driver version is the node's",
    "where the exporter reports driver_version, it equals the driver loaded on the node",
    "the exporter sees another driver than the node loads: restart it after a driver upgrade (and reboot the "
    "node if the old kernel module is still loaded), and check that --exporter-url reaches this node's exporter",
    severity="normal", tutorial=sections.MONITORING,
    depends_on=("MON-EXPORTER-UP", "PRE-DRIVER"),
    level="tutorial",
)
MON_DASHBOARD_METRICS = Check(
    "MON-DASHBOARD-METRICS", "monitoring", "the tutorial's Grafana dashboard has data for the node",
    "every series Grafana dashboard 14574 (nvidia_gpu_exporter's Nvidia GPU Metrics, bundled as "
    "monitoring/grafana/nvidia-gpu-metrics-14574.json) reads is served by the node's nvidia_gpu_exporter: no panel "
    "is left empty but those the exporter documents as needing a newer release, its NVML backend, an option or "
    "hardware (named)",
    "run nvidia_gpu_exporter with its default --query-field-names=AUTO (a field list leaves out every other "
    "nvidia-smi field's series), or add the nvidia-smi fields of the missing series to the list; "
    "`nvidia-smi --help-query-gpu` lists what the driver offers",
    severity="normal", tutorial=sections.MONITORING,
    depends_on=("MON-EXPORTER-UP",),
    level="tutorial",
)


MON_PROM_CONFIG_VALID = Check(
    "MON-PROM-CONFIG-VALID", "monitoring", "prometheus.yml passes promtool check config",
    "the Prometheus configuration given with --prometheus-config loads (`promtool check config FILE`)",
    "fix the line promtool names (the tutorial writes `lables:` where Prometheus reads `labels:`); see "
    "monitoring/prometheus/gpu-scrape.yml for a corrected scrape job",
    severity="critical", tutorial=sections.MONITORING,
    level="tutorial", reads_option="prometheus-config",
)
MON_PROM_TARGETS = Check(
    "MON-PROM-TARGETS", "monitoring", "every GPU node's exporter is a scrape target",
    "each GPU node's exporter address (--exporter-url) is a target of some scrape job in prometheus.yml",
    "add `'ADDRESS:9835'` to the `targets:` of the gpu-exporter job's static_configs (tutorial: "
    "在prometheus.yml中添加exporter地址), then reload Prometheus (`kill -HUP` or POST /-/reload)",
    severity="critical", tutorial=sections.MONITORING,
    depends_on=("MON-PROM-CONFIG-VALID",),
    level="tutorial", reads_option="prometheus-config",
)
MON_PROM_LIVE_TARGETS_UP = Check(
    "MON-PROM-LIVE-TARGETS-UP", "monitoring", "Prometheus scrapes every GPU node's exporter",
    "the live Prometheus (--prometheus-url) lists each GPU node's exporter in /api/v1/targets with health up",
    "open Prometheus' Status > Targets page: a missing target needs the scrape job (MON-PROM-TARGETS) and a "
    "reload; a down one shows lastError (exporter not running, firewall, wrong port)",
    severity="critical", tutorial=sections.MONITORING,
    depends_on=("MON-PROM-TARGETS", "MON-EXPORTER-UP"),
    level="tutorial", reads_option="prometheus-url",
)
MON_PROM_LIVE_RULES = Check(
    "MON-PROM-LIVE-RULES", "monitoring", "Prometheus has the GPU alert rules loaded and healthy",
    "the live Prometheus lists the GPU alert rule groups in /api/v1/rules, each rule with health ok",
    "list the rule file under `rule_files:` in prometheus.yml, `promtool check rules` it, reload Prometheus; "
    "a rule with health err shows lastError on Status > Rules",
    severity="normal", tutorial=sections.MONITORING,
    depends_on=("MON-PROM-CONFIG-VALID", "RULES-VALID"),
    level="tutorial", reads_option="prometheus-url",
)
MON_GRAFANA_DASHBOARD = Check(
    "MON-GRAFANA-DASHBOARD", "monitoring", "Grafana shows the GPU dashboard from a live Prometheus",
    "the Grafana at --grafana-url has dashboard 14574 (uid vlvPlrgnk, or titled Nvidia GPU Metrics) installed, "
    "and the Prometheus data source it reads answers Grafana's health check",
    "import the dashboard (Dashboards > New > Import, ID 14574, or monitoring/grafana/nvidia-gpu-metrics-14574.json) "
    "choosing the Prometheus data source; a failing data source: Connections > Data sources > Prometheus, fix its "
    "URL to the Prometheus that scrapes the exporters, then Save & test",
    severity="normal", tutorial=sections.MONITORING,
    level="tutorial", reads_option="grafana-url",
)
