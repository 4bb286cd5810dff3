"""The PromQL tokenizer: metric names (not functions, keywords or labels), matchers, thresholds."""

from __future__ import annotations

import math

import pytest

from gpu_conformance.monitoring.promql import Comparison, Selector, analyse


@pytest.mark.parametrize(("expr", "metrics"), [
    ("nvidia_smi_temperature_gpu > 80", ("nvidia_smi_temperature_gpu",)),
    ("nvidia_smi_memory_used_bytes / nvidia_smi_memory_total_bytes > 0.9",
     ("nvidia_smi_memory_used_bytes", "nvidia_smi_memory_total_bytes")),
    ("sum by (uuid, instance) (rate(DCGM_FI_DEV_XID_ERRORS[5m])) > 0", ("DCGM_FI_DEV_XID_ERRORS",)),
    ("max without (gpu) (DCGM_FI_DEV_GPU_TEMP) > 80", ("DCGM_FI_DEV_GPU_TEMP",)),
    ("avg(nvidia_smi_utilization_gpu_ratio) by (instance) > 0.9", ("nvidia_smi_utilization_gpu_ratio",)),
    ("a > 1 and on (uuid) group_left (name) b unless ignoring (job) c", ("a", "b", "c")),
    ("avg_over_time(x[10m:1m] offset 5m) > bool 1", ("x",)),
    ("x offset -1h30m > 0", ("x",)),
    ('{__name__="nvidia_smi_index", uuid!="x"} == 0', ("nvidia_smi_index",)),
    ('absent(up{job="gpu-exporter"})', ("up",)),
    ('label_replace(x, "dst", "$1", "src", "(.*)") > Inf # a comment naming no_metric', ("x",)),
])
def test_metrics_read(expr: str, metrics: tuple[str, ...]) -> None:
    assert analyse(expr).metrics == metrics


def test_matchers_belong_to_their_selector() -> None:
    found = analyse('DCGM_FI_DEV_GPU_UTIL{job="dcgm", gpu=~"0|1"} > on(gpu) '
                    'DCGM_FI_DEV_GPU_TEMP{Hostname!="a,b"}')
    assert found.selectors == (Selector("DCGM_FI_DEV_GPU_UTIL", (("job", "=", "dcgm"), ("gpu", "=~", "0|1"))),
                               Selector("DCGM_FI_DEV_GPU_TEMP", (("Hostname", "!=", "a,b"),)))


@pytest.mark.parametrize(("expr", "comparisons"), [
    ("nvidia_smi_utilization_memory_ratio * 100 > 90", (Comparison(">", 90.0, "90"),)),
    ("90 <= DCGM_FI_DEV_GPU_UTIL", (Comparison(">=", 90.0, "90"),)),
    ("x > bool -5", (Comparison(">", -5.0, "-5"),)),
    ("x >= 8e+10 and y != 0x10", (Comparison(">=", 8e10, "8e+10"), Comparison("!=", 16.0, "0x10"))),
    ("x > y", ()),
    ("x[5m] offset 1m", ()),
])
def test_comparisons_with_a_number(expr: str, comparisons: tuple[Comparison, ...]) -> None:
    assert analyse(expr).comparisons == comparisons


def test_inf_is_a_number_not_a_metric() -> None:
    found = analyse("x < Inf")
    assert found.metrics == ("x",)
    assert math.isinf(found.comparisons[0].threshold)


def test_a_character_promql_has_not_is_refused() -> None:
    with pytest.raises(ValueError, match=r"unexpected '\$' at offset 2"):
        analyse("x $ 1")
