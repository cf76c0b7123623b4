"""Output ownership on the command line: swapsim writes only into a new, empty or swapsim-owned
directory, replaces only the files it wrote, never follows a scenario name out of ``results/``,
and turns every bad output path, bad scheduler and absurd job count into one message, no traceback."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from swapsim.cli import cli
from swapsim.results.outdir import MANIFEST

pytestmark = pytest.mark.slow  # reruns of every command kind and clusters that lose workers (about 19 s of CPU)
# (in `make test` and CI, not in `make test-fast`)

SMALL = """\
name: {name}
horizon: 6 h
warmup: 1 h
seed: 5
fleet: {{robots: 3}}
workload: {{cycle: [{{activity: walk, duration: 3 min}}, {{activity: stand, duration: 20 min}}]}}
stations: [{{name: A, distance: 40 m, positions: 1, bays: 3, charged_packs: 1}}]
pack: {{capacity: 150 Wh}}
"""


def scenario(tmp_path: Path, name: str = "small") -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(SMALL.format(name=json.dumps(name)), encoding="utf-8")
    return path


def invoke(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file below ``directory`` (relative path -> bytes)."""
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def assert_refused(result: Result, directory: Path) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "not empty and not" in result.stderr and str(directory.name) in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


COMMANDS = {
    "run": ["run", "{s}", "--no-figures", "-q"],
    "compare": ["compare", "{s}", "--strategies", "hot_swap,cold_swap", "--no-figures", "-q"],
    "warmup": ["warmup", "{s}", "-r", "2", "-j", "1", "--no-figures"],
    "sweep": ["sweep", "{s}", "--vary", "fleet.robots=2,3", "-r", "1", "-j", "1", "--no-figures", "-q"],
}


def command(kind: str, s: Path, out: Path | str) -> list[str]:
    return [a.format(s=s) for a in COMMANDS[kind]] + ["--out", str(out)]


@pytest.mark.parametrize("kind", list(COMMANDS))
def test_a_foreign_directory_is_refused_and_kept_byte_for_byte(tmp_path: Path, kind: str) -> None:
    s = scenario(tmp_path)
    d = tmp_path / "d"
    (d / "sub").mkdir(parents=True)
    (d / "thesis.txt").write_bytes(b"chapter one\x00\xff")
    (d / "sub" / "data.csv").write_text("a,b\n1,2\n")
    before = snapshot(d)
    result = invoke(*command(kind, s, d))
    assert_refused(result, d)
    assert snapshot(d) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d", "s.yaml"], "no partial directory left"


@pytest.mark.parametrize("kind", ["run", "compare", "warmup"])
def test_a_rerun_replaces_only_swapsim_files(tmp_path: Path, kind: str) -> None:
    s = scenario(tmp_path)
    d = tmp_path / "d"
    assert invoke(*command(kind, s, d)).exit_code == 0
    owned = set(json.loads((d / MANIFEST).read_text())["files"])
    assert owned and owned == set(snapshot(d)) - {MANIFEST}
    (d / "notes.txt").write_bytes(b"my notes\n")
    result = invoke(*command(kind, s, d), "--seed", "9")
    assert result.exit_code == 0, result.output
    assert (d / "notes.txt").read_bytes() == b"my notes\n"
    assert "notes.txt" not in json.loads((d / MANIFEST).read_text())["files"]


def test_a_rerun_removes_its_own_stale_files_and_keeps_the_report_listed(tmp_path: Path) -> None:
    s = scenario(tmp_path)
    d = tmp_path / "d"
    assert invoke("run", s, "--out", d, "-q").exit_code == 0
    assert (d / "fleet_state.png").exists()
    assert invoke("report", d).exit_code == 0
    assert "report.html" in json.loads((d / MANIFEST).read_text())["files"]
    (d / "notes.txt").write_text("keep")
    assert invoke("run", s, "--out", d, "-q", "--no-figures").exit_code == 0
    assert not (d / "fleet_state.png").exists(), "an old figure of swapsim's is not left beside new results"
    assert not (d / "report.html").exists(), "a report of the old results is not left beside new ones"
    assert (d / "notes.txt").read_text() == "keep"


