"""The suite's CUDA table against the test bed's, an independent witness written from NVIDIA's release notes.

The suite decides WORKLOAD-DRIVER-FITS-IMAGE with gpu_conformance.cuda; the simulated node decides whether
the vectoradd image really starts with gpusim.cuda. Where they disagree, a scenario would report a driver
as fitting an image that then fails (or the reverse): this test finds any such entry without a cluster.
The grid is the witness's own thresholds and the release just below each, for every CUDA from 9.0 on
(the tutorial's driver floor, 384.81, is CUDA 9.0's).
"""

from __future__ import annotations

import pytest
from gpusim import cuda as witness

from gpu_conformance import cuda as suite

CUDA_VERSIONS = sorted({tuple(int(p) for p in v.split(".")) for v in witness.TOOLKIT_DRIVER} - {(8, 0)})


def _just_below(driver: str) -> str:
    parts = witness.version_tuple(driver)
    return ".".join(str(p) for p in (*parts[:-1], parts[-1] - 1))


DRIVERS = sorted({d for t in (*witness.TOOLKIT_DRIVER.values(), *witness.MINOR_COMPATIBLE_FROM.values())
                  for d in (t, _just_below(t)) if witness.version_tuple(d) >= (384,)},
                 key=witness.version_tuple)


@pytest.mark.parametrize("driver", DRIVERS)
def test_suite_says_a_driver_fits_an_image_exactly_when_the_image_runs(driver: str) -> None:
    disagree = [f"CUDA {c[0]}.{c[1]}: suite says {'fits' if fits else 'does not fit'}"
                for c in CUDA_VERSIONS
                if (fits := suite.version_tuple(driver) >= suite.minimum_driver(c)) != witness.runs_on(c, driver)]
    assert not disagree, f"driver {driver}: " + "; ".join(disagree)


@pytest.mark.parametrize("driver", DRIVERS)
def test_suite_and_nvml_agree_on_the_cuda_a_driver_reports(driver: str) -> None:
    assert suite.driver_cuda_version(driver) == witness.driver_cuda_version(driver)
