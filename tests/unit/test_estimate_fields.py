"""Every scenario field is honoured by the estimate or listed as ignored (issue 28, item 2).

The schema is walked (every field of the pydantic models, recursively, through lists, optional sections
and the duration distributions); each field must have a decision in ``estimate_fields.FIELDS``. An
ignored field set away from its default is named in the approximations and turns the verdicts of the
numbers it affects to unreliable; a field said to be used must move the estimate.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from swapsim.analysis.estimate_fields import FIELDS, classify, ignored_settings, schema_paths
from swapsim.analysis.estimator import estimate
from swapsim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[2]
FACTORY = ROOT / "scenarios" / "factory.yaml"
HOSPITAL = ROOT / "scenarios" / "hospital.yaml"


def _leaf_paths() -> list[str]:
    paths = schema_paths()
    return [p for p in paths if not any(q.startswith(p + ".") or q.startswith(p + "[]") for q in paths)]


def test_the_walk_reaches_nested_sections_lists_and_distributions() -> None:
    paths = schema_paths()
    for p in (
        "stations[].charger.rate_c",
        "workload.cycle[].duration.mean_",
        "workload.tasks.arrivals.profile[].rate_per_h",
        "shifts.calendar[].robots",
        "faults.breakdown.repair.sd",
        "technicians.shifts[].start",
        "costs.energy_tariff[].per_kwh",
        "policy.opportunistic_below",
    ):
        assert p in paths
    assert len(paths) > 200


def test_every_schema_field_is_used_or_classified() -> None:
    unclassified = [p for p in _leaf_paths() if classify(p) is None]
    assert not unclassified, f"no decision in estimate_fields.FIELDS for: {unclassified}"


def test_every_entry_names_a_schema_field() -> None:
    paths = set(schema_paths())
    stale = [k for k in FIELDS if k not in paths]
    assert not stale


def test_ignored_fields_name_the_verdicts_they_affect() -> None:
    for path, use in FIELDS.items():
        if use.kind == "ignored":
            assert use.affects and set(use.affects) <= {"balance", "wait", "stockouts"}, path
            assert use.why, path


def _at_30c(*overrides: str) -> Scenario:
    return load_scenario(FACTORY, ["battery.temperature_c.in_robot=30", *overrides])


def test_opportunistic_swaps_are_named_and_make_the_numbers_unreliable() -> None:
    base = estimate(_at_30c())
    early = estimate(_at_30c("policy.opportunistic_below=0.6"))
    assert base["verdicts"]["fleet.utilisation"]["reliable"]
    assert not any("opportunistic" in a for a in base["approximations"])
    assert any("policy.opportunistic_below = 0.6 (default none)" in a for a in early["approximations"])
    for key in ("fleet.utilisation", "swaps.per_robot_per_day", "swaps.wait_min.mean", "swaps.stockout_fraction"):
        v = early["verdicts"][key]
        assert not v["reliable"] and "policy.opportunistic_below" in v["reason"], key
    # scenario inputs stay inputs
    assert early["verdicts"]["fleet.robots"]["reliable"]


@pytest.mark.parametrize(
    ("override", "named", "key"),
    [
        ("faults.estop.rate_per_day=0.5", "faults.estop.rate_per_day", "fleet.utilisation"),
        ("fleet.initial_soc=full", "fleet.initial_soc", "swaps.wait_min.mean"),
        ("battery.wear_scale=5", "battery.wear_scale", "energy.grid_kwh_per_day"),
        ("health.retire_below=0.84", "health.retire_below", "swaps.stockout_fraction"),
    ],
)
def test_each_ignored_setting_is_named_in_the_verdict(override: str, named: str, key: str) -> None:
    v = estimate(_at_30c(override))["verdicts"][key]
    assert not v["reliable"] and named in v["reason"]


def test_a_value_the_estimate_assumes_is_not_reported() -> None:
    # packs that never age are what the estimate assumes; so is no ageing parameter when ageing is off
    assert ignored_settings(_at_30c("battery.ageing=false")) == []
    assert ignored_settings(load_scenario(FACTORY, ["battery.ageing=false"])) == []
    assert [s.path for s in ignored_settings(load_scenario(FACTORY))] == ["battery.temperature_c.in_robot"]


def test_shifts_are_reported_as_one_section() -> None:
    sc = load_scenario(HOSPITAL, ["shifts={calendar: [{start: 0 h, robots: 4}, {start: 8 h, robots: 8}]}"])
    assert [s.path for s in ignored_settings(sc)] == ["shifts"]
    assert ignored_settings(load_scenario(HOSPITAL)) == []


@pytest.mark.parametrize(
    "override",
    [
        "fleet.robots=40",
        "pack.capacity=400 Wh",
        "pack.usable_fraction=0.8",
        "power.activities.walk=250 W",
        "power.at_station=80 W",
        "policy.swap_trigger=0.3",
        "policy.ready_threshold=0.9",
        "policy.go=immediately",
        "policy.station_choice=nearest",
        "travel.walking_speed=0.5 m/s",
        "stations[0].distance=200 m",
        "stations[0].positions=3",
        "stations[0].bays=45",  # empty bays for every robot: Palm's count
        "stations[0].charged_packs=6",
        "stations[0].swap_duration=5 min",
        "stations[0].charger.rate_c=0.5",
        "stations[0].charger.cv_soc=0.7",
        "stations[0].charger.cutoff_c=0.1",
        "stations[0].charger.efficiency=0.8",
        "stations[0].power_cap=1500 W",
        "horizon=20 d",
        "workload.cycle[0].duration=30 min",
    ],
)
def test_a_used_field_moves_the_estimate(override: str) -> None:
    path = override.split("=", 1)[0].replace("[0]", "[]")
    assert classify(path) is not None and classify(path).kind == "used"  # type: ignore[union-attr]
    base = estimate(_at_30c())
    moved = estimate(_at_30c(override))
    assert ignored_settings(_at_30c(override)) == []
    keys = ("fleet", "swaps", "stations", "energy", "cycle")
    assert {k: moved[k] for k in keys} != {k: base[k] for k in keys}
