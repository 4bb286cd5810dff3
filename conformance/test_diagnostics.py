"""Opt-in deep diagnostics, beyond the tutorial: DCGM's diagnostic on each GPU node (--dcgm-diag 1|2|3)."""

import pytest

from conformance.binding import require, verifies
from gpu_conformance.checks import DIAG_DCGM
from gpu_conformance.facts.diagnostics import DcgmDiag
from gpu_conformance.requirements.diagnostics import dcgm_diag_passes


@pytest.mark.workload
@verifies(DIAG_DCGM)
def test_dcgm_diag_passes(dcgm_diag: DcgmDiag) -> None:
    require(dcgm_diag_passes(dcgm_diag))
