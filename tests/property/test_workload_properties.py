"""Invariants of the task-demand machinery and the dispatch policies (hypothesis)."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from swapsim.model.policies import IdleRobot, best_robots, can_do_task, choose_robots, choose_robots_lazily
from swapsim.model.workload import DutyCalendar, RateProfile


@st.composite
def profiles(draw):
    n = draw(st.integers(1, 6))
    period = draw(st.sampled_from([24.0, 168.0, 7.5]))
    cuts = sorted(draw(st.sets(st.floats(0.01, period - 0.01), min_size=n - 1, max_size=n - 1)))
    starts = [0.0, *cuts]
    rates = draw(st.lists(st.sampled_from([0.0, 0.5, 3.0, 40.0, 250.0]), min_size=len(starts), max_size=len(starts)))
    if not any(r > 0 for r in rates):
        rates[-1] = 1.0
    return RateProfile(starts, rates, period)


@given(profiles(), st.floats(0, 500), st.floats(1e-6, 50))
@settings(max_examples=300, deadline=None)
def test_advance_inverts_the_cumulative_rate(profile, t, mass):
    t2 = profile.advance(t, mass)
    assert t2 >= t
    assert math.isclose(profile.cumulative(t2) - profile.cumulative(t), mass, rel_tol=1e-9, abs_tol=1e-9)
    # the arrival never lands where the rate is zero (it would have to be the segment's start)
    if profile.rate(t2) == 0.0:
        assert any(math.isclose(t2 % profile.period, s, abs_tol=1e-9) for s in profile.starts) or t2 == t


@given(profiles(), st.floats(0, 500), st.floats(1e-6, 10), st.floats(1e-6, 10))
@settings(max_examples=200, deadline=None)
def test_advance_is_additive(profile, t, m1, m2):
    assert math.isclose(
        profile.advance(profile.advance(t, m1), m2), profile.advance(t, m1 + m2), rel_tol=1e-9, abs_tol=1e-7
    )


@given(st.lists(st.integers(0, 12), min_size=1, max_size=6), st.floats(0, 200))
def test_calendar_is_constant_until_its_next_change(robots, t):
    starts = [0.0] + [2.0 * (i + 1) for i in range(len(robots) - 1)]
    cal = DutyCalendar(starts, robots, 24.0)
    nxt = cal.next_change(t)
    assert nxt > t
    for x in (t, (t + nxt) / 2, nxt - 1e-9):
        if x < nxt:  # with t one float below nxt, the midpoint rounds up to nxt itself
            assert cal.target(x) == cal.target(t)


idle_robots = st.lists(
    st.builds(IdleRobot, st.sampled_from([0.0, 1.0, 2.5, 7.0]), st.sampled_from([0.0, 3.0, 10.0, 42.0]), st.booleans()),
    max_size=8,
)


@given(idle_robots, st.sampled_from(["fifo", "nearest"]))
def test_choose_robots_prefers_feasible_then_the_rule(robots, rule):
    best = choose_robots(rule, robots)
    if not robots:
        assert best == []
        return
    pool = [i for i, r in enumerate(robots) if r.feasible] or list(range(len(robots)))
    key = (lambda r: r.idle_since_h) if rule == "fifo" else (lambda r: r.distance_m)
    top = min(key(robots[i]) for i in pool)
    assert best == [i for i in pool if key(robots[i]) == top]


@given(idle_robots, st.sampled_from(["fifo", "nearest"]))
def test_lazy_choice_asks_only_what_it_needs(robots, rule):
    asked = []

    def feasible(i):
        asked.append(i)
        return robots[i].feasible

    best = choose_robots_lazily(rule, [r.idle_since_h for r in robots], [r.distance_m for r in robots], feasible)
    assert best == choose_robots(rule, robots)
    assert len(asked) == len(set(asked))


@given(
    st.floats(0, 1000), st.floats(0, 1000), st.floats(0, 500), st.floats(0, 100), st.floats(0, 50), st.floats(0, 100)
)
def test_more_energy_never_makes_a_task_infeasible(budget, energy, task, trip, reserve, extra):
    if can_do_task(budget, energy, task, trip, reserve):
        assert can_do_task(budget + extra, energy + extra, task, trip, reserve)
        assert not can_do_task(budget, energy, task, trip, reserve + energy + 1)


@given(st.lists(st.tuples(st.sampled_from([0.0, 1.0, 2.5, 7.0]), st.booleans()), max_size=8))
def test_best_robots_asks_in_key_order_up_to_the_first_group_that_can(robots):
    """The dispatcher's core (a fast path for a lone nearest robot, then groups in key order): the answer,
    its verdict, and exactly the robots a group-by-group search in key order asks."""
    key = [k for k, _ in robots]
    asked = []

    def feasible(i):
        asked.append(i)
        return robots[i][1]

    best, ok = best_robots(key, feasible)
    expected_asked = []
    for k in sorted(set(key)):
        group = [i for i in range(len(key)) if key[i] == k]
        expected_asked += group
        if any(robots[i][1] for i in group):
            assert (best, ok) == ([i for i in group if robots[i][1]], True)
            break
    else:
        assert (best, ok) == ([i for i in range(len(key)) if key[i] == min(key)] if key else [], False)
    assert asked == expected_asked
