"""Which selectors a Grafana panel query reads, and whether it could return data for a set of served names."""

from __future__ import annotations

import pytest

from gpu_conformance.monitoring.promql_presence import parse

GPU = 'uuid="$gpu", instance="$node", job="$job"'


@pytest.mark.parametrize(("expr", "served", "data"), [
    ("up", {"up"}, True),
    ("up", set(), False),
    ("a or b", {"b"}, True),
    ("a and b", {"a"}, False),
    ("a unless b", {"a"}, True),
    ("a / b", {"a"}, False),
    ("a / b", {"a", "b"}, True),
    ("a * 100 > 90", {"a"}, True),
    ("-a", {"a"}, True),
    ("1 + 2", set(), True),  # a scalar always answers
    (f"sum(a{{{GPU}}}) or sum(info{{{GPU}}}) * 0 - 1", {"info"}, True),  # the dashboard's N/A sentinel
    (f"sum by(uuid) (a{{{GPU}}})", set(), False),
    ("sum(a) by (uuid)", {"a"}, True),
    ("rate(a[$__rate_interval]) offset 5m", {"a"}, True),
    ("increase(a[24h]) / 3.6e6", set(), False),
    ("time() - max(a) or (sum(b) * 0 - 1)", {"b"}, True),
    ("absent(a)", set(), True),
    ("vector(1)", set(), True),
    ('label_replace({__name__=~"ecc_.+", uuid="$gpu"}, "kind", "$1", "__name__", "ecc_(.+)")', {"ecc_dram"}, True),
    ('{__name__=~"ecc_.+"}', {"ecc"}, False),
    ('{__name__="a"}', {"a"}, True),
    ("a * on(uuid, gpu_instance_id) group_left(profile) max by (uuid) (b)", {"a"}, False),
    ("a > bool 1", {"a"}, True),
    ("2 ^ a ^ 2", {"a"}, True),
    ('query_result(label_join(info{instance="$node"}, "ni", " #", "name", "index"))', {"info"}, True),
])
def test_presence(expr: str, served: set[str], data: bool) -> None:
    assert parse(expr).returns_data(frozenset(served)) is data


def test_selectors_name_each_metric_once_in_order() -> None:
    query = parse('a{uuid="$gpu"} / (b or a) + {__name__=~"ecc_.+"}')
    assert [str(s) for s in query.selectors] == ["a", "b", '{__name__=~"ecc_.+"}']


@pytest.mark.parametrize("expr", ["a +", "(a", "a b", "sum(a", "a ] b"])
def test_what_is_not_promql_is_refused(expr: str) -> None:
    with pytest.raises(ValueError):
        parse(expr)
