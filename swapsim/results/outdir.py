"""Output ownership: swapsim writes only inside a directory it owns, and writes it atomically.

Every results directory swapsim writes (run, compare, warm-up, sweep) carries a manifest,
``.swapsim-owned.json``, listing the files swapsim wrote there (paths relative to the directory).
Writing to a target directory follows one rule:

* missing: it is created (built in a hidden sibling, then renamed into place in one step);
* existing and empty: it is used;
* existing with a manifest (owned): exactly the files of the old manifest are replaced or removed;
  any other file (a user's ``notes.txt``) stays byte for byte;
* existing, not empty, without a manifest: refused with :class:`OutputError` (exit status 2).
  A directory written by a swapsim older than the manifest (it holds ``summary.json`` with a
  ``manifest``, ``compare.json``, ``warmup.json`` or ``sweep.json``) counts as owned with an empty
  list: only files of the new result's names are replaced.

Nothing is ever removed but files a manifest lists and swapsim's own hidden partial directories.
A symbolic link to a directory is followed (the results go into the directory it points to); a link
to anything else is refused. A scenario ``name`` becomes a directory name only through
:func:`safe_name`. A partial directory ``.<target>.partial-*`` holds ``.swapsim-partial.json`` with
the writer's host and process id; the next write to the same target removes partials whose writer
is gone (killed) on this host.
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
]

MANIFEST = ".swapsim-owned.json"
"""The manifest of a directory swapsim owns: ``{"written_by": "swapsim", "files": [...]}``."""
PARTIAL_MARKER = ".swapsim-partial.json"
"""Inside a partial (being written) directory: ``{"host": ..., "pid": ...}`` of the writer."""
NAME_LIMIT = 100
"""Longest default directory name derived from a scenario name (characters)."""
MARKERS = ("summary.json", "compare.json", "warmup.json", "sweep.json")
"""Files that tell a result is complete; they are moved into place last."""


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


def default_out(name: str, suffix: str = "") -> Path:
    """``results/<safe name><suffix>``: the default output directory of a scenario name."""
    return Path("results") / (safe_name(name) + suffix)


def check_path(path: str | os.PathLike, what: str = "--out") -> Path:
    """``path`` as a Path, refusing a NUL character (which no file system accepts)."""
    text = os.fspath(path)
    if "\0" in text:
        raise OutputError(f"{what} {text[:60]!r}: a path cannot hold a NUL character")
    return Path(text)


def _is_legacy(directory: Path) -> bool:
    """A result written before manifests existed (recognised by its marker file)."""
    summary = directory / "summary.json"
    if summary.is_file() and not summary.is_symlink():
        try:
            return "manifest" in json.loads(summary.read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError, RecursionError):
            return False
    return any((directory / m).is_file() for m in MARKERS[1:])


def owned_files(directory: Path) -> set[str] | None:
    """The files swapsim wrote in ``directory`` (relative paths); ``set()`` for a missing, empty or
    legacy directory; ``None`` when the directory is not swapsim's (non-empty, no manifest)."""
    directory = Path(directory)
    if not directory.exists():
        return set()
    manifest = directory / MANIFEST
    if manifest.is_file() and not manifest.is_symlink():
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            files = data["files"]
        except (OSError, ValueError, TypeError, KeyError, RecursionError):
            raise OutputError(f"{manifest}: damaged manifest; move the directory away or repair the file") from None
        if not isinstance(files, list):
            raise OutputError(f"{manifest}: damaged manifest; move the directory away or repair the file")
        return {f for f in files if isinstance(f, str) and _inside(f)}
    if not any(directory.iterdir()) or _is_legacy(directory):
        return set()
    return None


def _inside(rel: str) -> bool:
    """A manifest entry must stay inside its directory (no absolute path, no ``..``)."""
    parts = Path(rel).parts
    return bool(parts) and not Path(rel).is_absolute() and ".." not in parts and "\0" not in rel


