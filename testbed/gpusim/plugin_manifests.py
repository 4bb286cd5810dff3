"""The device plugin as each install style deploys it: the DaemonSets (and their ServiceAccounts) a
static manifest, the Helm chart (with GPU Feature Discovery beside it), the GPU Operator or GKE creates.

The host's /var/run/cdi (volume ``cdi-root``, DirectoryOrCreate), where a CDI-mode plugin saves its spec, is
mounted by the GPU Operator's plugin (assets/state-device-plugin/0500_daemonset.yaml) and the Helm chart's from
v0.15.0 (deployments/helm/nvidia-device-plugin/templates/daemonset-device-plugin.yml), not by the static
manifest (deployments/static/nvidia-device-plugin.yml)."""

from __future__ import annotations

from typing import Any

from . import defaults
from .model import Scenario
from .plugin_versions import HELM_CDI_ROOT_SINCE, plugin_release
from .resources import DAEMONSET, SERVICEACCOUNT
from .store import Obj

NFD_NVIDIA = "feature.node.kubernetes.io/pci-10de.present"
_SOCKETS = "/var/lib/kubelet/device-plugins"


def _daemonset(
    namespace: str, name: str, labels: dict[str, str], selector: dict[str, str], pod_spec: dict[str, Any]
) -> Obj:
    daemonset: Obj = {
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": labels,
            "annotations": {"deprecated.daemonset.template.generation": "1"},
        },
        "spec": {
            "selector": {"matchLabels": selector},
            "template": {"metadata": {"labels": dict(selector)}, "spec": pod_spec},
        },
    }
    defaults.apply_defaults(DAEMONSET, daemonset, creating=True)
    return daemonset


def _plugin_container(
    name: str, image: str, scenario: Scenario, command: list[str] | None = None
) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": name,
        "image": image,
        "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
        "volumeMounts": [{"name": "device-plugin", "mountPath": _SOCKETS}],
    }
    if command:
        container["command"] = command
    env = []
    if not scenario.device_plugin.fail_on_init_error:
        env.append({"name": "FAIL_ON_INIT_ERROR", "value": "false"})
    strategy = scenario.device_plugin.device_list_strategy
    if strategy != ("envvar",):  # the plugin's default; the manifests and the chart leave it unset then
        env.append({"name": "DEVICE_LIST_STRATEGY", "value": ",".join(strategy)})
    if scenario.device_plugin.device_id_strategy != "uuid":
        env.append({"name": "DEVICE_ID_STRATEGY", "value": scenario.device_plugin.device_id_strategy})
    if env:
        container["env"] = env
    if "volume-mounts" in strategy:
        # The Helm chart's securityContext helper: SYS_ADMIN when the strategy includes volume-mounts, since the
        # toolkit then takes the plugin for privileged and hands it every GPU by its NVIDIA_VISIBLE_DEVICES=all
        # even where unprivileged containers' env var is refused (accept-...-envvar-when-unprivileged=false).
        container["securityContext"] = {"capabilities": {"add": ["SYS_ADMIN"]}}
    return container


_GPU_TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
_SOCKET_VOLUME = {"name": "device-plugin", "hostPath": {"path": _SOCKETS, "type": ""}}
_CDI_ROOT_VOLUME = {"name": "cdi-root", "hostPath": {"path": "/var/run/cdi", "type": "DirectoryOrCreate"}}
_CDI_ROOT_MOUNT = {"name": "cdi-root", "mountPath": "/var/run/cdi"}


def _with_cdi_root(container: dict[str, Any]) -> dict[str, Any]:
    return {**container, "volumeMounts": [*container.get("volumeMounts", []), dict(_CDI_ROOT_MOUNT)]}


def _required(*terms: tuple[str, str, list[str]]) -> dict[str, Any]:
    return {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchExpressions": [{"key": k, "operator": op, **({"values": v} if v else {})}]}
                    for k, op, v in terms
                ]
            }
        }
    }


