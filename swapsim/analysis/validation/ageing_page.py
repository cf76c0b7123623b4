"""Section 8 of docs/validation.md: the BLAST-Lite cross-check's saved numbers as page text.

Pure text from ``docs/validation-ageing.json`` (written by ``python -m swapsim.analysis.validation.ageing``):
:func:`summary_rows` for the page's summary table, :func:`section` for the section itself, :func:`load`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["load", "section", "summary_rows", "BEFORE"]

BEFORE = {
    ("factory (standing)", "nmc811"): (0.8331, 1.28),
    ("factory (standing)", "lfp"): (0.9352, 4.56),
    ("walking cycle", "nmc811"): (0.8130, 1.10),
    ("walking cycle", "lfp"): (0.9087, 2.78),
}
"""swapsim before issue 19 (commit cd3fd17: stressors from the charge at hand-out and drop-off, robot
temperature only, C-rate the mean of the charge and discharge rates) on the same duties, seeds and
packs: mean capacity after one year and years to 80 % (same extrapolation). Measured once with the old
code; it cannot be recomputed from this version."""


def section(data: Mapping[str, Any] | None) -> list[str]:
    """Section 8 of docs/validation.md, drawn from the saved numbers (``docs/validation-ageing.json``)."""
    L = ["## 8. Pack ageing against NREL BLAST-Lite on the duty packs really see", ""]
    if not data:
        return L + ["No saved numbers: run `python -m swapsim.analysis.validation.ageing` (needs the `dev` extra).", ""]
    L += [
        "BLAST-Lite (NREL, version " + data["blast_lite"] + ") is run, with its own code and cell classes "
        "(`Nmc811_GrSi_LGMJ1_4Ah_Battery` for `nmc811`, `Lfp_Gr_250AhPrismatic` for `lfp`), on the state of "
        "charge and temperature series that swapsim produced for the same packs over one simulated year "
        "(a bounded trace, sampled every minute, `simulate_battery_life` with "
        "`is_conserve_energy_throughput=False`). Two duties: the shipped factory (standing-heavy: 25 min "
        "standing per 4 min walking; 10 robots, two 6-bay halls) and a walking cycle on the same floor "
        "(walk 20-60 min between short stands; 6 robots, two 4-bay halls). Packs traced: "
        "three robots' packs and two station-stock packs per run. Pack-to-pack variation (wear multiplier, "
        "initial capacity), safety faults and retirement are off in these runs, so that both sides age the "
        "same nominal pack for the whole year.",
        "",
        "Years to 80 % are extrapolated the same way on both sides (`degradation.years_to_health`): the "
        "calendar and cycle losses after one year are continued on their power laws, with equivalent full "
        "cycles growing in proportion to time. The CI test (`tests/validation/test_pack_life.py`) asserts, "
        "for two packs per duty and preset, capacity within 0.5 percentage points and years to 80 % within "
        "10 % of BLAST-Lite.",
        "",
        "| duty | preset | EFC in the year | BLAST-Lite capacity after 1 y | swapsim now | swapsim before | "
        "worst pack (pp) | years to 80 %: BLAST-Lite / now / before | worst pack |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in data["rows"]:
        bq, by = BEFORE.get((row["duty"], row["preset"]), (None, None))
        before_q = f"{bq:.2%}" if bq is not None else "–"
        before_y = f"{by:.2f}" if by is not None else "–"
        L.append(
            f"| {row['duty']} | {row['preset']} | {row['efc']:.0f} | {row['blast_q']:.2%} | "
            f"{row['swapsim_q']:.2%} | {before_q} | {row['worst_q_pp']:.2f} | "
            f"{row['blast_years_80']:.2f} / {row['swapsim_years_80']:.2f} / {before_y} | "
            f"{row['worst_years_rel']:.1%} |"
        )
    L += [
        "",
        "What changed (issue 19): the stressors now come from each pack's own history, as BLAST-Lite's "
        "`_extract_stressors` and `update_rates` compute them: `k_cal` and `k_cyc` averaged over time as "
        "rates (each place at its own temperature), the C-rate as the time average of |dSOC/dt| over each "
        "cycle window with its rests, the depth of discharge as the window's swing (see "
        "`swapsim/model/stressors.py`). Before, calendar ageing used the mean of the charges at hand-out and "
        "drop-off (0.6 where a standby pack sits full for half its time in the robot), cycle ageing only the "
        "robot's temperature and a C-rate of the mean charge and discharge rates (0.48 per hour against "
        "BLAST-Lite's 0.19 on the factory duty, as measured in issue 19), which made LFP, whose cycle fade "
        "is dominated by its C-rate term, reach 80 % 29 % early on the factory duty and 23 % early on the "
        "walking cycle.",
        "",
        "Other duties, checked once with the same harness (one year, 3 to 5 packs each; not redrawn by "
        "this command): the shipped hospital (12 robots), the shipped airport (task demand, shifts, robots "
        "parked off duty), the factory with `plug_in` docks and with `cold_swap`: capacity within 0.11 "
        "percentage points of BLAST-Lite on every pack; years to 80 % within 1 %, except airport with "
        "`lfp`, 3.0 % to 3.3 % early (cycle loss 3.5 % above BLAST-Lite's). There the cycles are irregular "
        "(shift ends, parking), and swapsim closes a cycle window at every minimum of the charge while "
        "BLAST-Lite's windows span at least one EFC (about 1.2 here); the C-rate term, time-averaged per "
        "window, grows when windows are split, and it dominates LFP's cycle fade.",
        "",
        f"This run: swapsim {data['swapsim_version']}, Python {data['python']}. Reproduce with "
        "`python -m swapsim.analysis.validation.ageing`.",
        "",
    ]
    return L


def summary_rows(data: Mapping[str, Any] | None) -> list[str]:
    """The row of section 8 in the summary table of docs/validation.md (none without saved numbers)."""
    if not data:
        return []
    rows = data["rows"]
    worst_q = max(r["worst_q_pp"] for r in rows)
    worst_y = max(r["worst_years_rel"] for r in rows)
    return [
        f"| pack ageing against NREL BLAST-Lite, {len(rows)} (duty, preset) pairs, one year | capacity after "
        f"one year, years to 80 % | capacity within {worst_q:.2f} percentage points (tolerance 0.5), "
        f"years to 80 % within {worst_y:.1%} (tolerance 10 %) on every traced pack |"
    ]


def load(path: Path) -> dict[str, Any] | None:
    """The saved numbers, or None if the file is missing."""
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
