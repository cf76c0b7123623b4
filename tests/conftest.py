"""Shared test set-up: makes ``tests/`` importable so every tier can use :mod:`builders`; one set of
small results folders of every kind per session (:mod:`results_corpus`), written only when a test asks."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def results_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    """(scenario file, {kind: folder}) written once by the real commands; copy a folder before changing it."""
    import os
    import shutil

    from results_corpus import KINDS, build

    base = tmp_path_factory.mktemp("results-corpus")
    cached = os.environ.get("SWAPSIM_RESULTS_CORPUS")  # a folder build() wrote before: saves minutes when iterating
    if cached:
        shutil.copytree(cached, base, symlinks=True, dirs_exist_ok=True)
        return base / "small.yaml", {k: base / k for k in KINDS}
    return build(base)
