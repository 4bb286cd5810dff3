"""The report's evidence for the SEC checks: what each isolation container saw, or why it could not be seen."""

from __future__ import annotations

from dataclasses import replace

from gpu_conformance.facts.container_view import ContainerView
from gpu_conformance.reporting.evidence import JSON, evidence
from tests.requirements.builders import NODE
from tests.requirements.isolation_builders import EVERY_GPU, facts, look


def test_each_container_is_an_attachment_named_by_pod_and_request() -> None:
    pending = look(None, "pod-env", "pod X unschedulable: full")
    found = evidence(replace(facts(image_env=EVERY_GPU), pod_env=pending), NODE)
    assert found is not None
    assert found.step == f"isolation pods on {NODE}: what each container saw (gpu-conformance sees)"
    first, second, *rest = found.attachments
    assert first.name == facts().image_env.source
    assert (first.mime, ContainerView.from_json(first.body)) == (JSON, EVERY_GPU)
    assert second.body == "could not inspect: pod X unschedulable: full" and len(rest) == 3
    assert len(evidence(facts(with_other=False), NODE).attachments) == 4  # type: ignore[union-attr]
