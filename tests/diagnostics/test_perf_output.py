"""Reading bandwidthTest's and all_reduce_perf's output. The samples are written to the tools' own formats, not
captured on a GPU node: data/bandwidthTest-device-all.log from NVIDIA/cuda-samples
Samples/1_Utilities/bandwidthTest/bandwidthTest.cu (main, runTest, printResultsReadable), data/
all_reduce_perf-8gpu.log from NVIDIA/nccl-tests src/util.cu (the "Using devices" list, writeResultHeader, the
result lines, writeResultFooter); the numbers are plausible for eight H100 SXM, not measured."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gpu_conformance.diagnostics.bandwidth_test import NotBandwidthTest, parse_bandwidth_test
from gpu_conformance.diagnostics.nccl_tests import NotNcclTests, parse_all_reduce
from gpu_conformance.diagnostics.perf_table import spec_for
from gpu_conformance.facts.diagnostics import AllReduce, Bandwidth

pytestmark = pytest.mark.unit
DATA = Path(__file__).parent / "data"
H100 = "NVIDIA H100 80GB HBM3"


def test_bandwidth_test_cumulative_over_all_devices() -> None:
    assert parse_bandwidth_test((DATA / "bandwidthTest-device-all.log").read_text()) == Bandwidth(
        (H100, H100), 110.4, 105.9, True)


def test_bandwidth_test_range_mode_takes_the_largest_transfer_and_a_fail_is_kept() -> None:
    text = (" Device 0: Tesla T4\n Host to Device Bandwidth, 1 Device(s)\n PINNED Memory Transfers\n"
            "   Transfer Size (Bytes)\tBandwidth(GB/s)\n   1024\t\t\t\t0.5\n   102400\t\t\t6.1\n\nResult = FAIL\n")
    assert parse_bandwidth_test(text) == Bandwidth(("Tesla T4",), 6.1, None, False)


def test_all_reduce_perf_judges_the_largest_message() -> None:
    assert parse_all_reduce((DATA / "all_reduce_perf-8gpu.log").read_text()) == AllReduce(
        (H100,) * 8, 1073741824, 357.78, 331.502, 0)


@pytest.mark.parametrize(("parse", "error"), [(parse_bandwidth_test, NotBandwidthTest),
                                              (parse_all_reduce, NotNcclTests)])
def test_other_text_says_what_is_missing(parse: Callable[[str], object], error: type[Exception]) -> None:
    with pytest.raises(error, match="in the log"):
        parse("cudaGetDeviceCount returned 100\n-> no CUDA-capable device is detected\n")


@pytest.mark.parametrize(("product", "pcie", "bus"), [
    ("NVIDIA H100 80GB HBM3", 64.0, 450.0), ("NVIDIA H100 PCIe", 64.0, 64.0), ("NVIDIA A100-SXM4-80GB", 32.0, 300.0),
    ("NVIDIA A100 80GB PCIe", 32.0, 32.0), ("Tesla T4", 16.0, 16.0), ("NVIDIA GeForce RTX 4090", 32.0, 32.0)])
def test_the_data_sheet_table_tells_pcie_cards_from_sxm_boards(product: str, pcie: float, bus: float) -> None:
    spec = spec_for(product)
    assert spec is not None and (spec.pcie_gb_per_s, spec.bus_gb_per_s) == (pcie, bus)


def test_an_unknown_model_has_no_spec() -> None:
    assert spec_for("NVIDIA Quadro RTX 8000") is None
