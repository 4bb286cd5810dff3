"""The controller manager's clock: a call posted from another thread (a container's exit) runs between due timers,
not after all of them, and a run of due timers yields to the manager's store watch after a slice."""

from __future__ import annotations

import time
from functools import partial

from gpusim.controllers.base import SLICE_SECONDS, Scheduler


def run_until_idle(clock: Scheduler) -> None:
    while clock.run_due()[0] == 0:
        pass


def test_a_call_posted_by_a_timer_runs_before_the_other_due_timers() -> None:
    clock, order = Scheduler(time_scale=1.0), list[str]()

    def start(index: int) -> None:
        order.append(f"start {index}")
        if index == 0:  # the first container's process ends while the others are still being started
            clock.post(lambda: order.append("exit 0"))

    for index in range(100):
        clock.after(0, partial(start, index))
    run_until_idle(clock)
    assert order[:3] == ["start 0", "exit 0", "start 1"] and len(order) == 101


def test_due_timers_yield_after_a_slice_and_the_rest_run_next() -> None:
    clock, ran = Scheduler(time_scale=1.0), list[int]()

    def slow(index: int) -> None:
        ran.append(index)
        time.sleep(SLICE_SECONDS / 5)

    for index in range(20):
        clock.after(0, partial(slow, index))
    assert clock.run_due() == (0, 0) and 0 < len(ran) < 20  # some are due still: the manager looks at its watch
    run_until_idle(clock)
    assert ran == list(range(20))


def test_the_waits_name_the_next_live_timer() -> None:
    clock = Scheduler(time_scale=1.0)
    clock.after(60, lambda: None).cancel()
    clock.after(30, lambda: None, background=True)
    assert clock.run_due()[1] is None  # the cancelled foreground timer is no reason to wait
    wait, foreground = clock.run_due()
    assert foreground is None and wait is not None and 29 < wait <= 30
