"""Energy-aware dispatch: a robot never strands when a station is reachable and its packs suffice.

Long walking tasks (20 to 80 min at 210 W, up to 280 Wh, against 421 Wh usable per pack) make the
difference: a plug-in robot that takes such a task on nearly empty packs strands; the dispatcher
must send it to charge first. The control run without the energy check strands, which shows the
test can fail.
"""

from __future__ import annotations

import pytest
from builders import PATCHES_THE_MODEL

from swapsim.engine import simulate
from swapsim.model.policies import can_do_task
from swapsim.model.workload import TaskBoard
from swapsim.scenario import scenario_from_dict


def long_tasks(kind: str, energy_aware: bool = True, go: str = "after_activity", reserve: float = 0.0):
    return scenario_from_dict(
        {
            "name": "long-tasks",
            "horizon": "4 d",
            "seed": 2,
            "fleet": {"robots": 4, "rescue_time": "30 min"},
            "workload": {
                "tasks": {
                    "arrivals": {"profile": [{"start": "0 h", "rate_per_h": 3}]},
                    "steps": [{"activity": "walk", "duration": {"dist": "uniform", "low": "20 min", "high": "80 min"}}],
                    "floor": {"width": "20 m", "depth": "20 m"},
                    "energy_aware": energy_aware,
                    **({"reserve": reserve} if reserve else {}),
                }
            },
            "policy": {"go": go},
            "strategy": {"kind": kind},
            "stations": [{"name": "A", "distance": "30 m", "positions": 2, "bays": 10, "charged_packs": 8, "docks": 4}],
        }
    )


@pytest.mark.parametrize("kind", ["hot_swap", "cold_swap", "plug_in"])
@pytest.mark.parametrize("seed", [1, 2])
def test_energy_aware_dispatch_never_strands(kind, seed):
    result = simulate(long_tasks(kind), seed)
    s = result.summary
    assert s["fleet"]["strandings"] == 0
    assert s["tasks"]["done"] > 250  # the robots did work: about 3 tasks an hour for 4 days


def test_without_the_energy_check_plug_in_robots_strand():
    strandings = sum(
        simulate(long_tasks("plug_in", energy_aware=False), seed).summary["fleet"]["strandings"] for seed in (1, 2)
    )
    assert strandings > 0


def test_a_robot_sent_to_swap_first_does_the_task_afterwards():
    # cold swap, one pack: the dispatcher often finds no idle robot with the energy for an 80-min walk
    sc = long_tasks("cold_swap")
    aware = simulate(sc, 1).summary
    blind = simulate(long_tasks("cold_swap", energy_aware=False), 1).summary
    assert aware["swaps"]["count"] > blind["swaps"]["count"]  # swaps first instead of mid-task
    assert aware["tasks"]["arrived"] == blind["tasks"]["arrived"]  # same tasks (own streams)
    assert aware["tasks"]["done"] >= aware["tasks"]["arrived"] - 5


@PATCHES_THE_MODEL
@pytest.mark.parametrize("kind", ["hot_swap", "cold_swap", "plug_in"])
@pytest.mark.parametrize("go", ["after_activity", "immediately"])
def test_the_dispatcher_reads_the_swap_budget_as_the_robot_gives_it(kind, go, monkeypatch):
    # the board asks a hot-swap robot going after the task for its energy once and takes it as the budget
    # too (that robot's swap_budget_wh): every verdict must be the one from the robot's own two answers
    verdicts = []
    board_feasible = TaskBoard._feasible_from

    def checked(self, robot, task, distance_m):
        verdict = board_feasible(self, robot, task, distance_m)
        need = task.energy_wh + distance_m / self.speed_mps / 3600.0 * self.approach_w
        reserve = self.reserve_frac * robot.pack_usable_wh()
        assert verdict == can_do_task(robot.swap_budget_wh(), robot.energy_wh(), need, self.trip_wh(), reserve)
        verdicts.append(verdict)
        return verdict

    monkeypatch.setattr(TaskBoard, "_feasible_from", checked)
    for reserve in (0.5, 0.9):  # large reserves: some robots can, some cannot
        simulate(long_tasks(kind, go=go, reserve=reserve), 1)
    assert True in verdicts and False in verdicts
