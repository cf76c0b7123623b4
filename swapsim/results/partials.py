"""Partial directories: a results directory is built in a hidden sibling ``.<target>.partial-*`` that
holds ``.swapsim-partial.json`` with the writer's host and process id; the next write to the same
target removes the partials whose writer is gone (killed) on this host. Nothing else is removed.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
from pathlib import Path

from swapsim.results.reader import ResultsError, read_json, regular_file

__all__ = ["PARTIAL_MARKER", "clean_stale_partials", "glob_escape"]

PARTIAL_MARKER = ".swapsim-partial.json"
"""Inside a partial (being written) directory: ``{"host": ..., "pid": ...}`` of the writer."""


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this host (a process of another user counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def clean_stale_partials(target: Path) -> list[Path]:
    """Remove ``.<target>.partial-*`` siblings left by a writer on this host that no longer runs."""
    removed: list[Path] = []
    host = socket.gethostname()
    try:
        siblings = list(target.parent.glob(f".{glob_escape(target.name)}.partial-*"))
    except OSError:
        return removed
    for sib in siblings:
        marker = sib / PARTIAL_MARKER
        if sib.is_symlink() or not sib.is_dir() or not regular_file(marker):
            continue
        try:
            info = read_json(marker, sib, 4096)
            stale = info["host"] == host and not _alive(int(info["pid"]))
        except (OSError, ResultsError, ValueError, TypeError, KeyError):
            continue
        if stale:
            shutil.rmtree(sib, ignore_errors=True)
            removed.append(sib)
    return removed


def glob_escape(name: str) -> str:
    """``name`` with the glob characters ``*``, ``?`` and ``[`` matched literally."""
    return re.sub(r"([*?\[])", r"[\1]", name)
