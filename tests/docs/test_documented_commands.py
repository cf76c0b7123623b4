"""Docs tests: every ``swapsim ...`` command a user can read runs as written.

Commands are collected from four sources:

- README.md and docs/*.md: lines of fenced code blocks (not ``python``/``yaml`` blocks) that start
  with ``swapsim ``, with ``\\`` continuations joined and a trailing ``# comment`` removed;
- the CLI's help: the group's and every command's ``--help`` text, lines that start with ``swapsim ``;
- ``scenarios/sweeps/*.yaml``: comment lines such as ``# Run: swapsim sweep ...``.

Every command runs twice, each time in a temporary directory holding a copy of ``scenarios/`` (so
relative paths resolve and ``results/`` is written there). A command runs in this process, as the
``swapsim`` entry point runs it (``cli.main`` with the command's arguments, its exit status, its stdout
and stderr), not in a new interpreter: the commands are what is tested, and a fresh interpreter per
command cost about a second of CPU time each in imports, 90 times (``tests/cli/test_cli.py`` runs
``python -m swapsim`` itself). The two passes:

- each source's commands in order, in a directory of their own (sources side by side), as a user
  following one page runs them one after the other;
- every source's commands in order in one shared directory (README.md, docs/*.md, the ``--help``
  texts, the sweep files), as a user reading one after the other runs them: an example that writes
  into a folder an earlier example wrote (a sweep refuses a folder holding another sweep) fails here.
  :func:`test_every_example_writes_its_own_folder` names such a clash without running anything. This
  pass is in ``test_documented_commands_in_order.py``, a file of its own so that the two passes run
  side by side in two workers (``--dist loadfile``).
 A command must exit with status 0, unless its
comment says otherwise: ``# exits 2`` (an error example) asserts that status; a ``swapsim size`` search that
finishes with no feasible configuration (exit 1) also passes (:func:`answered_no`). The runs are shortened
through the environment only (``SWAPSIM_MAX_HORIZON``, ``SWAPSIM_MAX_REPLICATIONS``: see
docs/experiments.md, "Testing"), never by editing a command.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SWEEP_FILES = sorted((ROOT / "scenarios" / "sweeps").glob("*.yaml"))
FENCE = re.compile(r"^```([\w-]*)\n(.*?)^```", re.S | re.M)
SKIP_LANGS = {"python", "py", "yaml", "yml", "json", "toml", "text", "csv", "html"}
EXITS = re.compile(r"\bexits?\s+(\d+)\b")
SHORT = {"SWAPSIM_MAX_HORIZON": "6 h", "SWAPSIM_MAX_REPLICATIONS": "2", "MPLBACKEND": "Agg"}
"""The caps of both passes. 6 h (it was 1 d, then 12 h): every command writes the same kinds of files as
at 12 h (file names compared with digits masked, the runs of a search aside) for about 22 % less CPU
time a pass (175 s -> 137 s, whole process with its worker processes, measured twice each); some
``swapsim size`` examples find no feasible configuration at such horizons, which :func:`answered_no`
accepts, and the recommendation and horizon-check paths still run in the others."""


def split_comment(line: str) -> tuple[str, str]:
    """``command  # comment`` -> (command, comment); a ``#`` inside quotes is not a comment."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip(), line[i + 1 :].strip()
    return line.rstrip(), ""


def commands_in_lines(lines: list[str]) -> list[tuple[str, int]]:
    """Each ``swapsim ...`` command in ``lines`` as (text with comment, index of its first line)."""
    found: list[tuple[str, int]] = []
    i = 0
    while i < len(lines):
        text = lines[i].strip()
        if text.startswith("$ "):
            text = text[2:]
        start = i
        if text.startswith("swapsim "):
            while text.endswith("\\") and i + 1 < len(lines):
                i += 1
                text = text[:-1].rstrip() + " " + lines[i].strip()
            found.append((text, start))
        i += 1
    return found


def from_markdown(page: Path) -> list[tuple[str, str]]:
    """(where, command) for each command in the page's fenced code blocks."""
    text = page.read_text(encoding="utf-8")
    out = []
    for m in FENCE.finditer(text):
        if m.group(1).lower() in SKIP_LANGS:
            continue
        first = text.count("\n", 0, m.start(2)) + 1
        for cmd, k in commands_in_lines(m.group(2).splitlines()):
            out.append((f"{page.relative_to(ROOT)}:{first + k}", cmd))
    return out


