"""Optional compiled build: ``SWAPSIM_COMPILE=1 pip install .`` compiles the model's hot modules with mypyc.

Everything about the package is in pyproject.toml; this file only adds the C extensions, and only when
asked. Without ``SWAPSIM_COMPILE=1`` (the default, and what ``make install`` does) it adds nothing and
swapsim installs as pure Python, as before. With it, mypyc (from mypy, added to the build requirements
by ``build_backend/swapsim_build.py``) compiles the modules listed in ``swapsim/_compiled.py``; if that
fails (no C compiler, no mypy), the install falls back to pure Python with a warning, unless
``SWAPSIM_COMPILE=require``, which makes it an error. This is how black and mypy ship compiled builds
(a ``mypycify`` call in setup.py, switched on by an environment variable).
``swapsim --version`` says which build is running.
"""

from __future__ import annotations

import ast
import os
import sys
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent


def hot_modules() -> list[str]:
    """The source files of the modules to compile, read from swapsim/_compiled.py without importing swapsim."""
    tree = ast.parse((HERE / "swapsim" / "_compiled.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "HOT_MODULES" for t in node.targets):
            names = ast.literal_eval(node.value)
            return [str(Path(*name.split(".")).with_suffix(".py")) for name in names]
    raise RuntimeError("swapsim/_compiled.py: no HOT_MODULES")


def ext_modules() -> list:
    mode = os.environ.get("SWAPSIM_COMPILE", "").strip().lower()
    if mode not in ("1", "true", "yes", "require") or os.environ.get("SWAPSIM_GETTING_REQUIRES"):
        return []  # pure Python, or the build backend asking for the requirements (mypy is not installed yet)
    try:
        from mypyc.build import mypycify

        # mypy options first: a subset of swapsim is compiled, so some "type: ignore"s are unused there
        return mypycify(["--no-warn-unused-ignores", *hot_modules()],
                        opt_level=os.environ.get("SWAPSIM_MYPYC_OPT_LEVEL", "3"))
    except Exception as exc:  # no mypy in the build environment, a type error mypyc refuses, ...
        if mode == "require":
            raise
        print(f"swapsim: SWAPSIM_COMPILE={mode}, but mypyc could not compile the model ({exc}); "
              "installing pure Python", file=sys.stderr)
        return []


setup(ext_modules=ext_modules())
