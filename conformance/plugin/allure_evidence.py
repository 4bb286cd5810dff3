"""A fact's evidence as a step of the current Allure result, its attachments written once per fact and node.

Every check of a node reads the same fact objects (its probe, its exporter's scrape), so the same evidence would
be rendered, redacted and written a dozen times per node. The first result that shows a fact writes its
attachments; every later one names the same files in a step of its own. Only the step's text and the files'
names are kept, not the bodies: at 1000 nodes the bodies were 25 MB of the run's peak memory.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import allure
from allure_commons.model2 import ATTACHMENT_PATTERN, Attachment, Status, TestStepResult
from allure_commons.reporter import AllureReporter
from allure_commons.types import AttachmentType
from allure_commons.utils import now

from gpu_conformance.reporting.evidence import JSON, evidence


@dataclass(frozen=True)
class Written:
    step: str
    attachments: tuple[tuple[str, AttachmentType, str], ...]  # (name, type, the file that holds it)


class EvidenceSteps:
    """The steps of one run's results: fact (by identity) and node -> what was written for it."""

    def __init__(self, reporter: AllureReporter) -> None:
        self._reporter = reporter
        # The fact is kept alive with its entry, so that its id is not reused by another object.
        self._written: dict[tuple[int, str | None], tuple[object, Written | None]] = {}

    def add(self, name: str, value: object, node: str | None) -> None:
        """A step ``name: where it was seen`` with the fact's attachments, in the current result."""
        key = (id(value), node)
        if key not in self._written:
            self._written[key] = (value, self._write(name, value, node))
            return
        written = self._written[key][1]
        result = self._reporter.get_test(None)
        if written is not None and result is not None:
            moment = now()  # the step as allure.step records one that raised nothing, without its hook calls
            result.steps.append(TestStepResult(
                name=f"{name}: {written.step}", status=Status.PASSED, start=moment, stop=moment,
                attachments=[Attachment(source=source, name=title, type=kind.mime_type)
                             for title, kind, source in written.attachments]))

    def _write(self, name: str, value: object, node: str | None) -> Written | None:
        found = evidence(value, node)
        if found is None:
            return None
        files = []
        with allure.step(f"{name}: {found.step}"):
            for attachment in found.attachments:
                kind = AttachmentType.JSON if attachment.mime == JSON else AttachmentType.TEXT
                prefix = uuid.uuid4()
                self._reporter.attach_data(prefix, attachment.body, name=attachment.name, attachment_type=kind)
                files.append((attachment.name, kind, ATTACHMENT_PATTERN.format(prefix=prefix, ext=kind.extension)))
        return Written(found.step, tuple(files))
