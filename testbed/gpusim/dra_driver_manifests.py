"""NVIDIA's DRA driver for GPUs as its Helm chart installs it (kubernetes-sigs/dra-driver-nvidia-gpu v25.12.0,
deployments/helm/nvidia-dra-driver-gpu, release ``nvidia-dra-driver-gpu``, values
``resources.computeDomains.enabled=false``): the kubelet-plugin DaemonSet (templates/kubeletplugin.yaml, its
init container running kubelet-plugin-prestart.sh and its ``gpus`` container), its ServiceAccount, ClusterRole
and ClusterRoleBinding (templates/rbac-kubeletplugin.yaml) and the DeviceClasses (templates/deviceclass-*.yaml).
The chart deploys the controller Deployment only for compute domains, so not here.
"""

from __future__ import annotations

from typing import Any

from .api.served import served_apis
from .model import DraDriverSetup, Scenario
from .plugin_manifests import _daemonset, _required
from .resources import CLUSTERROLE, CLUSTERROLEBINDING, DAEMONSET, DEVICECLASS, SERVICEACCOUNT
from .store import Obj

DRIVER = "gpu.nvidia.com"
RELEASE = "nvidia-dra-driver-gpu"  # the chart's name, and the release name its docs install it as
DAEMONSET_NAME = f"{RELEASE}-kubelet-plugin"
SERVICE_ACCOUNT = f"{RELEASE}-service-account-kubeletplugin"
IMAGE = "nvcr.io/nvidia/k8s-dra-driver-gpu"
CLUSTER_ROLE = f"{RELEASE}-clusterrole-kubeletplugin"
# templates/rbac-kubeletplugin.yaml (its namespaced Role for compute-domain cliques is left out with them)
_RULES = [
    {"apiGroups": ["resource.nvidia.com"], "resources": ["computedomains"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": ["resource.k8s.io"], "resources": ["resourceclaims"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": ["resource.k8s.io"], "resources": ["resourceslices"],
     "verbs": ["get", "list", "watch", "create", "update", "delete"]},
    {"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list", "watch", "update"]},
    {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]},
]
REGISTRAR = "/var/lib/kubelet/plugins_registry"
PLUGINS = "/var/lib/kubelet/plugins"
# values.yaml kubeletPlugin.affinity: a node NFD, GFD or the GPU Operator says has an NVIDIA GPU.
AFFINITY = _required(
    ("feature.node.kubernetes.io/pci-10de.present", "In", ["true"]),
    ("feature.node.kubernetes.io/cpu-model.vendor_id", "In", ["NVIDIA"]),
    ("nvidia.com/gpu.present", "In", ["true"]),
)
# templates/deviceclass-*.yaml: the CEL selector of each class
_SELECTORS = {
    "gpu.nvidia.com": "gpu",
    "mig.nvidia.com": "mig",
    "vfio.gpu.nvidia.com": "vfio",
}


def dra_driver_objects(scenario: Scenario) -> list[tuple[Any, Obj]]:
    setup = scenario.dra_driver
    if setup is None:
        return []
    return [
        (SERVICEACCOUNT, {"metadata": {"name": SERVICE_ACCOUNT, "namespace": setup.namespace,
                                       "labels": _labels(setup)}}),
        (CLUSTERROLE, {"metadata": {"name": CLUSTER_ROLE}, "rules": _RULES}),
        (CLUSTERROLEBINDING, {
            "metadata": {"name": f"{RELEASE}-clusterrole-binding-kubeletplugin"},
            "subjects": [{"kind": "ServiceAccount", "name": SERVICE_ACCOUNT, "namespace": setup.namespace}],
            "roleRef": {"kind": "ClusterRole", "name": CLUSTER_ROLE, "apiGroup": "rbac.authorization.k8s.io"}}),
        (DAEMONSET, _kubelet_plugin(setup)),
        *((DEVICECLASS, device_class(name, v1=_serves_v1(scenario), narrowed=setup.gpu_class_selector))
          for name in setup.device_classes),
    ]


def _serves_v1(scenario: Scenario) -> bool:
    """_helpers.tpl ``resourceApiVersion``: the chart renders the highest resource.k8s.io version served."""
    served = served_apis(scenario.version, dict(scenario.runtime_config))
    return "v1" in served.versions("resource.k8s.io")


def device_class(name: str, *, v1: bool, narrowed: str | None = None) -> Obj:
    """One DeviceClass in the stored v1 shape; deviceclass-gpu.yaml adds extendedResourceName only where the
    chart renders resource.k8s.io/v1 (the cluster serves v1). ``narrowed``: a selector the cluster admin added
    to gpu.nvidia.com after the install (``kubectl edit deviceclass``)."""
    expression = f"device.driver == '{DRIVER}' && device.attributes['{DRIVER}'].type == '{_SELECTORS[name]}'"
    spec: dict[str, Any] = {"selectors": [{"cel": {"expression": expression}}]}
    if name == "gpu.nvidia.com" and narrowed:
        spec["selectors"].append({"cel": {"expression": narrowed}})
    if name == "gpu.nvidia.com" and v1:
        spec["extendedResourceName"] = "nvidia.com/gpu"
    return {"metadata": {"name": name}, "spec": spec}


