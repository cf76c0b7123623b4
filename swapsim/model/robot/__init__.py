"""The robot, by composition (issue 24): a :class:`~swapsim.model.robot.body.Body` that owns the packs and
the energy, a power strategy (:mod:`~swapsim.model.robot.power`: hot swap, cold swap, plug-in, registered in
:data:`~swapsim.model.registries.POWER_STRATEGIES`), its :class:`~swapsim.model.robot.trip.Trip` to stations,
its :class:`~swapsim.model.robot.shifts.Duty` and its :class:`~swapsim.model.robot.work.Work` (the activity
cycle or tasks, through one ``run_legs``, with quiet stretches from :mod:`~swapsim.model.robot.quiet`).

How a robot behaves
-------------------
A robot carries its packs and draws from the *active* one. Energy is event-driven: between events the
robot draws a constant power, so the time at which the active pack reaches the swap trigger (or empty)
is known in closed form and is a single timeout, re-planned whenever the power changes.

* Active pack reaches the trigger: (hot swap) the robot switches to the other pack if it holds more
  charge and marks the drained one for a swap. It goes at once (interrupting the activity, resumed
  afterwards) or after the current activity, as the policy says.
* Active pack empty: switch to the other pack if it has charge; if both are empty the robot is
  stranded, down for the rescue time, after which the rescue crew has charged both packs.
* The swap trip: walk to the chosen station (walking power), queue for a position (station power),
  swap for the sampled duration (station power, powered by the active pack: a hot swap never powers
  the robot down), walk back. If no pack is green the robot first leaves its drained pack in a bay to
  charge, so that slot is empty (``None``) until it takes the first pack to turn green; from then on
  it stays at that station (an outage does not send it elsewhere without its pack).
* ``cold_swap`` carries one pack: it must go when that pack reaches the trigger (at once, whatever
  ``policy.go`` says), powers down for the swap (state ``swapping``, no draw) and boots on the fresh pack
  for ``strategy.boot_time`` (also ``swapping``, at station power). ``plug_in`` keeps its two packs: it
  runs on one pack to the trigger, then on the other, and when both are at the trigger walks to a
  station, queues for a free dock and charges there (state ``charging``) until both packs read the
  ready threshold, both packs in parallel along the station charger's CC-CV curve.

Faults (:mod:`swapsim.model.faults`) halt a robot that is working, idle or travelling through
``Process.interrupt``: the interrupted wait returns early, the energy drawn so far is settled, the
robot is ``down`` for the fault's duration at ``faults.down_power`` and then resumes the rest of what
it was doing. Station outages are seen at the station: queued robots re-route (via the work area)
when another station is open, and wait for the repair otherwise. A failed swap attempt costs the
retry time in state ``down`` and is tried again.

Robot states, exactly one at a time: see :data:`swapsim.metrics.glossary.ROBOT_STATES`. Hours, Wh, W.
"""

from swapsim.model.robot.body import STRIKEABLE, Body, Proc
from swapsim.model.robot.entity import Robot, build_robot
from swapsim.model.robot.power import ColdSwap, HotSwap, PlugIn
from swapsim.model.robot.trip import PowerStrategy, Trip
from swapsim.model.robot.work import Work

__all__ = [
    "Robot",
    "build_robot",
    "Body",
    "Trip",
    "Work",
    "PowerStrategy",
    "HotSwap",
    "ColdSwap",
    "PlugIn",
    "STRIKEABLE",
    "Proc",
]
