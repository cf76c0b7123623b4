"""Instant estimates of a scenario's long-run behaviour, in closed form: no simulation.

:func:`estimate` turns a :class:`~swapsim.scenario.Scenario` into the numbers a planner wants before
running anything (swaps a day, the wait at the stations, the chance that no charged pack is ready,
grid energy, utilisation and the share of time in each robot state) in milliseconds. The result is
plain nested data shaped like a run's ``summary.json`` (same key names where the quantity is the
same: ``fleet.utilisation``, ``swaps.per_robot_per_day``, ``swaps.wait_min.mean``,
``stations[i].stockouts``, ``energy.grid_kwh`` ...), so a sweep can put the analytic value beside
the simulated one (:func:`estimate_points`).

The model behind it, from the robot's point of view. A robot swaps a pack each time it has used
one pack's budget: the pack handed out at the station holds ``fresh_soc`` of its usable window
and is given up at the swap trigger, so the energy between swaps is exactly
``(fresh_soc - swap_trigger) x usable Wh``, whatever the policy (``go``, travel, waits). The time
between swaps follows from the mean power in each part of the cycle: working (the activity
cycle's mean power), walking to and from the station, waiting and swapping (station power).
Each station is then two queues in a row: the swap positions (a finite-source M/M/c//N queue when
all robots use that station, an open M/M/c queue when robots are shared between stations), and
the station's packs, which are the servers of an M/D/S queue: a pack is "busy" from drop-off until
it shows green, a fixed time on the CC-CV curve, and a robot waits when all are busy. Waits feed
back into the time between swaps, so the fleet's swap rate is solved as a fixed point.

Every function says which approximations it makes; :func:`estimate` lists the ones that apply to
the scenario at hand under ``approximations``. Units: hours, Wh, W inside; the result says its
units in its key names (``_min``, ``_h``, ``_kwh``, ``_w``). Imports numpy and the scenario schema
only (no SimPy, no matplotlib), so ``swapsim estimate`` answers in well under a second.

The parts: :mod:`swapsim.analysis.cycle` (the activity cycle, charge times, the fresh pack's charge),
:mod:`swapsim.analysis.energy_balance` (each station's queues and the fixed point), the formulas of
:mod:`swapsim.analysis.queueing` and :mod:`swapsim.analysis.spare_packs`; this module assembles the
result, lists the approximations and formats it for the terminal.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from swapsim.analysis.energy_balance import _Model, _StationState
from swapsim.scenario import Scenario, apply_override, scenario_from_dict

__all__ = [
    "estimate",
    "estimate_points",
    "estimate_kpis",
    "format_estimate",
    "format_estimate_json",
]

STATES = ("working", "idle", "travelling", "queueing", "swapping", "stranded")


# ---------------------------------------------------------------------------------------------
# The public estimate


def estimate(scenario: Scenario) -> dict[str, Any]:
    """Closed-form long-run estimate of ``scenario`` (steady state, after warm-up).

    Returns nested plain data shaped like a run's summary: ``fleet`` (utilisation, state fractions),
    ``swaps`` (expected count over the measured span ``horizon - warmup``, per robot per day, mean
    wait in minutes with its position and pack parts, stock-out fraction), ``stations`` (one entry
    each: swaps, share, position utilisation, mean queue, mean green packs, stock-out probability by
    the M/D/S model and by Palm's formula, charge times, fresh charge, grid energy), ``energy``
    (grid kWh over the span and per day = charged energy / charger efficiency), ``cycle`` (powers,
    energy per swap, working time and cycle length) and ``approximations`` (the ones that apply).

    Approximations (each function states its own): steady state; no strandings (the second pack
    covers the trip); new packs (health 1); swap requests at each station close to a Poisson stream
    (the pack queue is open M/D/S even with a finite fleet: it overstates stock-outs a little for
    a few robots); positions as M/M/c//N (one station in use) or open M/M/c (shared), corrected to
    M/G/c by (1 + cs^2)/2; position and pack waits are added; ``shortest_wait`` as an overflow
    from the nearest station to the next when the first is congested (see
    :meth:`_Station.divert_probability`). Exact, up to the fixed point's tolerance, for the M/M/c//N
    configuration used in docs/validation.md.

    Raises:
        ValueError: if the activity cycle has zero mean length, or the scenario uses task demand or a
            power strategy other than ``hot_swap`` (not covered by these formulas: simulate instead).
    """
    if scenario.workload.cycle is None:
        raise ValueError("workload.tasks: the analytic estimate covers the activity-cycle workload only; "
                         "simulate task demand with 'swapsim run' or 'swapsim sweep'")
    if scenario.strategy.kind != "hot_swap":
        raise ValueError(f"strategy.kind: the analytic estimate covers hot_swap only (got "
                         f"{scenario.strategy.kind!r}); compare strategies with 'swapsim compare'")
    model = _Model(scenario)
    rate = model.solve()
    cycle_h, parts, states = model.cycle(rate)
    stuck = rate == 0.0 and model.profile.work_power_w > 0  # a swap can never complete
    n = model.n
    span_h = scenario.horizon - scenario.warmup
    days = span_h / 24.0
    profile = model.profile

    if rate > 0 and math.isfinite(cycle_h):
        frac = {
            "working": parts["work_h"] * profile.working_share / cycle_h,
            "idle": parts["work_h"] * (1.0 - profile.working_share) / cycle_h,
            "travelling": 2 * parts["travel"] / cycle_h,
            "queueing": parts["wait"] / cycle_h,
            "swapping": parts["swap"] / cycle_h,
            "stranded": 0.0,
        }
    elif rate > 0 or stuck:  # waits are infinite: robots end up queueing
        frac = dict.fromkeys(STATES, 0.0)
        frac["queueing"] = 1.0
    else:  # no draw: robots never swap
        frac = dict.fromkeys(STATES, 0.0)
        frac["working"] = profile.working_share
        frac["idle"] = 1.0 - profile.working_share
    eff_wh = 0.0
    station_rows = []
    total_stockout_rate = 0.0
    for i, st in enumerate(model.stations):
        s = states[i]
        spec = st.spec
        energy_wh_per_swap = max(0.0, s.fresh - model.trigger) * model.usable_wh / spec.charger.efficiency
        grid_wh_per_h = s.rate * energy_wh_per_swap
        eff_wh += grid_wh_per_h
        total_stockout_rate += s.rate * s.p_stockout
        pack_load = s.rate * st.t_green
        in_pack_wait = s.rate * s.pack_wait if math.isfinite(s.pack_wait) else math.inf
        busy = min(float(st.positions), s.rate * st.swap_h + in_pack_wait)
        waiting = s.rate * (s.pos_wait + s.pack_wait) if s.rate > 0 else 0.0
        queue_len = max(0.0, waiting - (busy - s.rate * st.swap_h)) if math.isfinite(waiting) else math.inf
        station_rows.append({
            "name": st.name,
            "packs": st.spares,
            "swaps": s.rate * span_h,
            "swaps_per_day": s.rate * 24.0,
            "share": s.rate / rate if rate > 0 else 0.0,
            "swap_utilisation": busy / st.positions,
            "mean_queue_length": queue_len,
            "charged_packs_mean": max(0.0, st.spares - pack_load),
            "stockouts": s.rate * s.p_stockout * span_h,
            "stockout_probability": s.p_stockout,
            "stockout_probability_palm": st.palm(s.rate),
            "wait_min": 60.0 * (s.pos_wait + s.pack_wait) if s.rate > 0 else 0.0,
            "position_wait_min": 60.0 * s.pos_wait,
            "pack_wait_min": 60.0 * s.pack_wait,
            "pack_offered_load": pack_load,
            "chargers": st.chargers,
            "time_to_green_min": 60.0 * st.t_green,
            "time_to_full_min": 60.0 * st.t_full,
            "fresh_soc": s.fresh,
            "divert_probability": s.divert,
            "grid_kwh": grid_wh_per_h * span_h / 1000.0,
            "grid_kwh_per_day": grid_wh_per_h * 24.0 / 1000.0,
        })
    wait_h = parts["wait"] if rate > 0 else (math.inf if stuck else 0.0)
    mean_power = (parts["energy_wh"] / cycle_h) if rate > 0 and math.isfinite(cycle_h) else profile.work_power_w
    return {
        "scenario": scenario.name,
        "method": "analytic",
        "fleet": {
            "robots": n,
            "utilisation": frac["working"],
            "state_fraction": frac,
            "strandings": 0,
        },
        "swaps": {
            "count": rate * span_h,
            "per_day": rate * 24.0,
            "per_robot_per_day": rate * 24.0 / n,
            "stockouts": total_stockout_rate * span_h,
            "stockout_fraction": total_stockout_rate / rate if rate > 0 else 0.0,
            "wait_min": {
                "mean": 60.0 * wait_h,
                "position_mean": 60.0 * parts["pos_wait"] if rate > 0 else 0.0,
                "pack_mean": 60.0 * parts["pack_wait"] if rate > 0 else 0.0,
            },
        },
        "stations": station_rows,
        "energy": {
            "grid_kwh": eff_wh * span_h / 1000.0,
            "grid_kwh_per_day": eff_wh * 24.0 / 1000.0,
            "stations_kwh": eff_wh * span_h / 1000.0,
            "rescue_kwh": 0.0,
        },
        "cycle": {
            "work_power_w": profile.work_power_w,
            "mean_power_w": mean_power,
            "activity_cycle_min": 60.0 * profile.cycle_h,
            "working_share_of_cycle": profile.working_share,
            "usable_wh": model.usable_wh,
            "energy_per_swap_wh": parts["energy_wh"],
            "fresh_soc": parts["fresh"] if rate > 0 else 1.0,
            "working_time_h": parts["work_h"] if rate > 0 else math.inf,
            "time_between_swaps_h": cycle_h if rate > 0 else math.inf,
            "travel_one_way_min": 60.0 * parts["travel"],
            "swap_min": 60.0 * parts["swap"],
            "swap_interval_cv": model.interval_cv,
        },
        "span_h": span_h,
        "days": days,
        "approximations": _approximations(model, states),
    }


def _faults_enabled(sc: Scenario) -> bool:
    """Whether any fault of the scenario can happen."""
    f = sc.faults
    return bool(f.estop.rate_per_day or f.breakdown.rate_per_day or f.station_outage.rate_per_day
                or f.failed_swap.probability)


def _approximations(model: _Model, states: Mapping[int, _StationState]) -> list[str]:
    """The approximations that apply to this scenario, in words, for the report and the CLI."""
    notes = ["steady state after warm-up; new packs (health 1); no strandings"]
    sc = model.sc
    ignored = [name for name, used in (("shifts", sc.shifts is not None),
                                       ("faults", _faults_enabled(sc)),
                                       ("pack ageing", sc.battery.ageing)) if used]
    if ignored:
        notes.append(f"ignored here: {', '.join(ignored)} (every robot on duty, no faults, new packs)")
    if model.shared:
        notes.append("shortest_wait: robots go to the nearest station and overflow to the next one "
                     "when its positions are busy or it has no green pack (open M/M/c per station)")
    else:
        notes.append("positions: finite-source M/M/c//N queue at the one station in use "
                     "(exact for exponential swap times)")
    scv = {st.name: st.swap_scv for st in model.stations if states[st.index].rate > 0}
    if any(abs(v - 1.0) > 1e-9 for v in scv.values()):
        notes.append("non-exponential swap times: position waits scaled by (1 + cs^2)/2 "
                     + ", ".join(f"{k}: cs^2 = {v:.3f}" for k, v in scv.items()))
    cv = model.interval_cv
    notes.append(f"packs: stock-outs blend the count for regular robots at random phases and, for random "
                 f"requests, Palm's formula (an empty bay for every waiting robot) or else the M/D/S "
                 f"queue (Poisson requests) by the squared CV of a robot's time between swaps "
                 f"({cv:.2f}^2); position and pack waits added")
    if cv < 0.3:
        notes.append(f"regular swap cycles (CV {cv:.2f}): the fleet can synchronise into swap waves (or "
                     "space itself out), and waits and stock-outs can then differ several-fold from these; "
                     "check by simulation (docs/validation.md, section 6)")
    if any(st.chargers < st.spares for st in model.stations):
        notes.append("power cap binds (fewer chargers than packs): rough limited-charger model, not validated")
    if model.sc.fleet.robots < 10:
        notes.append("few robots: swap requests are far from Poisson; the pack queue overstates stock-outs")
    return notes


def estimate_points(base: Scenario | Mapping[str, Any], points: Iterable[Mapping[str, Any]],
                    source: str = "<sweep>") -> list[dict[str, Any]]:
    """Estimates for sweep points: ``base`` with each point's ``{dotted.path: value}`` applied.

    ``base`` is a validated scenario or the raw mapping read from its YAML; values are given as they
    would be written with ``--set`` (e.g. ``{"fleet.robots": 40, "stations[0].bays": 12}``).
    Returns one :func:`estimate` result per point, in order, each with the point under ``"point"``.
    Raises :class:`~swapsim.scenario.ScenarioError` for a point that does not validate.
    """
    if isinstance(base, Scenario):
        from swapsim.scenario import scenario_to_dict
        data: dict[str, Any] = scenario_to_dict(base)
    else:
        data = dict(base)
    out = []
    for point in points:
        d = data
        for path, value in point.items():
            d = apply_override(d, f"{path}={_as_yaml(value)}")
        est = estimate(scenario_from_dict(d, source))
        est["point"] = dict(point)
        out.append(est)
    return out


def estimate_kpis(scenario: Scenario) -> dict[str, Any]:
    """:func:`estimate` flattened to dotted keys (``fleet.utilisation``, ``stations.hall-A.swaps``, ...),
    without the text list of approximations: the same keys as a run's flattened ``summary.json``
    where the quantity is the same, for a sweep's table (:func:`swapsim.results.flatten`)."""
    from swapsim.results import flatten

    est = estimate(scenario)
    est.pop("approximations")
    return flatten(est)


def _as_yaml(value: Any) -> str:
    import yaml
    if isinstance(value, str):
        return value
    return yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()


# ---------------------------------------------------------------------------------------------
# Text output


def format_estimate(est: Mapping[str, Any]) -> str:
    """A short aligned text table of an :func:`estimate` result, for the terminal."""
    fleet = est["fleet"]
    swaps = est["swaps"]
    cyc = est["cycle"]
    rows: list[tuple[str, str]] = [
        ("fleet utilisation (working / on duty)", f"{fleet['utilisation']:.1%}"),
        *[(f"  {k}", f"{v:.1%}") for k, v in fleet["state_fraction"].items() if v > 0],
        ("swaps per robot per day", f"{swaps['per_robot_per_day']:.2f}  ({swaps['per_day']:.1f} per day)"),
        ("time between a robot's swaps (h)", f"{cyc['time_between_swaps_h']:.3f}"),
        ("energy per swap (Wh); fresh pack charge", f"{cyc['energy_per_swap_wh']:.1f}; {cyc['fresh_soc']:.1%}"),
        ("mean power working / overall (W)", f"{cyc['work_power_w']:.1f} / {cyc['mean_power_w']:.1f}"),
        ("swap wait, mean (min): positions + packs",
         f"{swaps['wait_min']['mean']:.2f} = {swaps['wait_min']['position_mean']:.2f} + "
         f"{swaps['wait_min']['pack_mean']:.2f}"),
        ("swaps finding no green pack", f"{swaps['stockout_fraction']:.1%}"),
        ("grid energy (kWh per day)", f"{est['energy']['grid_kwh_per_day']:.1f}"),
    ]
    for st in est["stations"]:
        rows.append((f"station {st['name']}: share / positions busy / queue",
                     f"{st['share']:.1%} / {st['swap_utilisation']:.1%} / {st['mean_queue_length']:.2f}"))
        rows.append(("  no green pack: estimate / Palm",
                     f"{st['stockout_probability']:.2%} / {st['stockout_probability_palm']:.2%}"
                     f"  (green {st['charged_packs_mean']:.2f} of {st['packs']} packs on average, "
                     f"{st['time_to_green_min']:.0f} min to green)"))
    width = max(len(k) for k, _ in rows)
    text = [f"{est['scenario']}: analytic estimate ({fleet['robots']} robots, steady state)"]
    text += [f"{k.ljust(width)}  {v}" for k, v in rows]
    text.append("approximations:")
    text += [f"  - {a}" for a in est["approximations"]]
    return "\n".join(text)


def format_estimate_json(est: Mapping[str, Any]) -> str:
    """An :func:`estimate` result as indented JSON, with infinite values (e.g. the waits at an
    overloaded station) and NaN written as ``null``."""
    import json

    def finite(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {k: finite(v) for k, v in value.items()}
        if isinstance(value, list):
            return [finite(v) for v in value]
        return value

    return json.dumps(finite(est), indent=2)
