"""The suite's options: one table, four sources (command line > environment > profile file > defaults).

Every option is a pytest command-line flag (``--vectoradd-image``), an environment variable
(``GPU_CONFORMANCE_VECTORADD_IMAGE``) and a key of the profile file given by ``--conformance-profile``
(``vectoradd-image:``). The effective values and where each came from are kept for the report.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from . import __version__, option_syntax
from .checks import LEVELS
from .errors import UsageError
from .levels import ALL_LEVELS, LEVEL_CHOICES, level_syntax
from .secret import mask_userinfo, url_with_secret

ENV_PREFIX = "GPU_CONFORMANCE_"
TUTORIAL_VECTORADD = "nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda10.2"
PROBE_IMAGE = f"ghcr.io/gpu-conformance/gpu-conformance:{__version__}"
DCGM_IMAGE = "nvcr.io/nvidia/cloud-native/dcgm:4.3.1-1-ubuntu22.04"
DCGM_LEVELS = ("0", "1", "2", "3")


def env_name(name: str) -> str:
    """The environment variable of an option name: "pod-timeout" -> GPU_CONFORMANCE_POD_TIMEOUT."""
    return ENV_PREFIX + name.replace("-", "_").upper()


@dataclass(frozen=True)
class Option:
    name: str  # the flag without dashes: "vectoradd-image"
    help: str
    default: Any = None
    kind: str = "str"  # str | bool | float | count | list | choice
    choices: tuple[str, ...] = ()
    field: str = ""  # the Settings field, when it differs from the name
    formerly: str = ""  # the name before a rename: still read (flag, environment, profile key), with a notice
    syntax: Callable[[str], str | None] | None = None  # None when a value (each item of a list) is well formed

    @property
    def attr(self) -> str:
        return self.field or self.name.replace("-", "_")

    @property
    def env(self) -> str:
        return env_name(self.name)


OPTIONS: tuple[Option, ...] = (
    Option("kubeconfig", "kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)"),
    Option("kube-context", "kubeconfig context (default: the current context)", field="context", formerly="context"),
    Option("in-cluster", "use the pod's service account (automatic inside a pod)", False, "bool"),
    Option("gpu-node", "check only this node (repeatable): the node-admission case", (), "list", field="node",
           formerly="node", syntax=option_syntax.dns1123_subdomain),
    Option("gpu-node-selector", "label selector marking GPU nodes, besides advertised GPUs and NFD/GFD labels",
           syntax=option_syntax.label_selector),
    Option("suite-namespace", "namespace for what the suite creates (created if missing)", "gpu-conformance",
           field="namespace", formerly="namespace", syntax=option_syntax.dns1123_label),
    Option("vectoradd-image", "CUDA vectoradd image (mirror it for air-gapped clusters)", TUTORIAL_VECTORADD,
           syntax=option_syntax.image),
    Option("probe-image", "image that runs `gpu-conformance probe` on each GPU node", PROBE_IMAGE,
           syntax=option_syntax.image),
    Option("pod-timeout", "seconds to wait for probe and workload pods", 300.0, "float", field="timeout",
           formerly="timeout"),
    Option("tolerate-taint", "extra taint to tolerate, key[=value][:Effect] (repeatable)", (), "list",
           field="tolerate", formerly="tolerate", syntax=option_syntax.taint),
    Option("runtime-policy", "'auto': GPU pods reach the NVIDIA runtime as the default, through native CDI (the "
           "plugin's cdi-cri strategy) or through the RuntimeClass the plugin uses (GPU Operator); 'default': it must "
           "be the default (the tutorial's wiring); 'runtimeclass': the default or RuntimeClass 'nvidia'", "auto",
           "choice", ("auto", "default", "runtimeclass")),
    Option("gpu-request", "how pods ask for GPUs: 'auto' (Dynamic Resource Allocation when the cluster serves "
           "resource.k8s.io and a ResourceSlice of driver gpu.nvidia.com exists, else the device plugin; both when "
           "nodes also advertise nvidia.com/gpu), 'device-plugin' (extended resources) or 'dra' (ResourceClaims); "
           "the checks of the way not in use are deselected", "auto", "choice", ("auto", "device-plugin", "dra")),
    Option("device-plugin-selector", "label selector of the device plugin's pods, when installed some other way",
           field="plugin_selector", formerly="plugin-selector", syntax=option_syntax.label_selector),
    Option("local-probe", "probe this machine instead of running probe pods (a gate run on the node)", False, "bool",
           field="local", formerly="local"),
    Option("keep-resources", "leave what the suite created in the cluster, for debugging", False, "bool"),
    Option("level", "run the checks of this level only: 'tutorial' (the tutorial's chain), 'hardening' (beyond "
           "it) or 'all'; the others are deselected", ALL_LEVELS, "choice", LEVEL_CHOICES),
    Option("admission-levels", "levels whose failures keep `gpu-conformance gate` from admitting the node "
           "(repeatable); failures of the other levels are reported, not blocking", LEVELS, "list",
           syntax=level_syntax),
    Option("dcgm-diag", "run DCGM's diagnostic `dcgmi diag -r N -j` on each GPU node, in a Job holding all its "
           "GPUs: 1 (software checks, seconds), 2 (+ memory and PCIe, about 2 minutes), 3 (+ stress, about 15 "
           "minutes); 0, the default, runs none", "0", "choice", DCGM_LEVELS),
    Option("dcgm-image", "DCGM image for --dcgm-diag (mirror it for air-gapped clusters)", DCGM_IMAGE,
           syntax=option_syntax.image),
    Option("perf", "run the bandwidth probes on each GPU node: CUDA samples' bandwidthTest (host<->device, all GPUs) "
           "and, on nodes with 2 or more GPUs, nccl-tests' all_reduce_perf, judged against --perf-floor of the GPU "
           "model's data-sheet bandwidth; needs --perf-image", False, "bool"),
    Option("perf-image", "image with bandwidthTest and all_reduce_perf on its PATH for --perf (NVIDIA publishes "
           "none: build one from nvidia/cuda:*-devel with cuda-samples and nccl-tests, and mirror it)",
           syntax=option_syntax.image),
    Option("perf-floor", "share of the data sheet's bandwidth a --perf probe must reach (0 to 1)", "0.5",
           syntax=option_syntax.share),
    Option("min-driver", "lowest NVIDIA driver version", "384.81", syntax=option_syntax.version),
    Option("min-toolkit", "lowest nvidia-container-toolkit version", "1.7.0", syntax=option_syntax.version),
    Option("min-nvidia-docker", "lowest nvidia-docker2 version, accepted instead of the toolkit", "2.0",
           syntax=option_syntax.version),
    Option("min-kubernetes", "lowest Kubernetes version", "1.10", syntax=option_syntax.version),
    Option("expected-gpu-nodes", "how many GPU nodes advertising GPUs the cluster must have; fewer fail "
           "CAPACITY-GPU-NODES, naming the nodes that look like GPU nodes but advertise none", kind="count"),
    Option("expected-gpus", "GPUs each GPU node must advertise, as NODE=COUNT (repeatable); "
           "default: what the node's probe saw", (), "list"),
    Option("exporter-url", "URL template of each GPU node's exporter; {ip} and {node} are filled in",
           "http://{ip}:9835/metrics", syntax=option_syntax.http_url),
    Option("exporter-selector", "label selector of exporter pods (e.g. app=nvidia-dcgm-exporter): scrape the "
           "pod on each GPU node instead of the node address; {ip} in --exporter-url is then the pod's IP",
           syntax=option_syntax.label_selector),
    Option("exporter-timeout", "seconds to wait for one exporter scrape (connect and read)", 5.0, "float"),
    Option("prometheus-config", "prometheus.yml to check with promtool and for GPU exporter targets",
           syntax=option_syntax.readable_file),
    Option("prometheus-url", "a live Prometheus: its targets and rules are checked", syntax=option_syntax.http_url),
    Option("grafana-url", "a live Grafana: Grafana dashboard 14574 is installed there and its Prometheus data source "
           "answers (TLS verified; a private CA through REQUESTS_CA_BUNDLE)", syntax=option_syntax.http_url),
    Option("grafana-token-env", "the environment variable holding a Grafana service account token for "
           "--grafana-url (its value is never shown)", "GRAFANA_TOKEN"),
    Option("alert-rules", "alert rule files to check (repeatable; default: the bundled GPU rules)", (), "list",
           field="rules", formerly="rules", syntax=option_syntax.readable_file),
    Option("alert-rule-tests", "promtool rule unit-test files to run besides the bundled ones (repeatable)", (),
           "list", field="rule_tests", formerly="rule-tests", syntax=option_syntax.readable_file),
    Option("promtool", "promtool binary (default: promtool on PATH)", "promtool"),
    Option("pushgateway", "Pushgateway URL: each run's results are pushed there as gpu_conformance_* metrics",
           syntax=option_syntax.http_url),
    Option("metrics-file", "write the results as gpu_conformance_* metrics to this file (node_exporter textfile "
           "collector, *.prom), replaced atomically"),
)
BY_NAME = {o.name: o for o in OPTIONS}
FORMERLY = {o.formerly: o for o in OPTIONS if o.formerly}


@dataclass(frozen=True)
class Settings:
    kubeconfig: str | None = None
    context: str | None = None
    in_cluster: bool = False
    node: tuple[str, ...] = ()
    gpu_node_selector: str | None = None
    namespace: str = "gpu-conformance"
    vectoradd_image: str = TUTORIAL_VECTORADD
    probe_image: str = PROBE_IMAGE
    timeout: float = 300.0
    tolerate: tuple[str, ...] = ()
    runtime_policy: str = "auto"
    gpu_request: str = "auto"
    plugin_selector: str | None = None
    local: bool = False
    keep_resources: bool = False
    level: str = ALL_LEVELS
    admission_levels: tuple[str, ...] = LEVELS
    min_driver: str = "384.81"
    min_toolkit: str = "1.7.0"
    min_nvidia_docker: str = "2.0"
    min_kubernetes: str = "1.10"
    expected_gpus: tuple[str, ...] = ()
    expected_gpu_nodes: int | None = None
    exporter_url: str = "http://{ip}:9835/metrics"
    exporter_selector: str | None = None
    exporter_timeout: float = 5.0
    prometheus_config: str | None = None
    prometheus_url: str | None = None
    grafana_url: str | None = None
    grafana_token_env: str = "GRAFANA_TOKEN"
    rules: tuple[str, ...] = ()
    rule_tests: tuple[str, ...] = ()
    promtool: str = "promtool"
    pushgateway: str | None = None
    metrics_file: str | None = None
    dcgm_diag: str = "0"
    dcgm_image: str = DCGM_IMAGE
    perf: bool = False
    perf_image: str | None = None
    perf_floor: str = "0.5"
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)  # option -> where its value came from
    notices: tuple[str, ...] = field(default=(), compare=False)  # former option names in use, and the new ones

    def expected_gpu_count(self, node: str) -> int | None:
        for entry in self.expected_gpus:
            name, _, count = entry.partition("=")
            if name == node:
                return int(count)
        return None

    def effective(self) -> dict[str, str]:
        """Every option's value and source, for the report's environment.

        URLs may carry passwords (--pushgateway, --prometheus-url): reports pass this through the run's redactor.
        """
        return {o.name: f"{getattr(self, o.attr)!r} ({self.sources.get(o.name, 'default')})" for o in OPTIONS}


def _convert(option: Option, raw: Any, where: str) -> Any:
    """Turn a raw value (a string from the environment, a YAML value, a CLI value) into the option's type."""
    def bad(expected: str, value: Any = raw) -> UsageError:
        shown = (mask_userinfo(value) if option.syntax is option_syntax.http_url else value) \
            if isinstance(value, str) else value
        return UsageError(f"{where}: {option.name}: expected {expected}, got {shown!r}")

    if option.kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off", ""):
            return False
        raise bad("true or false")
    if option.kind == "float":
        try:
            value = float(raw)
        except (TypeError, ValueError) as exc:
            raise bad("a number of seconds") from exc
        if value <= 0:
            raise bad("a positive number of seconds")
        return value
    if option.kind == "count":
        try:
            count = int(str(raw).strip())
        except ValueError:
            raise bad("a whole number") from None
        if count < 0:
            raise bad("a whole number, 0 or more")
        return count
    if option.kind == "list":
        items = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
        values = tuple(str(v).strip() for v in items if str(v).strip())
        if option.name == "expected-gpus" and not all(_node_count(v) for v in values):
            raise bad("NODE=COUNT entries")
        for item in values:
            problem = option.syntax(item) if option.syntax else None
            if problem:
                raise bad(problem, item)
        return values
    if not isinstance(raw, (str, int, float)) or isinstance(raw, bool):
        raise bad("a string")
    if option.kind == "choice" and str(raw) not in option.choices:
        raise bad(" or ".join(repr(c) for c in option.choices))
    problem = option.syntax(str(raw)) if option.syntax else None
    if problem:
        raise bad(problem)
    return url_with_secret(str(raw))


