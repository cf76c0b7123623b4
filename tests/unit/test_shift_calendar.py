"""The shift calendar reproduces the configured on-duty counts, in cycle mode and in task mode."""

from __future__ import annotations

import numpy as np
import pytest

from swapsim.engine import simulate
from swapsim.model.workload import DutyCalendar
from swapsim.scenario import scenario_from_dict

CALENDAR = [
    {"start": "0 h", "robots": 2},
    {"start": "6 h", "robots": 6},
    {"start": "14 h", "robots": 4},
    {"start": "22 h", "robots": 2},
]


def scenario(workload, off_duty="replenish", kind="hot_swap"):
    return scenario_from_dict(
        {
            "name": "shifts",
            "horizon": "2 d",
            "seed": 4,
            "fleet": {"robots": 6},
            "workload": workload,
            "shifts": {"calendar": CALENDAR, "off_duty": off_duty},
            "strategy": {"kind": kind},
            "stations": [{"name": "A", "distance": "20 m", "positions": 2, "bays": 16, "charged_packs": 12}],
            "output": {"bin_width": "15 min"},
        }
    )


CYCLE = {"cycle": [{"activity": "walk", "duration": "4 min"}, {"activity": "stand", "duration": "8 min"}]}
TASKS = {
    "tasks": {
        "arrivals": {"profile": [{"start": "0 h", "rate_per_h": 10}]},
        "steps": [{"activity": "stand", "duration": {"dist": "uniform", "low": "5 min", "high": "15 min"}}],
    }
}


def test_calendar_targets_and_changes():
    cal = DutyCalendar([0.0, 6.0, 14.0, 22.0], [2, 6, 4, 2], 24.0)
    assert [cal.target(t) for t in (0.0, 5.99, 6.0, 13.9, 14.0, 22.0, 23.9, 24.0, 30.0)] == [2, 2, 6, 6, 4, 2, 2, 2, 6]
    assert cal.next_change(0.0) == 6.0
    assert cal.next_change(6.0) == 14.0
    assert cal.next_change(22.5) == 24.0
    assert cal.next_change(24.0) == 30.0


@pytest.mark.parametrize(
    "workload,off_duty,kind",
    [
        (CYCLE, "replenish", "hot_swap"),
        (CYCLE, "park_charging", "cold_swap"),
        (TASKS, "replenish", "plug_in"),
        (TASKS, "park_charging", "hot_swap"),
    ],
)
def test_on_duty_counts_follow_the_calendar(workload, off_duty, kind):
    result = simulate(scenario(workload, off_duty, kind))
    ts = result.timeseries
    t = ts["time_h"]
    cal = DutyCalendar([0.0, 6.0, 14.0, 22.0], [2, 6, 4, 2], 24.0)
    target = np.array([cal.target(x) for x in t])
    # the rostered count is the calendar's, in every bin that lies inside one calendar segment
    inside = np.array([cal.target(x) == cal.target(x + 0.25 - 1e-9) for x in t])
    assert np.allclose(ts["rostered_robots"][inside], target[inside])
    # robots actually off duty: exactly N - target once the leavers have finished their step or task
    # and replenished (within 1.5 h of a change; calls back to duty are immediate)
    since_change = np.array([(x % 24.0) - max(s for s in (0.0, 6.0, 14.0, 22.0) if s <= x % 24.0) for x in t])
    settled = inside & (since_change >= 1.5)
    assert settled.sum() > 100
    assert np.allclose(ts["robots_off_duty"][settled], 6 - target[settled])
    # utilisation and state fractions count on-duty time only
    fleet = result.summary["fleet"]
    assert sum(fleet["state_fraction"].values()) == pytest.approx(1.0)
    assert fleet["utilisation"] == pytest.approx(fleet["state_fraction"]["working"])
    mean_target = (2 * 6 + 6 * 8 + 4 * 8 + 2 * 2) / 24.0
    assert fleet["on_duty_mean"] == pytest.approx(mean_target, abs=0.3)
    assert fleet["off_duty_fraction"] == pytest.approx(1 - fleet["on_duty_mean"] / 6, abs=1e-9)


def test_off_duty_robots_come_back_with_full_packs():
    result = simulate(scenario(CYCLE, "replenish"), keep_entities=True)
    # at the horizon (48 h, night shift: 2 on duty) the four parked robots carry ready packs
    parked = [r for r in result.fleet.robots if r.state == "off_duty"]
    assert len(parked) == 4
    assert all(p.soc >= 0.95 for r in parked for p in r.packs)
