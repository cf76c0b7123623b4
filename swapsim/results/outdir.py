"""Output ownership: swapsim writes only inside a directory it owns, and writes it atomically.

Every results directory swapsim writes (run, compare, warm-up, sweep, size) carries a manifest,
``.swapsim-owned.json``, listing the files swapsim wrote there (paths relative to the directory) and
the ``kind`` of results it holds; one kind of result never goes into a folder of another kind
(:class:`OutputError`, exit status 2), and the default folders of different kinds never share a name
(:func:`default_out`). A file swapsim adds later (a figure, ``report.html``, a sweep's tables) is
entered in the manifest before it is written (:func:`claim`), so a full disk or a kill can leave an
entry without its file, which is harmless, but never a file of swapsim's without its entry.
Writing to a target directory follows one rule:

* missing: it is created (built in a hidden sibling, then renamed into place in one step);
* existing and empty: it is used;
* existing with a manifest (owned): exactly the files of the old manifest are replaced or removed;
  any other file (a user's ``notes.txt``) stays byte for byte;
* existing, not empty, without a manifest: refused with :class:`OutputError` (exit status 2).
  A directory written by a swapsim older than the manifest (it holds ``summary.json`` with a
  ``manifest``, ``compare.json``, ``warmup.json``, ``sweep.json`` or ``size-spec.json``) is accepted,
  but owns nothing: only files of new names go into it, none there is replaced.

Nothing is ever removed but files a manifest lists and swapsim's own hidden partial directories.
A symbolic link to a directory is followed (the results go into the directory it points to); a link
to anything else is refused. A scenario ``name`` becomes a directory name only through
:func:`safe_name`. A partial directory ``.<target>.partial-*`` holds ``.swapsim-partial.json`` with
the writer's host and process id; the next write to the same target removes partials whose writer
is gone (killed) on this host (:mod:`swapsim.results.partials`). Every file read back (the manifest
included) goes through :mod:`swapsim.results.reader`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from swapsim.results.partials import PARTIAL_MARKER, clean_stale_partials
from swapsim.results.reader import ResultsError, read_json, regular_file

__all__ = [
    "OutputError",
    "MANIFEST",
    "safe_name",
    "default_out",
    "check_path",
    "resolve_target",
    "atomic_dir",
    "atomic_file",
    "atomic_write_text",
    "claim",
    "owned_file",
    "owned_files",
    "write_manifest",
    "read_manifest",
    "prune",
    "remove_owned",
    "folder_kind",
    "KINDS",
]

MANIFEST = ".swapsim-owned.json"
"""The manifest of a directory swapsim owns: ``{"written_by": "swapsim", "files": [...]}``."""
NAME_LIMIT = 100
"""Longest default directory name derived from a scenario name (characters)."""
MARKERS = ("summary.json", "compare.json", "warmup.json", "sweep.json")
"""Files that tell a result is complete; they are moved into place last."""
KIND_MARKERS = {
    "run": ("summary.json",),
    "sweep": ("sweep.json",),
    "compare": ("compare.json",),
    "warmup": ("warmup.json",),
    "size": ("size-spec.json", "size.json"),
}
"""The kinds of results folder, each with the files that tell it in a folder without a recorded kind."""
KINDS = tuple(KIND_MARKERS)
_MARKER_KIND = {m: k for k, ms in KIND_MARKERS.items() for m in ms}
MAX_MANIFEST_BYTES = 16 << 20
"""Largest manifest read (bytes)."""


class OutputError(Exception):
    """An output path swapsim must not or cannot write to. A user error: exit status 2."""


def safe_name(label: str, limit: int = NAME_LIMIT) -> str:
    """A directory name from a scenario name (a label, never a path).

    Runs of characters other than letters, digits, ``_``, ``-`` and ``.`` become one ``-``; runs of
    dots become one; leading and trailing dots and dashes are dropped (so no ``.``, ``..`` or hidden
    name); at most ``limit`` characters and twice as many UTF-8 bytes; ``"scenario"`` when nothing is
    left. A NUL character is an error.
    """
    if "\0" in label:
        raise OutputError(f"scenario name {label[:40]!r}: must not hold a NUL character")
    text = re.sub(r"[^\w.-]+", "-", label)
    text = re.sub(r"\.{2,}", ".", text).strip(".-")[:limit]
    while len(text.encode("utf-8", "surrogatepass")) > 2 * limit:
        text = text[:-1]
    return text.strip(".-") or "scenario"


KIND_SUFFIXES = ("-sweep", "-compare", "-warmup", "-size")
"""The suffixes of the default folders of the kinds other than a run (``results/<name>-sweep``, ...)."""


def default_out(name: str, suffix: str = "") -> Path:
    """``results/<safe name><suffix>``: the default output directory of a scenario name.

    Default folders of different kinds never share a name: a run's (``suffix`` empty) whose safe name
    ends like another kind's folder (a scenario named ``factory-size``) gets ``-run`` added
    (``results/factory-size-run``), so it cannot land in ``swapsim size``'s ``results/factory-size``.
    """
    base = safe_name(name)
    if not suffix and base.endswith(KIND_SUFFIXES):
        base += "-run"
    return Path("results") / (base + suffix)


def check_path(path: str | os.PathLike, what: str = "--out") -> Path:
    """``path`` as a Path, refusing a NUL character (which no file system accepts) and a path under a file."""
    text = os.fspath(path)
    if "\0" in text:
        raise OutputError(f"{what} {text[:60]!r}: a path cannot hold a NUL character")
    out = Path(text)
    for parent in out.parents:  # a folder cannot be made under a file: say so, not "File exists"
        if os.path.lexists(parent):
            if parent.is_dir():
                break
            raise OutputError(f"{what} {text[:200]}: {parent} is a file, not a folder (a path under a regular file)")
    return out


def _is_legacy(directory: Path) -> bool:
    """A result written before manifests existed (recognised by its marker file)."""
    summary = directory / "summary.json"
    if regular_file(summary):
        try:
            return "manifest" in read_json(summary)
        except (OSError, ResultsError, TypeError):
            return False
    return any(regular_file(directory / m) for m in (*MARKERS[1:], *KIND_MARKERS["size"]))


def read_manifest(directory: Path) -> dict[str, Any] | None:
    """The manifest of ``directory`` as a dict, None when there is none.

    Raises:
        OutputError: the manifest is damaged (not a regular file, a link, not JSON, no list of files).
    """
    manifest = Path(directory) / MANIFEST
    if not os.path.lexists(manifest):
        return None
    try:
        data = read_json(manifest, Path(directory), MAX_MANIFEST_BYTES)
    except ResultsError as exc:
        raise OutputError(f"damaged manifest: {exc}; move the directory away or repair the file") from None
    if not isinstance(data.get("files"), list):
        raise OutputError(
            f"{manifest}: damaged manifest (no list of files); move the directory away or repair the file"
        )
    return data


def folder_kind(directory: Path) -> str | None:
    """The kind of results in ``directory`` (``run``, ``sweep``, ``compare``, ``warmup``, ``size``): the
    kind its manifest records, else the kind its marker files tell; None for none (or a missing folder)."""
    directory = Path(directory)
    if not directory.is_dir():
        return None
    data = read_manifest(directory)
    if data is not None and data.get("kind") in KINDS:
        return str(data["kind"])
    names = {f for f in data["files"] if isinstance(f, str)} if data is not None else None
    for marker, kind in _MARKER_KIND.items():
        if (marker in names) if names is not None else os.path.lexists(directory / marker):
            return kind
    return None


def owned_files(directory: Path) -> set[str] | None:
    """The files swapsim wrote in ``directory`` (relative paths); ``set()`` for a missing, empty or
    legacy directory; ``None`` when the directory is not swapsim's (non-empty, no manifest)."""
    directory = Path(directory)
    if not directory.exists():
        return set()
    data = read_manifest(directory)
    if data is not None:
        return {f for f in data["files"] if isinstance(f, str) and _inside(f)}
    if not any(directory.iterdir()) or _is_legacy(directory):
        return set()
    return None