def test_an_owned_directory_with_a_foreign_file_of_a_result_name_is_refused(tmp_path: Path) -> None:
    s = scenario(tmp_path)
    d = tmp_path / "d"
    assert invoke("run", s, "--out", d, "-q", "--no-figures").exit_code == 0
    (d / "fleet_state.png").write_bytes(b"the user's own picture")
    result = invoke("run", s, "--out", d, "-q")
    assert result.exit_code == 2 and "fleet_state.png: exists and was not written by swapsim" in result.stderr
    assert (d / "fleet_state.png").read_bytes() == b"the user's own picture"


@pytest.mark.parametrize("out", [".", "..", "CWD"])
def test_out_dot_dotdot_and_cwd_lose_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, out: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    s = scenario(work)
    (work / "thesis.txt").write_text("precious")
    monkeypatch.chdir(work)
    before = snapshot(tmp_path)
    result = invoke("run", s.name, "--out", str(work) if out == "CWD" else out, "-q", "--no-figures")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]


@pytest.mark.parametrize("name", ["/ABS", ".", "..", "../../escape", "a/../../b", "x" * 300])
def test_a_scenario_name_is_a_label_not_a_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("keep")
    work = tmp_path / "work"
    (work / "results" / "earlier").mkdir(parents=True)
    (work / "results" / "earlier" / "x.txt").write_text("earlier run")
    s = scenario(work, str(victim) if name == "/ABS" else name)
    monkeypatch.chdir(work)
    result = invoke("run", s.name, "-q", "--no-figures")
    assert result.exit_code == 0, result.output
    written = [p for p in (work / "results").iterdir() if p.name != "earlier"]
    assert len(written) == 1 and (written[0] / "summary.json").is_file()
    assert 0 < len(written[0].name) <= 100 and not written[0].name.startswith(".")
    assert (work / "results" / "earlier" / "x.txt").read_text() == "earlier run"
    assert sorted(p.name for p in victim.iterdir()) == ["keep.txt"]
    assert sorted(p.name for p in work.iterdir()) == ["results", "s.yaml"]


def test_a_symlink_to_a_directory_is_followed_not_replaced(tmp_path: Path) -> None:
    s = scenario(tmp_path)
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    for _ in range(2):
        assert invoke("run", s, "--out", link, "-q", "--no-figures").exit_code == 0
        assert link.is_symlink() and (real / "summary.json").is_file()
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    result = invoke("run", s, "--out", dangling, "-q", "--no-figures")
    assert result.exit_code == 2 and "symbolic link" in result.stderr
    assert dangling.is_symlink() and not (tmp_path / "nowhere").exists()


def test_a_stale_partial_of_a_killed_run_is_cleaned_a_live_one_is_not(tmp_path: Path) -> None:
    s = scenario(tmp_path)
    host = socket.gethostname()
    dead, live = tmp_path / ".out.partial-dead1", tmp_path / ".out.partial-live1"
    for path, pid in ((dead, 2**22 + 12345), (live, os.getpid())):
        path.mkdir()
        (path / ".swapsim-partial.json").write_text(json.dumps({"host": host, "pid": pid}))
        (path / "summary.json").write_text("{}")
    assert invoke("run", s, "--out", tmp_path / "out", "-q", "--no-figures").exit_code == 0
    assert not dead.exists()
    assert live.exists()


def test_an_interrupted_run_leaves_no_partial_and_the_next_run_works(tmp_path: Path, monkeypatch) -> None:
    import swapsim.results.files  # interrupted half-way through writing the results

    def broken(*args, **kwargs):
        raise KeyboardInterrupt

    s = scenario(tmp_path)
    monkeypatch.setattr(swapsim.results.files, "_write_battery_tables", broken)
    assert invoke("run", s, "--out", tmp_path / "out", "-q").exit_code != 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]


