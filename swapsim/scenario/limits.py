"""Bounds on scenarios: what a scenario may ask for.

Two concerns, both checked when a scenario is validated:

* **Numbers that mean what they say.** :data:`Int` and :data:`Real` are the schema's whole-number and
  real-number field types: YAML's ``yes``/``true`` is not a number (pydantic would read it as 1), and
  the schema's models refuse NaN and infinities. :func:`show` writes a value into an error message
  with bounded work, whatever its size or nesting (an alias bomb is never expanded).
* **A scenario that validates runs.** :func:`runnable_checks` are the cross-field conditions the model
  relies on to advance its clock: every swap (or charge) must give at least :data:`MIN_WORK_PER_SWAP_H`
  of work at the highest power drawn, arrival and fault rates are bounded, a lognormal's spread is
  bounded. Field bounds (the ``MAX_*`` constants) sit on the fields in :mod:`swapsim.scenario`.

What a run may cost (memory) is checked by :mod:`swapsim.resources`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BeforeValidator

if TYPE_CHECKING:
    from swapsim.scenario.schema import Scenario

__all__ = [
    "Int",
    "Real",
    "show",
    "runnable_checks",
    "duration_at_most",
    "duration_at_least",
    "MAX_ROBOTS",
    "MAX_STATIONS",
    "MAX_POSITIONS",
    "MAX_BAYS",
    "MAX_HORIZON_H",
    "MIN_BIN_WIDTH_H",
    "MIN_HEALTH_BIN_WIDTH_H",
    "MAX_SEED",
    "MAX_ARRIVAL_RATE_PER_H",
    "MAX_FAULT_RATE_PER_DAY",
    "MAX_FAILED_SWAP_PROBABILITY",
    "MIN_PERIOD_H",
    "MIN_SEGMENT_H",
    "MIN_CYCLE_H",
    "MIN_WORK_PER_SWAP_H",
    "MAX_LOGNORMAL_CV",
    "MAX_SET_PATH_PARTS",
]

# -- field bounds (used by swapsim.scenario) --------------------------------------------------------
MAX_ROBOTS = 10_000
"""Robots in a fleet (the shipped scenarios have 12 to 60)."""
MAX_STATIONS = 100
"""Stations in a scenario."""
MAX_POSITIONS = 1_000
"""Swap positions (or plug-in docks) at one station."""
MAX_BAYS = 10_000
"""Bays at one station."""
MAX_HORIZON_H = 10 * 365 * 24.0
"""Longest horizon: 10 years (3650 d), in hours."""
MIN_BIN_WIDTH_H = 1 / 3600
"""Narrowest time-series bin: 1 s, in hours (memory is bounded by the estimate)."""
MIN_HEALTH_BIN_WIDTH_H = 1.0
"""Shortest interval between pack-health snapshots: 1 h. A snapshot is a pass over every pack (about
10 us each), and pack health moves over days: at 1 s a day of the warehouse took 112-231 s of
snapshots alone, where 1 h costs a few milliseconds a day."""
MAX_SEED = 2**63 - 1
"""Largest root seed."""
MAX_ARRIVAL_RATE_PER_H = 100_000.0
"""Highest task arrival rate, after ``scale`` (tasks per hour; the warehouse peaks at 380)."""
MAX_FAULT_RATE_PER_DAY = 1440.0
"""Highest fault rate (per robot or station and day): one a minute."""
MAX_FAILED_SWAP_PROBABILITY = 0.99
"""Highest chance that a swap attempt fails (at most 100 attempts per swap on average)."""
MIN_PERIOD_H = 1 / 60
"""Shortest repeating period of an arrival profile or a shift calendar: 1 min, in hours."""
MIN_SEGMENT_H = 1 / 3600
"""Shortest segment of an arrival profile or a shift calendar: 1 s, in hours."""
MIN_WORK_PER_SWAP_H = 1 / 60
"""Least work a swap must buy at the highest power the robot draws for long (a cycle's or a task's
mean power, not a short burst's: the validation scenarios use a whole pack in a 3.6 s burst on
purpose): 1 min, in hours."""
MIN_CYCLE_H = 1 / 60
"""Shortest mean length of one pass through an activity cycle: 1 min, in hours."""
MAX_LOGNORMAL_CV = 100.0
"""Largest coefficient of variation (sd / mean) of a lognormal duration."""
MAX_SET_PATH_PARTS = 32
"""Most segments in a ``--set`` or sweep-factor path (the schema is 6 levels deep)."""


# -- numbers that are numbers ---------------------------------------------------------------------
def _whole(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("must be a whole number, not true/false")
    return value


def _real(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("must be a number, not true/false")
    return value


Int = Annotated[int, BeforeValidator(_whole)]
"""A whole-number field: YAML booleans are refused (``robots: yes`` is not 1 robot)."""
Real = Annotated[float, BeforeValidator(_real)]
"""A real-number field: YAML booleans are refused (NaN and infinities by the models' config)."""


def show(value: Any, limit: int = 80) -> str:
    """``repr``-like text of ``value`` cut to ``limit`` characters, in work bounded by ``limit``.

    Containers are written item by item until the budget is spent, so a huge or deeply nested value
    (an alias bomb, a 5000-digit integer) costs no more than a small one.
    """
    if isinstance(value, dict) and value.get("dist") == "fixed" and len(value) == 2 and "value" in value:
        value = value["value"]
    out: list[str] = []
    budget = [limit + 1]

    def put(text: str) -> bool:
        out.append(text[: budget[0]])
        budget[0] -= len(text)
        return budget[0] > 0

    def walk(v: Any, depth: int) -> bool:
        if depth > 20:
            return put("...")
        if isinstance(v, bool) or v is None or isinstance(v, float):
            return put(repr(v))
        if isinstance(v, int):
            if v.bit_length() > 200:
                return put(f"<an integer of about {int(v.bit_length() * 0.30103) + 1} digits>")
            return put(repr(v))
        if isinstance(v, str):
            return put(repr(v[: budget[0] + 2]) if len(v) > budget[0] else repr(v))
        if isinstance(v, dict):
            if not put("{"):
                return False
            for i, (k, item) in enumerate(v.items()):
                if (i and not put(", ")) or not walk(k, depth + 1) or not put(": ") or not walk(item, depth + 1):
                    return False
            return put("}")
        if isinstance(v, (list, tuple)):
            if not put("["):
                return False
            for i, item in enumerate(v):
                if (i and not put(", ")) or not walk(item, depth + 1):
                    return False
            return put("]")
        return put(f"<{type(v).__name__}>")

    walk(value, 0)
    text = "".join(out)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- a scenario that validates runs ---------------------------------------------------------------
def runnable_checks(s: "Scenario") -> list[tuple[str, str, Any]]:
    """Cross-field conditions the model needs to advance its clock: (dotted path, what is expected, value)."""
    from swapsim.scenario.units import format_power

    errors: list[tuple[str, str, Any]] = []
    top_name, top_w = max(_draining_powers(s).items(), key=lambda kv: kv[1])
    usable_wh = s.pack.capacity * s.pack.usable_fraction
    window = s.policy.ready_threshold - s.policy.swap_trigger
    if top_w > 0 and window * usable_wh / top_w < MIN_WORK_PER_SWAP_H:
        errors.append(
            (
                "pack.capacity",
                f"a swap must buy at least 1 min of work: (policy.ready_threshold - policy.swap_trigger) "
                f"x usable energy = {window * usable_wh:.3g} Wh lasts "
                f"{window * usable_wh / top_w * 3600:.3g} s at {top_name} {format_power(top_w)}",
                f"{s.pack.capacity:g} Wh",
            )
        )
    tasks = s.workload.tasks
    if tasks is not None:
        peak = max(seg.rate_per_h for seg in tasks.arrivals.profile) * tasks.arrivals.scale
        if peak > MAX_ARRIVAL_RATE_PER_H:
            errors.append(
                (
                    "workload.tasks.arrivals.scale",
                    f"the peak rate x scale must be <= {MAX_ARRIVAL_RATE_PER_H:g} tasks per hour",
                    f"{peak:g} per hour",
                )
            )
    errors.extend(_distribution_checks(s))
    return errors


def _draining_powers(s: "Scenario") -> dict[str, float]:
    """The powers (W) a robot draws for long stretches: at the station, walking to stations (if any is
    away), the activity cycle's or a task's mean power over its steps (a short burst at high power
    averages out), the walk to a task and idling (task demand), halted (faults on)."""
    acts = s.power.activities
    powers = {"(at station)": s.power.station_w}
    if any(st.distance > 0 for st in s.stations):
        powers["walk"] = acts.get("walk", 0.0)
    f = s.faults
    if f.estop.rate_per_day > 0 or f.breakdown.rate_per_day > 0 or f.failed_swap.probability > 0:
        powers["(faults.down_power)"] = f.down_power
    steps = s.workload.cycle or []
    label = "(mean over workload.cycle)"
    if s.workload.tasks is not None:
        tasks = s.workload.tasks
        powers["idle"] = acts.get("idle", 0.0)
        powers[f"{tasks.approach_activity} (walk to a task)"] = acts.get(tasks.approach_activity, 0.0)
        steps, label = tasks.steps, "(mean over workload.tasks.steps)"
    hours = sum(step.duration.mean for step in steps)
    if hours > 0:
        powers[label] = sum(step.duration.mean * acts.get(step.activity, 0.0) for step in steps) / hours
    return powers


def _distributions(s: "Scenario"):
    """(dotted path, distribution) of every duration distribution in the scenario."""
    for i, st in enumerate(s.stations):
        yield f"stations[{i}].swap_duration", st.swap_duration
    for i, step in enumerate(s.workload.cycle or []):
        yield f"workload.cycle[{i}].duration", step.duration
    if s.workload.tasks is not None:
        for i, step in enumerate(s.workload.tasks.steps):
            yield f"workload.tasks.steps[{i}].duration", step.duration
    f = s.faults
    yield "faults.estop.duration", f.estop.duration
    yield "faults.breakdown.repair", f.breakdown.repair
    yield "faults.station_outage.repair", f.station_outage.repair
    yield "faults.failed_swap.retry", f.failed_swap.retry
    yield "strategy.boot_time", s.strategy.boot_time
    yield "technicians.response_time", s.technicians.response_time
    yield "technicians.job_duration", s.technicians.job_duration


def _distribution_checks(s: "Scenario") -> list[tuple[str, str, Any]]:
    errors = []
    for path, dist in _distributions(s):
        if dist.dist == "lognormal" and dist.sd > MAX_LOGNORMAL_CV * dist.mean_:
            errors.append((f"{path}.sd", f"must be <= {MAX_LOGNORMAL_CV:g} x mean", f"{dist.sd:g} h"))
    return errors


def duration_at_most(bound_h: float):
    """An ``AfterValidator`` for a duration field: at most ``bound_h`` hours, the message in units."""
    from pydantic import AfterValidator

    def check(hours: float) -> float:
        if hours > bound_h:
            from swapsim.scenario.units import format_duration

            raise ValueError(f"must be <= {format_duration(bound_h)} (got {format_duration(hours)})")
        return hours

    return AfterValidator(check)


def duration_at_least(bound_h: float):
    """An ``AfterValidator`` for a duration field: at least ``bound_h`` hours, the message in units."""
    from pydantic import AfterValidator

    def check(hours: float) -> float:
        if hours < bound_h:
            from swapsim.scenario.units import format_duration

            raise ValueError(f"must be >= {format_duration(bound_h)} (got {format_duration(hours)})")
        return hours

    return AfterValidator(check)
