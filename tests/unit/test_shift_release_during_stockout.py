"""A shift change while a robot waits at a station with one pack slot empty (its drained pack left in a
bay during a stock-out) must not crash the shift manager (it ranks robots by the energy they hold).

Found by ``swapsim size`` on the warehouse (50 robots, 3 positions per station, 3-day runs, replication 4
of root seed 7): ``Robot.energy_wh`` read the state of charge of the missing pack."""

from __future__ import annotations

from pathlib import Path

from swapsim.engine import simulate
from swapsim.experiments import replication_seed
from swapsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]


def test_warehouse_run_that_released_a_robot_mid_stockout_completes():
    sc = load_scenario(
        ROOT / "scenarios" / "warehouse.yaml",
        [
            "horizon=3 d",
            "warmup=12 h",
            "fleet.robots=50",
            "stations[0].positions=3",
            "stations[1].positions=3",
            "stations[2].positions=3",
        ],
    )
    res = simulate(sc, replication_seed(7, 4))
    assert res.summary["swaps"]["count"] > 0