def _inside(rel: str) -> bool:
    """A manifest entry must stay inside its directory (no absolute path, no ``..``)."""
    parts = Path(rel).parts
    return bool(parts) and not Path(rel).is_absolute() and ".." not in parts and "\0" not in rel


def resolve_target(path: str | os.PathLike, marker: str | None = None, kind: str | None = None) -> Path:
    """The absolute directory to write ``path``'s results into, checked against the ownership rule
    (and, given the ``kind`` of the result to write or its ``marker`` file, e.g. ``summary.json``,
    against holding another kind of result: a folder holds one kind only).

    Raises:
        OutputError: NUL in the path; a link to something other than a directory; a file; a non-empty
            directory swapsim does not own.
    """
    p = check_path(path)
    if p.is_symlink():
        if not p.is_dir():
            raise OutputError(
                f"{p}: a symbolic link to {os.readlink(p)}, which is not a directory; "
                f"swapsim follows links to directories only"
            )
        p = Path(os.path.realpath(p))
    p = Path(os.path.abspath(p))
    if p.exists() and not p.is_dir():
        raise OutputError(f"{p}: exists and is not a directory")
    owned = owned_files(p) if p.is_dir() else set()
    if owned is None:
        raise OutputError(
            f"{p}: not empty and not written by swapsim (no {MANIFEST}); swapsim writes "
            f"only into a new or empty directory or one it wrote before; choose another --out"
        )
    _same_kind(p, kind or _MARKER_KIND.get(marker or ""))
    return p


