"""Regression (not validation): docs/validation.md rendered from the saved docs/validation-data.json
is byte for byte the committed page.

The page is a template of prose (swapsim/analysis/validation/page.md.tmpl) filled from the data.
This pins the template and the numbers it quotes to the page in the repository: after a change to
either, rerender with ``python -m swapsim.analysis.validation --from-data`` and commit the page.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from swapsim.analysis.validation import page_text
from swapsim.analysis.validation.ageing_page import load
from swapsim.analysis.validation.figures import figure_names
from swapsim.analysis.validation.verdicts import load as load_verdicts

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def test_page_from_saved_data_is_the_committed_page() -> None:
    data = json.loads((DOCS / "validation-data.json").read_text(encoding="utf-8"))
    ageing = load(DOCS / "validation-ageing.json")
    verdicts = load_verdicts(DOCS / "validation-verdicts.json")
    text = page_text(data, figure_names(data), "figures", ageing=ageing, verdicts=verdicts)
    assert text == (DOCS / "validation.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_from_data_command_writes_the_committed_page(tmp_path: Path) -> None:
    out = tmp_path / "validation.md"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "swapsim.analysis.validation",
            "--from-data",
            "--data",
            str(DOCS / "validation-data.json"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == (DOCS / "validation.md").read_bytes()
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == sorted(
        figure_names(json.loads((DOCS / "validation-data.json").read_text(encoding="utf-8"))).values()
    )


def test_the_validation_figures_are_the_report_width(tmp_path):
    """docs/figures-and-reports.md: every figure is one width (9 in, 1800 px at 200 dpi) with a fixed
    canvas; the validation figures were drawn with a tight bounding box at 2123 to 3143 px (issue 28)."""
    from swapsim.analysis.validation.figures import draw_figures
    from swapsim.output.style import DPI, FIGURE_WIDTH_IN

    data = json.loads((DOCS / "validation-data.json").read_text(encoding="utf-8"))
    names = draw_figures(data, tmp_path)
    assert names
    for name in names.values():
        with (tmp_path / name).open("rb") as fh:
            head = fh.read(24)
        width = int.from_bytes(head[16:20], "big")
        assert width == round(FIGURE_WIDTH_IN * DPI), f"{name}: {width} px wide"
        assert (DOCS / "figures" / name).read_bytes()[16:20] == head[16:20], f"docs/figures/{name} is stale"
