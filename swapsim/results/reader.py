"""The one guarded reader of results folders: every file swapsim reads back from a results folder
(``summary.json``, ``scenario.resolved.yaml``, the CSV tables, ``sweep.json``, ``runs/*.json``,
``size-spec.json``, the manifest, figures embedded into a report) is read here.

A results folder is data a user (or a damaged disk, or someone else) may have changed, so a file is
read only when it is:

* a **regular file** (a FIFO, device, socket or directory is refused without blocking: the file is
  opened with ``O_NONBLOCK`` and checked with ``fstat`` before a byte is read);
* **not reached through a symbolic link** below the folder (the last part is opened with
  ``O_NOFOLLOW``, every folder between the results folder and the file is checked with ``lstat``), so
  nothing outside the folder is ever read or embedded; the results folder itself may be a link;
* **not too large** (:data:`MAX_TABLE_BYTES`, :data:`MAX_JSON_BYTES`, :data:`MAX_FIGURE_BYTES`,
  YAML at most :data:`swapsim.scenario.yaml_loader.MAX_FILE_BYTES`): the size is checked before reading
  and at most one byte more than the limit is ever read;
* for text, **UTF-8 without control characters** (NUL, BEL, ...; tab, newline and carriage return are
  text); YAML is parsed with the project's bounded loader (:mod:`swapsim.scenario.yaml_loader`), so an
  alias bomb is refused in milliseconds.

Every refusal is a :class:`ResultsError` (a user error, exit status 2) with one line naming the file
and what is wrong; an error of the operating system (permission denied, an I/O error) stays an
``OSError`` naming the file (exit status 1).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from swapsim.scenario.guarded import RefusedRead, read_regular

__all__ = [
    "ResultsError",
    "MAX_TABLE_BYTES",
    "MAX_JSON_BYTES",
    "MAX_FIGURE_BYTES",
    "read_bytes",
    "read_text",
    "read_json",
    "read_yaml",
    "read_table",
    "parse_cell",
    "regular_file",
]

MAX_TABLE_BYTES = 64 << 20
"""Largest CSV table read from a results folder (bytes): a year of 5-minute bins is about 10 MB."""
MAX_JSON_BYTES = 16 << 20
"""Largest JSON file read from a results folder (bytes)."""
MAX_FIGURE_BYTES = 32 << 20
"""Largest figure embedded into a report (bytes); swapsim's own figures are well under 1 MB."""

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters that never occur in swapsim's text files (tab, newline and CR are text)."""


class ResultsError(Exception):
    """A directory given as results is missing, is not a swapsim results directory, is incomplete, or
    holds a file swapsim will not read (damaged, a link, a FIFO, too large).

    A user error: the CLI prints the message and exits with status 2.
    """


def _links_below(path: Path, root: Path) -> Path | None:
    """The first part of ``path`` strictly below ``root`` (folders and the file) that is a symbolic
    link, or None. ``path`` outside ``root`` counts as its own root."""
    try:
        rel = Path(os.path.abspath(path)).relative_to(os.path.abspath(root))
    except ValueError:
        return None
    here = Path(os.path.abspath(root))
    for part in rel.parts:
        here = here / part
        try:
            if stat.S_ISLNK(os.lstat(here).st_mode):
                return here
        except OSError:
            return None  # missing: the open reports it
    return None


def regular_file(path: Path, root: Path | None = None) -> bool:
    """Whether ``path`` is a regular file reached without a symbolic link below ``root`` (default: its
    folder). Never blocks, never follows a link; for picking files out of a listing (figures, ``*.yaml``)."""
    path = Path(path)
    try:
        info = os.lstat(path)
    except (OSError, ValueError):
        return False
    return stat.S_ISREG(info.st_mode) and _links_below(path, root if root is not None else path.parent) is None


def read_bytes(path: Path, root: Path | None = None, limit: int = MAX_TABLE_BYTES, what: str = "file") -> bytes:
    """The bytes of the regular file ``path`` in the results folder ``root`` (default: its folder).

    Raises:
        ResultsError: missing, not a regular file, a symbolic link below ``root``, larger than ``limit``.
        OSError: the operating system could not read it (naming the file).
    """
    path = Path(path)
    link = _links_below(path, root if root is not None else path.parent)
    if link is not None:
        raise ResultsError(
            f"{link}: is a symbolic link; swapsim reads only regular files inside a results folder, never through a link"
        )
    try:
        return read_regular(path, limit, what, nofollow=True)
    except RefusedRead as exc:
        raise ResultsError(str(exc)) from None


def read_text(path: Path, root: Path | None = None, limit: int = MAX_TABLE_BYTES, what: str = "text file") -> str:
    """The UTF-8 text of ``path`` (see :func:`read_bytes`); refused when not UTF-8 or holding a control
    character (NUL, BEL, ...), naming the line."""
    data = read_bytes(path, root, limit, what)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ResultsError(f"{path}: damaged: not UTF-8 text (byte {exc.start})") from None
    bad = _CONTROL.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        raise ResultsError(f"{path}: damaged: a control character U+{ord(bad.group()):04X} on line {line}")
    return text


def read_json(path: Path, root: Path | None = None, limit: int = MAX_JSON_BYTES, obj: bool = True) -> Any:
    """The JSON value of ``path`` (an object unless ``obj`` is False); :class:`ResultsError` naming it."""
    text = read_text(path, root, limit, "JSON file")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ResultsError(
            f"{path}: damaged: cannot be read as JSON ({str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__})"
        ) from None
    if obj and not isinstance(data, dict):
        raise ResultsError(f"{path}: damaged: expected a JSON object")
    return data


def read_yaml(path: Path, root: Path | None = None) -> Any:
    """The YAML value of ``path``, parsed with the bounded loader (:mod:`swapsim.scenario.yaml_loader`)."""
    from swapsim.scenario.yaml_loader import MAX_FILE_BYTES, YamlInputError, load_yaml_text

    text = read_text(path, root, MAX_FILE_BYTES, "YAML file")
    try:
        return load_yaml_text(text, str(path))
    except YamlInputError as exc:
        raise ResultsError(f"damaged: {str(exc).splitlines()[0]}") from None


def parse_cell(text: str) -> Any:
    """A CSV cell: None when empty, else an int, a float, or the text."""
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def read_rows(path: Path, root: Path | None = None, limit: int = MAX_TABLE_BYTES) -> list[list[str]]:
    """The rows of a CSV file (cells as text); :class:`ResultsError` naming it when it cannot be read."""
    text = read_text(path, root, limit, "CSV table")
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ResultsError(f"{path}: damaged: cannot be read as a CSV table ({str(exc)[:120]})") from None


def read_table(path: Path, root: Path | None = None, limit: int = MAX_TABLE_BYTES) -> dict[str, list[Any]]:
    """A CSV table as a dict of columns, numbers parsed; a header is required."""
    rows = read_rows(path, root, limit)
    if not rows or not any(rows[0]):
        raise ResultsError(f"{path}: damaged: empty file, no header row")
    header = rows[0]
    cols: dict[str, list[Any]] = {h: [] for h in header}
    for row in rows[1:]:
        for h, cell in zip(header, row):
            cols[h].append(parse_cell(cell))
    return cols