def resolve_target(path: str | os.PathLike, marker: str | None = None) -> Path:
    """The absolute directory to write ``path``'s results into, checked against the ownership rule
    (and, given the ``marker`` file of the result to write, e.g. ``summary.json``, against holding
    another kind of result).

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
    _same_kind(p, {f for f in owned if f in MARKERS}, marker)
    return p


def _same_kind(target: Path, held: set[str], marker: str | None) -> None:
    """Refuse to put one kind of result (``marker``) over another (``held``: top-level marker files)."""
    if marker is not None and held and marker not in held:
        raise OutputError(
            f"{target}: holds another kind of swapsim result ({', '.join(sorted(held))}); choose another --out"
        )


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a hidden temporary path beside ``path``; on success it replaces ``path`` in one step."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
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


def write_manifest(directory: Path, files: Iterable[str]) -> None:
    """Write (atomically) the manifest of ``directory``: the files swapsim wrote there."""
    from swapsim._version import __version__

    data = {"written_by": "swapsim", "swapsim_version": __version__, "files": sorted(set(files))}
    atomic_write_text(directory / MANIFEST, json.dumps(data, indent=1) + "\n")


def claim(directory: Path, paths: Iterable[Path]) -> None:
    """Add files swapsim wrote into ``directory`` later (figures, ``report.html``) to its manifest.

    A directory without a manifest (a fixture, a result written before manifests) is left without one.
    """
    directory = Path(directory)
    rels = [os.path.relpath(p, directory) for p in paths]
    have = owned_files(directory) if (directory / MANIFEST).is_file() else None
    if have is None:
        return
    write_manifest(directory, have | {r for r in rels if _inside(r)})


@contextmanager
def owned_file(path: Path) -> Iterator[Path]:
    """Write one file that swapsim adds to a results directory after its results (a figure,
    ``report.html``): refused when a file of that name is there and is not swapsim's (in a directory
    swapsim owns), written atomically through the yielded temporary path, then added to the manifest."""
    path = Path(path)
    directory = path.parent
    if (directory / MANIFEST).is_file() and os.path.lexists(path) and path.name not in (owned_files(directory) or ()):
        raise OutputError(f"{path}: exists and was not written by swapsim; move it away to write it")
    with atomic_file(path) as tmp:
        yield tmp
    claim(directory, [path])


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
        if sib.is_symlink() or not sib.is_dir() or not marker.is_file():
            continue
        try:
            info = json.loads(marker.read_text(encoding="utf-8"))
            stale = info["host"] == host and not _alive(int(info["pid"]))
        except (OSError, ValueError, TypeError, KeyError):
            continue
        if stale:
            shutil.rmtree(sib, ignore_errors=True)
            removed.append(sib)
    return removed


def glob_escape(name: str) -> str:
    """``name`` with the glob characters ``*``, ``?`` and ``[`` matched literally."""
    return re.sub(r"([*?\[])", r"[\1]", name)


def _files(root: Path) -> list[str]:
    """Relative paths of the regular files below ``root``."""
    out = []
    for dirpath, _, names in os.walk(root):
        for n in names:
            out.append(os.path.relpath(os.path.join(dirpath, n), root))
    return sorted(out)


@contextmanager
def atomic_dir(target: Path) -> Iterator[Path]:
    """Yield a fresh hidden directory beside ``target``; on success its files go into ``target``.

    ``target`` must be missing, empty or owned (:func:`resolve_target`). A missing target is created
    by one rename, so a directory that exists is finished; an existing one gets swapsim's files moved
    in one by one (the marker file, e.g. ``summary.json``, last) and its manifest updated, and nothing
    else in it is touched. On any exception (KeyboardInterrupt included) the partial directory is
    removed and the target is left as it was.
    """
    target = resolve_target(target)
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
        _install(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _install(tmp: Path, target: Path) -> None:
    """Move the finished files of ``tmp`` into ``target`` under the ownership rule."""
    new = [f for f in _files(tmp) if f != MANIFEST]
    write_manifest(tmp, new)
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
    old = old or set()
    if not (target / MANIFEST).is_file():  # empty, or written before manifests: same names are swapsim's
        old = {f for f in new if (target / f).is_file() and not (target / f).is_symlink()}
    mine = {f for f in old if f in MARKERS}
    if mine and not mine & set(new):
        _same_kind(target, mine, next(f for f in new if f in MARKERS) if set(new) & set(MARKERS) else "")
    clash = [f for f in new if _blocked(target, f) or (f not in old and os.path.lexists(target / f))]
    if clash:
        raise OutputError(
            f"{target / clash[0]}: exists and was not written by swapsim; move it away or choose another --out"
        )
    write_manifest(target, old | set(new))  # a kill from here on leaves an owned directory
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


def _blocked(target: Path, rel: str) -> bool:
    """A parent of ``rel`` inside ``target`` exists but is not a directory, or is a symbolic link (which
    could lead out of ``target``)."""
    for parent in Path(rel).parents:
        p = target / parent
        if parent != Path(".") and os.path.lexists(p) and (p.is_symlink() or not p.is_dir()):
            return True
    return False
