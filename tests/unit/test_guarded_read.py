"""The one guarded open (swapsim/scenario/guarded.py): every file swapsim reads from a user's disk
(scenario and sweep files, results folders) is opened there, so a FIFO, a device, a link or an
oversized file is refused by one rule."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import swapsim
from swapsim.scenario.guarded import RefusedRead, read_regular

PKG = Path(swapsim.__file__).resolve().parent  # the source files, also of an installed build (make test-compiled)


def test_only_the_guarded_module_opens_files_at_the_os_level():
    opened = sorted(
        str(p.relative_to(PKG))
        for p in PKG.rglob("*.py")
        if "os.open(" in p.read_text(encoding="utf-8") and p.name != "guarded.py"
    )
    assert not opened, f"os.open outside swapsim/scenario/guarded.py: {opened}"


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(RefusedRead, match="pipe: is not a regular file"):
        read_regular(fifo, 100, "YAML file")


def test_the_limit_is_checked_and_a_link_refused_only_when_asked(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 101)
    with pytest.raises(RefusedRead, match="101 bytes, more than the 100 bytes"):
        read_regular(big, 100, "table")
    assert read_regular(big, 101, "table") == b"x" * 101
    link = tmp_path / "link.txt"
    link.symlink_to(big)
    assert read_regular(link, 200, "table") == b"x" * 101
    with pytest.raises(RefusedRead, match="symbolic link"):
        read_regular(link, 200, "table", nofollow=True)


def test_missing_and_directory_and_file_as_folder(tmp_path):
    with pytest.raises(RefusedRead, match="nothing.yaml: file not found"):
        read_regular(tmp_path / "nothing.yaml", 10, "YAML file")
    with pytest.raises(RefusedRead, match="is a directory, expected a YAML file"):
        read_regular(tmp_path, 10, "YAML file")
    (tmp_path / "f").write_text("a")
    with pytest.raises(RefusedRead, match="is a file, not a directory"):
        read_regular(tmp_path / "f" / "x.yaml", 10, "YAML file")