def plugin_objects(scenario: Scenario) -> list[tuple[Any, Obj]]:
    """The device plugin install the scenario's DevicePluginSetup describes, its pods with the RuntimeClass
    the setup names."""
    objects = _plugin_objects(scenario)
    name = scenario.device_plugin.runtime_class_name
    for kind, obj in objects:
        if kind == DAEMONSET:
            template = obj["spec"]["template"]["spec"]
            if template.get("runtimeClassName") != name:
                template.pop("runtimeClassName", None)
                if name is not None:
                    template["runtimeClassName"] = name
    return objects


def _plugin_objects(scenario: Scenario) -> list[tuple[Any, Obj]]:
    setup = scenario.device_plugin
    image = f"nvcr.io/nvidia/k8s-device-plugin:{setup.version}"
    if setup.style == "static":
        spec: dict[str, Any] = {
            "tolerations": [_GPU_TOLERATION],
            "priorityClassName": "system-node-critical",
            "containers": [_plugin_container("nvidia-device-plugin-ctr", image, scenario)],
            "volumes": [_SOCKET_VOLUME],
        }
        selector = {"name": "nvidia-device-plugin-ds"}
        return [(DAEMONSET, _daemonset("kube-system", "nvidia-device-plugin-daemonset", {}, selector, spec))]
    if setup.style == "helm":
        return _helm(scenario, image)
    if setup.style == "gpu-operator":
        return _operator(scenario, image)
    if setup.style == "gke":
        spec = {
            "priorityClassName": "system-node-critical",
            "affinity": _required(("cloud.google.com/gke-accelerator", "Exists", [])),
            "tolerations": [
                {"operator": "Exists", "effect": "NoExecute"},
                {"operator": "Exists", "effect": "NoSchedule"},
            ],
            "containers": [
                _plugin_container(
                    "nvidia-gpu-device-plugin",
                    f"gke.gcr.io/nvidia-gpu-device-plugin:{setup.version}",
                    scenario,
                    ["/usr/bin/nvidia-gpu-device-plugin", "-logtostderr"],
                )
            ],
            "volumes": [_SOCKET_VOLUME],
        }
        selector = {"k8s-app": "nvidia-gpu-device-plugin"}
        labels = {**selector, "addonmanager.kubernetes.io/mode": "Reconcile"}
        return [(DAEMONSET, _daemonset("kube-system", "nvidia-gpu-device-plugin", labels, selector, spec))]
    return []


def _helm(scenario: Scenario, image: str) -> list[tuple[Any, Obj]]:
    namespace, release = "nvidia-device-plugin", "nvdp"
    version = scenario.device_plugin.version.lstrip("v")
    selector = {"app.kubernetes.io/name": "nvidia-device-plugin", "app.kubernetes.io/instance": release}
    labels = {
        "helm.sh/chart": f"nvidia-device-plugin-{version}",
        **selector,
        "app.kubernetes.io/version": version,
        "app.kubernetes.io/managed-by": "Helm",
    }
    account = f"{release}-nvidia-device-plugin-service-account"
    common = {
        "priorityClassName": "system-node-critical",
        "serviceAccountName": account,
        "affinity": _required(
            (NFD_NVIDIA, "In", ["true"]),
            ("feature.node.kubernetes.io/cpu-model.vendor_id", "In", ["NVIDIA"]),
            ("nvidia.com/gpu.present", "In", ["true"]),
        ),
        "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}, _GPU_TOLERATION],
    }
    container = _plugin_container("nvidia-device-plugin-ctr", image, scenario, ["nvidia-device-plugin"])
    cdi_root = plugin_release(scenario.device_plugin.version) >= HELM_CDI_ROOT_SINCE
    plugin = {
        **common,
        "containers": [_with_cdi_root(container) if cdi_root else container],
        "volumes": [_SOCKET_VOLUME, *([_CDI_ROOT_VOLUME] if cdi_root else [])],
    }
    objects: list[tuple[Any, Obj]] = [
        (SERVICEACCOUNT, {"metadata": {"name": account, "namespace": namespace, "labels": labels}}),
        (DAEMONSET, _daemonset(namespace, f"{release}-nvidia-device-plugin", labels, selector, plugin)),
    ]
    if scenario.device_plugin.gfd:
        gfd = {
            **common,
            "containers": [_gfd_container("gpu-feature-discovery-ctr", image, scenario)],
            "volumes": [
                {
                    "name": "output-dir",
                    "hostPath": {
                        "path": "/etc/kubernetes/node-feature-discovery/features.d",
                        "type": "DirectoryOrCreate",
                    },
                }
            ],
        }
        objects.append(
            (
                DAEMONSET,
                _daemonset(
                    namespace, f"{release}-nvidia-device-plugin-gpu-feature-discovery", labels, selector, gfd
                ),
            )
        )
    return objects


