"""Regression test of bit identity for the pack-replacement Monte Carlo that prices costed runs.

REGRESSION, NOT VALIDATION. The golden (``test_golden.py``) has no costed case, so it does not see
``costs.pack_replacements_per_year``; this test pins :func:`swapsim.model.pack_life.replacements` on
three duties to the last bit (values stored as float hex), so that a speed-up of it is checked to
change nothing. The stored values are what the module gave before its window arithmetic was trimmed
(they were computed by that version and equal this one's); nothing here says they are right, which
``tests/unit/test_pack_replacements.py`` and ``tests/validation/test_pack_replacements_long.py`` check.
When a change alters them on purpose, store the new values and say why in the commit message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from swapsim.model.pack_life import DutyRates, replacements
from swapsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
CASES = {
    "nmc811": (
        ["battery.chemistry=nmc811"],
        (0.0030, 0.0012, 4.0),
        {"per_year": "0x1.7422222222223p+7", "se": "0x1.c482139af1417p+0", "life_years": "0x1.15d5f36ec0000p-1"},
    ),
    "lfp-noisy": (
        ["battery.chemistry=lfp", "health.check_noise_sd=0.02", "battery.wear_scale=4"],
        (0.0011, 0.0007, 2.5),
        {"per_year": "0x1.52dddddddddddp+8", "se": "0x1.0a9700c6e1c10p-1", "life_years": "0x1.4c0ea8bc80000p-2"},
    ),
    "faults-no-spares": (
        ["health.fault_rate_per_cycle=0.001", "technicians.spare_packs=0", "technicians.reorder_lead_time=336 h"],
        (0.0020, 0.0015, 6.0),
        {"per_year": "0x1.e666666666667p+7", "se": "0x1.0b4597bd9942ep+2", "life_years": "0x1.76c9952a40000p-1"},
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_replacements_are_bit_identical(name: str) -> None:
    sets, (a_cal, a_cyc, checks), stored = CASES[name]
    scenario = load_scenario(
        ROOT / "scenarios" / "factory.yaml", ["horizon=6 h", "warmup=1 h", "costs.energy_per_kwh=0.2", *sets]
    )
    got = replacements(DutyRates(a_cal, a_cyc, checks, 60), scenario, 5.0, 11)
    assert {k: float(v).hex() for k, v in got.items()} == stored
