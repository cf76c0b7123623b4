"""Property tests: the equivalent-time update is exact for constant stress, however time is split."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from swapsim.model.degradation import CHEMISTRIES, FadeState, advance, celsius_to_kelvin, power_law
from swapsim.model.technician import ShiftCalendar

fractions = st.lists(st.floats(min_value=1e-3, max_value=1.0), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(
    k=st.floats(min_value=1e-7, max_value=1e-1),
    p=st.floats(min_value=0.3, max_value=1.0),
    total=st.floats(min_value=1e-3, max_value=5000.0),
    parts=fractions,
)
def test_split_updates_equal_the_direct_power_law(k, p, total, parts):
    """Advancing in any number of pieces that add up to ``total`` gives ``k total^p``."""
    scale = total / sum(parts)
    q = 0.0
    for part in parts:
        q = advance(q, k, p, part * scale)
    assert math.isclose(q, power_law(k, p, total), rel_tol=1e-9)


@settings(max_examples=150, deadline=None)
@given(
    chem=st.sampled_from(sorted(CHEMISTRIES)),
    t_c=st.floats(min_value=0.0, max_value=50.0),
    soc=st.floats(min_value=0.0, max_value=1.0),
    dod=st.floats(min_value=0.05, max_value=1.0),
    c_rate=st.floats(min_value=0.05, max_value=2.0),
    wear=st.floats(min_value=0.5, max_value=2.0),
    days=st.floats(min_value=0.01, max_value=1500.0),
    efc=st.floats(min_value=0.01, max_value=3000.0),
    time_parts=fractions,
    cycle_parts=fractions,
    seed=st.integers(0, 2**16),
)
def test_interleaved_calendar_and_cycle_updates_equal_the_closed_form(
    chem, t_c, soc, dod, c_rate, wear, days, efc, time_parts, cycle_parts, seed
):
    """A pack aged in random interleaved slices of time and cycles at one constant stress ends exactly where
    the closed form puts it after the same total time and cycles."""
    model = CHEMISTRIES[chem]
    t_k = celsius_to_kelvin(t_c)
    f = FadeState(q0=1.0, wear=wear)
    ts = [x * days / sum(time_parts) for x in time_parts]
    cs = [x * efc / sum(cycle_parts) for x in cycle_parts]
    steps = [("t", x) for x in ts] + [("c", x) for x in cs]
    order = sorted(range(len(steps)), key=lambda i: (i * 7919 + seed) % len(steps))
    for i in order:
        kind, x = steps[i]
        if kind == "t":
            f.age_calendar(model, x, t_k, soc)
        else:
            f.age_cycles(model, x, t_k, dod, c_rate)
    q_cal, q_cyc = model.fade(days, efc, t_k, soc, dod, c_rate, wear)
    assert math.isclose(f.q_cal, q_cal, rel_tol=1e-9, abs_tol=1e-15)
    assert math.isclose(f.q_cyc, q_cyc, rel_tol=1e-9, abs_tol=1e-15)
    assert math.isclose(f.days, days, rel_tol=1e-9) and math.isclose(f.efc, efc, rel_tol=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    q=st.floats(min_value=0.0, max_value=0.5),
    k=st.floats(min_value=1e-6, max_value=1e-2),
    p=st.floats(min_value=0.3, max_value=1.0),
    dx=st.floats(min_value=0.0, max_value=500.0),
    more=st.floats(min_value=1.01, max_value=3.0),
)
def test_loss_never_decreases_and_grows_with_stress(q, k, p, dx, more):
    assert advance(q, k, p, dx) >= q
    if dx > 0:  # up to rounding of the round trip through the equivalent time
        assert advance(q, k * more, p, dx) >= advance(q, k, p, dx) - 1e-12


windows = st.lists(
    st.tuples(st.integers(0, 23), st.integers(1, 24)).filter(lambda w: w[0] != w[1] % 24), min_size=1, max_size=4
)


@settings(max_examples=150, deadline=None)
@given(ws=windows, t0=st.floats(min_value=0.0, max_value=200.0), span=st.floats(min_value=0.0, max_value=100.0))
def test_shift_calendar_hours_match_its_on_off_switches(ws, t0, span):
    """Walking the calendar from change point to change point gives the closed-form on-duty hours."""
    cal = ShiftCalendar.from_windows([(float(a), float(b)) for a, b in ws])
    t1 = t0 + span
    t, total = t0, 0.0
    for _ in range(1000):
        nxt = min(cal.next_change(t), t1)
        if cal.on_duty(t):
            total += nxt - t
        if nxt >= t1:
            break
        t = nxt
    assert math.isclose(total, cal.on_duty_hours(t0, t1), abs_tol=1e-6)