def _labels(setup: DraDriverSetup) -> dict[str, str]:
    """_helpers.tpl ``nvidia-dra-driver-gpu.labels``."""
    version = setup.version.lstrip("v")
    return {"helm.sh/chart": f"{RELEASE}-{version}", "app.kubernetes.io/version": version,
            "app.kubernetes.io/managed-by": "Helm", **_template_labels()}


def _template_labels() -> dict[str, str]:
    return {"app.kubernetes.io/name": RELEASE, "app.kubernetes.io/instance": RELEASE}


def _kubelet_plugin(setup: DraDriverSetup) -> Obj:
    image = f"{IMAGE}:{setup.version}"
    selector = {f"{RELEASE}-component": "kubelet-plugin"}
    root = setup.driver_root
    parent = "/" if root == "/" else root.rstrip("/").rsplit("/", 1)[0] or "/"
    env = [{"name": "NVIDIA_DRIVER_ROOT", "value": root}, {"name": "NVIDIA_VISIBLE_DEVICES", "value": "void"}]
    paths = [{"name": "KUBELET_REGISTRAR_DIRECTORY_PATH", "value": REGISTRAR},
             {"name": "KUBELET_PLUGINS_DIRECTORY_PATH", "value": PLUGINS}]
    gates = ",".join(f"{k}={str(v).lower()}" for k, v in setup.feature_gates) + ("," if setup.feature_gates else "")
    init = {"name": "init-container", "image": image, "securityContext": {"privileged": True},
            "command": ["bash", "/usr/bin/kubelet-plugin-prestart.sh"], "env": [*env, *paths],
            "volumeMounts": [{"name": "driver-root-parent", "mountPath": "/driver-root-parent",
                              **({"readOnly": True} if root == "/" else {"mountPropagation": "HostToContainer"})}]}
    gpus = {
        "name": "gpus", "image": image, "imagePullPolicy": "IfNotPresent", "securityContext": {"privileged": True},
        "command": ["bash", "-c"], "args": ["gpu-kubelet-plugin -v $(LOG_VERBOSITY)"],
        "startupProbe": _probe(60, 10), "livenessProbe": _probe(3, 30),
        "env": [{"name": "LOG_VERBOSITY", "value": "4"}, {"name": "MASK_NVIDIA_DRIVER_PARAMS", "value": "false"},
                *env, {"name": "CDI_ROOT", "value": "/var/run/cdi"},
                {"name": "NVIDIA_MIG_CONFIG_DEVICES", "value": "all"},
                {"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
                {"name": "NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
                {"name": "IMAGE_NAME", "value": image},
                *([{"name": "FEATURE_GATES", "value": gates}] if gates else []),
                *paths, {"name": "HEALTHCHECK_PORT", "value": "51516"}],
        "volumeMounts": [{"name": "plugins-registry", "mountPath": REGISTRAR},
                         {"name": "plugins", "mountPath": PLUGINS, "mountPropagation": "Bidirectional"},
                         {"name": "cdi", "mountPath": "/var/run/cdi"},
                         {"name": "driver-root", "mountPath": "/driver-root", "mountPropagation": "HostToContainer"}],
    }
    spec = {
        "priorityClassName": "system-node-critical", "serviceAccountName": SERVICE_ACCOUNT, "securityContext": {},
        "initContainers": [init], "containers": [gpus], "affinity": AFFINITY,
        "volumes": [{"name": "plugins-registry", "hostPath": {"path": REGISTRAR}},
                    {"name": "plugins", "hostPath": {"path": PLUGINS}},
                    {"name": "cdi", "hostPath": {"path": "/var/run/cdi"}},
                    {"name": "driver-root-parent", "hostPath": {"path": parent, "type": "DirectoryOrCreate"}},
                    {"name": "driver-root", "hostPath": {"path": root, "type": "DirectoryOrCreate"}}],
    }
    daemonset = _daemonset(setup.namespace, DAEMONSET_NAME, _labels(setup), selector, spec)
    daemonset["spec"]["template"]["metadata"]["labels"] = {**_template_labels(), **selector}
    daemonset["spec"]["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "100%"}}
    return daemonset


def _probe(failures: int, period: int) -> dict[str, Any]:
    return {"grpc": {"port": 51516, "service": "liveness"}, "failureThreshold": failures, "periodSeconds": period,
            "timeoutSeconds": 10}
