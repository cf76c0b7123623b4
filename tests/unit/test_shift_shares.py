"""Shift calendars written as shares of the fleet, and swaps per on-duty robot."""

from __future__ import annotations

from pathlib import Path

import pytest

from swapsim.engine import simulate
from swapsim.experiments import load_sweep_file
from swapsim.model.workload import DutyCalendar
from swapsim.scenario import ScenarioError, dump_scenario, load_scenario, scenario_from_dict
from tests.builders import scenario_dict

ROOT = Path(__file__).resolve().parents[2]


def _with_calendar(robots: int, calendar: list[dict]) -> dict:
    return scenario_dict(
        fleet={"robots": robots, "initial_soc": "staggered"}, shifts={"calendar": calendar}, horizon="1 d"
    )


@pytest.mark.parametrize(
    "share,fleet,expected",
    [
        ("90 %", 60, 54),
        ("92 %", 60, 55),
        ("84 %", 60, 50),
        ("10 %", 40, 4),
        ("50%", 5, 3),
        ("0 %", 7, 0),
        ("100 %", 7, 7),
        ("12.5 %", 8, 1),
    ],
)
def test_a_share_resolves_to_the_nearest_robot_halves_up(share, fleet, expected):
    sc = scenario_from_dict(_with_calendar(fleet, [{"start": "0 h", "robots": share}]), "t")
    assert sc.shifts.calendar[0].count(fleet) == expected
    assert DutyCalendar.from_spec(sc.shifts, fleet).target(3.0) == expected


@pytest.mark.parametrize(
    "bad,msg", [("110 %", "<= 100 %"), ("ninety", "share of the fleet"), ("-5 %", "share of the fleet")]
)
def test_bad_shares_are_rejected_with_the_path(bad, msg):
    with pytest.raises(ScenarioError, match=msg) as err:
        scenario_from_dict(_with_calendar(10, [{"start": "0 h", "robots": bad}]), "t")
    assert "shifts.calendar[0].robots" in str(err.value)


def test_a_count_above_the_fleet_is_still_an_error():
    with pytest.raises(ScenarioError, match=r"shifts.calendar\[0\].robots: must be <= fleet.robots \(3\)"):
        scenario_from_dict(_with_calendar(3, [{"start": "0 h", "robots": 4}]), "t")


def test_shares_survive_the_resolved_scenario_round_trip(tmp_path):
    sc = load_scenario(ROOT / "scenarios" / "warehouse.yaml")
    path = tmp_path / "w.yaml"
    path.write_text(dump_scenario(sc))
    again = load_scenario(path)
    assert again == sc
    assert [seg.robots for seg in again.shifts.calendar] == ["10 %", "92 %", "84 %", "10 %"]


@pytest.mark.parametrize("name,fleet,counts", [("warehouse", 60, [6, 55, 50, 6]), ("airport", 40, [16, 36, 36, 16])])
def test_the_shipped_calendars_keep_their_counts_at_the_shipped_fleet(name, fleet, counts):
    sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    assert sc.fleet.robots == fleet
    assert [seg.count(fleet) for seg in sc.shifts.calendar] == counts


def test_the_readme_example_and_the_sizing_sweep_validate():
    sc = load_scenario(ROOT / "scenarios" / "warehouse.yaml", ["fleet.robots=40"])
    assert [seg.count(40) for seg in sc.shifts.calendar] == [4, 37, 34, 4]
    sweep = load_sweep_file(ROOT / "scenarios" / "sweeps" / "warehouse-sizing.yaml")
    assert len(sweep.points) == 9


def test_swaps_per_on_duty_robot_divides_by_the_robots_on_duty():
    # 4 robots, half of them on duty all day: per on-duty robot is twice per robot
    data = scenario_dict(
        fleet={"robots": 4, "initial_soc": "staggered"},
        horizon="1 d",
        power={"activities": {"walk": "800 W", "idle": "50 W"}},
        shifts={"calendar": [{"start": "0 h", "robots": "50 %"}]},
    )
    s = simulate(scenario_from_dict(data, "t")).summary
    assert s["fleet"]["on_duty_mean"] == pytest.approx(2.0)
    assert s["swaps"]["count"] > 0
    assert s["swaps"]["per_on_duty_robot_per_day"] == pytest.approx(2 * s["swaps"]["per_robot_per_day"])
