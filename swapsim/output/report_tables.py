"""The report's building blocks for numbers and tables: values formatted for a reader, HTML tables,
and the saved tables read with errors that name the file.

Fractions are shown as percentages, floats to a readable precision, ``mean ± half-width`` with the
half-width to two significant digits; every cell is escaped here, so callers pass plain text.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from typing import Any

from swapsim.metrics.glossary import NOT_APPLICABLE, label_for, not_applicable
from swapsim.results import read_csv
from swapsim.results.reader import read_json as guarded_json

__all__ = [
    "fmt_value",
    "fmt_mean_ci",
    "fmt_number",
    "fmt_hours",
    "html_table",
    "kv_table",
    "read_json",
    "read_table",
    "records",
    "mark_not_applicable",
]


def _is_fraction(key: str) -> bool:
    """KPIs stored as a fraction of 1 and shown as a percentage: a KPI whose glossary label is a share
    (unit ``%``), else a key named like one (``*_fraction``, ``*_share``, ``utilisation``)."""
    label = label_for(key)
    if label is not None:
        return label.is_share
    last = key.rsplit(".", 1)[-1]
    return (
        last in {"utilisation", "swap_utilisation"}
        or last.endswith("_fraction")
        or ".state_fraction." in f".{key}."
        or last.endswith("_share")
    )


def fmt_number(value: float) -> str:
    """A float to a readable precision: thousands separated, three significant digits below 1."""
    if value == 0:
        return "0"
    a = abs(value)
    if a >= 1000:
        return f"{value:,.0f}"
    if a >= 100:
        return f"{value:.1f}"
    if a >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def fmt_value(key: str, value: Any) -> str:
    """One value for a table cell: fractions as percentages, floats to readable precision, counts with
    thousands separated (``49,835``) like large floats, a seed as it is."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        if _is_fraction(key):
            return f"{value * 100:.1f} %"
        return str(value) if key.rsplit(".", 1)[-1] == "seed" else f"{value:,}"
    if isinstance(value, float):
        if _is_fraction(key):
            return f"{value * 100:.1f} %"
        return fmt_number(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(fmt_value(key, v) for v in value)
    return str(value)


def fmt_mean_ci(key: str, mean: Any, ci95: Any) -> str:
    """``mean ± half-width`` with the half-width to two significant digits and the mean to match."""
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "–"
    if ci95 is None or (isinstance(ci95, float) and (math.isnan(ci95) or math.isinf(ci95))):
        return fmt_value(key, float(mean))
    scale, unit = (100.0, " %") if _is_fraction(key) else (1.0, "")
    m, h = float(mean) * scale, abs(float(ci95)) * scale
    if h == 0:
        return f"{fmt_number(m)}{unit} ± 0"
    decimals = min(6, max(0, 1 - int(math.floor(math.log10(h)))))
    return f"{m:,.{decimals}f} ± {h:,.{decimals}f}{unit}"


def _num_class(text: str) -> str:
    if "±" in text:
        return ' class="num ci"'
    t = text.replace("±", "").replace("%", "").replace(",", "").replace("–", "").strip().split(" ")[0]
    try:
        float(t)
        return ' class="num"'
    except ValueError:
        return ""


def html_table(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    caption: str | None = None,
    row_headers: bool = True,
    classes: str = "",
    row_classes: Sequence[str] | None = None,
) -> str:
    """An HTML table; cells are plain text (escaped here). Numeric cells are right-aligned."""
    rows = list(rows)
    cls = f' class="{classes}"' if classes else ""
    keep = " keep" if len(rows) <= 15 else ""  # short tables are not split across printed pages
    out = [f'<div class="table-wrap{keep}"><table{cls}>']
    if header:
        head = "".join(f'<th{_num_class(h) if i else ""} scope="col">{escape(h)}</th>' for i, h in enumerate(header))
        out.append(f"<thead><tr>{head}</tr></thead>")
    out.append("<tbody>")
    for r, row in enumerate(rows):
        cls = f' class="{row_classes[r]}"' if row_classes and row_classes[r] else ""
        cells = []
        for i, cell in enumerate(row):
            text = escape(str(cell))
            if i == 0 and row_headers:
                cells.append(f'<th scope="row">{text}</th>')
            else:
                if "±" in text:  # wrap a narrow column between the mean and its interval, never inside them
                    text = text.replace(" ± ", " ±&nbsp;").replace(" %", "&nbsp;%")
                cells.append(f"<td{_num_class(str(cell))}>{text}</td>")
        out.append(f"<tr{cls}>{''.join(cells)}</tr>")
    out.append("</tbody></table></div>")
    if caption:
        out.append(f'<p class="caption">{escape(caption)}</p>')
    return "\n".join(out)


def kv_table(data: dict[str, Any], caption: str | None = None) -> str:
    """A two-column table of keys and formatted values."""
    return html_table([], [(k, fmt_value(k, v)) for k, v in data.items()], caption=caption, classes="kv")


def read_json(path: Path) -> Any:
    """A saved JSON file; a :class:`ResultsError` naming the file when it cannot be read."""
    return guarded_json(Path(path), obj=False)


def read_table(path: Path) -> dict[str, list[Any]]:
    """A saved CSV table as columns; a :class:`ResultsError` naming the file when it cannot be read."""
    return read_csv(path)


def records(table: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """The rows of a table of columns, each as a dict."""
    cols = list(table)
    n = len(table[cols[0]]) if cols else 0
    return [{c: table[c][i] for c in cols} for i in range(n)]


def fmt_hours(h: Any) -> str:
    """A duration in hours for a sentence: ``12 h``, or ``3 d`` from 48 h on."""
    if not isinstance(h, (int, float)):
        return "–"
    return f"{h / 24:g} d" if h >= 48 else f"{h:g} h"


def mark_not_applicable(summary: dict[str, Any]) -> dict[str, Any]:
    """A copy of a run's summary with every KPI that does not exist under its strategy (a plug-in run's
    swaps, swap waits, stock-outs and green packs; a swapping run's dock sessions) replaced by the text
    :data:`~swapsim.metrics.glossary.NOT_APPLICABLE`, so that tables read ``n/a``, not ``0``."""
    strategy = (summary.get("manifest") or {}).get("strategy")

    def walk(prefix: str, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: walk(f"{prefix}.{k}" if prefix else str(k), v) for k, v in value.items()}
        if prefix == "stations" and isinstance(value, list):
            return [
                {k: (v if k == "name" else walk(f"stations.{st.get('name')}.{k}", v)) for k, v in st.items()}
                if isinstance(st, dict)
                else st
                for st in value
            ]
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not_applicable(prefix, strategy):
            return NOT_APPLICABLE
        return value

    return {k: (v if k == "manifest" else walk(k, v)) for k, v in summary.items()}
