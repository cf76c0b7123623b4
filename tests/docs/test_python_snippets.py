"""Docs tests: every ```python block in README.md and docs/*.md runs as written.

The blocks of one file run in order in one namespace (a page reads as one notebook), from the
repository root so relative scenario paths resolve. A block that fails fails the test with its file
and line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _blocks(page: Path) -> list[tuple[int, str]]:
    text = page.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in BLOCK.finditer(text)]


PAGES_WITH_CODE = [p for p in PAGES if _blocks(p)]


def test_the_api_page_has_python_blocks():
    assert (ROOT / "docs" / "api.md") in PAGES_WITH_CODE


@pytest.mark.parametrize("page", PAGES_WITH_CODE, ids=lambda p: p.name)
def test_python_blocks_run(page, monkeypatch):
    pytest.importorskip("pandas")
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": f"docs:{page.name}"}
    for line, code in _blocks(page):
        try:
            exec(compile(code, f"{page.name}:{line}", "exec"), namespace)
        except Exception as err:  # noqa: BLE001 - report which block failed
            pytest.fail(f"{page.relative_to(ROOT)} block at line {line} failed: {type(err).__name__}: {err}")
