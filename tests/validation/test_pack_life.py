"""Pack life under a steady duty, against the published figures and NREL's BLAST-Lite.

Reference duty (shared/reference/walker-s2.md): three cycles a day from 95 % to 20 % (depth 0.75, so
2.25 equivalent full cycles a day) at 30 degC; the mean state of charge of that saw-tooth is 0.575.
The C-rate (mean of discharge and charge rates, about 0.3 per hour for the Walker S2 duty) barely
matters for NMC811.

Tolerances, stated because the reference gives rounded figures that are not quite consistent with
each other (2.25 EFC a day for 1.3 years is about 1070 EFC, not 930):

* NMC811 reaches 80 % in 1.3 years within +-15 % (1.1 to 1.5 years), and after 930 EFC within +-20 %;
* the LFP 250 Ah fit reaches 80 % in "about 7 years": accepted within +-25 % (5.25 to 8.75 years).

The BLAST-Lite cross-checks (``blast-lite`` is in the ``dev`` extra, so ``make test`` runs them; they
skip only where it cannot be installed):

* on a steady profile, its rates for the same stressors must equal ours, and its day-by-day
  integration must end within 0.2 % of capacity of our closed form after two years;
* on the duty packs really see (:mod:`swapsim.analysis.validation.ageing`): for a standing-heavy and a walking-heavy
  duty and both presets, swapsim runs one simulated year tracing a few packs' state of charge and
  temperature; BLAST-Lite's own cell model runs on each traced series; capacity after one year must
  agree within 0.5 percentage points for every traced pack, and years to 80 % (both sides
  extrapolated by :func:`swapsim.model.degradation.years_to_health`) within 10 %.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from swapsim.analysis.validation.ageing import BLAST_CLASSES, crosscheck
from swapsim.model.degradation import CHEMISTRIES, celsius_to_kelvin, power_law, time_to_health, years_to_health

T30 = celsius_to_kelvin(30.0)
ROOT = Path(__file__).resolve().parents[2]
"""The checkout, or the test copy of ``make test-compiled``: scenarios are read from here, not from beside the
installed package (an installed swapsim has no ``scenarios/``)."""
DUTY = {"cycles_per_day": 3.0, "dod": 0.75, "t_kelvin": T30, "soc": 0.575, "c_rate": 0.3}


def test_nmc811_reaches_80_percent_in_about_1_3_years():
    days = time_to_health(CHEMISTRIES["nmc811"], 0.8, **DUTY)
    years, efc = days / 365.0, days * 3.0 * 0.75
    assert 1.3 * 0.85 <= years <= 1.3 * 1.15, years
    assert 930 * 0.8 <= efc <= 930 * 1.2, efc


def test_lfp_reaches_80_percent_in_about_7_years():
    days = time_to_health(CHEMISTRIES["lfp"], 0.8, **DUTY)
    assert 7 * 0.75 <= days / 365.0 <= 7 * 1.25, days / 365.0


def test_lfp_outlives_nmc811_on_the_same_duty():
    nmc = time_to_health(CHEMISTRIES["nmc811"], 0.8, **DUTY)
    for name in ("lfp", "lfp_wang2011"):
        assert time_to_health(CHEMISTRIES[name], 0.8, **DUTY) > 3 * nmc


def _trapezoid(y, x):
    fn = getattr(np, "trapezoid", None) or getattr(np, "trapz")
    return fn(y, x)


@pytest.mark.parametrize(
    "chemistry,cls_path",
    [
        ("nmc811", "blast.models.nmc811_grSi_LGMJ1_4Ah_2020:Nmc811_GrSi_LGMJ1_4Ah_Battery"),
        ("lfp", "blast.models.lfp_gr_250AhPrismatic_2019:Lfp_Gr_250AhPrismatic"),
    ],
)
def test_against_blast_lite(chemistry, cls_path):
    module_name, cls_name = cls_path.split(":")
    module = pytest.importorskip(module_name, reason="BLAST-Lite (blast-lite) is not installed")
    cell = getattr(module, cls_name)()
    t = np.arange(0.0, 86400.0 + 1.0, 60.0)
    phase = t % (8 * 3600.0)  # three 8-hour cycles: 95 % to 20 % in 5 h, back in 3 h
    soc = np.where(
        phase < 5 * 3600.0, 0.95 - 0.75 * phase / (5 * 3600.0), 0.20 + 0.75 * (phase - 5 * 3600.0) / (3 * 3600.0)
    )
    cell.simulate_battery_life(
        {"Time_s": t, "SOC": soc, "Temperature_C": np.full_like(t, 30.0)},
        threshold_time=2,
        is_constant_input=True,
        is_conserve_energy_throughput=False,
    )
    model = CHEMISTRIES[chemistry]
    k_cal_blast, k_cyc_blast = (v[-1] for v in cell.rates.values())
    # BLAST averages k_cal over the profile in time; its DoD and C-rate are the profile's.
    k_cal = _trapezoid([model.k_cal(T30, s) for s in soc], t) / t[-1]
    k_cyc = model.k_cyc(T30, cell.stressors["dod"][1], cell.stressors["Crate"][1])
    assert k_cal == pytest.approx(k_cal_blast, rel=1e-9)
    assert k_cyc == pytest.approx(k_cyc_blast, rel=1e-9)
    days = cell.stressors["t_days"][-1]
    q_t, q_efc = (v[-1] for v in list(cell.outputs.values())[1:3])
    efc = 2.25 * days  # BLAST ages the cycle state by the undegraded EFC per repeat
    assert 1 - power_law(k_cal, model.p_cal, days) == pytest.approx(q_t, abs=2e-3)
    assert 1 - power_law(k_cyc, model.p_cyc, efc) == pytest.approx(q_efc, abs=2e-3)


@pytest.mark.parametrize("duty", ["factory (standing)", "walking cycle"])
@pytest.mark.parametrize("preset", ["nmc811", "lfp"])
def test_a_year_of_real_duty_ages_packs_as_blast_lite_does(duty, preset):
    """Capacity after one year within 0.5 pp and years to 80 % within 10 % of BLAST-Lite's own model,
    run on the state-of-charge and temperature series each traced pack saw."""
    pytest.importorskip(BLAST_CLASSES[preset][0], reason="BLAST-Lite (blast-lite) is not installed")
    results = crosscheck(duty, preset, full=False, root=ROOT)  # a robot's pack and a station's stock pack
    for r in results:
        assert r.efc > 300, r  # a real duty: hundreds of cycles in the year
        assert abs(r.swapsim_q - r.blast_q) <= 0.005, r
        assert abs(r.swapsim_years_80 / r.blast_years_80 - 1.0) <= 0.10, r


def test_years_to_health_continues_both_power_laws():
    """The extrapolation of the cross-check: exact for losses that follow their power laws."""
    q_cal, q_cyc, p_cal, p_cyc = 0.05, 0.08, 0.743, 0.695
    y = years_to_health(q_cal, q_cyc, 1.0, p_cal, p_cyc)
    assert 1.0 - q_cal * y**p_cal - q_cyc * y**p_cyc == pytest.approx(0.8, abs=1e-9)
    assert years_to_health(q_cal, q_cyc, 2.0, p_cal, p_cyc) == pytest.approx(2.0 * y)
    assert years_to_health(0.0, 0.0, 1.0, p_cal, p_cyc) == math.inf
