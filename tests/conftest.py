"""Shared test set-up: makes ``tests/`` importable so every tier can use :mod:`builders`, and sorts
every test into tiers by rule (one set of small results folders of every kind per session,
:mod:`results_corpus`, is written only when a test asks), so that a new test file is in the right tier without being listed.

- Each test gets the marker of its directory: ``unit``, ``property``, ``validation``, ``regression``,
  ``cli`` or ``docs`` (``tests/unit/test_x.py`` -> ``unit``).
- ``slow`` is set by hand (``@pytest.mark.slow`` or ``pytestmark = pytest.mark.slow``) on a test
  that takes more than a few seconds of CPU; ``validation`` and ``docs`` tests count as slow
  without it (every test of those directories runs many or long simulations).

``make test-fast`` runs ``-m "not slow"`` (unit, property, cli and regression tests that are
quick); ``make test`` and CI run everything. Markers are registered in ``pyproject.toml``
(``--strict-markers``: a misspelt marker is an error).
"""

from __future__ import annotations

from pathlib import Path

import pytest

TIERS = ("unit", "property", "validation", "regression", "cli", "docs")
"""Directories of ``tests/`` and the marker each gives its tests."""
SLOW_TIERS = ("validation", "docs")
"""Tiers whose every test is also ``slow``."""
HERE = Path(__file__).resolve().parent


def tier_of(path: Path) -> str | None:
    """The tier of a test file: the first directory below ``tests/`` (None outside a tier)."""
    try:
        rel = Path(path).resolve().relative_to(HERE)
    except ValueError:
        return None
    return rel.parts[0] if len(rel.parts) > 1 and rel.parts[0] in TIERS else None


HEAVY_FIRST = (
    "docs/test_documented_commands.py",
    "docs/test_documented_commands_in_order.py",
    "cli/test_size_cli.py",
)
"""The files of the most CPU time, run first in this order (see :func:`heaviest_first`)."""


def heaviest_first(items: list[pytest.Item]) -> list[pytest.Item]:
    """The tests, a file's together and in their order: the files of :data:`HEAVY_FIRST`, then the
    other files that hold a ``slow`` test, then the rest, each group in collection order.

    ``make test`` hands whole files to two workers (``--dist loadfile --no-loadscope-reorder``), the
    next file to whichever worker is free; with the long files first, the many short ones fill the
    gaps and both workers end together (xdist's default order, by number of tests, left the docs
    passes, one or a few tests each, to the end, one worker running them while the other waited).
    """
    files: dict[str, list[pytest.Item]] = {}
    for item in items:
        files.setdefault(item.nodeid.split("::")[0], []).append(item)

    def rank(name: str) -> tuple[int, int]:
        rel = name.removeprefix("tests/")
        if rel in HEAVY_FIRST:
            return (0, HEAVY_FIRST.index(rel))
        return (1, 0) if any(i.get_closest_marker("slow") for i in files[name]) else (2, 0)

    return [item for name in sorted(files, key=rank) for item in files[name]]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        tier = tier_of(Path(item.fspath))
        if tier is None:
            continue
        item.add_marker(getattr(pytest.mark, tier))
        if tier in SLOW_TIERS:
            item.add_marker(pytest.mark.slow)
    items[:] = heaviest_first(items)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Stop multiprocessing's fork server if a sweep of this process started one
    (:mod:`swapsim.experiments.executors`) and wait for it, so that it and the workers it forked are
    counted in this process's CPU time (``/usr/bin/time make test``) and none outlives the tests."""
    import sys

    server = getattr(sys.modules.get("multiprocessing.forkserver"), "_forkserver", None)
    stop = getattr(server, "_stop", None)
    if callable(stop):
        stop()


@pytest.fixture(scope="session")
def results_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    """(scenario file, {kind: folder}) written once by the real commands; copy a folder before changing it.

    Written once per test session, not once per worker: under pytest-xdist the first worker that asks
    writes it into the session's shared temporary folder while holding a lock, and the other reads it
    (the corpus costs about 30 s of CPU; the two files that read it often run in different workers)."""
    import os
    import shutil

    from results_corpus import KINDS, build

    cached = os.environ.get("SWAPSIM_RESULTS_CORPUS")  # a folder build() wrote before: saves minutes when iterating
    if cached:
        base = tmp_path_factory.mktemp("results-corpus")
        shutil.copytree(cached, base, symlinks=True, dirs_exist_ok=True)
        return base / "small.yaml", {k: base / k for k in KINDS}
    try:
        import fcntl
    except ImportError:  # no POSIX locks (Windows): each worker writes its own
        fcntl = None
    if fcntl is None or not os.environ.get("PYTEST_XDIST_WORKER"):  # one process, or no lock to share with
        return build(tmp_path_factory.mktemp("results-corpus"))
    shared = tmp_path_factory.getbasetemp().parent  # the session's folder, above each worker's own
    base, done = shared / "results-corpus", shared / "results-corpus.done"
    with open(shared / "results-corpus.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.exists():
            shutil.rmtree(base, ignore_errors=True)  # a worker that failed half-way left it
            base.mkdir()
            build(base)
            done.touch()
    return base / "small.yaml", {k: base / k for k in KINDS}
