"""Benchmarks of swapsim: how fast a run is, measured as ratios to baselines in the same run.

``python -m benchmarks`` (or ``make bench``) runs, in one process and in this order:

1. :mod:`benchmarks.bench_queue`: swapsim against a bare SimPy model of the same finite-source queue
   M/M/c//N (:mod:`benchmarks.bare_mmcn`), one simulated year; time per swap, events per second, and
   both models' mean wait against the exact value.
2. :mod:`benchmarks.bench_scaling`: wall time and peak memory against fleet size and horizon, each run
   in a fresh interpreter (:mod:`benchmarks.child`).
3. :mod:`benchmarks.bench_sweep`: sweep throughput with 1 and 2 worker processes, through the real
   sweep path (:func:`swapsim.experiments.run_sweep`, local executor).

Each prints a table; all three go to ``benchmarks/results/latest.json`` and ``latest.md`` (not
versioned). ``--quick`` shrinks every benchmark to a smoke test of a few seconds.
``python -m benchmarks.profiling`` profiles a scenario with cProfile. Speed is measured here only,
never asserted in the test suite. See docs/performance.md.
"""
