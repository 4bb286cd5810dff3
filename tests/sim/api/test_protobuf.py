"""Kubernetes protobuf request bodies: the decoder against hand-built bytes, then the real kubectl.

kubectl's typed-client commands (``create namespace``, ``create job``, ...) send
``application/vnd.kubernetes.protobuf``; the sim must store what the same object sent as JSON would be.
"""

from __future__ import annotations

import functools
import json
import ssl
import urllib.error
import urllib.request
from typing import Any

import pytest
from gpusim.api.protobuf import MEDIA_TYPE, ProtobufError, decode_object
from gpusim.cluster import SimCluster
from gpusim.resources import CONFIGMAP, NAMESPACE
from gpusim.testing import StartCluster, eventually, kubectl

from tests.sim.api.api_harness import TOKEN, SimApi

pytestmark = pytest.mark.e2e

# --- a tiny protobuf encoder, enough to build the bytes a Go client writes ---------------------------------


def varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative ints travel as 64-bit two's complement
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def num(number: int, value: int) -> bytes:
    return varint(number << 3) + varint(value)


def ld(number: int, payload: bytes | str) -> bytes:
    data = payload.encode() if isinstance(payload, str) else payload
    return varint(number << 3 | 2) + varint(len(data)) + data


def entry(number: int, key: str, value: bytes | str) -> bytes:
    return ld(number, ld(1, key) + ld(2, value))


def quantity(text: str) -> bytes:
    return ld(1, text)


def envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    return b"k8s\x00" + ld(1, ld(1, api_version) + ld(2, kind)) + ld(2, raw)


def meta(name: str, *extra: bytes) -> bytes:
    return ld(1, ld(1, name) + ld(8, b"") + b"".join(extra))  # Go always writes creationTimestamp


# --- the decoder ----------------------------------------------------------------------


def test_namespace_decodes_like_kubectls_json() -> None:
    body = envelope("v1", "Namespace", meta("gpu-check") + ld(2, b"") + ld(3, b""))
    assert decode_object(body) == {
        "kind": "Namespace", "apiVersion": "v1", "metadata": {"name": "gpu-check"}, "spec": {}, "status": {},
    }


def test_pod_spec_fields_take_their_json_names_and_shapes() -> None:
    container = (
        ld(1, "cuda") + ld(2, "nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda12.5.0")
        + ld(4, "sh") + ld(4, "-c") + ld(4, "echo hi")
        + ld(6, ld(1, "") + num(2, 0) + num(3, 80) + ld(4, "TCP"))  # Go writes zero hostPort and name too
        + ld(8, entry(1, "nvidia.com/gpu", quantity("1")) + entry(2, "memory", quantity("512Mi")))
        + ld(11, ld(1, ld(2, ld(1, "/healthz") + ld(2, num(1, 1) + ld(3, "http")))) + num(4, 5))
        + ld(10, ld(1, ld(3, ld(1, num(1, 0) + num(2, 8080)))))
        + ld(9, ld(1, "cfg") + num(2, 1) + ld(3, "/etc/cfg"))
        + ld(15, num(2, 0) + num(4, 0))  # *bool privileged=false and *int64 runAsUser=0 are set
        + num(16, 0)
    )
    volume = ld(1, "cfg") + ld(2, ld(19, ld(1, ld(1, "settings")) + num(3, 420)))
    affinity = ld(1, ld(1, ld(1, ld(1, ld(1, "nvidia.com/gpu.present") + ld(2, "In") + ld(3, "true")))))
    spec = (
        ld(1, volume) + ld(2, container) + ld(3, "Never") + num(4, 0) + num(11, 0) + num(25, -5)
        + entry(7, "nvidia.com/gpu.product", "Tesla-T4") + ld(18, affinity)
        + ld(22, ld(1, "nvidia.com/gpu") + ld(2, "Exists") + ld(4, "NoSchedule"))
        + ld(14, ld(4, varint(1000) + varint(2000)) + num(4, 3000))  # packed, then one more unpacked
    )
    pod = decode_object(envelope("v1", "Pod", meta("vectoradd", entry(11, "run", "vectoradd")) + ld(2, spec)))
    assert pod == {
        "kind": "Pod", "apiVersion": "v1",
        "metadata": {"name": "vectoradd", "labels": {"run": "vectoradd"}},
        "spec": {
            "volumes": [{"name": "cfg", "configMap": {"name": "settings", "defaultMode": 420}}],
            "containers": [{
                "name": "cuda", "image": "nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda12.5.0",
                "args": ["sh", "-c", "echo hi"],
                "ports": [{"containerPort": 80, "protocol": "TCP"}],
                "resources": {"limits": {"nvidia.com/gpu": "1"}, "requests": {"memory": "512Mi"}},
                "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 5},
                "livenessProbe": {"tcpSocket": {"port": 8080}},
                "volumeMounts": [{"name": "cfg", "readOnly": True, "mountPath": "/etc/cfg"}],
                "securityContext": {"privileged": False, "runAsUser": 0},
            }],
            "restartPolicy": "Never", "terminationGracePeriodSeconds": 0, "priority": -5,
            "nodeSelector": {"nvidia.com/gpu.product": "Tesla-T4"},
            "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": [
                    {"key": "nvidia.com/gpu.present", "operator": "In", "values": ["true"]},
                ]}],
            }}},
            "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
            "securityContext": {"supplementalGroups": [1000, 2000, 3000]},
        },
    }


