"""Pack replacements per year from the ageing rates a run measured: moved to
:mod:`swapsim.model.pack_life` (the model's ageing rules run forward over the economic life, which the
run's cost concern reads); its names are kept here for the analyses that import them."""

from __future__ import annotations

from swapsim.model.pack_life import (
    POSITIONS_SIMULATED,
    DutyRates,
    PackFade,
    expected_replacements,
    life_days,
    measure_duty,
    replacements,
)

__all__ = [
    "POSITIONS_SIMULATED",
    "DutyRates",
    "PackFade",
    "expected_replacements",
    "life_days",
    "measure_duty",
    "replacements",
]
