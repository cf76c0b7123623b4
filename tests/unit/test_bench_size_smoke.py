"""Smoke test of benchmark 4 (runs spent by swapsim size): its cases build and the harness knows it.
No run counts are asserted here (benchmarks/ measures; tests/validation/test_size_exact.py checks the
answers and the quarter-of-a-sweep bound on an exact case)."""

from __future__ import annotations

from benchmarks import __main__ as harness
from benchmarks import bench_size


def test_cases_build_and_are_registered():
    cases = bench_size.cases(quick=True)
    assert [name.split(",")[0] for name, _ in cases] == ["M/M/c//N", "Palm spare packs", "factory"]
    for _name, spec in cases:
        assert spec.targets and spec.dims and spec.n_max == 40
    assert "size" in harness.NAMES and harness.QUICK_REPEATS["size"] == 1