def test_times_follow_go_json_and_zero_times_are_left_out() -> None:
    deleted = ld(9, num(1, 1_700_000_000) + num(2, 999))  # Time drops the nanoseconds
    go_zero = ld(4, num(1, -62135596800))  # Taint.timeAdded at Go's zero time
    lease = decode_object(envelope("coordination.k8s.io/v1", "Lease", meta("k8s-node05", deleted) + ld(2, (
        ld(1, "k8s-node05") + num(2, 40) + ld(4, num(1, 1_700_000_000) + num(2, 123_456_789)) + num(5, 0)
    ))))
    assert lease["metadata"] == {"name": "k8s-node05", "deletionTimestamp": "2023-11-14T22:13:20Z"}
    assert lease["spec"] == {"holderIdentity": "k8s-node05", "leaseDurationSeconds": 40,
                             "renewTime": "2023-11-14T22:13:20.123456Z", "leaseTransitions": 0}
    taint = ld(5, ld(1, "k") + ld(3, "NoSchedule") + go_zero)
    node = decode_object(envelope("v1", "Node", meta("n") + ld(2, taint)))
    assert node["spec"] == {"taints": [{"key": "k", "effect": "NoSchedule"}]}


def test_bytes_are_base64_and_unknown_fields_are_skipped() -> None:
    fixed32, fixed64 = varint(98 << 3 | 5) + b"\x01\x02\x03\x04", varint(97 << 3 | 1) + bytes(8)
    unknown = num(99, 7) + fixed32 + fixed64 + ld(96, "x")
    body = envelope("v1", "ConfigMap", meta("cm", unknown) + entry(3, "blob", b"\x00\xff") + unknown
                    + entry(2, "a", "b") + num(4, 0))
    assert decode_object(body) == {
        "kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "cm"},
        "binaryData": {"blob": "AP8="}, "data": {"a": "b"}, "immutable": False,
    }


def test_workload_templates_and_delete_options() -> None:
    template = ld(6, meta("") + ld(2, ld(2, ld(1, "j") + ld(2, "busybox") + ld(3, "echo")) + ld(3, "Never")))
    cron = envelope("batch/v1", "CronJob", meta("c") + ld(2, (
        ld(1, "*/5 * * * *") + num(4, 0) + ld(5, meta("c") + ld(2, num(7, 0) + template))
    )))
    assert decode_object(cron)["spec"] == {
        "schedule": "*/5 * * * *", "suspend": False,
        "jobTemplate": {"metadata": {"name": "c"}, "spec": {"backoffLimit": 0, "template": {
            "metadata": {}, "spec": {"containers": [{"name": "j", "image": "busybox", "command": ["echo"]}],
                                     "restartPolicy": "Never"}}}},
    }
    ds = decode_object(envelope("apps/v1", "DaemonSet", meta("dp") + ld(2, ld(3, ld(1, "RollingUpdate") + ld(
        2, ld(1, num(1, 1) + ld(3, "10%")))))))
    assert ds["spec"] == {
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "10%"}},
    }
    options = decode_object(envelope("v1", "DeleteOptions", num(1, 0) + ld(4, "Foreground") + ld(5, "All")))
    assert options == {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0,
                       "propagationPolicy": "Foreground", "dryRun": ["All"]}


@pytest.mark.parametrize(("body", "error"), [
    (b"", "empty data"),
    (b'{"kind":"Namespace"}',
     "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]"),
    (b"k8s\x00", "empty body"),
    (envelope("v1", "Namespace", meta("x"))[:-3], "unexpected EOF"),
    (envelope("v1", "Widget", b""), 'no kind "Widget" is registered for version "v1"'),
    (envelope("v1", "Namespace", num(1, 5)), "proto: wrong wireType = 0 for field metadata"),
])
def test_malformed_bodies_are_refused(body: bytes, error: str) -> None:
    with pytest.raises(ProtobufError, match=error.replace("[", r"\[").replace("]", r"\]")):
        decode_object(body)


# --- the API server over HTTP ---------------------------------------------------------


