"""Pack health in the running model: ageing at events, the check at drop-off, quarantine, replacement.

The :class:`HealthMonitor` owns every pack's ageing state (:class:`PackRecord`, with its
:class:`~swapsim.model.degradation.FadeState`) and gives each pack a
:class:`~swapsim.model.stressors.PackStress` that turns the pack's own state-of-charge and temperature
history into the fade model's stressors, as NREL BLAST-Lite does (time-averaged rates, C-rate and depth
per cycle window; see :mod:`swapsim.model.stressors`). The robot reports each draw (``Pack.draw``), docks
and parking chargers each charge (``Pack.charge_along``); the stations call the monitor at each exchange:

* **hand-out** (:meth:`HealthMonitor.handed_out`): the pack's stay in its bay (its arrival charge, then
  the charge curve from the time its charger started) is folded in at the bay temperature;
* **drop-off** (:meth:`HealthMonitor.dropped_off`): its time in the robot (standby, then the draws) is
  folded in at the robot temperature; the discharge ends there, so the cycle window closes and the
  cycle loss is advanced before the check. Then the station checks it: estimated
  health = true health + noise. The first estimate below ``warn_below`` is a warning and orders a new
  pack; an estimate below ``retire_below``, a true health at the floor (a dead pack, ``degradation.HEALTH_FLOOR``),
  a resistance ratio at the limit, or a random safety fault
  quarantines the pack: it stays in its bay, is never charged or handed out, and a technician job is
  raised to replace it. The technician's new pack enters service in that bay; the old one is retired
  (it leaves the system).
* a new pack has aged on the spare shelf since its delivery (packs stocked at the start: since time 0;
  ordered ones: the order time plus the lead time, first in first out) at the technicians'
  ``new_pack_soc`` and the bays' temperature [G].

Between events nothing is computed: each pack's path is folded in at its next event (the calendar loss
at every change of place, the cycle loss at every cycle window), and at the horizon every pack still in
the system is aged to the end, its partial cycle included. A snapshot of the health of the packs in
service is taken every ``output.health_bin_width``
(:meth:`HealthMonitor.survey`). Usable energy follows health (``Pack.health``), so runtimes shorten
as packs age. Random streams: ``("pack", id)`` for a pack's wear multiplier and initial capacity,
``("health_check", station)`` for estimate noise, ``("pack_fault", station)`` for safety faults.
Times in hours here, days inside the fade model.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from swapsim.metrics.health import PacksAtHorizon
from swapsim.model.calendar_rates import CalendarTable
from swapsim.model.degradation import CHEMISTRIES, CellModel, FadeState, celsius_to_kelvin
from swapsim.model.health_check import HealthCheck
from swapsim.model.pack import Pack
from swapsim.model.pack_record import PACK_STATUSES, PackRecord
from swapsim.model.stress_charge import fold_charge
from swapsim.model.stressors import PackStress, PackTrace
from swapsim.model.technician import TechnicianCrew, TechnicianJob
from swapsim.streams import Streams

if TYPE_CHECKING:
    from swapsim.metrics import Recorder
    from swapsim.model.station import Bay, Station
    from swapsim.scenario import Scenario

__all__ = ["PackRecord", "HealthMonitor", "PACK_STATUSES", "AgeingConditions"]


@dataclass(frozen=True, slots=True)
class AgeingConditions:
    """Where packs age: the cell model, the temperatures of the places (kelvin) and the ``k_cal``
    tables by temperature, shared by the packs (built on first use; the dict is filled in place)."""

    model: CellModel
    t_robot_k: float
    t_bay_k: float
    tables: dict[float, CalendarTable]

    @property
    def t_shelf_k(self) -> float:
        """Spare packs on the shelf and with a technician are stored at the bays' temperature [G]."""
        return self.t_bay_k


