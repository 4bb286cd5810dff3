"""core/v1 messages of a pod's spec: containers, probes, security, scheduling (core/v1/generated.proto)."""

from __future__ import annotations

from .schema import Message, b, inline, ios, m, n, q, qmap, rm, rn, rs, s, smap

_CONTAINER: Message = {
    1: s("name", keep=True), 2: s("image"), 3: rs("command"), 4: rs("args"), 5: s("workingDir"),
    6: rm("ports", "ContainerPort"), 19: rm("envFrom", "EnvFromSource"), 7: rm("env", "EnvVar"),
    8: m("resources", "ResourceRequirements"), 23: rm("resizePolicy", "ContainerResizePolicy"),
    24: s("restartPolicy", keep=True), 25: rm("restartPolicyRules", "ContainerRestartRule"),
    9: rm("volumeMounts", "VolumeMount"), 21: rm("volumeDevices", "VolumeDevice"),
    10: m("livenessProbe", "Probe"), 11: m("readinessProbe", "Probe"), 22: m("startupProbe", "Probe"),
    12: m("lifecycle", "Lifecycle"), 13: s("terminationMessagePath"), 20: s("terminationMessagePolicy"),
    14: s("imagePullPolicy"), 15: m("securityContext", "SecurityContext"), 16: b("stdin"),
    17: b("stdinOnce"), 18: b("tty"),
}

