"""Unit tests for swapsim.scenario.units: quantities with units in, model units out, and back again."""

from __future__ import annotations

import math

import pytest
from pydantic import BaseModel, ValidationError

from swapsim.scenario.units import (
    Distance,
    Duration,
    Energy,
    Power,
    Speed,
    UnitError,
    format_distance,
    format_duration,
    format_energy,
    format_power,
    format_speed,
    parse_distance_m,
    parse_duration_h,
    parse_energy_wh,
    parse_power_w,
    parse_speed_mps,
)


@pytest.mark.parametrize(
    "text, hours",
    [
        ("3 min", 3 / 60),
        ("90 s", 90 / 3600),
        ("90 sec", 90 / 3600),
        ("2 h", 2.0),
        ("2 hr", 2.0),
        ("1.5 hours", 1.5),
        ("14 d", 14 * 24.0),
        ("1 day", 24.0),
        ("2 w", 2 * 168.0),
        ("0.5 weeks", 84.0),
        ("  3   min ", 3 / 60),
        ("3min", 3 / 60),
        ("1e-1 h", 0.1),
        (".5 h", 0.5),
        ("-2 h", -2.0),  # the sign is parsed; fields set their own ranges (ge=0, gt=0)
    ],
)
def test_duration_parses_to_hours(text: str, hours: float) -> None:
    assert parse_duration_h(text) == pytest.approx(hours, rel=1e-15)


@pytest.mark.parametrize(
    "text, wh",
    [
        ("468 Wh", 468.0),
        ("0.47 kWh", 470.0),
        ("1 MWh", 1e6),
        ("3600 J", 1.0),
        ("3.6 kJ", 1.0),
        ("3.6 MJ", 1000.0),
    ],
)
def test_energy_parses_to_watt_hours(text: str, wh: float) -> None:
    assert parse_energy_wh(text) == pytest.approx(wh, rel=1e-12)


@pytest.mark.parametrize(
    "parse, text, value",
    [
        (parse_power_w, "210 W", 210.0),
        (parse_power_w, "1.5 kW", 1500.0),
        (parse_power_w, "0.002 MW", 2000.0),
        (parse_distance_m, "60 m", 60.0),
        (parse_distance_m, "0.2 km", 200.0),
        (parse_speed_mps, "1.2 m/s", 1.2),
        (parse_speed_mps, "3.6 km/h", 1.0),
    ],
)
def test_power_distance_speed_parse_to_model_units(parse, text: str, value: float) -> None:
    assert parse(text) == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize(
    "value, fragment",
    [
        (3, "a bare number has no unit"),
        (3.0, "a bare number has no unit"),
        (True, "expected a duration with a unit"),
        (None, "expected a duration with a unit"),
        ([3, "min"], "expected a duration with a unit"),
        ("3", "expected a duration like '3 min'"),
        ("min", "expected a duration like '3 min'"),
        ("", "expected a duration like '3 min'"),
        ("three min", "expected a duration like '3 min'"),
        ("inf h", "expected a duration like '3 min'"),
        ("1e400 h", "must be finite"),
        ("3 parsecs", "unknown duration unit 'parsecs'"),
        ("3 Min", "unknown duration unit 'Min'"),  # durations are case-sensitive: M is not m
        ("3 Wh", "unknown duration unit 'Wh'"),
    ],
)
def test_duration_errors_say_what_is_wrong(value: object, fragment: str) -> None:
    with pytest.raises(UnitError) as info:
        parse_duration_h(value)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    "parse, text, fragment",
    [
        (parse_energy_wh, "468", "expected an energy like '468 Wh'"),
        (parse_energy_wh, None, "expected an energy with a unit"),
        (parse_energy_wh, 468, "a bare number has no unit"),
        (parse_energy_wh, "468 W", "unknown energy unit 'W'"),
        (parse_power_w, "210 Wh", "unknown power unit 'Wh'"),
        (parse_distance_m, "60 ft", "unknown distance unit 'ft'"),
        (parse_speed_mps, "1 mph", "unknown speed unit 'mph'"),
        (parse_speed_mps, 1.0, "a bare number has no unit"),
    ],
)
def test_other_dimensions_reject_wrong_units(parse, text: object, fragment: str) -> None:
    with pytest.raises(UnitError) as info:
        parse(text)
    assert fragment in str(info.value)


