"""The baseline: a minimal hand-written SimPy model of the finite-source queue M/M/c//N.

N robots each work ("think") for a fixed time, then request one of c swap positions (a
``simpy.Resource``, FIFO), hold it for an exponential swap time, release it and work again. This is
what a competent SimPy user would write for the queue alone: no packs, no bays, no recorder, just the
wait accumulated as a sum and a count. swapsim's time per swap on the same queue is measured against
it (benchmark 1).

The two models are set up to be statistically identical, not identical draw for draw: each robot's
first working spell is uniform on [0, T) (swapsim's staggered start gives the same), and swap times come
from one exponential stream. Times in hours.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

import simpy

from swapsim.streams import Streams

__all__ = ["BareResult", "BareMMCN", "run_bare_mmcn"]


@dataclass(frozen=True)
class BareResult:
    """What a bare run reports: swaps started, their mean wait (h), and the events processed (if counted)."""

    swaps: int
    mean_wait_h: float
    events: int | None


class BareMMCN:
    """The M/M/c//N queue as N robot processes sharing one ``simpy.Resource``.

    Args:
        env: the environment to run in.
        n_robots: N, the number of sources.
        positions: c, the number of servers.
        think_h: fixed working time between swaps (h).
        swap_mean_h: mean of the exponential swap time (h).
        seed: root seed; streams ``("initial",)`` and ``("swap_duration",)``.
    """

    def __init__(self, env: simpy.Environment, n_robots: int, positions: int, think_h: float,
                 swap_mean_h: float, seed: int) -> None:
        self.env = env
        self.think_h = think_h
        self.swap_mean_h = swap_mean_h
        streams = Streams(seed)
        self.swap_rng = streams.get("swap_duration")
        initial = streams.get("initial")
        self.positions = simpy.Resource(env, capacity=positions)
        self.swaps = 0
        self.wait_sum_h = 0.0
        for _ in range(n_robots):
            env.process(self.operate(float(initial.uniform(0.0, think_h))))

    def operate(self, first_think_h: float) -> Generator[simpy.Event, object, None]:
        """Work, queue for a position, swap, repeat."""
        env = self.env
        rng = self.swap_rng
        yield env.timeout(first_think_h)
        while True:
            arrived = env.now
            with self.positions.request() as req:
                yield req
                self.wait_sum_h += env.now - arrived
                self.swaps += 1
                yield env.timeout(float(rng.exponential(self.swap_mean_h)))
            yield env.timeout(self.think_h)


def run_bare_mmcn(n_robots: int, positions: int, think_h: float, swap_mean_h: float, horizon_h: float,
                  seed: int, env: simpy.Environment | None = None) -> BareResult:
    """Run the bare model to ``horizon_h``; pass a :class:`~benchmarks.common.CountingEnvironment` to count events."""
    env = simpy.Environment() if env is None else env
    model = BareMMCN(env, n_robots, positions, think_h, swap_mean_h, seed)
    env.run(until=horizon_h)
    mean = model.wait_sum_h / model.swaps if model.swaps else 0.0
    return BareResult(model.swaps, mean, getattr(env, "events_processed", None))