def help_texts() -> list[tuple[str, str]]:
    """(name, text) of ``swapsim --help`` and of every command's ``--help``."""
    from swapsim.cli import cli

    texts = []
    with click.Context(cli, info_name="swapsim") as ctx:
        texts.append(("swapsim --help", cli.get_help(ctx)))
        for name in cli.list_commands(ctx):
            cmd = cli.commands[name]
            with click.Context(cmd, info_name=name, parent=ctx) as sub:
                texts.append((f"swapsim {name} --help", cmd.get_help(sub)))
    return texts


def from_help() -> list[tuple[str, str]]:
    """Example lines of the help texts: ``swapsim COMMAND ...`` (a wrapped sentence that happens to
    start with the word swapsim is prose, not a command)."""
    from swapsim.cli import cli

    out = []
    for name, text in help_texts():
        for cmd, k in commands_in_lines(text.splitlines()):
            if cmd.split()[1] in cli.commands or cmd.split()[1].startswith("-"):
                out.append((f"{name}, line {k + 1}", cmd))
    return out


def from_sweep_file(path: Path) -> list[tuple[str, str]]:
    out = []
    for k, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        m = re.match(r"#\s*(?:\w[\w ]*:\s*)?(swapsim .*)$", line.strip())
        if m:
            out.append((f"{path.relative_to(ROOT)}:{k + 1}", m.group(1)))
    return out


def sources() -> dict[str, list[tuple[str, str]]]:
    found = {str(p.relative_to(ROOT)): from_markdown(p) for p in PAGES}
    found["--help"] = from_help()
    found.update({str(p.relative_to(ROOT)): from_sweep_file(p) for p in SWEEP_FILES})
    return {k: v for k, v in found.items() if v}


SOURCES = sources()


def expected_status(comment: str) -> int:
    m = EXITS.search(comment)
    return int(m.group(1)) if m else 0


def test_the_collector_finds_the_commands():
    """A guard against a collector that silently finds nothing."""
    assert "README.md" in SOURCES and "docs/experiments.md" in SOURCES and "--help" in SOURCES
    assert any(p.startswith("scenarios/sweeps/") for p in SOURCES)
    assert len(SOURCES["README.md"]) >= 10
    helped = {cmd.split()[1] for _, cmd in SOURCES["--help"]}
    from swapsim.cli import cli

    assert helped >= set(cli.commands), f"commands without an example in their --help: {set(cli.commands) - helped}"


def test_comment_and_continuation_parsing():
    lines = ["swapsim run a.yaml --set 'name=x # y' \\", "    --seed 3   # a comment", "not a command"]
    ((text, start),) = commands_in_lines(lines)
    assert start == 0 and split_comment(text) == ("swapsim run a.yaml --set 'name=x # y' --seed 3", "a comment")
    assert expected_status("wrong file: exits 2") == 2 and expected_status("writes x") == 0


def test_no_synopsis_among_the_commands():
    """Documented commands are real commands: no ``[--option]`` or ``A|B`` synopsis, no UPPERCASE
    placeholders (write a real example, or prose)."""
    bad = []
    for where, cmd in (c for cs in SOURCES.values() for c in cs):
        line, _ = split_comment(cmd)
        args = shlex.split(line)
        if any(
            a.startswith("[") or (("|" in a) and not a.startswith("-")) or re.fullmatch(r"[A-Z][A-Z_]+", a)
            for a in args[1:]
        ):
            bad.append(f"{where}: {cmd}")
    assert not bad, "synopses where commands belong:\n" + "\n".join(bad)


@dataclass(frozen=True)
class Outcome:
    """What a command gave: its exit status, stdout, stderr and the traceback of a crash (or "")."""

    returncode: int
    stdout: str
    stderr: str
    traceback: str = ""


def answered_no(args: list[str], proc: Outcome) -> bool:
    """A ``swapsim size`` search that finished and found no feasible configuration, or an answer that
    the horizon check does not confirm (exit 1).

    Shortened runs answer a different question (a 1-day horizon, 2 replications: too few to show a
    target holds at 95 %), so "none feasible" is a valid outcome here; what is tested is that the
    command runs. A bad flag, a crash or any other status still fails.
    """
    return (
        args[1:2] == ["size"]
        and proc.returncode == 1
        and ("NO FEASIBLE CONFIGURATION" in proc.stdout or "NOT SHOWN FEASIBLE" in proc.stdout)
        and not proc.traceback
        and "Traceback" not in proc.stderr
    )


