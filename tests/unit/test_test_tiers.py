"""The test tiers (tests/conftest.py): every test file sits in a tier directory, so it gets its marker
by rule, and the slow tiers are left out of ``make test-fast``."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tests.conftest import SLOW_TIERS, TIERS, tier_of

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent


def test_every_test_file_is_in_a_tier_directory():
    loose = [str(p.relative_to(TESTS)) for p in TESTS.rglob("test_*.py") if tier_of(p) is None]
    assert not loose, f"test files outside tests/{{{','.join(TIERS)}}}/ get no tier marker: {loose}"


def test_tier_of_reads_the_first_directory():
    assert tier_of(TESTS / "unit" / "test_x.py") == "unit"
    assert tier_of(TESTS / "validation" / "sub" / "test_x.py") == "validation"
    assert tier_of(TESTS / "conftest.py") is None
    assert tier_of(TESTS / "data" / "make_fixtures.py") is None
    assert tier_of(ROOT / "swapsim" / "cli" / "run.py") is None


def test_markers_are_registered_and_fast_leaves_out_the_slow_tiers():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    registered = {m.split(":")[0] for m in config["markers"]}
    assert registered >= {*TIERS, "slow"}
    assert "--strict-markers" in config["addopts"]
    assert set(SLOW_TIERS) == {"validation", "docs"}
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert '-m "not slow"' in makefile.split("test-fast:", 1)[1].split("\n\n", 1)[0]
    test_recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "-m pytest" in test_recipe and "-m " not in test_recipe.split("-m pytest", 1)[1] and "-k " not in test_recipe, (
        "make test runs every tier (only the long checks are left out, by addopts)"
    )
    assert "-m 'not long'" in config["addopts"] and "long" in registered
    assert '-m long' in makefile.split("test-long:", 1)[1].split("\n\n", 1)[0]


def test_the_markers_reach_the_items(request):
    assert request.node.get_closest_marker("unit") is not None
    assert request.node.get_closest_marker("slow") is None