def _node_count(entry: str) -> bool:
    name, sep, count = entry.partition("=")
    return bool(name and sep and count.isdigit())


def load_profile(path: Path) -> dict[str, Any]:
    """The profile file's options; one-line UsageError naming the file and the problem."""
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise UsageError(f"--conformance-profile {path}: cannot read: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise UsageError(f"{path}{line}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a mapping of option names to values")
    unknown = sorted(str(k) for k in data if str(k).replace("_", "-") not in BY_NAME.keys() | FORMERLY.keys())
    if unknown:
        raise UsageError(f"{path}: unknown option {unknown[0]!r} (known: {', '.join(sorted(BY_NAME))})")
    return {str(k).replace("_", "-"): v for k, v in data.items()}


def _formerly(option: Option, lookup: Callable[[str], Any], old: str, new: str, notices: list[str]) -> Any:
    """The value given under the option's former name (``old``, found by ``lookup``), noting the ``new`` one."""
    raw = lookup(option.formerly)
    if raw is not None:
        notices.append(f"{old} is deprecated: use {new}")
    return raw


def resolve(cli: Mapping[str, Any], environ: Mapping[str, str] = os.environ,
            profile: Path | None = None) -> Settings:
    """Settings from the command line (None = not given), the environment, the profile file, the defaults."""
    from_file = load_profile(profile) if profile is not None else {}
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    notices: list[str] = []

    def from_environ(o: Option) -> Any:
        if o.env in environ or not o.formerly:
            return environ.get(o.env)
        return _formerly(o, lambda n: environ.get(env_name(n)), f"${env_name(o.formerly)}", f"${o.env}", notices)

    def from_profile(o: Option) -> Any:
        if o.name in from_file or not o.formerly:
            return from_file.get(o.name)
        return _formerly(o, from_file.get, f"{profile}: {o.formerly}", o.name, notices)

    layers: tuple[tuple[str, Callable[[Option], Any]], ...] = (
        ("command line", lambda o: cli.get(o.attr)),
        ("environment", from_environ),
        (f"profile {profile}", from_profile),
    )
    for option in OPTIONS:
        for where, lookup in layers:
            raw = lookup(option)
            if raw is None or raw == () or raw == []:
                continue
            label = f"{where} ${option.env}" if where == "environment" else where
            values[option.attr] = _convert(option, raw, label)
            sources[option.name] = label
            break
    if "in_cluster" not in values and not values.get("kubeconfig") and environ.get("KUBERNETES_SERVICE_HOST"):
        values["in_cluster"], sources["in-cluster"] = True, "automatic: running in a pod"
    known = {f.name for f in fields(Settings)}
    settings = Settings(**{k: v for k, v in values.items() if k in known}, sources=sources, notices=tuple(notices))
    _check_exporter_url(settings)
    _check_perf_image(settings)
    return settings


def _check_exporter_url(settings: Settings) -> None:
    """A template without {ip} or {node} scrapes one address for every node: right for one node only."""
    url = settings.exporter_url
    if "{ip}" not in url and "{node}" not in url and len(settings.node) != 1:
        where = settings.sources.get("exporter-url", "default")
        raise UsageError(f"{where}: exporter-url: {url!r} names neither {{ip}} nor {{node}}, so every GPU node "
                         "would be scraped at that one address; put {ip} (or {node}) in it, or check one node "
                         "with --gpu-node")


def _check_perf_image(settings: Settings) -> None:
    """--perf runs tools no public image is known to carry together: the image must be named."""
    if settings.perf and not settings.perf_image:
        where = settings.sources.get("perf", "default")
        raise UsageError(f"{where}: perf: needs --perf-image, an image with CUDA samples' bandwidthTest and "
                         "nccl-tests' all_reduce_perf on its PATH (NVIDIA publishes none: build one from "
                         "nvidia/cuda:*-devel)")