def _same_kind(target: Path, kind: str | None) -> None:
    """Refuse to put one kind of result (``kind``) into a folder of another kind."""
    held = folder_kind(target) if kind is not None else None
    if held is not None and held != kind:
        raise OutputError(
            f"{target}: holds another kind of swapsim result (a {held}, not a {kind}); swapsim never "
            f"writes one kind of result into a folder of another; choose another --out"
        )


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a hidden temporary path beside ``path``; on success it replaces ``path`` in one step.

    The temporary file is created new (``O_EXCL``, a random name ``.<name>.<random>.tmp``), so it is
    never a file that was there before, and it gets the ordinary permissions of the umask."""
    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name[:NAME_LIMIT]}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o666 & ~umask)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically, flushed to disk."""
    with atomic_file(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())


def write_manifest(directory: Path, files: Iterable[str], kind: str | None = None) -> None:
    """Write (atomically) the manifest of ``directory``: the files swapsim wrote there and the ``kind``
    of results it holds (default: the kind already recorded, else told by the files)."""
    from swapsim._version import __version__

    files = sorted(set(files))
    if kind is None:
        try:
            kind = folder_kind(directory)
        except OutputError:
            kind = None
        kind = kind or next((_MARKER_KIND[f] for f in files if f in _MARKER_KIND), None)
    data: dict[str, Any] = {"written_by": "swapsim", "swapsim_version": __version__, "files": files}
    if kind is not None:
        data["kind"] = kind
    atomic_write_text(directory / MANIFEST, json.dumps(data, indent=1) + "\n")


def _owner(directory: Path) -> tuple[Path, str] | None:
    """The folder whose manifest covers ``directory`` and the prefix of ``directory``'s files in it:
    ``directory`` itself (prefix ``""``) when it has a manifest, else the parent or grandparent whose
    manifest lists files below ``directory`` (a compare's strategy folder); None when none does."""
    directory = Path(directory)
    if os.path.lexists(directory / MANIFEST):
        return directory, ""
    rel, up = directory.name, directory.parent
    for _ in range(2):
        if os.path.lexists(up / MANIFEST):
            files = owned_files(up) or set()
            return (up, rel + "/") if any(f.startswith(rel + "/") for f in files) else None
        rel, up = f"{up.name}/{rel}", up.parent
    return None


def claim(directory: Path, paths: Iterable[Path]) -> None:
    """Record files swapsim writes into ``directory`` (figures, ``report.html``, tables) in the manifest
    that covers it, **before** they are written: a file never exists without its entry (an entry
    whose file is missing, after a full disk or a kill, is harmless and dropped by the next write).

    Raises:
        OutputError: a file of one of these names exists and is not swapsim's (not in the manifest;
            or, in a folder without a manifest, any file of that name).
    """
    directory = Path(directory)
    owner = _owner(directory)
    root, prefix = owner if owner is not None else (directory, "")
    have = owned_files(root) if owner is not None else set()
    rels = [prefix + os.path.relpath(p, directory).replace(os.sep, "/") for p in paths]
    for rel, p in zip(rels, paths):
        if os.path.lexists(p) and rel not in (have or ()):
            why = "was not written by swapsim" if owner is not None else f"swapsim has no record of it (no {MANIFEST})"
            raise OutputError(f"{p}: exists and {why}; move it away to write it")
    new = {r for r in rels if _inside(r)}
    if owner is not None and new <= (have or set()):
        return
    write_manifest(root, (have or set()) | new, None)


def prune(directory: Path, keep: Iterable[str] = ()) -> None:
    """Drop from ``directory``'s manifest the entries whose file is missing (left by a full disk or a
    kill between the entry and its file, or by a file swapsim removed), but those in ``keep``."""
    directory = Path(directory)
    if read_manifest(directory) is None:
        return
    have = owned_files(directory) or set()
    kept = set(keep)
    live = {f for f in have if f in kept or _blocked(directory, f) or os.path.lexists(directory / f)}
    if live != have:
        write_manifest(directory, live)


def remove_owned(directory: Path, rel: str) -> bool:
    """Remove ``directory/rel`` when swapsim's manifest lists it (then drop its entry); a file of that
    name that swapsim did not write stays. Returns whether a file was removed."""
    directory = Path(directory)
    have = owned_files(directory) if read_manifest(directory) is not None else None
    if not have or rel not in have or _blocked(directory, rel):
        return False
    path = directory / rel
    removed = os.path.lexists(path) and not path.is_dir()
    if removed:
        path.unlink()
    write_manifest(directory, have - {rel})
    return removed


