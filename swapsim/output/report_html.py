"""The report page around the tables: the inline style sheet, figures embedded as ``data:`` URIs, the
document shell and the sections that show saved files verbatim.

The page is self-contained: no scripts, web fonts or links outside it. Figures found in the results
directory are embedded (PNG preferred over SVG); when there are none, or when asked to redraw, they
are drawn first by :func:`swapsim.output.figures.plot_results` from the same saved files.
"""

from __future__ import annotations

import base64
import datetime as _dt
import struct
from collections.abc import Sequence
from html import escape
from pathlib import Path

from swapsim._version import __version__
from swapsim.output import figures
from swapsim.results import ResultsError
from swapsim.results.reader import MAX_FIGURE_BYTES, read_bytes, read_text, read_yaml, regular_file
from swapsim.scenario.yaml_loader import MAX_FILE_BYTES

__all__ = ["ensure_figures", "figures_section", "html_page", "ordered_figures", "scenario_description", "yaml_section"]

_FIGURE_SUFFIXES = (".png", ".svg")
_MIME = {".png": "image/png", ".svg": "image/svg+xml"}

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: #1b1b1b; background: #fff; line-height: 1.45; font-size: 15px;
       max-width: 68rem; margin: 1.5rem auto 3rem; padding: 0 1.5rem; }
