"""Closed-form analysis above a run: queueing formulas, the scenario estimate and the validation.

``swapsim.analysis`` answers a scenario's long-run questions without simulating and checks the
simulator against those answers. :mod:`~swapsim.analysis.queueing` holds the textbook queues and
:mod:`~swapsim.analysis.spare_packs` the chance of finding no charged pack;
:mod:`~swapsim.analysis.estimator` turns a scenario into steady-state KPIs (``swapsim estimate``)
from :mod:`~swapsim.analysis.cycle` and :mod:`~swapsim.analysis.energy_balance`, written out by
:mod:`~swapsim.analysis.estimate_format`;
:mod:`swapsim.analysis.validation` runs the simulator against both and writes docs/validation.md.
This package imports numpy and the scenario schema only: the validation experiments (SimPy,
matplotlib) are imported on demand, so ``swapsim estimate`` stays fast.
"""

from swapsim.analysis.estimate_format import format_estimate
from swapsim.analysis.estimator import estimate
from swapsim.analysis.queueing import MDCResult, MMCNResult, MMCResult, erlang_b, erlang_c, mdc, mmc, mmcn
from swapsim.analysis.spare_packs import (
    poisson_cdf,
    prob_no_ready_pack,
    prob_no_ready_pack_limited_chargers,
    prob_no_ready_pack_periodic,
)

__all__ = [
    "estimate",
    "format_estimate",
    "MDCResult",
    "MMCNResult",
    "MMCResult",
    "erlang_b",
    "erlang_c",
    "mdc",
    "mmc",
    "mmcn",
    "poisson_cdf",
    "prob_no_ready_pack",
    "prob_no_ready_pack_limited_chargers",
    "prob_no_ready_pack_periodic",
]