class HealthMonitor:
    """Ages packs, checks them at drop-off, quarantines and replaces them (see the module docstring).

    Args:
        env: the simulation environment.
        scenario: the validated scenario (``battery``, ``health``, ``technicians``, ``pack``).
        streams: the run's random streams.
        recorder: receives the health events.
        packs: the run's list of packs; new packs from the spare stock are appended to it.
    """

    def __init__(
        self, env: simpy.Environment, scenario: "Scenario", streams: "Streams", recorder: "Recorder", packs: list[Pack]
    ) -> None:
        self.env = env
        self.scenario = scenario
        self.streams = streams
        self.recorder = recorder
        self.packs = packs
        battery = scenario.battery
        self.end_of_life = battery.life == "end"  # packs start at end of life, held: no ageing, no health alerts
        self.ageing = battery.ageing and not self.end_of_life
        self.where = AgeingConditions(
            CHEMISTRIES[battery.chemistry],
            celsius_to_kelvin(battery.temperature_c.in_robot),
            celsius_to_kelvin(battery.temperature_c.in_bay),
            {},
        )
        self.trace: PackTrace | None = None
        """Optional bounded trace of chosen packs' paths (:meth:`follow`)."""
        self.records: dict[int, PackRecord] = {}
        self.initial_packs = 0
        self.crew = TechnicianCrew(env, scenario.technicians, streams, recorder, self.new_pack)
        self.stations: list["Station"] = []
        self.robots: list[Any] = []
        """The robots (their packs are surveyed; a robot in a quiet stretch is synced first)."""
        self.checker = HealthCheck(scenario, streams, recorder, self.ageing, self.end_of_life, self._order)
        """The drop-off check (:mod:`swapsim.model.health_check`)."""

    # -- registration ------------------------------------------------------------------------------
    def follow(self, trace: PackTrace) -> None:
        """Keep the path (time, SOC, temperature) of the packs ``trace`` names (call before the run)."""
        self.trace = trace
        for pack_id, rec in self.records.items():
            stress = rec.stress
            if stress is not None and trace.wants(pack_id):
                stress.follow(trace)

    def register(
        self,
        pack: Pack,
        status: str,
        station: "Station | None" = None,
        bay: "Bay | None" = None,
        since_h: float | None = None,
    ) -> PackRecord:
        """Give ``pack`` its ageing state now: wear multiplier and initial capacity from its own stream.

        ``since_h``: when its ageing history starts (default now; a new pack's delivery to the shelf).
        """
        battery = self.scenario.battery
        if self.ageing:
            rng = self.streams.get("pack", pack.id)
            wear = (
                battery.wear_scale * float(rng.lognormal(0.0, battery.wear_sigma))
                if battery.wear_sigma
                else battery.wear_scale
            )
            q0 = float(rng.normal(1.0, battery.initial_capacity_sd)) if battery.initial_capacity_sd else 1.0
            fade = FadeState(q0=q0, wear=wear)
        elif self.end_of_life and since_h is None and self.env.now == 0.0:  # a pack in service at the start
            fade = FadeState(q_cyc=1.0 - self.scenario.end_of_life_health)
        else:
            fade = FadeState()
        now = self.env.now
        pack.age_to(fade.health)
        stress = None
        if self.ageing:
            where = self.where
            stress = PackStress(
                pack,
                fade,
                where.model,
                where.tables,
                now if since_h is None else since_h,
                where.t_robot_k if status == "in_robot" else where.t_bay_k,
                self.trace,
            )
            pack.age_along(stress)
        rec = PackRecord(
            pack,
            fade,
            status,
            t_last=now,
            soc_out=pack.soc,
            throughput_out_wh=pack.throughput_wh,
            station=station,
            bay=bay,
            entered_h=now,
            stress=stress,
        )
        self.records[pack.id] = rec
        return rec

    def start(self, robots: list[Any], stations: list["Station"]) -> None:
        """Register the packs present at time 0 and start the health survey."""
        self.stations = stations
        self.robots = robots
        for robot in robots:
            for pack in robot.packs:
                self.register(pack, "in_robot")
        for station in stations:
            for bay in station.bays:
                if bay.pack is not None:
                    self.register(bay.pack, "in_bay", station, bay)
        self.initial_packs = len(self.records)
        self.env.process(self.survey())

    def new_pack(self, member: int) -> Pack:
        """A technician takes a new pack off the shelf: create and register it."""
        spec = self.scenario.pack
        pack = Pack(
            id=len(self.packs),
            capacity_wh=spec.capacity,
            usable_fraction=spec.usable_fraction,
            soc=self.scenario.technicians.new_pack_soc,
        )
        self.packs.append(pack)
        pack.move_to(f"technician:{member}")
        now = self.env.now
        delivered = self.crew.stock.arrived_h(now)
        self.register(pack, "with_technician", since_h=min(delivered, now))
        stress = self.records[pack.id].stress
        if stress is not None:
            stress.move(now, self.where.t_shelf_k)  # its time on the shelf, at the storage charge
        return pack

    # -- events at the stations ----------------------------------------------------------------------
    def handed_out(self, pack: Pack, station: "Station", stay: tuple[float, float | None] | None) -> None:
        """``pack`` leaves its bay for a robot now; ``stay``: (charge on arrival, time its charger
        started or None) from :meth:`BayCharger.bay_path <swapsim.model.charging.BayCharger.bay_path>` (None when packs do not age)."""
        rec = self.records[pack.id]
        now = self.env.now
        stress = rec.stress
        if stress is not None and stay is not None:
            self._bay_path(stress, station, stay, now)
            stress.move(now, self.where.t_robot_k)
        rec.handed_out(now)

    @staticmethod
    def _bay_path(stress: PackStress, station: "Station", stay: tuple[float, float | None], now: float) -> None:
        """Fold in a bay stay up to ``now``: the arrival charge held, then the station's charge curve."""
        soc0, t_start = stay
        if t_start is None:
            stress.hold(now)
        else:
            fold_charge(stress, station.curve, t_start, now, soc0)  # PackStress.charge, one call less

    def dropped_off(self, pack: Pack, station: "Station", bay: "Bay") -> str:
        """``pack`` arrives from a robot in ``bay``: fold in its time there (the discharge closes the
        cycle window), then check it. Returns the reason to quarantine it (``"retirement"`` or
        ``"fault"``), or ``""``. From now on a look at the pack (a survey, the horizon) follows the
        bay's charge, not the charge it arrived with."""
        rec = self.records[pack.id]
        now = self.env.now
        stress = rec.stress
        if stress is not None:
            stress.sync(now)
            stress.close_at_minimum()
            stress.relocate(self.where.t_bay_k)  # move(), its sync already done
        rec.dropped_off(now, station, bay)
        return self.checker.check(rec, station.index, now)

    def resistance_ratio(self, rec: PackRecord) -> float:
        """Internal resistance relative to new: ``1 + growth (1 - retained capacity)``."""
        return self.checker.resistance_ratio(rec)

    def _order(self, rec: PackRecord) -> None:
        if rec.order_once():
            self.crew.stock.order()

    def quarantined(self, pack: Pack, station: "Station", bay: "Bay", reason: str) -> None:
        """The station has put ``pack`` aside in ``bay``: raise the job to replace it."""
        rec = self.records[pack.id]
        now = self.env.now
        rec.quarantine(station, bay, now, reason)
        self.recorder.pack_quarantined(station.index, pack.id, reason, now)
        self.crew.submit(
            TechnicianJob("replace_pack", station.index, self._replace, needs_pack=True, target=bay, pack_id=pack.id)
        )

    def _replace(self, job: TechnicianJob, member: int, new: Pack | None, now: float) -> None:
        """Technician job done: the quarantined pack leaves the system, the new one takes its bay."""
        assert new is not None
        station = self.stations[job.station]
        bay = job.target
        old = station.bay_pack(bay)
        rec = self.records[old.id]
        self._age_idle(rec, now)
        rec.retire(now)
        self.records[new.id].enter_bay(station, bay, now)
        station.replace_quarantined(bay, new)
        old.move_to("retired")
        self.recorder.pack_replaced(station.index, old.id, new.id, now)

    # -- lazy ageing and the survey ------------------------------------------------------------------
    def _path_to(self, rec: PackRecord, stress: PackStress, now: float) -> None:
        """Fold ``rec``'s path since its last event into ``stress`` up to ``now``."""
        if rec.status == "in_bay" and rec.station is not None and rec.bay is not None:
            self._bay_path(stress, rec.station, rec.station.charger.bay_path(rec.bay), now)
        elif stress.live:
            stress.sync(now)
        else:
            stress.hold(now)

    def _age_idle(self, rec: PackRecord, now: float) -> None:
        stress = rec.stress
        if stress is not None:
            self._path_to(rec, stress, now)
            stress.settle(now)
            rec.pack.age_to(rec.fade.health)
        rec.aged_to(now)

    def health_now(self, rec: PackRecord) -> float:
        """The pack's health now, its path since its last event and its open cycle window included
        (the state is unchanged)."""
        stress = rec.stress
        now = self.env.now
        if stress is None or now <= stress.t and stress.w_abs == 0.0:
            return rec.fade.health
        ahead = stress.preview()
        self._path_to(rec, ahead, now)
        ahead.settle(now)
        return ahead.fade.health

    def counts(self) -> dict[str, int]:
        """Packs by status now."""
        out = dict.fromkeys(PACK_STATUSES, 0)
        for rec in self.records.values():
            out[rec.status] += 1
        return out

    def snapshot(self) -> None:
        """Report the health of the packs in service now to the recorder."""
        for robot in self.robots:
            robot.sync()  # the packs of a robot in a quiet stretch, drawn up to now
        healths = [self.health_now(r) for r in self.records.values() if r.status in ("in_robot", "in_bay")]
        c = self.counts()
        self.recorder.health_survey(
            self.env.now,
            np.asarray(healths, dtype=float),
            c["quarantined"],
            c["retired"],
            self.crew.stock.count,
            self.crew.stock.on_order,
        )

    def survey(self) -> Generator[simpy.Event, Any, None]:
        """A health snapshot at time 0 and every ``health_bin_width`` before the horizon."""
        env = self.env
        k = 0
        while True:
            self.snapshot()
            k += 1
            t_next = k * self.scenario.output.health_bin_width
            if t_next >= self.scenario.horizon - 1e-9:
                return
            yield env.timeout(t_next - env.now)

    def finalise(self, now: float) -> None:
        """At the horizon: age every pack still in the system up to ``now``; take the last snapshot."""
        for rec in self.records.values():
            if rec.status != "retired":
                self._age_idle(rec, now)
        self.snapshot()

    # -- results -------------------------------------------------------------------------------------
    def at_horizon(self) -> PacksAtHorizon:
        """What the health model holds now (call after :meth:`finalise`): counts by status, the health of
        the packs in service, the shelf and the crew's open jobs. The KPIs are computed by the recorder."""
        return PacksAtHorizon(
            initial=self.initial_packs,
            registered=len(self.records),
            counts=self.counts(),
            in_service_health=[r.fade.health for r in self.records.values() if r.status in ("in_robot", "in_bay")],
            spare_stock=self.crew.stock.count,
            on_order=self.crew.stock.on_order,
            ordered_total=self.crew.stock.ordered,
            open_jobs=self.crew.open_jobs,
        )

    def pack_columns(self, pack: Pack) -> dict[str, Any]:
        """Extra packs.csv columns for ``pack``."""
        rec = self.records.get(pack.id)
        if rec is None:
            return {}
        return {
            "status": rec.status,
            "resistance_ratio": self.resistance_ratio(rec),
            "initial_capacity": rec.fade.q0,
            "wear_multiplier": rec.fade.wear,
            "calendar_loss": rec.fade.q_cal,
            "cycle_loss": rec.fade.q_cyc,
            # 0 for the packs there from the start, as SimPy's clock (int 0 then) gives it; a compiled float says 0.0
            "entered_h": 0 if rec.entered_h == 0 else rec.entered_h,
            "warned_h": None if math.isnan(rec.warned_h) else rec.warned_h,
            "quarantined_h": None if math.isnan(rec.quarantined_h) else rec.quarantined_h,
            "quarantine_reason": rec.quarantine_reason,
            "retire_time_h": None if math.isnan(rec.retired_h) else rec.retired_h,
        }
