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
from collections import deque
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from swapsim.metrics.battery import PacksAtHorizon
from swapsim.model.calendar_rates import CalendarTable
from swapsim.model.degradation import CHEMISTRIES, HEALTH_FLOOR, FadeState, celsius_to_kelvin
from swapsim.model.pack import Pack
from swapsim.model.stressors import PackStress, PackTrace
from swapsim.model.technician import TechnicianCrew, TechnicianJob
from swapsim.streams import BlockDraws, Streams

if TYPE_CHECKING:
    from swapsim.metrics import Recorder
    from swapsim.model.station import Bay, Station
    from swapsim.scenario import Scenario

__all__ = ["PackRecord", "HealthMonitor", "PACK_STATUSES"]

PACK_STATUSES = ("in_robot", "in_bay", "quarantined", "with_technician", "retired")
"""Where a pack can be; a pack is in exactly one."""


@dataclass(slots=True, eq=False)
class PackRecord:
    """One pack's ageing state and history (mutable; owned by the monitor)."""

    pack: Pack
    fade: FadeState
    status: str
    t_last: float = 0.0
    """Time (h) up to which the pack has been aged."""
    soc_out: float = 1.0
    """Charge when last handed to a robot."""
    throughput_out_wh: float = 0.0
    """Pack throughput when last handed to a robot (Wh)."""
    station: "Station | None" = None
    bay: "Bay | None" = None
    warned_h: float = math.nan
    ordered: bool = False
    quarantined_h: float = math.nan
    quarantine_reason: str = ""
    retired_h: float = math.nan
    entered_h: float = 0.0
    stress: PackStress | None = None
    """The pack's ageing path (None when packs do not age); the pack is told of it (``Pack.age_along``)."""


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
        self._growth = battery.resistance_growth
        self.model = CHEMISTRIES[battery.chemistry]
        self.t_robot_k = celsius_to_kelvin(battery.temperature_c.in_robot)
        self.t_bay_k = celsius_to_kelvin(battery.temperature_c.in_bay)
        self.t_shelf_k = self.t_bay_k
        """Spare packs on the shelf and with a technician are stored at the bays' temperature [G]."""
        self.tables: dict[float, CalendarTable] = {}
        """``k_cal`` tables by temperature (kelvin), shared by the packs (built on first use)."""
        self.trace: PackTrace | None = None
        """Optional bounded trace of chosen packs' paths (:meth:`follow`)."""
        self._deliveries: deque[float] = deque([0.0] * scenario.technicians.spare_packs)
        """When each pack now on the shelf or on order arrives there (h), first out first (fixed lead time)."""
        self.spec = scenario.health
        self.records: dict[int, PackRecord] = {}
        self.initial_packs = 0
        self.crew = TechnicianCrew(env, scenario.technicians, streams, recorder, self.new_pack)
        self.stations: list["Station"] = []
        self.robots: list[Any] = []
        """The robots (their packs are surveyed; a robot in a quiet stretch is synced first)."""
        self.horizon_h = scenario.horizon
        self.survey_h = scenario.output.health_bin_width
        n_st = len(scenario.stations)
        # Standard normal check noise and uniform fault draws, each station's from its own streams.
        self._noise = [BlockDraws(streams.get("health_check", i).standard_normal) for i in range(n_st)]
        self._fault = [BlockDraws(streams.get("pack_fault", i).random) for i in range(n_st)]

    # -- registration ------------------------------------------------------------------------------
    def follow(self, trace: PackTrace) -> None:
        """Keep the path (time, SOC, temperature) of the packs ``trace`` names (call before the run)."""
        self.trace = trace
        for pack_id, rec in self.records.items():
            stress = rec.stress
            if stress is not None and trace.wants(pack_id):
                stress.trace = trace
                stress._mark()

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
        )
        self.records[pack.id] = rec
        pack.health = fade.health
        if self.ageing:
            start = now if since_h is None else since_h
            rec.stress = PackStress(
                pack,
                fade,
                self.model,
                self.tables,
                start,
                self.t_robot_k if status == "in_robot" else self.t_bay_k,
                self.trace,
            )
            pack.age_along(rec.stress)
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
        pack.location = f"technician:{member}"
        now = self.env.now
        delivered = self._deliveries.popleft() if self._deliveries else now
        self.register(pack, "with_technician", since_h=min(delivered, now))
        stress = self.records[pack.id].stress
        if stress is not None:
            stress.move(now, self.t_shelf_k)  # its time on the shelf, at the storage charge
        return pack

    # -- events at the stations ----------------------------------------------------------------------
    def handed_out(self, pack: Pack, station: "Station", stay: tuple[float, float | None] | None) -> None:
        """``pack`` leaves its bay for a robot now; ``stay``: (charge on arrival, time its charger
        started or None) from :meth:`Station.bay_path` (None when packs do not age)."""
        rec = self.records[pack.id]
        now = self.env.now
        stress = rec.stress
        if stress is not None and stay is not None:
            self._bay_path(stress, station, stay, now)
            stress.move(now, self.t_robot_k)
        rec.t_last = now
        rec.soc_out = pack.soc
        rec.throughput_out_wh = pack.throughput_wh
        rec.status = "in_robot"
        rec.station = rec.bay = None

    @staticmethod
    def _bay_path(stress: PackStress, station: "Station", stay: tuple[float, float | None], now: float) -> None:
        """Fold in a bay stay up to ``now``: the arrival charge held, then the station's charge curve."""
        soc0, t_start = stay
        if t_start is None:
            stress.hold(now)
        else:
            stress.charge(station.curve, t_start, now, soc0)

    def dropped_off(self, pack: Pack, station: "Station") -> str:
        """``pack`` arrives from a robot: fold in its time there (the discharge closes the cycle window),
        then check it. Returns the reason to quarantine it (``"retirement"`` or ``"fault"``), or ``""``.
        """
        rec = self.records[pack.id]
        now = self.env.now
        stress = rec.stress
        if stress is not None:
            stress.sync(now)
            stress.close_at_minimum()
            stress.move(now, self.t_bay_k)
        rec.t_last = now
        rec.status = "in_bay"
        return self.check(rec, station)

    def check(self, rec: PackRecord, station: "Station") -> str:
        """The station's health check of a pack just dropped off; alerts and orders as it finds."""
        spec = self.spec
        now = self.env.now
        true = rec.pack.health
        i = station.index
        estimated = true + spec.check_noise_sd * self._noise[i].next()
        # No draw when faults are off: the stream is this check's own, so nothing else moves.
        rate = spec.fault_rate_per_cycle
        fault = rate > 0 and self._fault[i].next() < rate
        rec_ = self.recorder
        rec_.pack_checked(i, rec.pack.id, estimated, true, now)
        warn, retire = (-math.inf, -math.inf) if self.end_of_life else (spec.warn_below, spec.retire_below)
        if estimated < warn and math.isnan(rec.warned_h):
            rec.warned_h = now
            rec_.alert("warning", i, rec.pack.id, estimated, true, now)
            self._order(rec)
        reason = ""
        if fault:
            reason = "fault"
        elif (
            estimated < retire
            or true <= HEALTH_FLOOR
            or (
                self.ageing  # without ageing (or held at end of life) the ratio is not checked
                and self.resistance_ratio(rec) >= spec.retire_resistance_ratio
            )
        ):
            reason = "retirement"
        if reason:
            rec_.alert(reason, i, rec.pack.id, estimated, true, now)
            self._order(rec)
        return reason

    def resistance_ratio(self, rec: PackRecord) -> float:
        """Internal resistance relative to new: ``1 + growth (1 - retained capacity)``."""
        return 1.0 + self._growth * (1.0 - rec.fade.retained)

    def _order(self, rec: PackRecord) -> None:
        if not rec.ordered:
            rec.ordered = True
            self.crew.stock.order()
            self._deliveries.append(self.env.now + self.crew.stock.lead_time_h)

    def quarantined(self, pack: Pack, station: "Station", bay: "Bay", reason: str) -> None:
        """The station has put ``pack`` aside in ``bay``: raise the job to replace it."""
        rec = self.records[pack.id]
        now = self.env.now
        rec.status = "quarantined"
        rec.station, rec.bay = station, bay
        rec.quarantined_h = now
        rec.quarantine_reason = reason
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
        rec.stress = None
        old.age_along(None)
        rec.status = "retired"
        rec.retired_h = now
        rec.station = rec.bay = None
        new_rec = self.records[new.id]
        new_rec.t_last = now
        new_rec.status = "in_bay"
        new_rec.station, new_rec.bay = station, bay
        new_rec.entered_h = now
        station.replace_quarantined(bay, new)
        old.location = "retired"
        self.recorder.pack_replaced(station.index, old.id, new.id, now)

    # -- lazy ageing and the survey ------------------------------------------------------------------
    def _path_to(self, rec: PackRecord, stress: PackStress, now: float) -> None:
        """Fold ``rec``'s path since its last event into ``stress`` up to ``now``."""
        if rec.status == "in_bay" and rec.station is not None and rec.bay is not None:
            self._bay_path(stress, rec.station, rec.station.bay_path(rec.bay), now)
        elif stress.live:
            stress.sync(now)
        else:
            stress.hold(now)

    def _age_idle(self, rec: PackRecord, now: float) -> None:
        stress = rec.stress
        if stress is not None:
            self._path_to(rec, stress, now)
            stress.settle(now)
            rec.pack.health = rec.fade.health
        rec.t_last = now

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
            t_next = k * self.survey_h
            if t_next >= self.horizon_h - 1e-9:
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
            "entered_h": rec.entered_h,
            "warned_h": None if math.isnan(rec.warned_h) else rec.warned_h,
            "quarantined_h": None if math.isnan(rec.quarantined_h) else rec.quarantined_h,
            "quarantine_reason": rec.quarantine_reason,
            "retire_time_h": None if math.isnan(rec.retired_h) else rec.retired_h,
        }