def post(sim: SimApi, path: str, body: bytes, content_type: str) -> tuple[int, dict[str, Any]]:
    assert sim.tls is not None
    context = ssl.create_default_context(cadata=sim.tls.ca_pem.decode())
    request = urllib.request.Request(sim.server.url + path, data=body, method="POST", headers={
        "Content-Type": content_type, "Accept": f"{MEDIA_TYPE},application/json",
        "Authorization": f"Bearer {TOKEN}",
    })
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_protobuf_create_is_stored_like_json(sim: SimApi) -> None:
    namespace = envelope("v1", "Namespace", meta("gpu-check"))
    code, created = post(sim, "/api/v1/namespaces", namespace, MEDIA_TYPE)
    assert code == 201 and created["metadata"]["name"] == "gpu-check"
    assert sim.store.get(NAMESPACE, "", "gpu-check")["status"] == {"phase": "Active"}
    configmap = envelope("v1", "ConfigMap", meta("settings") + entry(2, "strategy", "single"))
    code, _ = post(sim, "/api/v1/namespaces/gpu-check/configmaps", configmap, f"{MEDIA_TYPE}; charset=utf-8")
    assert code == 201
    assert sim.store.get(CONFIGMAP, "gpu-check", "settings")["data"] == {"strategy": "single"}


def test_other_media_types_are_refused_naming_protobuf_among_the_accepted(sim: SimApi) -> None:
    code, status = post(sim, "/api/v1/namespaces", b"name: x", "text/plain")
    assert (code, status["reason"]) == (415, "UnsupportedMediaType")
    assert status["message"] == (
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json, application/yaml, application/vnd.kubernetes.protobuf")


def test_malformed_protobuf_is_a_bad_request(sim: SimApi) -> None:
    code, status = post(sim, "/api/v1/namespaces", b'{"kind":"Namespace"}', MEDIA_TYPE)
    assert (code, status["reason"]) == (400, "BadRequest")
    assert "expected prefix [107 56 115 0]" in status["message"]


# --- the real kubectl against the seed cluster ----------------------------------------


@pytest.fixture
def seed(start_cluster: StartCluster) -> SimCluster:
    return start_cluster("seed")


def get(cluster: SimCluster, *args: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(kubectl(cluster, "get", *args, "-o", "json").stdout)
    return result


def prints_hi(cluster: SimCluster, *target: str) -> bool:
    return kubectl(cluster, "logs", *target, check=False).stdout == "hi\n"


@pytest.mark.kubectl
def test_kubectl_imperative_creates_work_as_against_a_real_cluster(seed: SimCluster) -> None:
    assert kubectl(seed, "create", "namespace", "gpu-check").stdout.strip() == "namespace/gpu-check created"
    assert get(seed, "namespace", "gpu-check")["status"]["phase"] == "Active"
    ns = ("-n", "gpu-check")

    kubectl(seed, "create", "configmap", "x", "--from-literal=a=b", *ns)
    assert get(seed, "configmap", "x", *ns)["data"] == {"a": "b"}

    created = kubectl(seed, "create", "serviceaccount", "runner", *ns).stdout.strip()
    assert created == "serviceaccount/runner created"
    assert get(seed, "serviceaccount", "runner", *ns)["metadata"]["namespace"] == "gpu-check"

    kubectl(seed, "run", "p", "--image=busybox", "--restart=Never", *ns, "--", "sh", "-c", "echo hi")
    pod = get(seed, "pod", "p", *ns)
    assert pod["metadata"]["labels"] == {"run": "p"}
    assert pod["spec"]["restartPolicy"] == "Never"
    assert pod["spec"]["containers"][0]["args"] == ["sh", "-c", "echo hi"]

    kubectl(seed, "create", "job", "j", "--image=busybox", *ns, "--", "echo", "hi")
    job = get(seed, "job", "j", *ns)["spec"]["template"]["spec"]
    assert job["containers"][0]["command"] == ["echo", "hi"] and job["restartPolicy"] == "Never"

    kubectl(seed, "create", "cronjob", "c", "--image=busybox", "--schedule=*/5 * * * *", *ns,
            "--", "echo", "hi")
    cron = get(seed, "cronjob", "c", *ns)["spec"]
    assert cron["schedule"] == "*/5 * * * *"
    assert cron["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["command"] == ["echo", "hi"]
    assert cron["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"] == "OnFailure"

    kubectl(seed, "create", "service", "clusterip", "s", "--tcp=80:8080", *ns)
    service = get(seed, "service", "s", *ns)
    assert service["metadata"]["labels"] == {"app": "s"}
    assert service["spec"]["selector"] == {"app": "s"} and service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["ports"] == [
        {"name": "80-8080", "protocol": "TCP", "port": 80, "targetPort": 8080},
    ]

    for target in ("p", "job/j"):
        eventually(functools.partial(prints_hi, seed, target, *ns), what=f"{target} printing hi")
