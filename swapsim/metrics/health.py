"""Concern: pack health and the technician crew. Health checks and alerts, quarantines and
replacements, the spare-pack shelf, technician jobs; the ``packs``, ``alerts`` and ``technicians``
KPIs, the alerts and health tables.

Counts and time integrals restart at :meth:`HealthStats.reset` (warm-up); the month-by-month
counters, the monthly bins of the time integrals and the health snapshots cover the whole run. At
most ``alerts_limit`` alerts are kept as records; later ones are only counted. Hours; health as a
fraction of rated capacity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from swapsim.metrics.accumulators import TimeWeighted
from swapsim.metrics.glossary import MONTH_H
from swapsim.metrics.sections import INLINE
from swapsim.metrics.trace import Trace

__all__ = [
    "AlertRecord",
    "HealthStats",
    "PacksAtHorizon",
    "PackKPIs",
    "PacksAtEnd",
    "AlertKPIs",
    "TechnicianKPIs",
]

_ALERT_COUNTS = {"warning": "warnings", "retirement": "retirements", "fault": "faults"}


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """One health alert (time in hours; health as a fraction of rated capacity)."""

    time_h: float
    pack: int
    station: str
    kind: str
    estimated_health: float
    true_health: float


@dataclass(frozen=True)
class PacksAtHorizon:
    """What the health model holds at the horizon (raw facts; the KPIs are computed here, not in the model)."""

    initial: int
    registered: int
    counts: dict[str, int]
    in_service_health: list[float]
    spare_stock: int
    on_order: int
    ordered_total: int
    open_jobs: int


@dataclass(frozen=True, slots=True)
class PacksAtEnd:
    """The ``packs`` keys the health model's facts at the horizon give: counts (packs), and the health of
    the packs in service (fractions of rated capacity; None with none in service)."""

    initial: int
    new_total: int
    in_service: int
    quarantined: int
    with_technicians: int
    retired_total: int
    spare_stock: int
    on_order: int
    ordered_total: int
    mean_health_end: float | None
    min_health_end: float | None
    open_jobs_end: int


@dataclass(frozen=True, slots=True)
class PackKPIs:
    """The ``packs`` section: where the packs are at the end, packs retired, replaced and quarantined
    since the reset; with the health model, its facts at the horizon (``at_end``'s keys, else absent)."""

    total: int
    robots: int
    bays: int
    retired: int
    replaced: int
    quarantined_events: int
    at_end: PacksAtEnd | None = field(default=None, metadata=INLINE)


@dataclass(frozen=True, slots=True)
class AlertKPIs:
    """The ``alerts`` section: alerts of each kind and health checks since the reset (counts), alerts
    kept in alerts.csv and dropped (rows, whole run)."""

    warnings: int
    retirements: int
    faults: int
    checks: int
    rows_kept: int
    rows_dropped: int


@dataclass(frozen=True, slots=True)
class TechnicianKPIs:
    """The ``technicians`` section: crew per shift, the share of rostered time busy (0..1), jobs done,
    mean response (min), jobs raised, jobs that found no new pack, packs ordered, bay-hours blocked by
    quarantined packs, mean new packs on the shelf."""

    crew: int
    utilisation: float
    jobs: int
    mean_response_min: float
    jobs_raised: int
    stock_waits: int
    packs_ordered: int
    blocked_bay_h: float
    spare_stock_mean: float


class HealthStats:
    """Bounded statistics of pack health, alerts and the technician crew.

    Args:
        horizon_h: run length (h); sizes the monthly bins.
        station_names: station names in scenario order (alerts name their station).
        alerts_limit: keep the first ``alerts_limit`` alerts as rows (the rest are counted).
        trace: the run's event trace.
    """

    _SURVEY_COLUMNS = (
        "time_h",
        "packs_in_service",
        "health_mean",
        "health_min",
        "health_p10",
        "health_max",
        "quarantined",
        "retired",
        "spare_stock",
        "on_order",
        "warnings_total",
        "retirement_alerts_total",
        "faults_total",
    )

    def __init__(
        self, horizon_h: float, station_names: list[str], alerts_limit: int = 10_000, trace: Trace | None = None
    ) -> None:
        self.n_months = max(1, int(math.ceil(horizon_h / MONTH_H - 1e-9)))
        self.station_names = station_names
        self.alerts_limit = alerts_limit
        self.alerts: list[AlertRecord] = []
        self.alerts_dropped = 0
        self.monthly = {k: [0] * self.n_months for k in ("checks", "warnings", "retirements", "faults", "replaced")}
        self.busy = TimeWeighted(n_bins=self.n_months, width=MONTH_H)
        self.rostered = TimeWeighted(n_bins=self.n_months, width=MONTH_H)
        self.blocked = TimeWeighted(n_bins=self.n_months, width=MONTH_H)
        self.spares = TimeWeighted(n_bins=self.n_months, width=MONTH_H)
        self.totals = {"warnings": 0, "retirements": 0, "faults": 0}
        self._rows: list[tuple[float, ...]] = []
        self.trace = trace if trace is not None else Trace(0)
        self.tracing = self.trace.limit > 0
        self._zero_counts()

    def _zero_counts(self) -> None:
        self.checks = self.warnings = self.retirements = self.faults = 0
        self.replaced = self.quarantined = self.orders = self.stock_waits = 0
        self.jobs_raised = self.jobs_done = self.responses = 0
        self.response_h = 0.0

    def month(self, now: float) -> int:
        """Index of the month ``now`` falls in (the last month takes anything past the horizon)."""
        m = int(now / MONTH_H)
        return m if m < self.n_months else self.n_months - 1

    # -- hooks: health checks and packs ---------------------------------------------------------------
    def pack_checked(self, station: int, pack: int, estimated: float, true: float, now: float) -> None:
        """A station checked a pack just dropped off (estimated and true health, fractions)."""
        self.checks += 1
        self.monthly["checks"][self.month(now)] += 1

    def alert(self, kind: str, station: int, pack: int, estimated: float, true: float, now: float) -> None:
        """A health check raised an alert: ``warning``, ``retirement`` or ``fault``."""
        a = AlertRecord(now, pack, self.station_names[station], kind, estimated, true)
        counter = _ALERT_COUNTS[kind]
        setattr(self, counter, getattr(self, counter) + 1)
        self.totals[counter] += 1
        self.monthly[counter][self.month(now)] += 1
        if len(self.alerts) < self.alerts_limit:
            self.alerts.append(a)
        else:
            self.alerts_dropped += 1
        if self.tracing:
            self.trace.add(now, f"alert_{kind}", None, station, {"pack": pack, "estimated": estimated})

    def pack_quarantined(self, station: int, pack: int, reason: str, now: float) -> None:
        """A pack is put aside in its bay (``reason``: retirement or fault)."""
        self.blocked.add(now, 1)
        self.quarantined += 1

    def pack_replaced(self, station: int, old_pack: int, new_pack: int, now: float) -> None:
        """A technician retired ``old_pack`` and put ``new_pack`` into its bay."""
        self.blocked.add(now, -1)
        self.replaced += 1
        self.monthly["replaced"][self.month(now)] += 1
        if self.tracing:
            self.trace.add(now, "pack_replaced", None, station, {"old": old_pack, "new": new_pack})

    def health_survey(
        self, now: float, healths: np.ndarray, quarantined: int, retired: int, spare_stock: int, on_order: int
    ) -> None:
        """Health of every pack in service now (snapshot), with the counts of packs out of service."""
        n = len(healths)
        if n:
            stats = (
                float(healths.mean()),
                float(healths.min()),
                float(np.quantile(healths, 0.1)),
                float(healths.max()),
            )
        else:
            stats = (math.nan,) * 4
        self._rows.append(
            (
                now,
                n,
                *stats,
                quarantined,
                retired,
                spare_stock,
                on_order,
                self.totals["warnings"],
                self.totals["retirements"],
                self.totals["faults"],
            )
        )

    # -- hooks: spare shelf and technicians -----------------------------------------------------------
    def spare_ordered(self, on_order: int, now: float) -> None:
        """A new pack was ordered (``on_order``: packs now on order)."""
        self.orders += 1

    def spares_changed(self, count: int, now: float) -> None:
        """New packs on the shelf changed to ``count``."""
        self.spares.set(now, count)

    def spare_stockout(self, kind: str, station: int, now: float) -> None:
        """A job needing a new pack found none on the shelf: its bay stays blocked."""
        self.stock_waits += 1

    def technicians_rostered(self, count: int, now: float) -> None:
        """Technicians on duty changed to ``count`` (shift calendar)."""
        self.rostered.set(now, count)

    def technician_job_raised(self, kind: str, station: int, now: float) -> None:
        """A job (replace a pack) was raised at ``station``."""
        self.jobs_raised += 1

    def technician_job_started(self, member: int, kind: str, station: int, now: float) -> None:
        """Technician ``member`` takes a job (busy from now: travel, then work on site)."""
        self.busy.add(now, 1)

    def technician_on_site(self, member: int, kind: str, station: int, response_h: float, now: float) -> None:
        """Technician reached the job, ``response_h`` after it was raised."""
        self.responses += 1
        self.response_h += response_h

    def technician_job_done(self, member: int, kind: str, station: int, now: float) -> None:
        """Technician ``member`` finished a job."""
        self.busy.add(now, -1)
        self.jobs_done += 1
        if self.tracing:
            self.trace.add(now, "technician_done", None, station, {"member": member, "kind": kind})

    # -- lifecycle -----------------------------------------------------------------------------------
    def reset(self, now: float) -> None:
        for tw in (self.busy, self.rostered, self.blocked, self.spares):
            tw.reset(now)
        self._zero_counts()

    def finalise(self, now: float) -> None:
        for tw in (self.busy, self.rostered, self.blocked, self.spares):
            tw.set(now, tw.value)

    # -- results -------------------------------------------------------------------------------------
    def summary(
        self, now: float, packs_in_robots: int, packs_in_bays: int, crew: int, facts: PacksAtHorizon | None = None
    ) -> tuple[PackKPIs, AlertKPIs, TechnicianKPIs]:
        """KPIs of pack health and the crew since the last reset (``packs``, ``alerts``, ``technicians``),
        with where the packs are at ``now`` (in robots, in bays), the crew per shift and, with a health
        model, its facts at the horizon."""
        rostered = self.rostered.integral(now)
        packs = PackKPIs(
            total=packs_in_robots + packs_in_bays,
            robots=packs_in_robots,
            bays=packs_in_bays,
            retired=self.replaced,
            replaced=self.replaced,
            quarantined_events=self.quarantined,
            at_end=self.packs_at_horizon(facts) if facts is not None else None,
        )
        alerts = AlertKPIs(
            warnings=self.warnings,
            retirements=self.retirements,
            faults=self.faults,
            checks=self.checks,
            rows_kept=len(self.alerts),
            rows_dropped=self.alerts_dropped,
        )
        technicians = TechnicianKPIs(
            crew=crew,
            utilisation=self.busy.integral(now) / rostered if rostered > 0 else 0.0,
            jobs=self.jobs_done,
            mean_response_min=self.response_h / self.responses * 60.0 if self.responses else 0.0,
            jobs_raised=self.jobs_raised,
            stock_waits=self.stock_waits,
            packs_ordered=self.orders,
            blocked_bay_h=self.blocked.integral(now),
            spare_stock_mean=self.spares.mean(now),
        )
        return packs, alerts, technicians

    @staticmethod
    def packs_at_horizon(facts: PacksAtHorizon) -> PacksAtEnd:
        """Pack counts and the health of the packs in service at the horizon (``packs`` keys)."""
        c = facts.counts
        in_service = facts.in_service_health
        return PacksAtEnd(
            initial=facts.initial,
            new_total=facts.registered - facts.initial,
            in_service=len(in_service),
            quarantined=c["quarantined"],
            with_technicians=c["with_technician"],
            retired_total=c["retired"],
            spare_stock=facts.spare_stock,
            on_order=facts.on_order,
            ordered_total=facts.ordered_total,
            mean_health_end=float(np.mean(in_service)) if in_service else None,
            min_health_end=float(np.min(in_service)) if in_service else None,
            open_jobs_end=facts.open_jobs,
        )

    def alert_rows(self) -> list[dict[str, Any]]:
        """The kept alerts, one row each (whole run, warm-up included)."""
        return [
            {
                "time_h": a.time_h,
                "pack": a.pack,
                "station": a.station,
                "kind": a.kind,
                "estimated_health": a.estimated_health,
                "true_health": a.true_health,
            }
            for a in self.alerts
        ]

    def survey_columns(self) -> dict[str, np.ndarray]:
        """Health snapshots as columns: time (h), packs in service, their health (mean, min, 10th
        percentile, max), packs quarantined, retired so far, spare stock, on order, alerts so far."""
        data = np.asarray(self._rows, dtype=float).reshape(-1, len(self._SURVEY_COLUMNS))
        cols = {name: data[:, i] for i, name in enumerate(self._SURVEY_COLUMNS)}
        for name in (
            "packs_in_service",
            "quarantined",
            "retired",
            "spare_stock",
            "on_order",
            "warnings_total",
            "retirement_alerts_total",
            "faults_total",
        ):
            cols[name] = cols[name].astype(np.int64)
        return cols
