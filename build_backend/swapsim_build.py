"""setuptools' build backend, plus mypy as a build requirement when ``SWAPSIM_COMPILE`` asks for the compiled build.

A fixed ``mypy`` in ``[build-system] requires`` would install mypy into every build environment, also for
the default pure-Python install; this backend asks for it only when ``SWAPSIM_COMPILE`` is set (see setup.py).
"""

from __future__ import annotations

import os

from setuptools import build_meta as _orig
from setuptools.build_meta import *  # noqa: F403

MYPYC_REQUIRES = ["mypy>=1.10"]


def _extra() -> list[str]:
    mode = os.environ.get("SWAPSIM_COMPILE", "").strip().lower()
    return MYPYC_REQUIRES if mode in ("1", "true", "yes", "require") else []


def _requires(hook, config_settings):
    """setuptools runs setup.py to find the requirements; mypyc is not there yet, so say not to compile then."""
    os.environ["SWAPSIM_GETTING_REQUIRES"] = "1"
    try:
        return hook(config_settings) + _extra()
    finally:
        del os.environ["SWAPSIM_GETTING_REQUIRES"]


def get_requires_for_build_wheel(config_settings=None):
    return _requires(_orig.get_requires_for_build_wheel, config_settings)


def get_requires_for_build_editable(config_settings=None):
    return _requires(_orig.get_requires_for_build_editable, config_settings)
