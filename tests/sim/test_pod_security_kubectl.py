"""Pod Security admission in the simulated cluster, seen through the real kubectl."""

from __future__ import annotations

import pytest
from gpusim.cluster import SimCluster
from gpusim.testing import StartCluster, eventually, kubectl

pytestmark = [pytest.mark.kubectl, pytest.mark.e2e]
PROBE = """
apiVersion: v1
kind: Pod
metadata: {name: probe, namespace: psa}
spec:
  hostPID: true
  containers:
  - name: probe
    image: busybox:1.36
    securityContext: {privileged: true}
    volumeMounts: [{name: host-root, mountPath: /host}]
  volumes:
  - name: host-root
    hostPath: {path: /}
"""
PLAIN = """
apiVersion: v1
kind: Pod
metadata: {name: plain, namespace: psa}
spec:
  containers:
  - name: main
    image: busybox:1.36
"""
HARDENED = """
apiVersion: v1
kind: Pod
metadata: {name: hardened, namespace: psa}
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: main
    image: busybox:1.36
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
"""
JOB = """
apiVersion: batch/v1
kind: Job
metadata: {name: probe-job, namespace: psa}
spec:
  template:
    spec:
      restartPolicy: Never
      hostPID: true
      containers:
      - name: probe
        image: busybox:1.36
        securityContext: {privileged: true}
"""
BASELINE_DETAIL = ('host namespaces (hostPID=true), privileged (container "probe" must not set '
                   "securityContext.privileged=true)")


@pytest.fixture
def cluster(start_cluster: StartCluster) -> SimCluster:
    cluster = start_cluster("seed")
    kubectl(cluster, "create", "namespace", "psa")
    return cluster


def label(cluster: SimCluster, *labels: str) -> None:
    kubectl(cluster, "label", "namespace", "psa", "--overwrite", *(f"pod-security.kubernetes.io/{x}" for x in labels))


def test_a_pod_breaking_the_enforced_level_is_refused_in_the_apiservers_words(cluster: SimCluster) -> None:
    label(cluster, "enforce=baseline", "enforce-version=v1.28")
    done = kubectl(cluster, "apply", "-f", "-", stdin=PROBE, check=False)
    assert done.stderr.strip() == (
        'Error from server (Forbidden): error when creating "STDIN": pods "probe" is forbidden: violates '
        'PodSecurity "baseline:v1.28": host namespaces (hostPID=true), hostPath volumes (volume "host-root"), '
        'privileged (container "probe" must not set securityContext.privileged=true)')
    kubectl(cluster, "apply", "-f", "-", stdin=PLAIN)


def test_the_warn_level_admits_the_pod_and_kubectl_prints_the_warning(cluster: SimCluster) -> None:
    label(cluster, "warn=restricted")
    done = kubectl(cluster, "apply", "-f", "-", stdin=PLAIN)
    assert done.stdout.strip() == "pod/plain created"
    assert done.stderr.strip() == (
        'Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "main" '
        'must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "main" must '
        'set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "main" must set '
        'securityContext.runAsNonRoot=true), seccompProfile (pod or container "main" must set '
        'securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")')
    assert kubectl(cluster, "apply", "-f", "-", stdin=HARDENED).stderr == ""


def test_a_job_is_only_warned_about_and_its_pods_are_refused_until_the_namespace_allows_them(
        cluster: SimCluster) -> None:
    label(cluster, "enforce=baseline", "warn=baseline")
    done = kubectl(cluster, "apply", "-f", "-", stdin=JOB)
    assert done.stdout.strip() == "job.batch/probe-job created"
    assert done.stderr.strip() == f'Warning: would violate PodSecurity "baseline:latest": {BASELINE_DETAIL}'

    def refusal() -> str:
        out = kubectl(cluster, "get", "events", "-n", "psa", "--field-selector", "reason=FailedCreate",
                      "-o", "jsonpath={.items[0].message}").stdout
        return out

    message = eventually(refusal, what="a FailedCreate event on the Job")
    assert isinstance(message, str)
    assert message.startswith('Error creating: pods "probe-job-')
    assert message.endswith(f'" is forbidden: violates PodSecurity "baseline:latest": {BASELINE_DETAIL}')
    assert kubectl(cluster, "get", "pods", "-n", "psa", "-o", "name").stdout == ""
    label(cluster, "enforce=privileged")
    eventually(lambda: kubectl(cluster, "get", "pods", "-n", "psa", "-l", "job-name=probe-job", "-o", "name").stdout,
               timeout=30, what="the Job's pod once the namespace allows it")


def test_unknown_levels_are_refused_on_the_namespace(cluster: SimCluster) -> None:
    done = kubectl(cluster, "label", "namespace", "psa", "pod-security.kubernetes.io/enforce=strict", check=False)
    assert done.stderr.strip() == (
        'The Namespace "psa" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: '
        '"strict": must be one of privileged, baseline, restricted')


def test_kube_system_is_not_exempt(cluster: SimCluster) -> None:
    kubectl(cluster, "label", "namespace", "kube-system", "pod-security.kubernetes.io/enforce=baseline")
    done = kubectl(cluster, "apply", "-f", "-", stdin=PROBE.replace("namespace: psa", "namespace: kube-system"),
                   check=False)
    assert "violates PodSecurity" in done.stderr
