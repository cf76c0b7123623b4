"""Which build of swapsim is running: the model's hot modules compiled with mypyc, or pure Python.

:data:`HOT_MODULES` lists the modules of ``swapsim/model/`` that ``setup.py`` compiles with mypyc when
the package is built as a wheel (``pip install .``, not editable) and a C compiler is there
(``SWAPSIM_COMPILE=0``: never); an editable install (``make install``) compiles nothing. The source
of every module stays the same pure Python either way: a compiled module is the same code, turned
into a C extension that Python imports instead of the ``.py`` file.
:func:`compiled_modules` says which of them were imported from an extension; ``swapsim --version``
shows it (:func:`build_label`). setup.py reads :data:`HOT_MODULES` from this file without importing
swapsim, so keep it a plain tuple of strings.
"""

from __future__ import annotations

import importlib
import importlib.machinery

__all__ = ["HOT_MODULES", "compiled_modules", "build_label"]

HOT_MODULES = (
    "swapsim.model.alarms",
    "swapsim.model.calendar_rates",
    "swapsim.model.charging",
    "swapsim.model.degradation",
    "swapsim.model.faults",
    "swapsim.model.fleet",
    "swapsim.model.health",
    "swapsim.model.health_check",
    "swapsim.model.outage",
    "swapsim.model.pack",
    "swapsim.model.pack_life",
    "swapsim.model.pack_record",
    "swapsim.model.pack_trace",
    "swapsim.model.places",
    "swapsim.model.policies",
    "swapsim.model.registries",
    "swapsim.model.robot.body",
    "swapsim.model.robot.entity",
    "swapsim.model.robot.power",
    "swapsim.model.robot.quiet",
    "swapsim.model.robot.shifts",
    "swapsim.model.robot.trip",
    "swapsim.model.robot.work",
    "swapsim.model.roles",
    "swapsim.model.station",
    "swapsim.model.station_index",
    "swapsim.model.station_roles",
    "swapsim.model.stress_charge",
    "swapsim.model.stress_place",
    "swapsim.model.stressors",
    "swapsim.model.tasks",
    "swapsim.model.technician",
    "swapsim.model.workload",
)
"""Modules compiled by ``pip install .`` (dotted names): every module of
``swapsim/model/`` but :mod:`swapsim.model.clock`, whose ``TimeoutAt`` subclasses SimPy's (interpreted)
``Event`` without calling its ``__init__``: compiled, a run ended in a segmentation fault in the garbage
collector at exit (the factory, 1 day); left interpreted, it does not, and the model calls it as before.
A class hierarchy is compiled whole or not at all (an interpreted class cannot subclass a compiled
one); since the model is built by composition, no model class subclasses another across this list's
boundary."""


def compiled_modules() -> list[str]:
    """The modules of :data:`HOT_MODULES` that this interpreter imported from a compiled extension."""
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    found = []
    for name in HOT_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if str(getattr(module, "__file__", "") or "").endswith(suffixes):
            found.append(name)
    return found


def build_label() -> str:
    """``"compiled: N model modules"`` or ``"pure Python"``: which build is running."""
    n = len(compiled_modules())
    return f"compiled: {n} model module{'s' if n != 1 else ''}" if n else "pure Python"
