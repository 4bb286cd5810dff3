"""The project's own tests: unit tests of the pure layers, and end-to-end tests against the test bed.

End-to-end modules say so (``pytestmark = pytest.mark.e2e``): they start simulated clusters (testbed/,
package gpusim), run the suite or the CLI as a process, or drive a real program (kubectl, promtool,
Allure, Chromium, a Pushgateway). Every other test is a unit test, marked ``unit`` here, and may do
none of that: ``pytest -m unit`` runs in seconds, and a unit test that starts a cluster or a process
fails saying which marker it lacks.

The test bed runs the project's image for real only because it is registered here: containers of
``ghcr.io/gpu-conformance/gpu-conformance`` whose command is ``gpu-conformance`` run this checkout's CLI, and
``python`` (the image's interpreter) this interpreter. The image's ENV is its Dockerfile's final stage's NVIDIA_*
variables (NVIDIA_VISIBLE_DEVICES=all, as every CUDA image sets), which the simulated runtime reads as a real one.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gpusim.cluster import SimCluster
from gpusim.images import register_image
from gpusim.images.dockerfile import final_stage_env

pytest_plugins = ["gpusim.testing"]

DOCKERFILE = Path(__file__).parents[1] / "Dockerfile"
IMAGE_ENV = {k: v for k, v in final_stage_env(DOCKERFILE).items() if k.startswith("NVIDIA_")}
register_image("gpu-conformance", "gpu-conformance", [sys.executable, "-m", "gpu_conformance"], env=IMAGE_ENV)
register_image("gpu-conformance", "python", [sys.executable], env=IMAGE_ENV)

_NOT_IN_UNIT_TESTS = "a unit test {what}: mark its module end-to-end (pytestmark = pytest.mark.e2e)"
TESTS = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Only the project's tests: a suite run that pytest hands this conftest (its option values name files
    under tests/, and pytest loads the conftests of path-like arguments) keeps its own items as they are."""
    for item in items:
        if TESTS in item.path.parents and item.get_closest_marker("e2e") is None:
            item.add_marker(pytest.mark.unit)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    """Unit tests (and the fixtures they set up) may start neither a simulated cluster nor a process."""
    if item.get_closest_marker("unit") is None:
        return (yield)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SimCluster, "start", _refused("started a simulated cluster"))
        patch.setattr(subprocess.Popen, "__init__", _refused("started a process"))
        return (yield)


def _refused(what: str) -> Any:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(_NOT_IN_UNIT_TESTS.format(what=what))
    return refuse