def _gfd_container(name: str, image: str, scenario: Scenario) -> dict[str, Any]:
    container = _gfd_base(name, image, scenario)
    if "volume-mounts" in scenario.device_plugin.device_list_strategy:  # the chart's helper, as for the plugin
        container["securityContext"] = {"capabilities": {"add": ["SYS_ADMIN"]}}
    return container


def _gfd_base(name: str, image: str, scenario: Scenario) -> dict[str, Any]:
    return {
        "name": name,
        "image": image,
        "command": ["gpu-feature-discovery"],
        "env": [
            {"name": "MIG_STRATEGY", "value": scenario.device_plugin.mig_strategy},
            {"name": "FAIL_ON_INIT_ERROR", "value": str(scenario.device_plugin.fail_on_init_error).lower()},
        ],
        "volumeMounts": [
            {"name": "output-dir", "mountPath": "/etc/kubernetes/node-feature-discovery/features.d"}
        ],
    }


def _operator_plugin_container(scenario: Scenario, image: str) -> dict[str, Any]:
    """The operator's plugin container (assets/state-device-plugin: privileged); with CDI strategies the env
    controllers/object_controls.go transformDevicePluginCtrForCDI sets."""
    container = _plugin_container("nvidia-device-plugin", image, scenario, ["nvidia-device-plugin"])
    container["securityContext"] = {"privileged": True}
    strategy = scenario.device_plugin.device_list_strategy
    if any(s.startswith("cdi-") for s in strategy):
        env = [e for e in container.get("env") or [] if e["name"] != "DEVICE_LIST_STRATEGY"]
        container["env"] = [*env, {"name": "CDI_ENABLED", "value": "true"},
                            {"name": "DEVICE_LIST_STRATEGY", "value": ",".join(strategy)},
                            {"name": "CDI_ANNOTATION_PREFIX", "value": "cdi.k8s.io/"},
                            {"name": "NVIDIA_CDI_HOOK_PATH", "value": "/usr/local/nvidia/toolkit/nvidia-cdi-hook"}]
    return container


def _operator(scenario: Scenario, image: str) -> list[tuple[Any, Obj]]:
    namespace = "gpu-operator"
    objects: list[tuple[Any, Obj]] = []
    for app, deploy, container in (
        (
            "nvidia-device-plugin-daemonset",
            "device-plugin",
            _operator_plugin_container(scenario, image),
        ),
        (
            "gpu-feature-discovery",
            "gpu-feature-discovery",
            {**_gfd_container("gpu-feature-discovery", image, scenario), "securityContext": {"privileged": True}},
        ),
    ):
        spec: dict[str, Any] = {
            "priorityClassName": "system-node-critical",
            "runtimeClassName": "nvidia",
            "serviceAccountName": app.replace("-daemonset", ""),
            "tolerations": [_GPU_TOLERATION],
            "nodeSelector": {f"nvidia.com/gpu.deploy.{deploy}": "true"},
            "containers": [_with_cdi_root(container) if deploy == "device-plugin" else container],
            "volumes": [
                _SOCKET_VOLUME,
                {
                    "name": "output-dir",
                    "hostPath": {"path": "/etc/kubernetes/node-feature-discovery/features.d", "type": ""},
                },
                *([_CDI_ROOT_VOLUME] if deploy == "device-plugin" else []),
            ],
        }
        selector = {"app": app}
        labels = {**selector, "app.kubernetes.io/managed-by": "gpu-operator", "helm.sh/chart": "gpu-operator"}
        objects.append((DAEMONSET, _daemonset(namespace, app, labels, selector, spec)))
    return objects


