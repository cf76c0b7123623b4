"""Where a pack ages: the place's temperature, its calendar table and the hours of the open cycle window
spent at each temperature (:class:`AgeingPlace`, a part of :class:`~swapsim.model.stressors.PackStress`).

Temperatures in kelvin (degC for the trace), times in hours.
"""

from __future__ import annotations

from swapsim.model.calendar_rates import CalendarTable
from swapsim.model.degradation import CellModel

__all__ = ["AgeingPlace"]


PLACE_FIELDS = ("model", "tables", "ageing", "kelvin", "table", "t_c", "hours", "t_here")
"""The attributes of an :class:`AgeingPlace` (its ``__slots__``; a copy takes each)."""


class AgeingPlace:
    """The cell model and the place a pack is in now, and the temperatures of its open cycle window.

    Args:
        model: the cell model.
        tables: calendar tables by temperature (kelvin), shared by the run's packs (filled on first use).
        kelvin: temperature of the place the pack starts in.
        t_h: time the path starts (h): the open window starts there.
        ageing: whether the fade state is aged (else only its age in days counts on).
    """

    __slots__ = PLACE_FIELDS

    def __new__(cls, *args: object, **kwargs: object) -> "AgeingPlace":
        # declared so that AgeingPlace.__new__(AgeingPlace) (copy) makes a blank object also when compiled
        return super().__new__(cls)

    def __init__(
        self, model: CellModel, tables: dict[float, CalendarTable], kelvin: float, t_h: float, ageing: bool = True
    ) -> None:
        self.model = model
        self.tables = tables
        self.ageing = ageing
        self.kelvin = kelvin
        self.table = self._table(kelvin)
        self.t_c = kelvin - 273.15
        self.open_window(t_h)

    def _table(self, kelvin: float) -> CalendarTable:
        table = self.tables.get(kelvin)
        if table is None:
            table = self.tables[kelvin] = CalendarTable(self.model, kelvin)
        return table

    def open_window(self, t_h: float) -> None:
        """A new cycle window opens at ``t_h``, at the temperature of the place now."""
        self.hours: dict[float, float] = {}
        """Hours in the open window at each earlier temperature (kelvin) of it."""
        self.t_here = t_h
        """Since when the open window has been at the current temperature."""

    def window_hours(self, t_h: float) -> dict[float, float]:
        """Hours of the open window up to ``t_h`` at each temperature (kelvin), the current place included."""
        hours = dict(self.hours)
        here = t_h - self.t_here
        if here > 0.0:
            hours[self.kelvin] = hours.get(self.kelvin, 0.0) + here
        return hours

    def move(self, t_h: float, kelvin: float) -> bool:
        """The pack moves at ``t_h`` to a place at ``kelvin``; whether the temperature changed."""
        if kelvin == self.kelvin:
            return False
        here = t_h - self.t_here
        if here > 0.0:
            self.hours[self.kelvin] = self.hours.get(self.kelvin, 0.0) + here
        self.t_here = t_h
        self.kelvin = kelvin
        self.table = self._table(kelvin)
        self.t_c = kelvin - 273.15
        return True

    def k_cyc(self, t_h: float, hours: float, dod: float, c_rate: float) -> float:
        """The time-average ``k_cyc`` of the window closing at ``t_h`` after ``hours`` (each temperature
        weighted by its hours; the current one if the window took no time)."""
        k_cyc = self.model.k_cyc
        if hours > 0.0:
            total = 0.0  # summed in order from 0.0, as sum() adds floats (no list built)
            for kel, h in self.window_hours(t_h).items():
                total += h * k_cyc(kel, dod, c_rate)
            return total / hours
        return k_cyc(self.kelvin, dod, c_rate)

    def copy(self) -> "AgeingPlace":
        """A copy with its own window hours (a preview runs ahead on it)."""
        other = AgeingPlace.__new__(AgeingPlace)
        other._copy_of(self)
        return other

    def _copy_of(self, source: "AgeingPlace") -> None:
        for name in PLACE_FIELDS:
            setattr(self, name, getattr(source, name))
        self.hours = dict(source.hours)
