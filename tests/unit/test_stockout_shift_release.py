"""A roster change while a robot waits at a stock-out (issue 14).

During a stock-out a hot-swap robot leaves its drained pack in a bay and waits for the first pack to
turn green: that pack slot is empty (``None``) meanwhile. A shift release ranks the on-duty robots by
energy at that very moment; it used to read ``None.soc`` and crash the run.
"""

from __future__ import annotations

import pytest

from swapsim.engine import simulate
from tests.builders import make_scenario

# Two identical robots, full packs, walking (210 W): the active pack reaches the 0.2 trigger at
# 0.8 x 421.2 Wh / 210 W = 1.605 h; the robot walks 1 min to the station, which holds no charged pack,
# leaves the drained pack to charge (0.2 -> 0.95 at 0.8 C: about an hour) and waits. At 2 h the calendar
# drops to one robot, while both robots hold a single pack.
STOCKOUT = dict(
    fleet={"robots": 2, "initial_soc": "full", "rescue_time": "30 min"},
    stations=[{"name": "A", "distance": "60 m", "bays": 4, "charged_packs": 0, "swap_duration": "3 min"}],
    shifts={"calendar": [{"start": "0 h", "robots": 2}, {"start": "2 h", "robots": 1}]},
    horizon="4 h",
)


def test_robot_waiting_at_a_stockout_holds_the_energy_of_its_one_pack():
    sc = make_scenario(**{**STOCKOUT, "horizon": "2 h", "shifts": None})
    result = simulate(sc, keep_entities=True)
    robot = result.fleet.robots[0]
    assert robot.state == "queueing"
    assert robot.packs.count(None) == 1
    held = next(p for p in robot.packs if p is not None)
    assert robot.energy_wh() == pytest.approx(held.soc * held.usable_wh)
    assert robot.lowest_soc() == 0.0  # the empty slot


@pytest.mark.parametrize("off_duty", ["replenish", "park_charging"])
def test_shift_release_during_a_stockout_runs(off_duty):
    sc = make_scenario(**{**STOCKOUT, "shifts": {**STOCKOUT["shifts"], "off_duty": off_duty}})
    result = simulate(sc)  # raised AttributeError: 'NoneType' object has no attribute 'soc'
    assert result.summary["swaps"]["count"] >= 2
