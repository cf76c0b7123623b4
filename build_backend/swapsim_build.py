"""setuptools' build backend, plus the choice between the compiled and the pure-Python build of swapsim.

``pip install .`` builds a wheel: if a C compiler is there, this backend adds mypy (which brings mypyc) to
the build requirements and setup.py compiles the model's hot modules; without a compiler it adds nothing
and the wheel is pure Python. ``pip install -e .`` (an editable install, what ``make install`` does) is
always pure Python: the source tree is what runs, so an edit shows at once, and the white-box tests that
patch model classes need it. ``SWAPSIM_COMPILE`` overrides the default: ``0`` never compiles (and never
asks for mypy), ``require`` makes a failure to compile an error instead of a fallback.

setup.py learns which hook is running from ``SWAPSIM_BUILD_PHASE``, set here around each hook: it
compiles only while building a wheel (not while pip asks for the requirements, before mypy is installed,
nor while it prepares the metadata, which would run mypy a second time, nor for an editable install).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from setuptools import build_meta as _orig
from setuptools.build_meta import *  # noqa: F403
from swapsim_compiler import compile_mode, missing_compiler

MYPYC_REQUIRES = ["mypy>=1.10", "simpy>=4.1", "numpy>=1.26", "pydantic>=2.6,<3", "types-PyYAML"]
"""What mypyc needs: mypy, and the packages whose types the model's code uses, so that mypyc sees
them whether or not the environment pip installs into has them yet. Without simpy there, simpy's
classes were Any to mypyc, and that build crashed (a segfault while collecting garbage) in the suite."""


def _extra() -> list[str]:
    """mypy for the compiled build: asked for only when it will be used."""
    mode = compile_mode()
    if mode == "off" or (mode == "auto" and missing_compiler()):
        return []
    return MYPYC_REQUIRES


@contextmanager
def _phase(name: str) -> Iterator[None]:
    old = os.environ.get("SWAPSIM_BUILD_PHASE")
    os.environ["SWAPSIM_BUILD_PHASE"] = name
    try:
        yield
    finally:
        if old is None:
            del os.environ["SWAPSIM_BUILD_PHASE"]
        else:
            os.environ["SWAPSIM_BUILD_PHASE"] = old


def get_requires_for_build_wheel(config_settings=None):
    with _phase("requires"):
        return _orig.get_requires_for_build_wheel(config_settings) + _extra()


def get_requires_for_build_editable(config_settings=None):
    with _phase("requires"):
        return _orig.get_requires_for_build_editable(config_settings)


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    with _phase("metadata"):
        return _orig.prepare_metadata_for_build_wheel(metadata_directory, config_settings)


def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    with _phase("metadata"):
        return _orig.prepare_metadata_for_build_editable(metadata_directory, config_settings)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with _phase("wheel"):
        return _orig.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    with _phase("editable"):
        return _orig.build_editable(wheel_directory, config_settings, metadata_directory)


def build_sdist(sdist_directory, config_settings=None):
    with _phase("sdist"):
        return _orig.build_sdist(sdist_directory, config_settings)


