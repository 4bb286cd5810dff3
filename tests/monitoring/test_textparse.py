"""The fast reader of Prometheus text gives prometheus_client's samples, and refuses the lines it refuses."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from gpu_conformance.monitoring.exporters.textparse import BadLine, _plain_samples, _samples_by_line, samples_of
from tests.monitoring.test_exporters_formats import FACTS_NVIDIA, FACTS_SMI_FAILING, NODE_EXPORTER, served

ODD_BUT_VALID = """\
# a comment prometheus_client skips
#
metric_with_timestamp{a="b"} 1.5 1700000000000
spaced_labels{ a = "b" , c="d" } 2
escaped{path="C:\\\\dir\\"x\\"",text="two\\nlines",tab="a\\tb"} 3
trailing_comma{a="b",} 4
special{a="b"} NaN
special_inf +Inf
special_neg_inf{a="1"} -Inf
exponent 1e-3
\tindented 5\r
# HELP metric_with_help a help text with \\\\ and \\n escapes
# TYPE histogram_seconds histogram
histogram_seconds_bucket{le="0.5"} 1
histogram_seconds_bucket{le="+Inf"} 2
histogram_seconds_sum 0.7
histogram_seconds_count 2
"""


def by_prometheus_client(text: str) -> list[tuple[str, dict[str, str], float]]:
    """prometheus_client's samples, line by line: names as exposed (no _total appended to a counter's)."""
    return [(s.name, s.labels, s.value) for line in text.split("\n")
            for family in text_string_to_metric_families(line) for s in family.samples]


def ours(text: str) -> list[tuple[str, dict[str, str], float]]:
    return [(s.name, s.labels, s.value) for s in samples_of(text)]


@pytest.mark.parametrize("text", [FACTS_NVIDIA, FACTS_SMI_FAILING, NODE_EXPORTER, ODD_BUT_VALID,
                                  served(kind="nvidia_gpu_exporter"), served(kind="dcgm-exporter")],
                         ids=["facts-nvidia", "facts-smi-failing", "node-exporter", "odd", "sim-nvidia", "sim-dcgm"])
def test_the_same_samples_as_prometheus_client(text: str) -> None:
    assert repr(ours(text)) == repr(by_prometheus_client(text))  # repr: NaN equals NaN, 1 is not 1.0


PLAIN = served(kind="nvidia_gpu_exporter") + 'negative{a="b",} -3\nplus +4\nempty_braces{} 5\nnan NaN\n'


@pytest.mark.parametrize("text", [PLAIN, served(kind="dcgm-exporter"), FACTS_NVIDIA])
def test_a_plain_body_is_read_in_one_pass_as_line_by_line(text: str) -> None:
    one_pass = _plain_samples(text)
    assert one_pass is not None
    assert repr(one_pass) == repr(_samples_by_line(text))


@pytest.mark.parametrize("line", ['escaped{a="x\\"y"} 1', 'brace{a="}"} 1', "stamped 1 1700000000000",
                                  " indented 1", "windows 1\r", 'name_twice{__name__="x"} 1', "hex 0x10",
                                  "# a comment", "   "])
def test_a_line_that_is_not_plain_leaves_the_body_to_the_line_reader(line: str) -> None:
    assert _plain_samples(f"fine 1\n{line}\nlater 2\n") is None


def test_a_counter_keeps_its_exposed_name() -> None:
    """prometheus_client's families append _total to a counter lacking it; a scrape stores the name as exposed."""
    text = "# TYPE DCGM_FI_DEV_PCIE_REPLAY_COUNTER counter\nDCGM_FI_DEV_PCIE_REPLAY_COUNTER{gpu=\"0\"} 0\n"
    assert [s.name for s in samples_of(text)] == ["DCGM_FI_DEV_PCIE_REPLAY_COUNTER"]


@pytest.mark.parametrize(("line", "reason"), [
    ('bad_value{a="b"} 1_000', "Invalid value"),
    ('name_twice{__name__="other"} 1', "metric name specified more than once"),
    ("no_value", "Invalid value"),
    ('unquoted{a=b} 1', ""),
    ("# TYPE missing_type", "ValueError"),
    ("0starts_with_digit 1", "invalid metric name"),
    ("hex 0x10", "could not convert"),
])
def test_a_line_prometheus_client_refuses_is_named(line: str, reason: str) -> None:
    with pytest.raises(BadLine) as caught:
        samples_of(f"fine 1\n\n{line}\nlater 2\n")
    assert (caught.value.number, caught.value.line) == (3, line)
    assert reason in caught.value.reason
    with pytest.raises((ValueError, IndexError)):
        by_prometheus_client(line)
