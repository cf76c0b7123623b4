"""Can this build compile swapsim, and is it asked to? Used by the build backend, setup.py and the Makefile.

Standard library only, so that ``python3 build_backend/swapsim_compiler.py`` runs on a bare machine
(``make golden-compiled`` asks it whether there is a C compiler: exit status 0 and a line saying so,
or 1 and the reason).
"""

from __future__ import annotations

import os
import shlex
import shutil
import sysconfig
from pathlib import Path

OFF = ("0", "false", "no", "off")
REQUIRE = "require"


def compile_mode() -> str:
    """``"off"``, ``"require"`` or ``"auto"`` (the default, also for ``1``/``yes``): from ``SWAPSIM_COMPILE``."""
    mode = os.environ.get("SWAPSIM_COMPILE", "").strip().lower()
    if mode in OFF:
        return "off"
    return REQUIRE if mode == REQUIRE else "auto"


def missing_compiler() -> str | None:
    """Why this machine cannot compile a C extension for this Python (no compiler, no Python.h), or None."""
    cc = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    words = shlex.split(cc)
    if not words or not shutil.which(words[0]):
        return f"no C compiler ({words[0] if words else 'CC is empty'} is not on the PATH)"
    include = sysconfig.get_paths().get("include") or ""
    if not (Path(include) / "Python.h").is_file():
        return f"no Python headers (Python.h is not in {include or 'the include directory'})"
    return None


if __name__ == "__main__":  # can this machine compile? (make golden-compiled)
    why = missing_compiler()
    print(why or "a C compiler and the Python headers are here")
    raise SystemExit(1 if why else 0)
