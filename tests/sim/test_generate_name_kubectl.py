"""Objects created with only a generateName get their name before anything else uses it."""

from __future__ import annotations

import json

import pytest
from gpusim.testing import StartCluster, eventually, kubectl

pytestmark = [pytest.mark.kubectl, pytest.mark.e2e]
JOB = """
apiVersion: batch/v1
kind: Job
metadata: {generateName: manual-}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: busybox:1.36}]
"""


def test_a_job_created_with_generate_name_is_labelled_and_selected_by_its_generated_name(
        start_cluster: StartCluster) -> None:
    cluster = start_cluster("seed")
    created = kubectl(cluster, "create", "-f", "-", "-o", "json", stdin=JOB).stdout
    job = json.loads(created)
    name = job["metadata"]["name"]
    assert name.startswith("manual-") and len(name) == len("manual-") + 5
    assert job["spec"]["template"]["metadata"]["labels"]["batch.kubernetes.io/job-name"] == name
    eventually(lambda: kubectl(cluster, "get", "pods", "-l", f"job-name={name}", "-o", "name").stdout,
               what="the Job's pod")