@contextmanager
def owned_file(path: Path) -> Iterator[Path]:
    """Write one file that swapsim adds to a results directory after its results (a figure,
    ``report.html``): refused when a file of that name is there and is not swapsim's (with no manifest,
    when any file of that name is there), entered in the manifest first, then written atomically
    through the yielded temporary path."""
    path = Path(path)
    claim(path.parent, [path])
    with atomic_file(path) as tmp:
        yield tmp


def _files(root: Path) -> list[str]:
    """Relative paths of the regular files below ``root``."""
    out = []
    for dirpath, _, names in os.walk(root):
        for n in names:
            out.append(os.path.relpath(os.path.join(dirpath, n), root))
    return sorted(out)


@contextmanager
def atomic_dir(target: Path, kind: str | None = None) -> Iterator[Path]:
    """Yield a fresh hidden directory beside ``target``; on success its files go into ``target``.

    ``target`` must be missing, empty or owned (:func:`resolve_target`). A missing target is created
    by one rename, so a directory that exists is finished; an existing one gets swapsim's files moved
    in one by one (the marker file, e.g. ``summary.json``, last) and its manifest updated, and nothing
    else in it is touched. On any exception (KeyboardInterrupt included) the partial directory is
    removed and the target is left as it was.
    """
    target = resolve_target(target, kind=kind)
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_partials(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name[:NAME_LIMIT]}.partial-", dir=target.parent))
    try:
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; results are ordinary directories
        (tmp / PARTIAL_MARKER).write_text(
            json.dumps({"host": socket.gethostname(), "pid": os.getpid()}), encoding="utf-8"
        )
        yield tmp
        (tmp / PARTIAL_MARKER).unlink()
        _install(tmp, target, kind)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _install(tmp: Path, target: Path, kind: str | None = None) -> None:
    """Move the finished files of ``tmp`` into ``target`` under the ownership rule."""
    new = [f for f in _files(tmp) if f != MANIFEST]
    kind = kind or next((_MARKER_KIND[f] for f in new if f in _MARKER_KIND), None)
    write_manifest(tmp, new, kind)
    if not target.exists() and not target.is_symlink():
        try:
            os.rename(tmp, target)
            return
        except OSError:
            if not target.is_dir():
                raise
    old = owned_files(target)
    if old is None:  # someone wrote foreign files meanwhile
        resolve_target(target)
    old = old or set()  # no manifest (empty, or written before manifests): nothing there is swapsim's
    old |= _nested_owned(target, old)
    _same_kind(target, kind)
    clash = [f for f in new if _blocked(target, f) or (f not in old and os.path.lexists(target / f))]
    if clash:
        raise OutputError(
            f"{target / clash[0]}: exists and was not written by swapsim; move it away or choose another --out"
        )
    write_manifest(target, old | set(new), kind)  # a kill from here on leaves an owned directory
    for rel in sorted(old - set(new)):
        p = target / rel
        if not _blocked(target, rel) and (p.is_file() or p.is_symlink()):  # never through a linked folder
            p.unlink()
    for rel in new:
        if os.path.basename(rel) in MARKERS:
            (target / rel).unlink(missing_ok=True)  # the result looks unfinished until the end
    for rel in sorted(new, key=lambda r: (os.path.basename(r) in MARKERS, r)):
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp / rel, dest)
    for rel in sorted(old - set(new), key=lambda r: -len(Path(r).parts)):
        for parent in Path(rel).parents:
            if parent != Path(".") and (target / parent).is_dir():
                try:
                    (target / parent).rmdir()  # only when empty
                except OSError:
                    pass
    os.replace(tmp / MANIFEST, target / MANIFEST)


def _nested_owned(target: Path, old: set[str]) -> set[str]:
    """Files that the manifests of sub-folders listed in ``old`` (a compare's strategy runs) list,
    relative to ``target``: a figure or ``report.html`` drawn later into a sub-folder is swapsim's too."""
    out: set[str] = set()
    for rel in old:
        if os.path.basename(rel) == MANIFEST and rel != MANIFEST and not _blocked(target, rel):
            sub = os.path.dirname(rel)
            try:
                files = owned_files(target / sub) or set()
            except OutputError:
                continue  # a damaged sub-manifest: its files stay as they are
            out |= {f"{sub}/{f}" for f in files}
    return out


def _blocked(target: Path, rel: str) -> bool:
    """A parent of ``rel`` inside ``target`` exists but is not a directory, or is a symbolic link (which
    could lead out of ``target``)."""
    for parent in Path(rel).parents:
        p = target / parent
        if parent != Path(".") and os.path.lexists(p) and (p.is_symlink() or not p.is_dir()):
            return True
    return False
