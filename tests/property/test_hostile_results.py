"""Hostile results folders: every command that reads results back (plot, report, ``run``/``compare``/
``warmup`` again into their folder, ``sweep --resume``, ``size --resume``) on a folder of each kind
(run, sweep, compare, size, warmup) with one file damaged, made non-regular (a FIFO, a folder), linked
out of the folder, swollen to a 2.5 GB sparse file, or turned into an alias bomb.

Each case must end in its own time (< 20 s, no FIFO blocks) and memory (< 1 GB peak), with exit
status 0 (the file was not needed, or was swapsim's to replace) or a one-line error (exit 2 for a
damaged folder, 1 for the operating system), never a traceback; nothing outside the folder is read
into a report or written.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from results_corpus import KINDS, READERS, argv, copy_folder, files_below, invoke

pytestmark = pytest.mark.slow  # a corpus of every kind of results folder, built once (about 30 s of CPU), then
# every reader on it: part of `make test` and CI, left out of `make test-fast`

SECRET = b"SECRET-OUTSIDE-THE-FOLDER-7f3a"
DAMAGES = (
    "truncate",
    "garbage",
    "nul",
    "bel",
    "bad_utf8",
    "empty",
    "fifo",
    "folder",
    "link_out",
    "link_dir",
    "dangling",
    "sparse",
    "alias_bomb",
    "deep",
)
LIMIT_S = float(os.environ.get("SWAPSIM_HOSTILE_SECONDS", "20"))
"""Most CPU time a case may take; the alarm rings after three times this of wall time (a FIFO that
blocked, or a loop), stretched by the load per core (:func:`_alarm_s`)."""


def _alarm_s() -> int:
    """The wall-time alarm: three times ``LIMIT_S``, stretched by the machine's load per core (a
    command that blocks on a FIFO never finishes, however long the alarm; one that runs slowly on a
    shared machine must not be taken for a hang)."""
    load = os.getloadavg()[0] / (os.cpu_count() or 1)
    return int(3 * LIMIT_S * max(1.0, load))


LIMIT_RSS_KB = 1 << 20  # 1 GiB (ru_maxrss is in KiB on Linux)
EXAMPLES = int(os.environ.get("SWAPSIM_HOSTILE_EXAMPLES", "40"))

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi")
)


@pytest.fixture(scope="module")
def corpus(
    results_corpus: tuple[Path, dict[str, Path]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, dict[str, Path], Path]]:
    scenario, folders = results_corpus
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.yaml").write_bytes(b"name: " + SECRET + b"\n")
    (outside / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n" + SECRET * 20)
    (outside / "secret.csv").write_bytes(b"time_h,robot\n" + SECRET + b",1\n")
    yield scenario, folders, outside


def damage(path: Path, how: str, outside: Path, data: bytes) -> None:
    """Make ``path`` (a file of a results folder) hostile in the way ``how``."""
    old = path.read_bytes() if path.is_file() and not path.is_symlink() else b""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
    if how == "truncate":
        path.write_bytes(old[: len(old) // 2])
    elif how == "garbage":
        path.write_bytes(data)
    elif how == "nul":
        path.write_bytes(old[: len(old) // 2] + b"\x00" + old[len(old) // 2 :])
    elif how == "bel":
        path.write_bytes(old[: len(old) // 3] + b"\x07" + old[len(old) // 3 :])
    elif how == "bad_utf8":
        path.write_bytes(b"\xff\xfe\xfa" + old)
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "fifo":
        os.mkfifo(path)
    elif how == "folder":
        path.mkdir()
        (path / "x").write_text("x")
    elif how == "link_out":
        suffix = path.suffix if path.suffix in (".yaml", ".png", ".csv") else ".yaml"
        path.symlink_to(outside / f"secret{suffix}")
    elif how == "link_dir":
        path.symlink_to(outside)
    elif how == "dangling":
        path.symlink_to(outside / "no-such-file")
    elif how == "sparse":
        with open(path, "wb") as fh:
            fh.write(old[:64] or b"\x89PNG\r\n\x1a\n")
            fh.seek(2_500_000_000)
            fh.write(b"\n")
    elif how == "alias_bomb":
        path.write_text(BOMB if path.suffix in (".yaml", ".yml") else "[" * 200_000, encoding="utf-8")
    elif how == "deep":
        path.write_text("[" * 100_000 + "]" * 100_000 if path.suffix != ".csv" else "a\n" + '"' * 10**6)


TIMES: list[tuple[float, str]] = []
"""(seconds, case) of every case run, printed at the end of the module (``-s``)."""


@pytest.fixture(scope="module", autouse=True)
def _print_times() -> Iterator[None]:
    yield
    if TIMES:
        worst = max(TIMES)
        print(
            f"\nhostile results: {len(TIMES)} cases, slowest {worst[0]:.1f} s ({worst[1]}), "
            f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
        )


class _TooSlow(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _TooSlow


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # a case costs seconds: no shrinking, no tracing
)
@given(data=st.data())
def test_a_hostile_results_folder_is_one_line_never_a_traceback(
    corpus: tuple[Path, dict[str, Path], Path], data: st.DataObject
) -> None:
    scenario, folders, outside = corpus
    kind = data.draw(st.sampled_from(KINDS), label="kind")
    command = data.draw(st.sampled_from(READERS[kind]), label="command")
    files = files_below(folders[kind])
    if command.endswith(" sub"):
        files = [f for f in files if f.startswith("hot_swap/")]
    rel = data.draw(st.sampled_from(files), label="file")
    how = data.draw(st.sampled_from(DAMAGES), label="damage")
    garbage = data.draw(st.binary(max_size=200), label="bytes")
    secrets_before = {p.name: p.read_bytes() for p in outside.iterdir()}
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        folder = copy_folder(folders[kind], Path(tmp) / kind)
        damage(folder / rel, how, outside, garbage)
        old = signal.signal(signal.SIGALRM, _alarm)
        alarm_s = _alarm_s()
        signal.alarm(alarm_s)
        started, cpu = time.perf_counter(), time.process_time()
        try:
            result = invoke(argv(command, scenario, folder))
        except _TooSlow:
            pytest.fail(f"{command} on {kind}/{rel} ({how}): still running after {alarm_s} s")
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
        took, cpu = time.perf_counter() - started, time.process_time() - cpu
        TIMES.append((took, f"{command} on {kind}: {rel} {how}, {cpu:.1f} s CPU"))
        case = f"{command} on {kind} folder, {rel} {how}: exit {result.exit_code}\n{result.output}"
        assert result.exception is None or isinstance(result.exception, SystemExit), case + "".join(
            __import__("traceback").format_exception(result.exception)
        )
        assert "Traceback" not in result.output, case
        assert result.exit_code in (0, 1, 2), case
        if result.exit_code == 2 or (result.exit_code == 1 and not command.startswith(("sweep", "size"))):
            lines = result.stderr.strip().splitlines()  # progress lines of sweep and size may come first
            assert lines and lines[-1].startswith("error: "), case
            assert sum(line.startswith("error") for line in lines) == 1, case
        assert cpu < LIMIT_S, f"{case}\ntook {cpu:.1f} s of CPU ({took:.1f} s)"  # wall time: the alarm
        assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < LIMIT_RSS_KB, case
        for page in folder.rglob("report.html"):
            if page.is_file() and not page.is_symlink():
                assert SECRET not in page.read_bytes(), f"{case}\na file outside the folder was embedded"
        assert {p.name: p.read_bytes() for p in outside.iterdir()} == secrets_before, f"{case}\nwritten outside"


@pytest.mark.parametrize("kind", KINDS)
def test_every_reader_refuses_a_fifo_summary_without_blocking(
    corpus: tuple[Path, dict[str, Path], Path], kind: str, tmp_path: Path
) -> None:
    """The marker or first file each kind's readers open, as a FIFO: refused at once, exit 2."""
    scenario, folders, outside = corpus
    first = {
        "run": "summary.json",
        "sweep": "sweep.json",
        "compare": "compare.json",
        "size": "size-spec.json",
        "warmup": "warmup.json",
    }[kind]
    for command in READERS[kind]:
        folder = copy_folder(folders[kind], tmp_path / f"{kind}-{command.replace(' ', '_')}")
        target = {"plot sub": "hot_swap/summary.json", "report sub": "hot_swap/summary.json"}.get(command, first)
        if (kind, command) in (("size", "report"), ("size", "plot")):
            target = "size.json"  # what a sizing's report and figure read
        damage(folder / target, "fifo", outside, b"")
        signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(_alarm_s())
        try:
            result = invoke(argv(command, scenario, folder))
        finally:
            signal.alarm(0)
        if command in ("run", "compare", "warmup"):  # written again: the file is swapsim's to replace
            assert result.exit_code in (0, 2), (kind, command, result.output)
            continue
        assert result.exit_code == 2, (kind, command, result.output)
        lines = result.stderr.strip().splitlines()  # size prints its question first
        assert lines[-1].startswith("error: "), (kind, command, result.output)
        assert "FIFO" in lines[-1] or (kind, command) == ("warmup", "report"), (kind, command, result.output)
        assert sum(line.startswith("error") for line in lines) == 1, (kind, command, result.output)


@pytest.mark.parametrize(
    ("kind", "rel", "target"),
    [
        ("sweep", "base.yaml", "secret.yaml"),  # a sweep's saved scenario files are embedded by name
        ("compare", "hot_swap/scenario.resolved.yaml", "secret.yaml"),
        ("compare", "cold_swap/scenario.resolved.yaml", "secret.yaml"),
        ("run", "fleet_state.png", "secret.png"),
        ("run", "scenario.resolved.yaml", "secret.yaml"),
    ],
)
def test_a_report_never_embeds_a_file_through_a_link(
    corpus: tuple[Path, dict[str, Path], Path], tmp_path: Path, kind: str, rel: str, target: str
) -> None:
    scenario, folders, outside = corpus
    folder = copy_folder(folders[kind], tmp_path / kind)
    (folder / rel).unlink(missing_ok=True)
    (folder / rel).symlink_to(outside / target)
    result = invoke(["report", str(folder)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 2), result.output
    page = folder / "report.html"
    assert not page.is_file() or SECRET not in page.read_bytes(), f"{rel}: embedded through a link"
    assert os.readlink(folder / rel) == str(outside / target), "the link was replaced"
