"""Pack health in the running model: quarantine, alerts, conservation of packs, the crew and its stock.

Small fleets and short horizons; ageing is sped up with ``battery.wear_scale`` or the thresholds are
moved close to 1 so that alerts happen within days.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import simpy
from builders import PATCHES_THE_MODEL

from swapsim.engine import simulate
from swapsim.metrics import Recorder
from swapsim.model.fleet import build_fleet
from swapsim.model.station import Station
from swapsim.scenario import apply_override, scenario_from_dict
from swapsim.streams import Streams


def tiny(*overrides: str):
    data: dict[str, Any] = {
        "name": "tiny",
        "horizon": "20 d",
        "seed": 3,
        "fleet": {"robots": 4},
        "workload": {
            "cycle": [
                {"activity": "stand", "duration": {"dist": "uniform", "low": "20 min", "high": "40 min"}},
                {"activity": "walk", "duration": "5 min"},
            ]
        },
        "stations": [{"name": "S", "distance": "20 m", "bays": 8, "charged_packs": 4}],
        "output": {"bin_width": "1 h"},
    }
    for o in overrides:
        data = apply_override(data, o)
    return scenario_from_dict(data, "tiny")


class SpyRecorder(Recorder):
    """A Recorder that also remembers every check and alert (tests only: unbounded).

    The Recorder's hooks are its concerns' bound methods, set in ``_bind_hooks``: the spy wraps them there.
    """

    def _bind_hooks(self):
        super()._bind_hooks()
        self.checks: list[tuple[float, int, float, float]] = []
        self.alerts_seen: list[tuple[float, str, int]] = []
        self.jobs_started: list[float] = []
        checked, alerted, started = self.pack_checked, self.alert, self.technician_job_started

        def pack_checked(station, pack, estimated, true, now):
            self.checks.append((now, pack, estimated, true))
            checked(station, pack, estimated, true, now)

        def alert(kind, station, pack, estimated, true, now):
            self.alerts_seen.append((now, kind, pack))
            alerted(kind, station, pack, estimated, true, now)

        def technician_job_started(member, kind, station, now):
            self.jobs_started.append(now)
            started(member, kind, station, now)

        self.pack_checked, self.alert, self.technician_job_started = pack_checked, alert, technician_job_started


def build(scenario, seed=1):
    env = simpy.Environment()
    rec = SpyRecorder(
        n_robots=scenario.fleet.robots,
        stations=[(s.name, s.positions) for s in scenario.stations],
        horizon_h=scenario.horizon,
        bin_width_h=scenario.output.bin_width,
    )
    fleet = build_fleet(env, scenario, Streams(seed), rec)
    return env, rec, fleet


def census(fleet) -> dict[str, list[int]]:
    """Every pack object, by where it physically is now."""
    crew = fleet.health.crew
    return {
        "robots": [p.id for r in fleet.robots for p in r.packs if p is not None],  # None: left to charge
        "bays": [p.id for s in fleet.stations for p in s.packs()],
        "technicians": list(crew.carrying),
        "retired": [i for i, r in fleet.health.records.items() if r.status == "retired"],
    }


def test_packs_are_conserved_counting_retired_and_new_ones():
    sc = tiny(
        "battery.wear_scale=6",
        "health.fault_rate_per_cycle=0.01",
        "technicians.spare_packs=1",
        "technicians.reorder_lead_time=2 d",
        "horizon=30 d",
    )
    env, rec, fleet = build(sc)
    initial = len(fleet.packs)
    retired_seen = False
    for t in np.arange(6.0, sc.horizon + 1e-9, 6.0):
        env.run(until=t)
        where = census(fleet)
        ids = [i for ids in where.values() for i in ids]
        assert len(ids) == len(set(ids)), "a pack is in two places at once"
        assert sorted(ids) == list(range(len(fleet.packs))), "a pack went missing or appeared from nowhere"
        new = len(fleet.packs) - initial
        assert initial + new == sum(len(v) for v in where.values())
        # Bays hold their stock plus the drained packs of robots waiting out a stock-out (an empty slot).
        left = sum(p is None for r in fleet.robots for p in r.packs)
        assert sum(len(s.packs()) for s in fleet.stations) - left == sum(s.charged_packs for s in sc.stations)
        retired_seen |= bool(where["retired"])
    assert retired_seen, "the scenario should retire packs, or the test proves nothing"


@PATCHES_THE_MODEL
def test_quarantined_packs_are_never_handed_out(monkeypatch):
    sc = tiny("health.fault_rate_per_cycle=0.2", "technicians.crew=1", "horizon=10 d")
    handed: list[tuple[float, int]] = []
    orig = Station.exchange

    def spy(self, drained, bay):
        taken = orig(self, drained, bay)
        handed.append((self.env.now, taken.id))
        return taken

    monkeypatch.setattr(Station, "exchange", spy)
    env, rec, fleet = build(sc)
    env.run(until=sc.horizon)
    quarantined_at = {
        r.pack.id: r.quarantined_h for r in fleet.health.records.values() if not math.isnan(r.quarantined_h)
    }
    assert len(quarantined_at) >= 5
    for t, pid in handed:
        assert pid not in quarantined_at or t < quarantined_at[pid], f"pack {pid} handed out after quarantine"
    for station in fleet.stations:
        for bay in station.bays:
            if bay.quarantined:
                assert not bay.green and not bay.charging and bay not in station.green
    held = {p.id for r in fleet.robots for p in r.packs if p is not None}
    assert not held & {i for i, r in fleet.health.records.items() if r.status in ("quarantined", "retired")}


def test_alert_counts_equal_threshold_crossings():
    # Thresholds near new-pack health and a wide noise band: many crossings in a few days.
    sc = tiny(
        "health.warn_below=0.985",
        "health.retire_below=0.975",
        "health.check_noise_sd=0.01",
        "health.fault_rate_per_cycle=0",
        "battery.initial_capacity_sd=0.0",
        "horizon=12 d",
    )
    env, rec, fleet = build(sc)
    env.run(until=sc.horizon)
    warned, expected_warnings, expected_retirements = set(), 0, 0
    for _, pack, est, _ in rec.checks:
        if est < 0.985 and pack not in warned:
            warned.add(pack)
            expected_warnings += 1
        if est < 0.975:
            expected_retirements += 1
    kinds = [k for _, k, _ in rec.alerts_seen]
    assert expected_warnings >= 5 and expected_retirements >= 3
    assert kinds.count("warning") == expected_warnings == rec.health.warnings
    assert kinds.count("retirement") == expected_retirements == rec.health.retirements
    assert kinds.count("fault") == 0
    # A pack retired once is never checked again.
    retired_at = {p: t for t, k, p in rec.alerts_seen if k == "retirement"}
    assert all(t <= retired_at.get(p, math.inf) for t, p, _, _ in rec.checks)


def test_resistance_limit_quarantines_when_capacity_thresholds_are_off():
    # R/R0 = 1 + 2.5 (1 - retained) reaches 1.05 at 2 % fade: a tight resistance limit retires packs.
    sc = tiny(
        "health.retire_below=0.01",
        "health.warn_below=0.01",
        "health.retire_resistance_ratio=1.05",
        "health.fault_rate_per_cycle=0",
        "horizon=20 d",
    )
    env, rec, fleet = build(sc)
    env.run(until=sc.horizon)
    retired = [r for r in fleet.health.records.values() if not math.isnan(r.quarantined_h)]
    assert retired and all(r.quarantine_reason == "retirement" for r in retired)
    assert all(fleet.health.resistance_ratio(r) >= 1.05 for r in retired)


def test_every_check_faults_at_rate_one():
    sc = tiny("health.fault_rate_per_cycle=1", "horizon=2 d", "technicians.spare_packs=100")
    env, rec, fleet = build(sc)
    env.run(until=sc.horizon)
    kinds = [k for _, k, _ in rec.alerts_seen]
    assert len(rec.checks) > 0 and kinds.count("fault") == len(rec.checks)


def test_no_spare_pack_keeps_the_bay_blocked_until_a_delivery():
    sc = tiny(
        "health.fault_rate_per_cycle=1",
        "technicians.spare_packs=0",
        "technicians.reorder_lead_time=3 d",
        "technicians.response_time=10 min",
        "technicians.job_duration=15 min",
        "horizon=5 d",
        "fleet.robots=2",
    )
    env, rec, fleet = build(sc)
    env.run(until=2.9 * 24)
    assert rec.health.stock_waits >= 1 and rec.health.jobs_done == 0
    station = fleet.stations[0]
    blocked = station.quarantined_bays()
    assert blocked >= 1 and fleet.health.counts()["retired"] == 0
    env.run(until=sc.horizon)
    first_done = min(r.retired_h for r in fleet.health.records.values() if r.status == "retired")
    # Orders placed at the first quarantine arrive 3 d later; the job is then done 25 min after that.
    first_quarantine = min(r.quarantined_h for r in fleet.health.records.values() if not math.isnan(r.quarantined_h))
    assert first_done == pytest.approx(first_quarantine + 72.0 + 25 / 60, abs=1e-6)


def test_technicians_start_jobs_only_on_duty():
    sc = tiny(
        "health.fault_rate_per_cycle=0.1",
        "technicians.shifts=[{start: '08:00', end: '16:00'}]",
        "technicians.spare_packs=50",
        "horizon=6 d",
    )
    env, rec, fleet = build(sc)
    env.run(until=sc.horizon)
    cal = fleet.health.crew.calendar
    assert len(rec.jobs_started) >= 3
    assert all(cal.on_duty(t) for t in rec.jobs_started)
    # Rostered hours: one technician, 8 h a day.
    rec.finalise(env.now)
    assert rec.health.rostered.integral(env.now) == pytest.approx(cal.on_duty_hours(0, sc.horizon))


def test_no_ageing_and_no_faults_leaves_every_pack_new():
    sc = tiny("battery.ageing=false", "health.fault_rate_per_cycle=0", "horizon=5 d")
    r = simulate(sc, keep_entities=True)
    assert all(p.health == 1.0 for p in r.fleet.packs)
    assert r.summary["alerts"]["warnings"] == r.summary["alerts"]["retirements"] == 0
    assert r.summary["alerts"]["checks"] == r.summary["swaps"]["count"]


def test_health_feeds_back_into_usable_energy():
    # Worn packs hold less, so the same work needs more swaps (common random numbers otherwise).
    base = simulate(tiny("battery.wear_scale=0.001", "horizon=30 d", "health.fault_rate_per_cycle=0"))
    worn = simulate(
        tiny(
            "battery.wear_scale=4",
            "horizon=30 d",
            "health.fault_rate_per_cycle=0",
            "health.retire_below=0.5",
            "health.warn_below=0.5",
        )
    )
    assert worn.summary["packs"]["mean_health_end"] < base.summary["packs"]["mean_health_end"] - 0.1
    assert worn.summary["swaps"]["count"] > 1.04 * base.summary["swaps"]["count"]


def test_summary_keys_and_pack_columns():
    r = simulate(tiny("battery.wear_scale=6", "horizon=35 d"))
    s = r.summary
    for key in ("retired", "replaced", "mean_health_end", "min_health_end"):
        assert key in s["packs"]
    assert set(s["alerts"]) >= {"warnings", "retirements", "faults"}
    assert set(s["technicians"]) >= {"utilisation", "jobs", "mean_response_min"}
    assert s["packs"]["retired"] > 0 and s["technicians"]["jobs"] == s["packs"]["replaced"]
    assert 0 < s["technicians"]["utilisation"] < 1 and s["technicians"]["mean_response_min"] > 0
    row = r.packs[0]
    for col in ("health", "cycles", "equivalent_full_cycles", "retire_time_h", "status", "resistance_ratio"):
        assert col in row
    retired_rows = [p for p in r.packs if p["status"] == "retired"]
    assert retired_rows and all(p["retire_time_h"] is not None for p in retired_rows)
    assert len(r.monthly) == 2 and r.monthly[0]["month"] == 1
    assert r.health["time_h"][0] == 0.0 and r.health["time_h"][-1] == pytest.approx(35 * 24)


def test_alert_rows_are_capped_and_the_rest_counted():
    r = simulate(
        tiny(
            "health.warn_below=0.995",
            "health.retire_below=0.98",
            "output.alerts_limit=3",
            "horizon=10 d",
            "technicians.spare_packs=100",
        )
    )
    a = r.summary["alerts"]
    assert len(r.alerts) == a["rows_kept"] == 3
    total = a["warnings"] + a["retirements"] + a["faults"]
    assert a["rows_dropped"] == total - 3 > 0


def test_bay_mean_soc_follows_the_charge_curve_after_waiting_for_a_charger():
    # Two bays, a power cap for one charger: the second pack waits until the first is full.
    sc = tiny("stations[0].bays=2", "stations[0].charged_packs=0", "stations[0].power_cap=400 W", "fleet.robots=1")
    env = simpy.Environment()
    rec = Recorder(n_robots=1, stations=[("S", 1)], horizon_h=10.0, bin_width_h=1.0)
    spec = sc.stations[0]
    station = Station(env, 0, spec, 0.95, 1.0, 0.8 * 468 * 0.9 / 0.9, rec, np.random.default_rng(0))
    from swapsim.model.pack import Pack

    a, b = Pack(0, 468.0, 0.9, soc=0.2), Pack(1, 468.0, 0.9, soc=0.4)
    station.charger.insert(station.bays[0], a)
    station.charger.insert(station.bays[1], b)
    env.run(until=3.0)
    curve = station.curve
    assert station.charger.bay_mean_soc(station.bays[0], 0.0) == pytest.approx(curve.soc_integral(0.2, 3.0) / 3.0)
    wait = curve.time_to_full_h(0.2)
    assert station.bays[1].t_start == pytest.approx(wait)
    expected = (0.4 * wait + curve.soc_integral(0.4, 3.0 - wait)) / 3.0
    assert station.charger.bay_mean_soc(station.bays[1], 0.0) == pytest.approx(expected)
