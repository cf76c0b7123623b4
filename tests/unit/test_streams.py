"""Unit tests for swapsim.streams: named streams from one root seed, independent of each other."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from swapsim.streams import Streams, stream_key, uniform


def first(gen: np.random.Generator, n: int = 8) -> list[float]:
    return gen.random(n).tolist()


def test_same_seed_and_name_give_the_same_sequence() -> None:
    assert first(Streams(42).get("workload", 3)) == first(Streams(42).get("workload", 3))


def test_get_returns_the_same_generator_so_draws_continue() -> None:
    s = Streams(42)
    a = first(s.get("workload", 0), 4)
    b = first(s.get("workload", 0), 4)
    assert a + b == first(Streams(42).get("workload", 0), 8)


def test_adding_a_stream_does_not_shift_another() -> None:
    alone = Streams(5)
    crowded = Streams(5)
    crowded.get("technician", 0).random(100)  # a new source of variation, created first and used
    crowded.get("swap_duration", 1).random(7)
    assert first(crowded.get("workload", 2)) == first(alone.get("workload", 2))


def test_different_names_and_seeds_differ() -> None:
    s = Streams(5)
    assert first(s.get("workload", 0)) != first(s.get("workload", 1))
    assert first(s.get("workload", 0)) != first(Streams(5).get("initial", 0))
    assert first(Streams(5).get("workload", 0)) != first(Streams(6).get("workload", 0))


def test_negative_seed_is_rejected() -> None:
    with pytest.raises(ValueError, match="seed must be >= 0"):
        Streams(-1)


def test_stream_key_does_not_depend_on_python_hash_randomisation() -> None:
    code = "from swapsim.streams import stream_key; print(stream_key('workload', 7))"
    outs = set()
    for hashseed in ("1", "2"):
        env = {"PYTHONHASHSEED": hashseed, "PYTHONPATH": ":".join(sys.path)}
        outs.add(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
            ).stdout.strip()
        )
    assert outs == {str(stream_key("workload", 7))}


@pytest.mark.parametrize("low, high", [(0.0, 120.0), (0.0, 80.0), (0.2, 1.0), (2.5, 2.5)])
def test_uniform_is_numpys_uniform_bit_for_bit_and_moves_the_stream_as_far(low: float, high: float) -> None:
    ours, theirs = np.random.default_rng(9), np.random.default_rng(9)
    assert [uniform(ours, low, high) for _ in range(10_000)] == [
        float(theirs.uniform(low, high)) for _ in range(10_000)
    ]
    assert ours.bit_generator.state == theirs.bit_generator.state
