"""swapsim.results.outdir: safe directory names, the ownership rule and the atomic writer (exact file sets)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swapsim.results.outdir import (
    MANIFEST,
    OutputError,
    atomic_dir,
    atomic_write_text,
    claim,
    default_out,
    owned_files,
    resolve_target,
    safe_name,
)


@pytest.mark.parametrize(
    "label, expected",
    [
        ("factory", "factory"),
        ("Big factory", "Big-factory"),
        ("/abs/dir", "abs-dir"),
        (".", "scenario"),
        ("..", "scenario"),
        ("../../etc", "etc"),
        (".hidden", "hidden"),
        ("a/../b", "a-.-b"),
        ("fábrica 2", "fábrica-2"),
        ("", "scenario"),
        ("C:\\x", "C-x"),
    ],
)
def test_safe_name(label: str, expected: str) -> None:
    assert safe_name(label) == expected


def test_safe_names_are_bounded_single_components() -> None:
    for label in ["x" * 1000, "é" * 400, "日本" * 200, "a/" * 300, "." * 300]:
        name = safe_name(label)
        assert 0 < len(name) <= 100 and len(name.encode()) <= 200
        assert "/" not in name and name not in (".", "..") and not name.startswith(".")
    assert default_out("/etc", "-sweep") == Path("results") / "etc-sweep"
    with pytest.raises(OutputError, match="NUL"):
        safe_name("a\0b")


def test_resolve_target_rule(tmp_path: Path) -> None:
    assert resolve_target(tmp_path / "new") == tmp_path / "new"
    (tmp_path / "empty").mkdir()
    assert resolve_target(tmp_path / "empty") == tmp_path / "empty"
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "x").write_text("x")
    with pytest.raises(OutputError, match="not empty and not written by swapsim"):
        resolve_target(tmp_path / "foreign")
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="not a directory"):
        resolve_target(tmp_path / "file")
    with pytest.raises(OutputError, match="NUL"):
        resolve_target(str(tmp_path / "a\0b"))


def _write(target: Path, files: dict[str, str]) -> None:
    with atomic_dir(target) as tmp:
        for rel, text in files.items():
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp / rel).write_text(text)


def test_atomic_dir_replaces_exactly_its_own_files(tmp_path: Path) -> None:
    d = tmp_path / "d"
    _write(d, {"summary.json": "1", "a.csv": "a", "sub/b.csv": "b"})
    assert owned_files(d) == {"summary.json", "a.csv", "sub/b.csv"}
    (d / "notes.txt").write_text("mine")
    (d / "sub" / "mine.txt").write_text("mine too")
    _write(d, {"summary.json": "2", "c.csv": "c"})
    assert owned_files(d) == {"summary.json", "c.csv"}
    assert (d / "summary.json").read_text() == "2" and not (d / "a.csv").exists()
    assert not (d / "sub" / "b.csv").exists() and (d / "sub" / "mine.txt").read_text() == "mine too"
    assert (d / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"], "no partial or old directory left"


def test_a_failure_inside_leaves_the_target_as_it_was(tmp_path: Path) -> None:
    d = tmp_path / "d"
    _write(d, {"summary.json": "1"})
    with pytest.raises(RuntimeError):
        with atomic_dir(d) as tmp:
            (tmp / "summary.json").write_text("2")
            raise RuntimeError("boom")
    assert (d / "summary.json").read_text() == "1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]


def test_another_kind_of_result_is_not_replaced(tmp_path: Path) -> None:
    d = tmp_path / "d"
    _write(d, {"sweep.json": "{}", "points.csv": "p"})
    with pytest.raises(OutputError, match="another kind"):
        _write(d, {"summary.json": "1"})
    assert (d / "sweep.json").exists()


def test_a_directory_from_before_manifests_gets_new_files_only(tmp_path: Path) -> None:
    d = tmp_path / "legacy"
    d.mkdir()
    (d / "summary.json").write_text(json.dumps({"manifest": {}, "fleet": {}}))
    (d / "notes.txt").write_text("mine")
    assert owned_files(d) == set()
    with pytest.raises(OutputError, match="summary.json: exists and was not written by swapsim"):
        _write(d, {"summary.json": "{}", "robots.csv": "r"})  # no manifest: swapsim cannot tell it wrote it
    assert sorted(p.name for p in d.iterdir()) == ["notes.txt", "summary.json"]
    _write(d, {"robots.csv": "r"})
    assert (d / "notes.txt").read_text() == "mine" and (d / "robots.csv").read_text() == "r"
    assert owned_files(d) == {"robots.csv"}


def test_claim_adds_later_files_and_a_damaged_manifest_is_an_error(tmp_path: Path) -> None:
    d = tmp_path / "d"
    _write(d, {"summary.json": "1"})
    claim(d, [d / "report.html", tmp_path / "outside.txt"])  # the entry first, then the file
    atomic_write_text(d / "report.html", "<html>")
    assert owned_files(d) == {"summary.json", "report.html"}
    (d / "notes.html").write_text("mine")
    with pytest.raises(OutputError, match="not written by swapsim"):
        claim(d, [d / "notes.html"])
    assert owned_files(d) == {"summary.json", "report.html"}
    (d / MANIFEST).write_text("{not json")
    with pytest.raises(OutputError, match="damaged manifest"):
        owned_files(d)


def test_manifest_entries_cannot_point_outside(tmp_path: Path) -> None:
    d = tmp_path / "d"
    d.mkdir()
    (tmp_path / "victim.txt").write_text("keep")
    (d / MANIFEST).write_text(json.dumps({"files": ["../victim.txt", "/etc/passwd", "ok.csv"]}))
    assert owned_files(d) == {"ok.csv"}
    _write(d, {"summary.json": "1"})
    assert (tmp_path / "victim.txt").read_text() == "keep"


def test_a_linked_subfolder_is_never_written_or_deleted_through(tmp_path: Path) -> None:
    d = tmp_path / "d"
    _write(d, {"summary.json": "1", "hot_swap/a.csv": "a", "cold_swap/b.csv": "b"})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a.csv").write_text("foreign a")
    (elsewhere / "b.csv").write_text("foreign b")
    import shutil

    for sub in ("hot_swap", "cold_swap"):
        shutil.rmtree(d / sub)
        (d / sub).symlink_to(elsewhere)
    with pytest.raises(OutputError, match="hot_swap"):
        _write(d, {"summary.json": "2", "hot_swap/a.csv": "new"})
    _write(d, {"summary.json": "3"})  # cold_swap/b.csv and hot_swap/a.csv are owned but behind links
    assert (elsewhere / "a.csv").read_text() == "foreign a" and (elsewhere / "b.csv").read_text() == "foreign b"
