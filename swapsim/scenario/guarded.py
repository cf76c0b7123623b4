"""The one guarded open of a file swapsim reads: a scenario or sweep file, or a file in a results folder.

:func:`read_regular` reads a file only when it is a **regular file** (a FIFO, device, socket or
directory is refused without blocking: the file is opened with ``O_NONBLOCK`` and checked with
``fstat`` before a byte is read) of at most ``limit`` bytes (the size is checked before reading and
at most one byte more than the limit is ever read). With ``nofollow`` the last part of the path is
opened with ``O_NOFOLLOW``, so a symbolic link is refused rather than followed.

A refusal is a :class:`RefusedRead` naming the file and what is wrong in one line; the callers turn
it into their own user error (:class:`swapsim.scenario.yaml_loader.YamlInputError`,
:class:`swapsim.results.reader.ResultsError`). An error of the operating system (permission denied,
an I/O error) stays an ``OSError`` naming the file.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

__all__ = ["RefusedRead", "read_regular"]


class RefusedRead(Exception):
    """A file swapsim will not read: missing, not a regular file, a link (with ``nofollow``), too large."""


def _not_a_directory(path: Path) -> str:
    under = next((p for p in path.parents if p.is_file()), None)
    where = f"{under} is a file, not a directory" if under is not None else "a part of the path is not a directory"
    return f"{path}: cannot read the file ({where})"


def read_regular(path: Path, limit: int, what: str, *, nofollow: bool = False) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    Args:
        path: the file.
        limit: the largest size read (bytes).
        what: the kind of file in words, for the messages (``"YAML file"``, ``"figure"``).
        nofollow: refuse a symbolic link as the last part of the path.

    Raises:
        RefusedRead: missing, a directory, not a regular file, a link (``nofollow``), larger than
            ``limit``, a path holding a NUL.
        OSError: the operating system could not open or read it (naming the file).
    """
    path = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)  # a FIFO must not block the open
    if nofollow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise RefusedRead(f"{path}: file not found") from None
    except IsADirectoryError:
        raise RefusedRead(f"{path}: is a directory, expected a {what}") from None
    except NotADirectoryError:
        raise RefusedRead(_not_a_directory(path)) from None
    except ValueError:
        raise RefusedRead(f"{str(path)[:200]!r}: a path cannot hold a NUL character") from None
    except OSError as exc:
        if nofollow and exc.errno == errno.ELOOP:
            raise RefusedRead(f"{path}: is a symbolic link; swapsim does not read a {what} through a link") from None
        if exc.errno in (errno.ENXIO, errno.EOPNOTSUPP):  # a socket
            raise RefusedRead(f"{path}: is not a regular file (a socket), expected a {what}") from None
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise RefusedRead(f"{path}: is a directory, expected a {what}")
        if not stat.S_ISREG(info.st_mode):
            raise RefusedRead(f"{path}: is not a regular file (a FIFO, device or socket), expected a {what}")
        if info.st_size > limit:
            raise RefusedRead(
                f"{path}: is {info.st_size:,} bytes, more than the {limit:,} bytes swapsim reads from a {what}"
            )
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:  # it grew after fstat
        raise RefusedRead(f"{path}: is more than the {limit:,} bytes swapsim reads from a {what}")
    return data