CORE_POD: dict[str, Message] = {
    "PodTemplateSpec": {1: m("metadata", "ObjectMeta"), 2: m("spec", "PodSpec")},
    "PodSpec": {
        1: rm("volumes", "Volume"), 20: rm("initContainers", "Container"), 2: rm("containers", "Container"),
        34: rm("ephemeralContainers", "EphemeralContainer"), 3: s("restartPolicy"),
        4: n("terminationGracePeriodSeconds", keep=True), 5: n("activeDeadlineSeconds", keep=True),
        6: s("dnsPolicy"), 7: smap("nodeSelector"), 8: s("serviceAccountName"), 9: s("serviceAccount"),
        21: b("automountServiceAccountToken", keep=True), 10: s("nodeName"), 11: b("hostNetwork"),
        12: b("hostPID"), 13: b("hostIPC"), 27: b("shareProcessNamespace", keep=True),
        14: m("securityContext", "PodSecurityContext"), 15: rm("imagePullSecrets", "LocalObjectReference"),
        16: s("hostname"), 17: s("subdomain"), 18: m("affinity", "Affinity"), 19: s("schedulerName"),
        22: rm("tolerations", "Toleration"), 23: rm("hostAliases", "HostAlias"), 24: s("priorityClassName"),
        25: n("priority", keep=True), 26: m("dnsConfig", "PodDNSConfig"),
        28: rm("readinessGates", "PodReadinessGate"), 29: s("runtimeClassName", keep=True),
        30: b("enableServiceLinks", keep=True), 31: s("preemptionPolicy", keep=True), 32: qmap("overhead"),
        33: rm("topologySpreadConstraints", "TopologySpreadConstraint"),
        35: b("setHostnameAsFQDN", keep=True),
        36: m("os", "PodOS"), 37: b("hostUsers", keep=True), 38: rm("schedulingGates", "PodSchedulingGate"),
        39: rm("resourceClaims", "PodResourceClaim"), 40: m("resources", "ResourceRequirements"),
        41: s("hostnameOverride", keep=True), 42: m("workloadRef", "WorkloadReference"),
    },
    "Container": _CONTAINER,
    # EphemeralContainerCommon repeats Container's fields with the same numbers.
    "EphemeralContainer": {1: inline("EphemeralContainerCommon"), 2: s("targetContainerName")},
    "EphemeralContainerCommon": _CONTAINER,
    "ContainerPort": {
        1: s("name"), 2: n("hostPort"), 3: n("containerPort", keep=True), 4: s("protocol"), 5: s("hostIP"),
    },
    "ContainerResizePolicy": {1: s("resourceName", keep=True), 2: s("restartPolicy", keep=True)},
    "ContainerRestartRule": {1: s("action"), 2: m("exitCodes", "ContainerRestartRuleOnExitCodes")},
    "ContainerRestartRuleOnExitCodes": {1: s("operator"), 2: rn("values")},
    "EnvVar": {1: s("name", keep=True), 2: s("value"), 3: m("valueFrom", "EnvVarSource")},
    "EnvVarSource": {
        1: m("fieldRef", "ObjectFieldSelector"), 2: m("resourceFieldRef", "ResourceFieldSelector"),
        3: m("configMapKeyRef", "ConfigMapKeySelector"), 4: m("secretKeyRef", "SecretKeySelector"),
        5: m("fileKeyRef", "FileKeySelector"),
    },
    "EnvFromSource": {
        1: s("prefix"), 2: m("configMapRef", "ConfigMapEnvSource"), 3: m("secretRef", "SecretEnvSource"),
    },
    "ConfigMapEnvSource": {1: inline("LocalObjectReference"), 2: b("optional", keep=True)},
    "SecretEnvSource": {1: inline("LocalObjectReference"), 2: b("optional", keep=True)},
    "ConfigMapKeySelector": {
        1: inline("LocalObjectReference"), 2: s("key", keep=True),
        3: b("optional", keep=True),
    },
    "SecretKeySelector": {
        1: inline("LocalObjectReference"), 2: s("key", keep=True),
        3: b("optional", keep=True),
    },
    "FileKeySelector": {
        1: s("volumeName", keep=True), 2: s("path", keep=True), 3: s("key", keep=True),
        4: b("optional", keep=True),
    },
    "ObjectFieldSelector": {1: s("apiVersion"), 2: s("fieldPath", keep=True)},
    "ResourceFieldSelector": {1: s("containerName"), 2: s("resource", keep=True), 3: q("divisor")},
    "LocalObjectReference": {1: s("name")},
    "ResourceRequirements": {1: qmap("limits"), 2: qmap("requests"), 3: rm("claims", "ResourceClaim")},
    "ResourceClaim": {1: s("name", keep=True), 2: s("request")},
    "VolumeMount": {
        1: s("name", keep=True), 2: b("readOnly"), 7: s("recursiveReadOnly", keep=True),
        3: s("mountPath", keep=True), 4: s("subPath"), 5: s("mountPropagation", keep=True),
        6: s("subPathExpr"),
    },
    "VolumeDevice": {1: s("name", keep=True), 2: s("devicePath", keep=True)},
    "Probe": {
        1: inline("ProbeHandler"), 2: n("initialDelaySeconds"), 3: n("timeoutSeconds"), 4: n("periodSeconds"),
        5: n("successThreshold"), 6: n("failureThreshold"), 7: n("terminationGracePeriodSeconds", keep=True),
    },
    "ProbeHandler": {
        1: m("exec", "ExecAction"), 2: m("httpGet", "HTTPGetAction"), 3: m("tcpSocket", "TCPSocketAction"),
        4: m("grpc", "GRPCAction"),
    },
    "ExecAction": {1: rs("command")},
    "HTTPGetAction": {
        1: s("path"), 2: ios("port"), 3: s("host"), 4: s("scheme"), 5: rm("httpHeaders", "HTTPHeader"),
    },
    "HTTPHeader": {1: s("name", keep=True), 2: s("value", keep=True)},
    "TCPSocketAction": {1: ios("port"), 2: s("host")},
    "GRPCAction": {1: n("port", keep=True), 2: s("service", keep=True)},
    "Lifecycle": {
        1: m("postStart", "LifecycleHandler"), 2: m("preStop", "LifecycleHandler"),
        3: s("stopSignal", keep=True),
    },
    "LifecycleHandler": {
        1: m("exec", "ExecAction"), 2: m("httpGet", "HTTPGetAction"), 3: m("tcpSocket", "TCPSocketAction"),
        4: m("sleep", "SleepAction"),
    },
    "SleepAction": {1: n("seconds", keep=True)},
    "SecurityContext": {
        1: m("capabilities", "Capabilities"), 2: b("privileged", keep=True),
        3: m("seLinuxOptions", "SELinuxOptions"),
        10: m("windowsOptions", "WindowsSecurityContextOptions"), 4: n("runAsUser", keep=True),
        8: n("runAsGroup", keep=True), 5: b("runAsNonRoot", keep=True),
        6: b("readOnlyRootFilesystem", keep=True),
        7: b("allowPrivilegeEscalation", keep=True), 9: s("procMount", keep=True),
        11: m("seccompProfile", "SeccompProfile"), 12: m("appArmorProfile", "AppArmorProfile"),
        13: rm("ulimits", "Ulimit"),
    },
    "PodSecurityContext": {
        1: m("seLinuxOptions", "SELinuxOptions"), 8: m("windowsOptions", "WindowsSecurityContextOptions"),
        2: n("runAsUser", keep=True), 6: n("runAsGroup", keep=True), 3: b("runAsNonRoot", keep=True),
        4: rn("supplementalGroups"), 12: s("supplementalGroupsPolicy", keep=True), 5: n("fsGroup", keep=True),
        7: rm("sysctls", "Sysctl"), 9: s("fsGroupChangePolicy", keep=True),
        10: m("seccompProfile", "SeccompProfile"),
        11: m("appArmorProfile", "AppArmorProfile"), 13: s("seLinuxChangePolicy", keep=True),
    },
    "Capabilities": {1: rs("add"), 2: rs("drop")},
    "SELinuxOptions": {1: s("user"), 2: s("role"), 3: s("type"), 4: s("level")},
    "WindowsSecurityContextOptions": {
        1: s("gmsaCredentialSpecName", keep=True), 2: s("gmsaCredentialSpec", keep=True),
        3: s("runAsUserName", keep=True), 4: b("hostProcess", keep=True),
    },
    "SeccompProfile": {1: s("type", keep=True), 2: s("localhostProfile", keep=True)},
    "AppArmorProfile": {1: s("type", keep=True), 2: s("localhostProfile", keep=True)},
    "Ulimit": {1: s("name", keep=True), 2: n("hard", keep=True), 3: n("soft", keep=True)},
    "Sysctl": {1: s("name", keep=True), 2: s("value", keep=True)},
    "Toleration": {
        1: s("key"), 2: s("operator"), 3: s("value"), 4: s("effect"),
        5: n("tolerationSeconds", keep=True),
    },
    "HostAlias": {1: s("ip", keep=True), 2: rs("hostnames")},
    "PodDNSConfig": {1: rs("nameservers"), 2: rs("searches"), 3: rm("options", "PodDNSConfigOption")},
    "PodDNSConfigOption": {1: s("name"), 2: s("value", keep=True)},
    "PodReadinessGate": {1: s("conditionType", keep=True)},
    "PodOS": {1: s("name", keep=True)},
    "PodSchedulingGate": {1: s("name", keep=True)},
    "PodResourceClaim": {
        1: s("name", keep=True), 3: s("resourceClaimName", keep=True),
        4: s("resourceClaimTemplateName", keep=True),
    },
    "WorkloadReference": {1: s("name", keep=True), 2: s("podGroup", keep=True), 3: s("podGroupReplicaKey")},
    "TopologySpreadConstraint": {
        1: n("maxSkew", keep=True), 2: s("topologyKey", keep=True), 3: s("whenUnsatisfiable", keep=True),
        4: m("labelSelector", "LabelSelector"), 5: n("minDomains", keep=True),
        6: s("nodeAffinityPolicy", keep=True),
        7: s("nodeTaintsPolicy", keep=True), 8: rs("matchLabelKeys"),
    },
    "Affinity": {
        1: m("nodeAffinity", "NodeAffinity"), 2: m("podAffinity", "PodAffinity"),
        3: m("podAntiAffinity", "PodAffinity"),  # PodAntiAffinity has PodAffinity's fields
    },
    "NodeAffinity": {
        1: m("requiredDuringSchedulingIgnoredDuringExecution", "NodeSelector"),
        2: rm("preferredDuringSchedulingIgnoredDuringExecution", "PreferredSchedulingTerm"),
    },
    "NodeSelector": {1: rm("nodeSelectorTerms", "NodeSelectorTerm")},
    "NodeSelectorTerm": {
        1: rm("matchExpressions", "NodeSelectorRequirement"),
        2: rm("matchFields", "NodeSelectorRequirement"),
    },
    "NodeSelectorRequirement": {1: s("key", keep=True), 2: s("operator", keep=True), 3: rs("values")},
    "PreferredSchedulingTerm": {1: n("weight", keep=True), 2: m("preference", "NodeSelectorTerm")},
    "PodAffinity": {
        1: rm("requiredDuringSchedulingIgnoredDuringExecution", "PodAffinityTerm"),
        2: rm("preferredDuringSchedulingIgnoredDuringExecution", "WeightedPodAffinityTerm"),
    },
    "PodAffinityTerm": {
        1: m("labelSelector", "LabelSelector"), 2: rs("namespaces"), 3: s("topologyKey", keep=True),
        4: m("namespaceSelector", "LabelSelector"), 5: rs("matchLabelKeys"), 6: rs("mismatchLabelKeys"),
    },
    "WeightedPodAffinityTerm": {1: n("weight", keep=True), 2: m("podAffinityTerm", "PodAffinityTerm")},
}
