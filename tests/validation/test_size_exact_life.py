"""``swapsim size`` at the end of the packs' life, on an exact queue with a known answer.

The finite-source queue M/M/c//N of swapsim.analysis.validation.mmcn_scenario with a fixed working
time: a robot works until its pack's budget is spent, so with every pack at its end-of-life health h
(``battery.life=end``: 0.8 at the default thresholds) the time between swap requests is h x work_h. The
exact mean waits (swapsim.analysis.queueing.mmcn, insensitive to the working-time distribution) with
12 robots, 2 h of work and 15-min exponential swaps, for c = 1..4 positions, are 54.8, 5.96, 0.91,
0.13 min with new packs and 72.0, 9.23, 1.58, 0.25 min at end of life. A target between the two
waits of c = 2 (their geometric mean, about 7.4 min, 25 % from each) is met by 2 positions with new
packs and needs 3 at end of life: ``--life end`` and ``--life both`` must answer 3, and ``both`` must
say that 2 would do with new packs and what the third position costs.
"""

from __future__ import annotations

import math

import pytest

from swapsim.analysis.costs import capital_recovery_factor
from swapsim.analysis.queueing import mmcn
from swapsim.analysis.validation.scenarios import mmcn_scenario
from swapsim.experiments.sizing.life import END_PREFIX, life_cost
from swapsim.experiments.sizing.search import run_size
from swapsim.experiments.sizing.space import Dimension, Target
from swapsim.experiments.sizing.spec import make_spec

ROBOTS, WORK_H, SWAP_H = 12, 2.0, 0.25


def _exact(health: float) -> dict[int, float]:
    return {c: 60.0 * mmcn(ROBOTS, c, health * WORK_H, SWAP_H).mean_wait for c in range(1, 7)}


@pytest.mark.parametrize("life", ["end", "both"])
def test_minimal_positions_at_end_of_life_are_exact(tmp_path, life):
    sc = mmcn_scenario(ROBOTS, 1, WORK_H, SWAP_H, work="fixed", horizon_h=400.0, warmup_h=20.0)
    h = sc.end_of_life_health
    assert h == pytest.approx(0.8)
    new, end = _exact(1.0), _exact(h)
    target = math.sqrt(new[2] * end[2])
    assert min(c for c, w in new.items() if w <= target) == 2
    c_star = min(c for c, w in end.items() if w <= target)
    assert c_star == 3
    if life == "end":
        sc = sc.model_copy(update={"battery": sc.battery.model_copy(update={"life": "end"})})
    spec = make_spec(sc, "mmcn", [Dimension("stations[*].positions", 1, 6)],
                     [Target("swaps.wait_min.mean", "<=", target)], n_min=5, n_max=20,
                     life="both" if life == "both" else "new")
    assert spec.life == life and not spec.screen
    res = run_size(spec, tmp_path / "size", jobs=1)
    assert res.best is not None and res.best.config.values == (c_star,)
    assert res.violations == []
    if life == "both":
        assert [t.kpi for t in spec.targets] == ["swaps.wait_min.mean", END_PREFIX + "swaps.wait_min.mean"]
        lc = life_cost(res)
        assert lc is not None and lc["new_only"] == "stations[*].positions=2"
        # the third position's capital, plus a little energy: within 5 % of the capital alone
        capital = capital_recovery_factor(0.08, 5) * 30_000
        assert lc["extra_per_year"] == pytest.approx(capital, rel=0.05)
        kpis = lc["kpis"]["swaps.wait_min.mean"]
        assert kpis["end"] > kpis["new"]
