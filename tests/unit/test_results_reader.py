"""The guarded reader of results folders (:mod:`swapsim.results.reader`) and the manifest's kinds,
entries-before-files and default names (:mod:`swapsim.results.outdir`)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from swapsim.results import OutputError, ResultsError, owned_file, owned_files
from swapsim.results.outdir import MANIFEST, default_out, folder_kind, prune, resolve_target, write_manifest
from swapsim.results.reader import read_bytes, read_json, read_table, read_text, read_yaml, regular_file


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "summary.json")
    started = time.perf_counter()
    with pytest.raises(ResultsError, match="not a regular file"):
        read_json(tmp_path / "summary.json")
    assert time.perf_counter() - started < 2
    assert not regular_file(tmp_path / "summary.json")


def test_a_link_below_the_folder_is_refused_even_to_a_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "summary.json").write_text("{}")
    root = tmp_path / "root"
    root.mkdir()
    (root / "summary.json").symlink_to(outside / "summary.json")
    (root / "sub").symlink_to(outside)
    for path in (root / "summary.json", root / "sub" / "summary.json"):
        with pytest.raises(ResultsError, match="symbolic link"):
            read_json(path, root)
    link = tmp_path / "link-to-root"
    link.symlink_to(root)
    (root / "real.json").write_text("{}")
    assert read_json(link / "real.json", link) == {}  # the results folder itself may be a link


def test_a_huge_sparse_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "fleet_state.png"
    with open(path, "wb") as fh:
        fh.seek(2_500_000_000)
        fh.write(b"\0")
    with pytest.raises(ResultsError, match="more than"):
        read_bytes(path, limit=32 << 20)


@pytest.mark.parametrize("char", ["\0", "\a", "\x1b"])
def test_control_characters_are_damage_naming_the_line(tmp_path: Path, char: str) -> None:
    path = tmp_path / "robots.csv"
    path.write_text(f"robot,utilisation\nr1,0.5\nr2{char},0.4\n")
    with pytest.raises(ResultsError, match="line 3"):
        read_table(path)
    with pytest.raises(ResultsError, match="control character"):
        read_text(path)


def test_an_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi")
    )
    path = tmp_path / "scenario.resolved.yaml"
    path.write_text(bomb)
    started = time.perf_counter()
    with pytest.raises(ResultsError, match="alias"):
        read_yaml(path)
    assert time.perf_counter() - started < 2


def test_default_folders_of_different_kinds_never_collide() -> None:
    names = ["factory", "factory-size", "factory-sweep", "factory-size-run", "x-compare", "y-warmup", "a.size"]
    suffixes = {"run": "", "sweep": "-sweep", "compare": "-compare", "warmup": "-warmup", "size": "-size"}
    seen: dict[Path, str] = {}
    for name in names:
        for kind, suffix in suffixes.items():
            path = default_out(name, suffix)
            assert seen.setdefault(path, kind) == kind, (name, kind, path)
    assert default_out("factory-size") == Path("results/factory-size-run")
    assert default_out("factory") == Path("results/factory")


def test_a_folder_of_another_kind_is_refused(tmp_path: Path) -> None:
    d = tmp_path / "d"
    d.mkdir()
    write_manifest(d, ["size.json"], "size")
    (d / "size.json").write_text("{}")
    assert folder_kind(d) == "size"
    with pytest.raises(OutputError, match="another kind"):
        resolve_target(d, "summary.json")
    assert resolve_target(d, kind="size") == d


def test_the_entry_comes_before_the_file_and_a_stale_entry_is_harmless(tmp_path: Path) -> None:
    d = tmp_path / "d"
    d.mkdir()
    write_manifest(d, ["summary.json"], "run")
    (d / "summary.json").write_text("{}")
    with pytest.raises(OSError):  # a full disk half-way through a figure
        with owned_file(d / "fleet_state.png"):
            raise OSError(28, "No space left on device")
    assert "fleet_state.png" in owned_files(d) and not (d / "fleet_state.png").exists()
    with owned_file(d / "fleet_state.png") as tmp:  # the stale entry: written next time, not refused
        tmp.write_bytes(b"png")
    assert (d / "fleet_state.png").read_bytes() == b"png"
    (d / "fleet_state.png").unlink()
    prune(d)
    assert owned_files(d) == {"summary.json"}


def test_without_a_manifest_nothing_existing_is_overwritten(tmp_path: Path) -> None:
    d = tmp_path / "d"
    d.mkdir()
    (d / "summary.json").write_text(json.dumps({"manifest": {}}))
    (d / "report.html").write_text("mine")
    with pytest.raises(OutputError, match="no record"):
        with owned_file(d / "report.html") as tmp:
            tmp.write_text("swapsim's")
    assert (d / "report.html").read_text() == "mine"
    with owned_file(d / "fleet_state.png") as tmp:
        tmp.write_bytes(b"png")
    assert owned_files(d) == {"fleet_state.png"} and (d / MANIFEST).is_file()