@contextmanager
def inside(cwd: Path):
    """Run in ``cwd`` with the shortening variables of :data:`SHORT` set (worker processes a command
    starts inherit both); the directory and the environment are restored afterwards."""
    old_cwd, old_env = os.getcwd(), {k: os.environ.get(k) for k in SHORT}
    os.chdir(cwd)
    os.environ.update(SHORT)
    try:
        yield
    finally:
        os.chdir(old_cwd)
        for k, v in old_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_command(args: list[str]) -> Outcome:
    """``swapsim ARGS`` as the entry point runs it (``cli.main``, prog_name swapsim), in this process."""
    from swapsim.cli import cli

    result = CliRunner().invoke(cli, args[1:], prog_name="swapsim")
    crash = ""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        crash = "".join(traceback.format_exception(*result.exc_info)) if result.exc_info else repr(result.exception)
    return Outcome(result.exit_code, result.stdout, result.stderr, crash)


ALL_IN_ORDER = "all sources in one directory"
"""The second pass: every source's commands, in order, in one shared directory."""


def commands_of(run: str) -> list[tuple[str, str]]:
    """The commands of one pass: a source's, or every source's in order for :data:`ALL_IN_ORDER`."""
    if run == ALL_IN_ORDER:
        return [c for source in SOURCES for c in SOURCES[source]]
    return SOURCES[run]


def run_source(source: str, base: Path) -> tuple[str | None, float]:
    """Run one pass's commands in order in a fresh directory; (the first failure or None, seconds)."""
    cwd = base / re.sub(r"[^\w.-]", "_", source)
    cwd.mkdir()
    shutil.copytree(ROOT / "scenarios", cwd / "scenarios")
    began = time.monotonic()
    with inside(cwd):
        for where, cmd in commands_of(source):
            line, comment = split_comment(cmd)
            want = expected_status(comment)
            args = shlex.split(line)
            proc = run_command(args)
            if want == 0 and answered_no(args, proc):
                continue
            if proc.returncode != want or proc.traceback:  # the next commands may need this one's output: stop
                return (
                    f"{where}: `{line}` exited with status {proc.returncode} (expected {want})\n"
                    f"{proc.traceback}stderr:\n{proc.stderr[-3000:]}\nstdout (end):\n{proc.stdout[-1500:]}"
                ), time.monotonic() - began
    return None, time.monotonic() - began


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, tuple[str | None, float]]:
    """The first pass, one source after the other in this process, each in its own directory (the
    second pass is in test_documented_commands_in_order.py, so that a second worker runs it)."""
    pytest.importorskip("pandas")
    base = tmp_path_factory.mktemp("docs-commands")
    return {s: run_source(s, base) for s in SOURCES}


@pytest.mark.parametrize("source", sorted(SOURCES), ids=str)
def test_documented_commands_run(source, outcomes):
    failure, seconds = outcomes[source]
    if failure:
        pytest.fail(f"{source} ({len(SOURCES[source])} commands, {seconds:.0f} s): {failure}")


WRITERS = {"run", "sweep", "compare", "warmup", "size"}
"""Commands that write a results folder (``--out``, or a default under results/)."""


def out_folder(args: list[str]) -> str | None:
    """The folder a command writes, when it names one with ``--out`` (None for a reader or a resume)."""
    if args[1:2] == [] or args[1] not in WRITERS or "--resume" in args or "--help" in args:
        return None
    for i, a in enumerate(args):
        if a == "--out" and i + 1 < len(args):
            return os.path.normpath(args[i + 1])
        if a.startswith("--out="):
            return os.path.normpath(a.split("=", 1)[1])
    return None


def test_every_example_writes_its_own_folder():
    """Two different examples that write the same --out folder clash when run one after the other
    (a sweep refuses a folder that holds another sweep, and the --resume it suggests is refused too);
    give each example its own folder. The same command written in two places may share one."""
    writers: dict[str, dict[str, str]] = {}
    for where, cmd in (c for cs in SOURCES.values() for c in cs):
        args = shlex.split(split_comment(cmd)[0])
        folder = out_folder(args)
        if folder is not None:
            writers.setdefault(folder, {}).setdefault(" ".join(sorted(args)), where)
    clashes = {f: sorted(w.values()) for f, w in writers.items() if len(w) > 1}
    assert not clashes, "examples that write the same folder:\n" + "\n".join(
        f"{f}: {', '.join(w)}" for f, w in clashes.items())
    assert len(writers) >= 10  # the check sees the examples


def test_the_readme_activates_the_environment_before_its_first_command():
    """`make run` installs swapsim into .venv/; a bare `swapsim` is found only once it is activated."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first = min(m.start() for m in re.finditer(r"^swapsim ", text, re.M))
    assert ". .venv/bin/activate" in text[:first], "README: activate .venv before the first bare swapsim command"