@pytest.mark.parametrize("where", ["below-a-file", "long-name"])
def test_unwritable_output_paths_are_one_line_exit_1_or_2(tmp_path: Path, where: str) -> None:
    s = scenario(tmp_path)
    (tmp_path / "afile").write_text("x")
    out = tmp_path / "afile" / "run" if where == "below-a-file" else tmp_path / ("n" * 300)
    result = invoke("run", s, "--out", out, "-q", "--no-figures")
    assert result.exit_code in (1, 2), result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("error: ")
    assert (tmp_path / "afile").read_text() == "x"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_a_read_only_out_is_one_line(tmp_path: Path) -> None:
    s = scenario(tmp_path)
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        result = invoke("run", s, "--out", ro / "run", "-q", "--no-figures")
    finally:
        ro.chmod(0o755)
    assert result.exit_code == 1 and "Permission denied" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(
    "address, message",
    [
        ("", "--scheduler: empty address"),
        ("   ", "--scheduler: empty address"),
        ("tcp://", "not a scheduler address"),
        ("tcp://host:99999", "not a scheduler address"),
        ("http://host:8786", "not a scheduler address"),
        ("tcp://host:port", "not a scheduler address"),
    ],
)
def test_bad_scheduler_addresses_are_refused_before_anything_runs(tmp_path: Path, address: str, message: str) -> None:
    s = scenario(tmp_path)
    out = tmp_path / "sw"
    result = invoke("sweep", s, "--vary", "fleet.robots=2,3", "-r", "1", "--scheduler", address, "--out", out)
    assert result.exit_code == 2 and message in result.stderr, result.output
    assert not out.exists()


def test_a_dead_scheduler_times_out_with_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed")
    from swapsim.experiments import executors as ex

    monkeypatch.setattr(ex, "DASK_TIMEOUT_S", 2.0)
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    s = scenario(tmp_path)
    result = invoke(
        "sweep",
        s,
        "--vary",
        "fleet.robots=2,3",
        "-r",
        "1",
        "--scheduler",
        f"tcp://127.0.0.1:{port}",
        "--out",
        tmp_path / "sw",
        "--no-figures",
        "-q",
    )
    assert result.exit_code == 2 and "no Dask cluster with workers answered within 2 s" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "sw").exists(), "a sweep that never started leaves no directory"


def test_jobs_are_bounded_by_the_runs_and_the_cores(tmp_path: Path) -> None:
    s = scenario(tmp_path)
    result = invoke(
        "sweep",
        s,
        "--vary",
        "fleet.robots=2,3",
        "-r",
        "1",
        "-j",
        "1000",
        "--out",
        tmp_path / "sw",
        "--no-figures",
        "-q",
    )
    assert result.exit_code == 0, result.output
    assert "--jobs 1000: more worker processes than useful" in result.stderr
    assert "asked for 2 run(s): starting 2" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["-r", "1e8"], "'1e8' is not a valid integer"),
        (["-r", "100000000"], "100000000 is not in the range"),
        (["--vary", "stations[0].bays=3,4,5,6,7,8,9,10", "-r", "20000"], "runs: more than the limit of 100,000"),
        (["-r", "50", "--max-runs", "10"], "2 point(s) x 50 replication(s) = 100 runs: more than the limit of 10"),
    ],
)
def test_absurd_sweeps_are_refused_up_front(tmp_path: Path, args: list[str], message: str) -> None:
    s = scenario(tmp_path)
    result = invoke("sweep", s, "--vary", "fleet.robots=2,3", *args, "--out", tmp_path / "sw")
    assert result.exit_code == 2 and message in result.output, result.output
    assert not (tmp_path / "sw").exists()


def test_a_cluster_without_workers_is_a_message_not_a_hang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    distributed = pytest.importorskip("distributed")
    from swapsim.experiments import executors as ex

    monkeypatch.setattr(ex, "DASK_TIMEOUT_S", 2.0)
    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp", dashboard_address=None) as cluster:
        s = scenario(tmp_path)
        result = invoke(
            "sweep",
            s,
            "--vary",
            "fleet.robots=2,3",
            "-r",
            "1",
            "--scheduler",
            cluster.scheduler_address,
            "--out",
            tmp_path / "sw",
            "--no-figures",
            "-q",
        )
    assert result.exit_code == 2 and "no Dask cluster with workers answered within 2 s" in result.stderr
    assert "Traceback" not in result.output


