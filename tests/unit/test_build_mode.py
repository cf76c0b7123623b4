"""``swapsim --version`` names the build that runs: the model's modules compiled with mypyc, or pure Python."""

from __future__ import annotations

import importlib.machinery

from click.testing import CliRunner

from swapsim import _compiled
from swapsim._version import __version__
from swapsim.cli import cli


def test_version_names_the_build():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    n = len(_compiled.compiled_modules())
    mode = f"compiled: {n} model module{'s' if n != 1 else ''}" if n else "pure Python"
    assert result.output == f"swapsim {__version__} ({mode})\n"


def test_compiled_modules_are_those_imported_from_an_extension():
    import sys

    for name in _compiled.HOT_MODULES:
        __import__(name)
    from_extension = [name for name in _compiled.HOT_MODULES
                      if sys.modules[name].__file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))]
    assert _compiled.compiled_modules() == from_extension


def test_build_label_counts(monkeypatch):
    monkeypatch.setattr(_compiled, "compiled_modules", lambda: [])
    assert _compiled.build_label() == "pure Python"
    monkeypatch.setattr(_compiled, "compiled_modules", lambda: ["a"])
    assert _compiled.build_label() == "compiled: 1 model module"
    monkeypatch.setattr(_compiled, "compiled_modules", lambda: list(_compiled.HOT_MODULES))
    assert _compiled.build_label() == f"compiled: {len(_compiled.HOT_MODULES)} model modules"


def test_hot_modules_exist_and_setup_reads_them():
    import ast
    from pathlib import Path

    import pytest

    import swapsim

    root = Path(swapsim.__file__).resolve().parents[1]
    if not (root / "setup.py").is_file():
        pytest.skip("swapsim is installed, not run from its source tree")
    for name in _compiled.HOT_MODULES:
        assert (root / Path(*name.split("."))).with_suffix(".py").is_file(), name
    tree = ast.parse((root / "setup.py").read_text())
    assert any(isinstance(n, ast.FunctionDef) and n.name == "hot_modules" for n in tree.body)
