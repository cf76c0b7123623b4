"""No command deletes or changes a file it did not write: every command that writes (run, compare,
warmup, sweep, sweep --resume, size, size --resume, plot, report) on a folder of every kind (run,
sweep, compare, size, warmup, a folder without a manifest, a user's folder), with a user's files
beside swapsim's, hashing every file before and after.

A file counts as swapsim's only when a manifest listed it before the command; every other file must
be there afterwards, byte for byte. A command of another kind than the folder's must change nothing
at all and exit with status 2.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from results_corpus import COMMANDS, KINDS, argv, copy_folder, invoke, owned, snapshot

pytestmark = pytest.mark.slow  # a corpus of every kind of results folder, built once (about 30 s of CPU), then
# every reader on it: part of `make test` and CI, left out of `make test-fast`

FOLDERS = (*KINDS, "unowned", "foreign")
"""The kinds of existing folder: swapsim's five, a run folder without a manifest, a user's folder."""

KIND_OF = {
    "run": "run",
    "compare": "compare",
    "warmup": "warmup",
    "sweep": "sweep",
    "sweep --resume": "sweep",
    "size": "size",
    "size --resume": "size",
}
"""The kind of folder each writing command makes (plot and report write into the folder they read)."""

USER_FILES = {
    "notes.txt": b"my notes\n",
    "failures.csv": b"mine,not,swapsim's\n",
    "runs/keep.tmp": b"a user's temporary file\n",
    "runs/.0-0.json.99999.tmp": b"looks like swapsim's temporary file, is not\n",
    "runs/99-99.json": b'{"point": 99, "replication": 99}\n',
    "hot_swap/notes.md": b"notes on a strategy\n",
}


def _prepare(results_corpus: tuple[Path, dict[str, Path]], folder_kind: str, dest: Path) -> Path:
    scenario, folders = results_corpus
    if folder_kind == "foreign":
        dest.mkdir()
        (dest / "thesis.tex").write_bytes(b"\\documentclass{article}\n")
        (dest / "summary.json").write_bytes(b'{"mine": true}\n')
    else:
        copy_folder(folders["run" if folder_kind == "unowned" else folder_kind], dest)
        if folder_kind == "unowned":  # a run folder without a manifest: swapsim owns nothing in it
            (dest / ".swapsim-owned.json").unlink()
            (dest / "report.html").write_bytes(b"<html>my own page</html>\n")
    for rel, data in USER_FILES.items():
        if rel.count("/") == 0 or (dest / os.path.dirname(rel)).is_dir():
            if not os.path.lexists(dest / rel):
                (dest / rel).write_bytes(data)
    return dest


@pytest.mark.parametrize("folder_kind", FOLDERS)
@pytest.mark.parametrize("command", tuple(COMMANDS))
def test_no_command_changes_a_file_it_did_not_write(
    results_corpus: tuple[Path, dict[str, Path]], tmp_path: Path, command: str, folder_kind: str
) -> None:
    scenario, _ = results_corpus
    folder = _prepare(results_corpus, folder_kind, tmp_path / "out")
    before = snapshot(folder)
    mine = owned(folder) if folder_kind not in ("unowned", "foreign") else set()
    result = invoke(argv(command, scenario, folder))
    after = snapshot(folder)
    case = f"{command} on a {folder_kind} folder: exit {result.exit_code}\n{result.output}"
    assert result.exception is None or isinstance(result.exception, SystemExit), case
    for rel, digest in before.items():
        if rel not in mine:
            assert after.get(rel) == digest, f"{case}\n{rel} was {'changed' if rel in after else 'removed'}"
    other_kind = KIND_OF.get(command) not in (None, folder_kind)
    if other_kind:
        assert result.exit_code == 2, case
        assert after == before, case
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert lines and lines[-1].startswith("error: "), case
        assert sum(line.startswith("error") for line in lines) == 1, case