def test_runs_on_a_cluster_that_loses_every_worker_are_reported_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    distributed = pytest.importorskip("distributed")
    import time

    from swapsim.experiments import executors as ex

    monkeypatch.setattr(ex, "DASK_TIMEOUT_S", 2.0)
    with distributed.LocalCluster(n_workers=1, processes=False, protocol="tcp", dashboard_address=None) as cluster:
        executor = ex.DaskExecutor(1, cluster.scheduler_address)
        started = time.monotonic()
        out = []
        try:
            for item, rec in executor.map_unordered(time.sleep, [0.0, 6.0, 6.0]):
                out.append((item, rec))
                if len(out) == 1:
                    cluster.scale(0)
        finally:
            executor.close(abort=True)
    assert time.monotonic() - started < 40
    lost = [rec for _, rec in out if isinstance(rec, BaseException)]
    assert len(out) == 3 and len(lost) >= 2 and "no workers" in str(lost[-1])


def test_warmup_bins_are_bounded(tmp_path: Path) -> None:
    s = scenario(tmp_path)
    result = invoke("warmup", s, "--bin", "0.1 s", "--out", tmp_path / "w")
    assert result.exit_code == 2 and "at most 100,000" in result.stderr, result.output
    assert not (tmp_path / "w").exists()


def test_report_of_a_resume_with_more_replications_that_was_interrupted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from swapsim.experiments import runner as ex  # run_sweep looks execute_run up in its own module

    s = scenario(tmp_path)
    d = tmp_path / "sw"
    assert (
        invoke(
            "sweep", s, "--vary", "fleet.robots=2,3", "-r", "2", "-j", "1", "--out", d, "--no-figures", "-q"
        ).exit_code
        == 0
    )

    def interrupted(task):
        raise KeyboardInterrupt

    monkeypatch.setattr(ex, "execute_run", interrupted)
    result = invoke("sweep", d, "--resume", "-r", "4", "-j", "1", "--no-figures", "-q")
    assert result.exit_code == 130, result.output
    assert invoke("report", d).exit_code == 0
    page = (d / "report.html").read_text()
    assert "sweep.json plans 4 replication(s) per point but the tables hold 2" in page


def test_one_kind_of_result_is_not_written_over_another(tmp_path: Path) -> None:
    s = scenario(tmp_path)
    d = tmp_path / "d"
    assert invoke(*command("compare", s, d)).exit_code == 0
    before = snapshot(d)
    for kind in ("run", "warmup", "sweep"):
        result = invoke(*command(kind, s, d))
        assert result.exit_code == 2 and str(d) in result.stderr, result.output
    assert snapshot(d) == before


@pytest.mark.parametrize(
    "command",
    [
        ["run"],
        ["sweep", "--vary", "fleet.robots=4,5", "-r", "1"],
        ["compare", "--strategies", "hot_swap,cold_swap", "-r", "2"],
        ["warmup", "-r", "2"],
        ["size", "--search", "fleet.robots=4..5", "--target", "swaps.wait_min.mean<=600"],
    ],
)
def test_an_out_path_under_a_regular_file_says_so(command, tmp_path):
    """Issue 23: `--out notes.txt/x` names the file in the way, exit 2, and leaves it as it was
    (it said "File exists", exit 1)."""
    notes = tmp_path / "notes.txt"
    notes.write_text("mine\n")
    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "hospital.yaml"
    args = [command[0], str(scenario), *command[1:], "--out", str(notes / "x")]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 2, r.output
    assert "is a file, not a folder" in r.output and str(notes) in r.output
    assert len(r.output.strip().splitlines()) == 1
    assert notes.read_text() == "mine\n"
