"""Physical quantities written with units, parsed once at load time.

Scenario files speak human units ("3 min", "2 h", "468 Wh", "1.2 m/s"); the model speaks one
unit per dimension and nothing else:

=========  ==========  =====================================================
dimension  model unit  accepted in scenario files
=========  ==========  =====================================================
time       hour (h)    s, sec, min, h, hr, d, day(s), w, week(s)
energy     Wh          Wh, kWh, MWh, J, kJ, MJ (case-sensitive, as SI writes them)
power      W           W, kW, MW (case-sensitive)
distance   metre (m)   m, km
speed      m/s         m/s, km/h
=========  ==========  =====================================================

A bare number is rejected for every dimension: the reader of a scenario must never have to guess
the unit. The ``format_*`` functions write a model value back in a readable unit, so that a
resolved scenario can be loaded again and gives the same values.
"""

from __future__ import annotations

import math
import re

__all__ = [
    "UnitError",
    "parse_duration_h",
    "parse_energy_wh",
    "parse_power_w",
    "parse_distance_m",
    "parse_speed_mps",
    "format_duration",
    "format_energy",
    "format_power",
    "format_distance",
    "format_speed",
    "Duration",
    "Energy",
    "Power",
    "Distance",
    "Speed",
]


class UnitError(ValueError):
    """A quantity string that is not a number followed by a known unit."""


_NUMBER_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z/]+)\s*$")

_DURATION_H = {
    "s": 1 / 3600,
    "sec": 1 / 3600,
    "secs": 1 / 3600,
    "second": 1 / 3600,
    "seconds": 1 / 3600,
    "min": 1 / 60,
    "mins": 1 / 60,
    "minute": 1 / 60,
    "minutes": 1 / 60,
    "h": 1.0,
    "hr": 1.0,
    "hrs": 1.0,
    "hour": 1.0,
    "hours": 1.0,
    "d": 24.0,
    "day": 24.0,
    "days": 24.0,
    "w": 168.0,
    "week": 168.0,
    "weeks": 168.0,
}
_ENERGY_WH = {"Wh": 1.0, "kWh": 1e3, "MWh": 1e6, "J": 1 / 3600, "kJ": 1 / 3.6, "MJ": 1e3 / 3.6}
_POWER_W = {"W": 1.0, "kW": 1e3, "MW": 1e6}
# SI prefixes are case-sensitive: m is milli, M is mega. A spelling that differs from a known unit only in
# case is an error that names the unit meant (``"1 mWh"`` used to be read as one megawatt-hour).
_DISTANCE_M = {"m": 1.0, "km": 1e3}
_SPEED_MPS = {"m/s": 1.0, "km/h": 1 / 3.6}


def _parse(value: object, table: dict[str, float], dimension: str, example: str, si_case: bool = False) -> float:
    """``value`` in model units; ``si_case``: the table's units carry SI prefixes, so a spelling that
    differs only in case gets an error naming the unit meant (m is milli, M mega)."""
    a = "an" if dimension[0] in "aeiou" else "a"
    if isinstance(value, bool) or value is None:
        raise UnitError(f"expected {a} {dimension} with a unit, e.g. '{example}'")
    if isinstance(value, (int, float)):
        raise UnitError(f"a bare number has no unit: write the {dimension} with one, e.g. '{example}'")
    if not isinstance(value, str):
        raise UnitError(f"expected {a} {dimension} with a unit, e.g. '{example}'")
    match = _NUMBER_UNIT.match(value)
    if not match:
        raise UnitError(f"expected {a} {dimension} like '{example}'")
    number, unit = match.groups()
    if unit not in table:
        known = ", ".join(sorted(set(table)))
        meant = [k for k in table if k.lower() == unit.lower()] if si_case else []
        if meant:
            prefix = unit[0]
            what = (
                {"m": " ('m' is milli)", "M": " ('M' is mega)", "k": "", "K": " ('K' is kelvin, not kilo)"}.get(
                    prefix, ""
                )
                if len(unit) > 1
                else ""
            )
            raise UnitError(
                f"'{unit}' is not how the unit is written{what}: units are case-sensitive, "
                f"write {' or '.join(repr(m) for m in meant)} (known: {known})"
            )
        raise UnitError(f"unknown {dimension} unit '{unit}' (known: {known})")
    result = float(number) * table[unit]
    if not math.isfinite(result):
        raise UnitError(f"{dimension} must be finite")
    return result


def parse_duration_h(value: object) -> float:
    """Parse a duration such as ``"3 min"`` or ``"14 d"``; returns hours."""
    return _parse(value, _DURATION_H, "duration", "3 min")


def parse_energy_wh(value: object) -> float:
    """Parse an energy such as ``"468 Wh"`` or ``"0.47 kWh"``; returns watt-hours."""
    return _parse(value, _ENERGY_WH, "energy", "468 Wh", si_case=True)


def parse_power_w(value: object) -> float:
    """Parse a power such as ``"210 W"`` or ``"1.5 kW"``; returns watts."""
    return _parse(value, _POWER_W, "power", "210 W", si_case=True)


def parse_distance_m(value: object) -> float:
    """Parse a distance such as ``"60 m"`` or ``"0.2 km"``; returns metres."""
    return _parse(value, _DISTANCE_M, "distance", "60 m")


def parse_speed_mps(value: object) -> float:
    """Parse a speed such as ``"1.0 m/s"`` or ``"3.6 km/h"``; returns metres per second."""
    return _parse(value, _SPEED_MPS, "speed", "1.0 m/s")


def _g(x: float) -> str:
    """Shortest decimal that reads back to the same float."""
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


def format_duration(hours: float) -> str:
    """Write a duration in hours in the largest readable unit that parses back to the same float."""
    candidates = []
    for unit, size in (("d", 24.0), ("h", 1.0), ("min", 1 / 60), ("s", 1 / 3600)):
        value = round(hours / size, 9)
        if abs(hours) >= size or unit == "s":
            candidates.append(f"{_g(value)} {unit}")
    for text in candidates:
        if parse_duration_h(text) == hours:
            return text
    return f"{_g(hours)} h"


def format_energy(wh: float) -> str:
    """Write an energy in watt-hours."""
    return f"{_g(wh)} Wh"


def format_power(w: float) -> str:
    """Write a power in watts."""
    return f"{_g(w)} W"


def format_distance(m: float) -> str:
    """Write a distance in metres."""
    return f"{_g(m)} m"


def format_speed(mps: float) -> str:
    """Write a speed in metres per second."""
    return f"{_g(mps)} m/s"


# --- pydantic field types: a quantity string in, a float in model units out, the string back on dump.
from typing import Annotated  # noqa: E402

from pydantic import BeforeValidator, PlainSerializer  # noqa: E402

Duration = Annotated[float, BeforeValidator(parse_duration_h), PlainSerializer(format_duration, when_used="json")]
"""A duration: written with a unit, held in hours."""
Energy = Annotated[float, BeforeValidator(parse_energy_wh), PlainSerializer(format_energy, when_used="json")]
"""An energy: written with a unit, held in watt-hours."""
Power = Annotated[float, BeforeValidator(parse_power_w), PlainSerializer(format_power, when_used="json")]
"""A power: written with a unit, held in watts."""
Distance = Annotated[float, BeforeValidator(parse_distance_m), PlainSerializer(format_distance, when_used="json")]
"""A distance: written with a unit, held in metres."""
Speed = Annotated[float, BeforeValidator(parse_speed_mps), PlainSerializer(format_speed, when_used="json")]
"""A speed: written with a unit, held in metres per second."""
