"""Validation of the simulator against queueing theory and published figures.

The experiments that ``tests/validation`` and docs/validation.md share, split by kind:
:mod:`.scenarios` builds configurations whose answer is known exactly, :mod:`.replications` runs
seeds and gives Student-t intervals, :mod:`.queues` compares with M/M/c//N and the spare-pack
formulas, :mod:`.packs` with the published pack figures, :mod:`.estimates` puts ``swapsim
estimate`` beside simulation, and :mod:`.suite` runs them all. The page is a template of prose
(``page.md.tmpl``) filled from the data by :mod:`.page`, with figures from :mod:`.figures`.
``python -m swapsim.analysis.validation`` runs the full set and rewrites docs/validation.md, its
data and figures (``make validation``); ``--from-data`` redraws them from the saved data. The tests
run smaller versions of the same experiments. Times in hours inside; tables say their units.
"""

from __future__ import annotations

from swapsim.analysis.validation.estimates import (
    ESTIMATE_KPIS,
    autocorrelation,
    estimate_vs_simulation,
    simulated_kpis,
)
from swapsim.analysis.validation.packs import pack_checks
from swapsim.analysis.validation.page import page_text, render
from swapsim.analysis.validation.queues import mmcn_point, stockout_point
from swapsim.analysis.validation.replications import CI, columns, mean_ci, queue_metrics, replicate
from swapsim.analysis.validation.scenarios import (
    BURST_H,
    JITTER_CV,
    OFFERED_PACK_LOAD,
    TRIGGER,
    full_charge_scenario,
    mmcn_scenario,
    pack_life_scenario,
    stockout_scenario,
)
from swapsim.analysis.validation.suite import FULL, QUICK, run_all

__all__ = [
    "BURST_H",
    "CI",
    "ESTIMATE_KPIS",
    "FULL",
    "JITTER_CV",
    "OFFERED_PACK_LOAD",
    "QUICK",
    "TRIGGER",
    "autocorrelation",
    "columns",
    "estimate_vs_simulation",
    "full_charge_scenario",
    "mean_ci",
    "mmcn_point",
    "mmcn_scenario",
    "pack_checks",
    "pack_life_scenario",
    "page_text",
    "queue_metrics",
    "render",
    "replicate",
    "run_all",
    "simulated_kpis",
    "stockout_point",
    "stockout_scenario",
]