def test_unknown_unit_message_lists_the_known_units() -> None:
    with pytest.raises(UnitError, match=r"known: .*\bmin\b.*"):
        parse_duration_h("3 parsecs")


@pytest.mark.parametrize(
    "hours, text",
    [
        (3 / 60, "3 min"),
        (90 / 3600, "1.5 min"),
        (7 / 3600, "7 s"),
        (2.0, "2 h"),
        (1.5, "1.5 h"),
        (24.0, "1 d"),
        (14 * 24.0, "14 d"),
        (1 / 3, "20 min"),
        (0.0, "0 s"),
    ],
)
def test_format_duration_picks_a_readable_unit(hours: float, text: str) -> None:
    assert format_duration(hours) == text


@pytest.mark.parametrize(
    "hours", [3 / 60, 0.025, 1 / 3, 1e-7, 123.456, 0.1, 7 / 3600, 2 / 3, 1e6, math.pi, 0.0, 5e-324, 0.30000000000000004]
)
def test_format_duration_round_trips_exactly(hours: float) -> None:
    assert parse_duration_h(format_duration(hours)) == hours


@pytest.mark.parametrize(
    "fmt, parse, value",
    [
        (format_energy, parse_energy_wh, 468.0),
        (format_energy, parse_energy_wh, 0.1 + 0.2),
        (format_power, parse_power_w, 210.0),
        (format_power, parse_power_w, 1 / 3),
        (format_distance, parse_distance_m, 60.0),
        (format_distance, parse_distance_m, 1e-9),
        (format_speed, parse_speed_mps, 1 / 3.6),
        (format_speed, parse_speed_mps, 1.2),
    ],
)
def test_format_round_trips_exactly(fmt, parse, value: float) -> None:
    assert parse(fmt(value)) == value


def test_format_writes_the_model_unit() -> None:
    assert format_energy(470.0) == "470 Wh"
    assert format_power(210.0) == "210 W"
    assert format_distance(60.0) == "60 m"
    assert format_speed(1.25) == "1.25 m/s"


class _Quantities(BaseModel):
    t: Duration
    e: Energy
    p: Power
    d: Distance
    v: Speed


def test_pydantic_types_parse_in_and_write_units_out() -> None:
    q = _Quantities(t="3 min", e="0.47 kWh", p="1.5 kW", d="0.2 km", v="3.6 km/h")
    assert (q.t, q.e, q.p, q.d, q.v) == pytest.approx((0.05, 470.0, 1500.0, 200.0, 1.0))
    dumped = q.model_dump(mode="json")
    assert dumped == {"t": "3 min", "e": "470 Wh", "p": "1500 W", "d": "200 m", "v": "1 m/s"}
    assert _Quantities(**dumped) == q
    # Python-mode dumps keep model units (floats) for code that reads the scenario.
    assert q.model_dump()["t"] == pytest.approx(0.05)


def test_pydantic_types_reject_bare_numbers() -> None:
    with pytest.raises(ValidationError, match="bare number has no unit"):
        _Quantities(t=3, e="1 Wh", p="1 W", d="1 m", v="1 m/s")


@pytest.mark.parametrize(
    "parse, text, meant, hint",
    [
        (parse_energy_wh, "1 mWh", "MWh", "'m' is milli"),  # used to be read as one megawatt-hour
        (parse_energy_wh, "468 wh", "Wh", ""),
        (parse_energy_wh, "0.47 KWH", "kWh", "'K' is kelvin"),
        (parse_energy_wh, "2 mj", "MJ", "'m' is milli"),
        (parse_power_w, "5 mW", "MW", "'m' is milli"),
        (parse_power_w, "1.5 KW", "kW", "'K' is kelvin"),
        (parse_power_w, "210 w", "W", ""),
    ],
)
def test_energy_and_power_units_are_case_sensitive_as_in_si(parse, text, meant, hint) -> None:
    with pytest.raises(UnitError) as err:
        parse(text)
    assert "case-sensitive" in str(err.value) and repr(meant) in str(err.value) and hint in str(err.value)


def test_a_wrongly_cased_unit_in_a_scenario_names_the_field(tmp_path) -> None:
    from swapsim.scenario import ScenarioError, load_scenario

    with pytest.raises(ScenarioError) as err:
        load_scenario("scenarios/factory.yaml", ["pack.capacity=1 mWh"])
    assert "pack.capacity" in str(err.value) and "'MWh'" in str(err.value)
