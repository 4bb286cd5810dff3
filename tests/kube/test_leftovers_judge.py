"""Which runs are dead: a Lease that ran out, or objects of no Lease old enough; never a live run's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gpu_conformance.kube.leftovers import Beat, Left, judge
from gpu_conformance.kube.run import LEASE_SECONDS

NOW = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)


def _ago(seconds: float) -> datetime:
    return NOW - timedelta(seconds=seconds)


def test_a_lease_that_ran_out_is_a_dead_run_one_still_running_is_not() -> None:
    beats = [Beat("dead01", _ago(7), 6), Beat("live01", _ago(5.9), 6), Beat("mine01", _ago(60), 6)]
    verdict = judge(beats, [], "mine01", NOW)
    assert verdict.dead == {"dead01": "its heartbeat stopped 7 s ago"} and verdict.recheck_at is None


def test_objects_of_no_lease_are_a_dead_runs_once_old_enough_until_then_looked_at_again() -> None:
    objects = [Left("Pod", "probe-a-old001", "old001", _ago(LEASE_SECONDS + 1)),
               Left("Pod", "probe-a-new001", "new001", _ago(1)),
               Left("Job", "vectoradd-a-new001", "new001", _ago(2)),
               Left("Pod", "probe-a-live01", "live01", _ago(600)),
               Left("Pod", "probe-a-mine01", "mine01", _ago(600))]
    verdict = judge([Beat("live01", _ago(1), 6)], objects, "mine01", NOW)
    assert verdict.dead == {"old001": "it has no heartbeat"}
    assert verdict.recheck_at == _ago(1) + timedelta(seconds=LEASE_SECONDS)  # when new001's youngest comes of age
