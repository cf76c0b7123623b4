"""The compiled build: ``pip install .`` compiles the model's hot modules with mypyc when it can.

Everything about the package is in pyproject.toml; this file only adds the C extensions. When pip
builds a wheel (``pip install .``) and a C compiler is there, mypyc (from mypy, which
``build_backend/swapsim_build.py`` then adds to the build requirements) compiles the modules listed in
``swapsim/_compiled.py``. If it cannot (no compiler, no mypy, a compile error), swapsim installs as
pure Python with one warning (shown by ``pip install -v``); the results are the same either way.
``SWAPSIM_COMPILE=0`` never compiles; ``SWAPSIM_COMPILE=require`` makes a failure an error. An
editable install (``pip install -e .``, ``make install``) is always pure Python. This is how black and
mypy build their compiled wheels (a ``mypycify`` call in setup.py). ``swapsim --version`` says which
build is running.

Compile settings (docs/performance.md, "The compiled build"): ``SWAPSIM_MYPYC_OPT_LEVEL`` (the C
compiler's ``-O``, default 1) and one C file per module, compiled by as many processes as
there are cores (``SWAPSIM_BUILD_JOBS`` to change it).
"""

from __future__ import annotations

import ast
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "build_backend"))
from swapsim_compiler import compile_mode, missing_compiler  # noqa: E402

OPT_LEVEL = "1"
"""The C compiler's ``-O`` (``SWAPSIM_MYPYC_OPT_LEVEL`` overrides it). mypyc's default is 3; at 1 the
compile takes about a quarter less CPU time and the factory runs the same instructions per swap to
within 0.5 % (docs/performance.md, "The compiled build")."""


def warn(why: str) -> None:
    print(f"WARNING: swapsim: installing the pure-Python build, not the compiled one: {why}", file=sys.stderr)


def hot_modules() -> list[str]:
    """The source files of the modules to compile, read from swapsim/_compiled.py without importing swapsim."""
    tree = ast.parse((HERE / "swapsim" / "_compiled.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "HOT_MODULES" for t in node.targets):
            names = ast.literal_eval(node.value)
            return [str(Path(*name.split(".")).with_suffix(".py")) for name in names]
    raise RuntimeError("swapsim/_compiled.py: no HOT_MODULES")


def ext_modules() -> list:
    mode = compile_mode()
    if mode == "off" or os.environ.get("SWAPSIM_BUILD_PHASE", "wheel") != "wheel":
        return []  # pure Python asked for; or an editable install, or pip asking for requirements or metadata
    why = missing_compiler()
    if why:
        if mode == "require":
            raise RuntimeError(f"SWAPSIM_COMPILE=require, but {why}")
        warn(why)
        return []
    try:
        from mypyc.build import mypycify

        # mypy options first: a subset of swapsim is compiled, so some "type: ignore"s are unused there
        return mypycify(
            ["--no-warn-unused-ignores", *hot_modules()],
            opt_level=os.environ.get("SWAPSIM_MYPYC_OPT_LEVEL", OPT_LEVEL),
            multi_file=True,
        )
    except Exception as exc:  # no mypy in the build environment, a type error mypyc refuses, ...
        if mode == "require":
            raise
        warn(f"mypyc could not translate the model ({type(exc).__name__}: {exc})")
        return []


class BuildExt(build_ext):
    """build_ext that compiles the C files in parallel and falls back to pure Python if the C compiler fails.

    mypyc makes one extension of many C files (one a module) plus a small shim per module; setuptools'
    own ``--parallel`` only builds extensions side by side, so the C files of one extension are handed
    to the compiler here, ``SWAPSIM_BUILD_JOBS`` (default: the number of cores) at a time. The ``.py``
    files are in the wheel either way (Python imports an extension in preference to them), so
    removing every extension that was built leaves a complete pure-Python package.
    """

    def build_extensions(self) -> None:
        jobs = int(os.environ.get("SWAPSIM_BUILD_JOBS") or os.cpu_count() or 1)
        compile_one_by_one = self.compiler.compile

        def compile_side_by_side(sources: list[str], *args: Any, **kwargs: Any) -> list[str]:
            if jobs < 2 or len(sources) < 2:
                return compile_one_by_one(sources, *args, **kwargs)
            with ThreadPoolExecutor(jobs) as pool:  # each thread waits on one compiler process
                parts = pool.map(lambda source: compile_one_by_one([source], *args, **kwargs), sources)
                return [obj for part in parts for obj in part]

        self.compiler.compile = compile_side_by_side
        super().build_extensions()

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # CompileError, LinkError, a compiler that is not there after all, ...
            if compile_mode() == "require":
                raise
            for ext in self.extensions:  # a shim without its shared library would fail at import
                Path(self.get_ext_fullpath(ext.name)).unlink(missing_ok=True)
            warn(f"the C compiler failed ({type(exc).__name__}: {exc})")


setup(ext_modules=ext_modules(), cmdclass={"build_ext": BuildExt})
