"""What a container sees (``gpu-conformance sees``): its GPU device files, NVML's list, NVIDIA_VISIBLE_DEVICES.

The device directory is a fake one; NVML is the test bed's stand-in library, found by soname through
LD_LIBRARY_PATH as a container's injected driver would be.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gpu_conformance.facts.container_view import ContainerView, SeenGpu
from gpu_conformance.node.container_view import device_files


def _dev(tmp_path: Path, *names: str) -> Path:
    dev = tmp_path / "dev"
    dev.mkdir()
    for name in names:
        (dev / name).touch()
    return dev


def test_gpu_device_files_are_the_numbered_ones_sorted_by_number(tmp_path: Path) -> None:
    dev = _dev(tmp_path, "nvidia10", "nvidia2", "nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "nvidia-modeset",
               "nvidia0", "null", "nvidia-caps", "nvidia1x")
    assert device_files(dev) == (f"{dev}/nvidia0", f"{dev}/nvidia2", f"{dev}/nvidia10")


def test_no_gpu_device_files_in_an_empty_or_missing_dir(tmp_path: Path) -> None:
    assert device_files(_dev(tmp_path, "null", "nvidiactl")) == ()
    assert device_files(tmp_path / "absent") == ()


VIEW = ContainerView("/dev", ("/dev/nvidia1",), (SeenGpu(0, "GPU-1", "NVIDIA A100-SXM4-40GB"),), None, "GPU-1")


def test_the_view_round_trips_through_its_one_line_json() -> None:
    text = VIEW.to_json()
    assert "\n" not in text
    assert ContainerView.from_json(text) == VIEW
    unseen = ContainerView("/dev", (), (), "NVML Shared Library Not Found", None)
    assert ContainerView.from_json(unseen.to_json()) == unseen and not unseen.sees_any and VIEW.sees_any


@pytest.mark.parametrize(("change", "message"), [
    ({"schema": 2}, "sees.schema: expected 1, got 2"),
    ({"device_files": "/dev/nvidia0"}, "sees.device_files: expected a list, got str"),
    ({"gpus": [{"index": "0", "uuid": "GPU-1", "name": "x"}]}, 'sees.gpus[0].index: expected int, got "0"'),
    ({"visible_devices": 1}, "sees.visible_devices: expected str, got 1"),
])
def test_malformed_output_names_the_field(change: dict[str, object], message: str) -> None:
    data = {**json.loads(VIEW.to_json()), **change}
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        ContainerView.from_json(json.dumps(data))


def test_output_that_is_no_json_says_so() -> None:
    with pytest.raises(ValueError, match="sees output is not JSON"):
        ContainerView.from_json("Error: no such file")
