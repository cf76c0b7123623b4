"""``python -m swapsim.analysis.validation``: run the validation experiments and rewrite docs/validation.md.

``--from-data`` renders the page and its figures from the saved ``docs/validation-data.json`` (and
section 8 from ``docs/validation-ageing.json``, written by ``python -m swapsim.analysis.validation.ageing``)
without simulating; ``--quick`` runs a small version for a smoke test.
"""

from __future__ import annotations

from collections.abc import Sequence

from swapsim.analysis.validation.ageing_page import load as load_ageing
from swapsim.analysis.validation.page import render
from swapsim.analysis.validation.suite import FULL, QUICK, run_all
from swapsim.analysis.validation.verdicts import load as load_verdicts


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m swapsim.analysis.validation [--quick] [--from-data] [--out docs/validation.md]``."""
    import argparse
    import json
    from pathlib import Path

    parser = argparse.ArgumentParser(
        prog="python -m swapsim.analysis.validation",
        description="Run the validation experiments and write docs/validation.md.",
    )
    parser.add_argument("--out", default="docs/validation.md", help="the page to write")
    parser.add_argument("--data", default=None, help="raw numbers (JSON); default: next to the page")
    parser.add_argument("--figures", default=None, help="figure directory; default: docs/figures")
    parser.add_argument("--quick", action="store_true", help="a small version (about a minute), for a smoke test")
    parser.add_argument("--from-data", action="store_true", help="redraw from the saved numbers, do not simulate")
    args = parser.parse_args(argv)
    out = Path(args.out)
    data_path = Path(args.data) if args.data else out.with_name(out.stem + "-data.json")
    fig_dir = Path(args.figures) if args.figures else out.parent / "figures"
    if args.from_data:
        data = json.loads(data_path.read_text(encoding="utf-8"))
    else:
        data = run_all(QUICK if args.quick else FULL)
        data_path.parent.mkdir(parents=True, exist_ok=True)
        data_path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    render(
        data,
        out,
        fig_dir,
        ageing=load_ageing(data_path.with_name("validation-ageing.json")),
        verdicts=load_verdicts(data_path.with_name("validation-verdicts.json")),
    )
    print(f"wrote {out}, {data_path} and figures in {fig_dir}/")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
