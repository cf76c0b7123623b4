"""The choice between the compiled and the pure-Python build (setup.py, build_backend/).

``pip install .`` compiles the model with mypyc when a C compiler is there and installs pure Python
otherwise, with one warning; an editable install is always pure; ``SWAPSIM_COMPILE=0`` never compiles.
These tests need the source tree (they skip in the test copy of ``make test-compiled``, which has
none); the compiled build itself is tested by ``make golden-compiled`` and ``make test-compiled``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BACKEND = ROOT / "build_backend"
pytestmark = pytest.mark.skipif(not (ROOT / "setup.py").is_file(), reason="needs the source tree (setup.py)")


@pytest.fixture
def backend(monkeypatch: pytest.MonkeyPatch):
    pytest.importorskip("setuptools")
    monkeypatch.syspath_prepend(str(BACKEND))
    import swapsim_build

    return swapsim_build


def test_an_editable_install_never_asks_for_mypy(backend, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    for mode in ("", "1", "require"):
        monkeypatch.setenv("SWAPSIM_COMPILE", mode)
        assert not any(r.startswith("mypy") for r in backend.get_requires_for_build_editable())


def test_a_wheel_asks_for_mypy_only_when_it_can_compile(backend, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("SWAPSIM_COMPILE", raising=False)
    monkeypatch.setenv("CC", "/nonexistent/cc")
    assert not any(r.startswith("mypy") for r in backend.get_requires_for_build_wheel())
    monkeypatch.setenv("SWAPSIM_COMPILE", "require")  # then setup.py says why it cannot
    assert any(r.startswith("mypy") for r in backend.get_requires_for_build_wheel())
    monkeypatch.setenv("CC", sys.executable)  # any program on the PATH stands for a compiler here
    monkeypatch.setenv("SWAPSIM_COMPILE", "0")
    assert not any(r.startswith("mypy") for r in backend.get_requires_for_build_wheel())
    if backend.missing_compiler() is None:
        monkeypatch.delenv("SWAPSIM_COMPILE")
        assert any(r.startswith("mypy") for r in backend.get_requires_for_build_wheel())


def test_the_compiler_check_is_one_line_and_an_exit_status() -> None:
    """What `make golden-compiled` runs (with the bare python3) to decide whether to build the compiled variant."""
    script = str(BACKEND / "swapsim_compiler.py")
    missing = subprocess.run(
        [sys.executable, "-S", script], env={"CC": "/nonexistent/cc"}, capture_output=True, text=True
    )
    assert missing.returncode == 1 and missing.stdout == "no C compiler (/nonexistent/cc is not on the PATH)\n"


@pytest.mark.slow
def test_without_a_compiler_pip_install_builds_pure_python_with_one_warning(tmp_path: Path) -> None:
    """A wheel built where there is no C compiler: pure Python (no extension inside), one warning."""
    import os

    env = {**os.environ, "CC": "/nonexistent/cc"}
    env.pop("SWAPSIM_COMPILE", None)
    out = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    (wheel,) = tmp_path.glob("swapsim-*.whl")
    assert wheel.name.endswith("-py3-none-any.whl"), wheel.name
    with zipfile.ZipFile(wheel) as zf:
        assert not [n for n in zf.namelist() if n.endswith((".so", ".pyd"))]
    warnings = re.findall(r"WARNING: swapsim: .*", out.stdout + out.stderr)
    assert warnings == [
        "WARNING: swapsim: installing the pure-Python build, not the compiled one: "
        "no C compiler (/nonexistent/cc is not on the PATH)"
    ], warnings


def test_the_documented_compiled_install_is_what_ci_builds() -> None:
    """README's command for the compiled build is the one `make golden-compiled` (CI) installs with."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^pip install \.\s+#", readme, re.M), "README documents `pip install .`"
    assert re.search(r"^\tSWAPSIM_COMPILE=require \$\(CBIN\)/python -m pip install [^\n]*\"\.\[dev\]\"", makefile, re.M)
    assert "make golden-compiled" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
