"""The exporters' building blocks against the real tools' published output.

Expected strings come from nvidia_gpu_exporter's example output (docs/METRICS.md: values written by
Go's expfmt, names derived from nvidia-smi headers) and from its exporter.go rules.
"""

from __future__ import annotations

import pytest
from gpusim.exporters.boards import board_for
from gpusim.exporters.nvidia_gpu_exporter import metric_name, transform_raw_value
from gpusim.exporters.telemetry import read
from gpusim.exporters.textformat import go_float
from gpusim.model import Gpu


@pytest.mark.parametrize(("value", "text"), [
    (7.06740224e08, "7.06740224e+08"), (6e06, "6e+06"), (1.6e07, "1.6e+07"), (7.751e09, "7.751e+09"),
    (1.074074712e09, "1.074074712e+09"), (8.589934592e09, "8.589934592e+09"), (0.38, "0.38"),
    (28.07, "28.07"), (250.0, "250"), (4000.0, "4000"), (471.11, "471.11"), (0.0, "0"), (1.0, "1"),
    (999999.0, "999999"), (1e-05, "1e-05"), (0.0001, "0.0001"), (-2.5, "-2.5"), (float("inf"), "+Inf"),
    (1.8446744073709552e19, "1.8446744073709552e+19"),
])
def test_floats_are_written_as_go_writes_them(value: float, text: str) -> None:
    assert go_float(value) == text


@pytest.mark.parametrize(("header", "name", "multiplier"), [
    ("utilization.gpu [%]", "nvidia_smi_utilization_gpu_ratio", 0.01),
    ("memory.used [MiB]", "nvidia_smi_memory_used_bytes", 1048576),
    ("power.draw [W]", "nvidia_smi_power_draw_watts", 1),
    ("clocks.current.graphics [MHz]", "nvidia_smi_clocks_current_graphics_clock_hz", 1e6),
    ("temperature.gpu", "nvidia_smi_temperature_gpu", 1),
    ("encoder.stats.sessionCount", "nvidia_smi_encoder_stats_session_count", 1),
    ("clocks_throttle_reasons.hw_slowdown", "nvidia_smi_clocks_throttle_reasons_hw_slowdown", 1),
])
def test_metric_names_follow_the_exporters_rules(header: str, name: str, multiplier: float) -> None:
    assert metric_name(header) == (name, multiplier)


@pytest.mark.parametrize(("raw", "multiplier", "value"), [
    ("38 %", 0.01, 0.38), ("674 MiB", 1048576, 7.06740224e08), ("28.07 W", 1, 28.07),
    ("0x40051458", 1, 1.074074712e09), ("Enabled", 1, 1), ("Not Active", 1, 0), ("P8", 1, 8),
    ("NVIDIA GeForce RTX 2080 SUPER", 1, 2080), ("471.11", 1, 471.11),
    ("[N/A]", 1, None), ("535.104.05", 1, None), ("GPU-df6e7a7c-7314-46f8-abc4-b88b36dcf3aa", 1, None),
])
def test_raw_cells_become_numbers_or_are_skipped(raw: str, multiplier: float, value: float | None) -> None:
    assert transform_raw_value(raw, multiplier) == value


@pytest.mark.parametrize("name", ["NVIDIA GeForce RTX 4090", "Tesla T4", "NVIDIA H100 80GB HBM3", "Other"])
def test_telemetry_stays_physical_over_a_day(name: str) -> None:
    gpu = Gpu(0, "GPU-df6e7a7c-7314-46f8-abc4-b88b36dcf3aa", name, 16384, "00000000:01:00.0")
    board = board_for(name)
    start = 1_700_000_000.0
    readings = [read(gpu, board, start + t, start - 3600) for t in range(0, 86400, 17)]
    for r in readings:
        assert 0 <= r.utilization_gpu <= 100 and 0 <= r.utilization_memory <= 100
        assert 1 <= r.memory_used_mib <= r.memory_total_mib == 16384
        assert 30 <= r.temperature_c <= 85
        assert 0 < r.power_w <= board.power_limit_w
        assert board.idle_graphics_mhz <= r.graphics_mhz <= board.max_graphics_mhz
    assert len({r.utilization_gpu for r in readings}) > 50  # it moves...
    assert any(r.idle for r in readings) and any(not r.idle for r in readings)  # ...through idle and busy
    energies = [r.energy_mj for r in readings]
    assert energies == sorted(energies)  # a counter never goes back


def test_same_gpu_and_instant_read_the_same_and_gpus_differ() -> None:
    board = board_for("Tesla T4")
    a = Gpu(0, "GPU-aaaaaaaa-7314-46f8-abc4-b88b36dcf3aa", "Tesla T4", 15360, "00000000:01:00.0")
    b = Gpu(1, "GPU-bbbbbbbb-7314-46f8-abc4-b88b36dcf3aa", "Tesla T4", 15360, "00000000:02:00.0")
    instants = [1_700_000_000.0 + 97 * i for i in range(50)]
    assert [read(a, board, t, 0) for t in instants] == [read(a, board, t, 0) for t in instants]
    assert [read(a, board, t, 0) for t in instants] != [read(b, board, t, 0) for t in instants]
