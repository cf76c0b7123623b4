"""Unit test: the dispatcher's distance list is manhattan_m point by point."""

from __future__ import annotations

import numpy as np

from swapsim.model.workload import manhattan_from_m, manhattan_m


def test_manhattan_from_gives_manhattan_m_for_every_point() -> None:
    rng = np.random.default_rng(4)
    points = [(float(x), float(y)) for x, y in rng.uniform(-50.0, 150.0, size=(500, 2))]
    for target in [(0.0, 0.0), (120.0, 80.0), (float(rng.uniform(0, 120)), float(rng.uniform(0, 80)))]:
        assert manhattan_from_m(points, target) == [manhattan_m(p, target) for p in points]
    assert manhattan_from_m([], (1.0, 2.0)) == []
