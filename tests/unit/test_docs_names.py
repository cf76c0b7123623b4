"""Every module path (`swapsim/x/y.py`) and dotted name (`swapsim.x.y`) the README and docs/ name
exists: a module split or rename that leaves the docs pointing at a moved file fails here (issue 28:
docs/sizing.md named `swapsim/sizing/...` after the package moved). CHANGELOG.md is history and is
not checked."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import swapsim

ROOT = Path(__file__).resolve().parents[2]
SOURCE = Path(swapsim.__file__).resolve().parents[1]
"""Where ``swapsim/`` is: this checkout, or site-packages for an installed build (make test-compiled)."""
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TEXT = {p.name: p.read_text(encoding="utf-8") for p in PAGES}
PATHS = sorted({(n, m) for n, t in TEXT.items() for m in re.findall(r"\bswapsim/[A-Za-z0-9_/]+\.py\b", t)})
DOTTED = sorted({(n, m) for n, t in TEXT.items() for m in re.findall(r"\bswapsim(?:\.[A-Za-z_][A-Za-z0-9_]*)+", t)})


@pytest.mark.parametrize(("page", "path"), PATHS)
def test_a_named_module_file_exists(page, path):
    assert (SOURCE / path).is_file(), f"{page} names {path}, which does not exist"


def _resolves(name: str) -> bool:
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


@pytest.mark.parametrize(("page", "name"), DOTTED)
def test_a_named_module_or_object_exists(page, name):
    assert _resolves(name), f"{page} names {name}, which does not import"


def test_the_check_can_fail():
    assert not _resolves("swapsim.sizing.report_html")
    assert not _resolves("swapsim.output.no_such_function")
