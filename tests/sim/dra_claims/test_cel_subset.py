"""The selector subset of CEL the simulated scheduler evaluates, and its refusal of anything else."""

from __future__ import annotations

import pytest
from gpusim.cel import CelError, Device, compile_selector

GPU = Device(
    driver="gpu.nvidia.com",
    attributes={"type": {"string": "gpu"}, "uuid": {"string": "GPU-1"}, "productName": {"string": "NVIDIA A100"},
                "driverVersion": {"version": "550.54.15"}, "index": {"int": 0},
                "example.com/rack": {"string": "r1"}},
    capacity={"memory": {"value": "80Gi"}},
)


@pytest.mark.parametrize(("expression", "matches"), [
    ("device.driver == 'gpu.nvidia.com'", True),
    ('device.driver != "gpu.nvidia.com"', False),
    ("device.attributes['gpu.nvidia.com'].type == 'gpu'", True),
    ("device.attributes['gpu.nvidia.com'].index == 0", True),
    ("device.attributes['example.com'].rack == 'r1'", True),
    ("device.attributes['gpu.nvidia.com'].driverVersion.compareTo(semver('560.0.0')) >= 0", False),
    ("device.attributes['gpu.nvidia.com'].driverVersion.compareTo(semver('550.0.0')) >= 0", True),
    ("device.attributes['gpu.nvidia.com'].driverVersion.isGreaterThan(semver('550.54.14'))", True),
    ("device.attributes['gpu.nvidia.com'].driverVersion.isLessThan(semver('550.54.15'))", False),
    ("device.attributes['gpu.nvidia.com'].driverVersion >= semver('560.0.0')", False),
    ("device.capacity['gpu.nvidia.com'].memory.compareTo(quantity('40Gi')) >= 0", True),
    ("device.driver == 'x' || (device.attributes['gpu.nvidia.com'].type == 'gpu' && !false)", True),
    ("device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'mig'", False),
])
def test_selector_matches(expression: str, matches: bool) -> None:
    assert compile_selector(expression)(GPU) is matches


@pytest.mark.parametrize("expression", [
    "device.attributes['gpu.nvidia.com'].productName.startsWith('NVIDIA')",
    "'gpu' in device.attributes['gpu.nvidia.com']",
    "device.driver.matches('nvidia')",
    "size(device.attributes) > 0",
])
def test_an_expression_outside_the_subset_is_refused_by_name(expression: str) -> None:
    with pytest.raises(CelError, match="unsupported CEL expression") as raised:
        compile_selector(expression)(GPU)
    assert expression in str(raised.value)


def test_a_missing_attribute_is_a_runtime_error_not_a_mismatch() -> None:
    with pytest.raises(CelError, match="no such key: cudaComputeCapability"):
        compile_selector("device.attributes['gpu.nvidia.com'].cudaComputeCapability == '8.0'")(GPU)


def test_comparing_different_types_is_an_error() -> None:
    with pytest.raises(CelError, match="no such overload"):
        compile_selector("device.attributes['gpu.nvidia.com'].index == 'zero'")(GPU)
