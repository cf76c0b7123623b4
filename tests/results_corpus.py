"""One set of small results folders of every kind (run, sweep, compare, size, warmup), written once
per test session (the ``results_corpus`` fixture of ``tests/conftest.py``) by the real commands on short horizons, and the commands that read them back.

Used by the hostile-results property test and the byte-for-byte ownership test: each case copies a
folder (:func:`copy_folder`), damages or decorates the copy and runs a command on it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from swapsim.cli import cli

SCENARIO = """\
name: small
horizon: 6 h
warmup: 1 h
seed: 5
fleet: {robots: 3}
workload: {cycle: [{activity: walk, duration: 3 min}, {activity: stand, duration: 20 min}]}
stations: [{name: A, distance: 40 m, positions: 1, bays: 3, charged_packs: 1}]
pack: {capacity: 150 Wh}
"""

KINDS = ("run", "sweep", "compare", "size", "warmup")

WRITERS: dict[str, list[str]] = {
    "run": ["run", "{s}", "--out", "{d}", "-q"],
    "sweep": ["sweep", "{s}", "--vary", "fleet.robots=2,3", "-r", "1", "-j", "1", "-q", "--out", "{d}"],
    "compare": ["compare", "{s}", "--strategies", "hot_swap,cold_swap", "-r", "2", "-j", "1", "-q", "--out", "{d}"],
    "warmup": ["warmup", "{s}", "-r", "2", "-j", "1", "--out", "{d}"],
    "size": [
        *("size", "{s}", "--search", "fleet.robots=2..3", "--target", "swaps.wait_min.mean<=600"),
        *("--max-replications", "6", "-j", "1", "--no-screen", "--no-guards", "--horizon-check", "0", "--out", "{d}"),
    ],
}
"""The command that writes each kind of folder ``{d}`` from the scenario ``{s}``."""

COMMANDS: dict[str, list[str]] = {
    "plot": ["plot", "{d}"],
    "report": ["report", "{d}"],
    "run": WRITERS["run"],
    "compare": WRITERS["compare"],
    "warmup": WRITERS["warmup"],
    "sweep": WRITERS["sweep"],
    "sweep --resume": ["sweep", "{d}", "--resume", "-j", "1", "-q"],
    "size": WRITERS["size"],
    "size --resume": [*WRITERS["size"], "--resume"],
}
"""Every command that reads or writes a results folder ``{d}`` (``sweep``/``size`` with and without resume)."""

READERS: dict[str, tuple[str, ...]] = {
    "run": ("plot", "report", "run"),
    "sweep": ("plot", "report", "sweep --resume"),
    "compare": ("plot", "report", "compare", "plot sub", "report sub"),
    "size": ("size --resume", "report", "plot"),
    "warmup": ("warmup", "report"),
}
"""The commands that read back each kind of folder (``sub``: on a compare's strategy folder)."""


def invoke(args: list[str]) -> Result:
    return CliRunner().invoke(cli, args)


def argv(command: str, scenario: Path, folder: Path) -> list[str]:
    """The arguments of ``command`` (a key of COMMANDS, or ``plot sub``/``report sub``) on ``folder``."""
    if command.endswith(" sub"):
        return [command.split()[0], str(folder / "hot_swap")]
    return [a.format(s=scenario, d=folder) for a in COMMANDS[command]]


def build(base: Path) -> tuple[Path, dict[str, Path]]:
    """Write the scenario and one folder of each kind (with its figures and report) under ``base``."""
    scenario = base / "small.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    folders = {}
    for kind in KINDS:
        folder = base / kind
        result = invoke([a.format(s=scenario, d=folder) for a in WRITERS[kind]])
        assert result.exit_code == 0, (kind, result.output)
        if kind in ("run", "sweep", "compare"):
            assert invoke(["report", str(folder)]).exit_code == 0
        if kind == "compare":
            assert invoke(["report", str(folder / "hot_swap")]).exit_code == 0
        folders[kind] = folder
    return scenario, folders


def copy_folder(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, symlinks=True)
    return dest


def files_below(folder: Path) -> list[str]:
    """Relative paths of every entry below ``folder`` that is not a directory (links included)."""
    out = []
    for dirpath, dirs, names in os.walk(folder):
        for n in names + [d for d in dirs if os.path.islink(os.path.join(dirpath, d))]:
            out.append(os.path.relpath(os.path.join(dirpath, n), folder))
    return sorted(out)


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry below ``folder``: a file's SHA-256, a link's target, or the kind of a special file."""
    out = {}
    for rel in files_below(folder):
        p = folder / rel
        if p.is_symlink():
            out[rel] = "link:" + os.readlink(p)
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
        else:
            out[rel] = "special"
    return out


def owned(folder: Path) -> set[str]:
    """The files swapsim's manifests below ``folder`` list (nested manifests of sub-folders included)."""
    out: set[str] = set()
    for dirpath, _, names in os.walk(folder):
        if ".swapsim-owned.json" in names:
            sub = os.path.relpath(dirpath, folder)
            try:
                files = json.loads(Path(dirpath, ".swapsim-owned.json").read_text())["files"]
            except (OSError, ValueError, KeyError, TypeError):
                continue
            out |= {os.path.normpath(os.path.join(sub, f)) for f in files if isinstance(f, str)}
            out.add(os.path.normpath(os.path.join(sub, ".swapsim-owned.json")))
    return out