header { border-bottom: 2px solid #0072B2; margin-bottom: 1rem; padding-bottom: .5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 1px solid #ccc; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
p { margin: .4rem 0 .8rem; }
.lead { font-size: 1.02rem; color: #333; }
.meta { color: #555; font-size: .9rem; }
.note { color: #555; font-size: .9rem; font-style: italic; }
nav { font-size: .9rem; margin: .6rem 0 1rem; }
nav a { color: #0072B2; margin-right: 1rem; text-decoration: none; }
.table-wrap { overflow-x: auto; margin: .4rem 0 1rem; max-width: 100%; }
.scroll-box { max-height: 34rem; overflow: auto; border: 1px solid #e2e2e2; margin: .4rem 0 1rem; }
.scroll-box .table-wrap { margin: 0; overflow: visible; }
.scroll-box thead th { position: sticky; top: 0; z-index: 1; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: .92rem; max-width: 100%; }
table.wide { font-size: .8rem; table-layout: auto; }
table.wide th, table.wide td { padding: .22rem .4rem; }
thead th { white-space: normal; overflow-wrap: break-word; }
table.wide tbody th { white-space: nowrap; }
tbody th { overflow-wrap: break-word; }
ul.findings { list-style: none; padding: 0; margin: .4rem 0 .8rem; }
ul.findings li { margin: .35rem 0; padding: .4rem .7rem; border-left: 4px solid #009E73; background: #f5faf8; }
ul.findings li.act { border-left-color: #D55E00; background: #fdf5f0; }
ul.findings li.watch { border-left-color: #E69F00; background: #fdf9ef; }
tr.total th, tr.total td { border-top: 1.5px solid #777; font-weight: 600; }
p.caption { font-size: .88rem; color: #555; margin: -.6rem 0 1.2rem; max-width: 46rem; }
th, td { padding: .28rem .65rem; border-bottom: 1px solid #e2e2e2; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #777; background: #f4f6f8; font-weight: 600; }
tbody th { font-weight: normal; }
td.num { text-align: right; white-space: nowrap; }
td.num.ci { white-space: normal; min-width: 4.5rem; }
th.num { text-align: right; }
tr.sub th { padding-left: 1.6rem; color: #444; }
figure { margin: 1rem 0 2rem; break-inside: avoid; page-break-inside: avoid; }
figure img { display: block; width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: .88rem; color: #444; margin-top: .35rem; }
pre { background: #f6f7f8; border: 1px solid #e5e5e5; padding: .7rem .9rem; font-size: .8rem;
      line-height: 1.35; white-space: pre-wrap; word-break: break-word; }
details { margin: .4rem 0 1rem; }
.print-only { display: none; }
summary { cursor: pointer; color: #0072B2; }
.kv th { width: 22rem; }
footer { margin-top: 3rem; font-size: .82rem; color: #666; border-top: 1px solid #ddd; padding-top: .5rem; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  nav, details { display: none; }
  .print-only { display: block; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  table { break-inside: auto; font-size: 9pt; }
  table.wide { font-size: 7.5pt; }
  ul.findings li { break-inside: avoid; }
  tr { break-inside: avoid; }
  .keep { break-inside: avoid; page-break-inside: avoid; }
  figure { break-inside: avoid; }
  figure img { border: none; max-height: 235mm; object-fit: contain; }
  pre { font-size: 7.5pt; }
  .table-wrap, .scroll-box { overflow: visible; max-height: none; border: none; }
  table, .table-wrap { max-width: 100%; }
}
"""


# -- figures -----------------------------------------------------------------------------------------


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return struct.unpack(">II", data[16:24])
    return None


def _find_figures(directory: Path) -> dict[str, Path]:
    """Figure files in ``directory`` by stem, PNG preferred over SVG when both exist."""
    found: dict[str, Path] = {}
    for suffix in reversed(_FIGURE_SUFFIXES):
        for path in sorted(directory.glob(f"*{suffix}")):
            if regular_file(path):  # a link could point anywhere, a FIFO would block: never embedded
                found[path.stem] = path
    return found


def ordered_figures(figures: dict[str, Path], known: Sequence[str]) -> list[tuple[str, Path]]:
    """The figures named in ``known`` in that order, then the others by name."""
    first = [(s, figures[s]) for s in known if s in figures]
    rest = [(s, figures[s]) for s in sorted(figures) if s not in known]
    return first + rest


def _humanise(stem: str) -> str:
    return stem.replace("_", " ").replace("-", " ").strip().capitalize()


def figure_html(path: Path, caption: str, anchor: str) -> str:
    data = read_bytes(path, limit=MAX_FIGURE_BYTES, what="figure")
    mime = _MIME[path.suffix.lower()]
    size = _png_size(data) if mime == "image/png" else None
    dims = f' width="{size[0]}" height="{size[1]}"' if size else ""
    uri = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    return (
        f'<figure id="{escape(anchor)}"><img src="{uri}" alt="{escape(caption)}"{dims}>'
        f'<figcaption>{escape(caption)} <span class="meta">({escape(path.name)})</span></figcaption>'
        f"</figure>"
    )


def ensure_figures(results_dir: Path, kind: str, redraw: bool) -> tuple[dict[str, Path], str | None]:
    """The figure files to embed, drawing PNGs first when there are none (or when ``redraw``).

    Returns the figures by stem and, when figures could not be drawn, a note saying why.
    """
    found = _find_figures(results_dir)
    if found and not redraw:
        return found, None
    try:
        figures.plot_results(results_dir, "png")
    except ResultsError as exc:
        note = f"No figures drawn: {exc}." if not found else f"Figures not redrawn: {exc}."
        return found, note
    return _find_figures(results_dir), None


def figures_section(shown: list[tuple[str, Path]], captions: dict[str, str], note: str | None) -> str:
    """The Figures section: each figure embedded with its caption (its humanised stem when not in ``captions``)."""
    out = ['<section id="figures"><h2>Figures</h2>']
    if note:
        out.append(f'<p class="note">{escape(note)}</p>')
    if not shown and not note:
        out.append('<p class="note">No figures in this directory.</p>')
    for stem, path in shown:
        out.append(figure_html(path, captions.get(stem, _humanise(stem)), f"fig-{stem}"))
    out.append("</section>")
    return "\n".join(out)


# -- page ----------------------------------------------------------------------------------------------


def html_page(title: str, subtitle: list[str], sections: list[tuple[str, str, str]], source: Path) -> str:
    """The whole document. ``subtitle``: plain-text paragraphs; ``sections``: (anchor, nav label, html)."""
    now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    nav = " ".join(f'<a href="#{escape(a)}">{escape(label)}</a>' for a, label, _ in sections if label)
    body = "\n".join(html for _, _, html in sections)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="swapsim {escape(__version__)}">
<title>{escape(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{escape(title)}</h1>
{"".join(f'<p class="lead">{escape(p)}</p>' for p in subtitle if p)}
<p class="meta">Written from the saved results in <code>{escape(str(source))}</code> by swapsim
{escape(__version__)} on {now}; no simulation was run to write this page.</p>
<nav>{nav}</nav>
</header>
{body}
<footer>swapsim {escape(__version__)}: discrete-event simulation of humanoid robot fleets that hot-swap
their batteries. Every number on this page comes from the files beside it.</footer>
</body>
</html>
"""


def yaml_section(anchor: str, title: str, files: list[Path], intro: str) -> str:
    """A section showing saved YAML files verbatim; ``intro`` is HTML."""
    out = [f'<section id="{anchor}"><h2>{escape(title)}</h2><p>{intro}</p>']
    for path in files:
        out.append(
            f"<h3>{escape(path.name)}</h3><pre>{escape(read_text(path, limit=MAX_FILE_BYTES, what='YAML file'))}</pre>"
        )
    if not files:
        out.append('<p class="note">No resolved scenario file in this directory.</p>')
    out.append("</section>")
    return "\n".join(out)


def scenario_description(path: Path) -> str:
    """The ``description`` of a saved scenario file, or '' when it has none or cannot be read."""
    try:
        data = read_yaml(path)
    except (OSError, ResultsError):
        return ""
    return str(data.get("description") or "").strip() if isinstance(data, dict) else ""
