"""Docs tests, second pass: every documented ``swapsim ...`` command again, all sources in order in one
shared directory (README.md, docs/*.md, the ``--help`` texts, the sweep files), as a reader who
follows one after the other in one folder runs them: an example that writes into a folder an earlier
example wrote fails here.

The collector and the runner are those of the first pass (test_documented_commands.py, whose
docstring says how commands are found, run and shortened); this pass is a file of its own so that
``--dist loadfile`` gives the two passes to two workers.
"""

from __future__ import annotations

import pytest
from test_documented_commands import ALL_IN_ORDER, commands_of, run_source


@pytest.fixture(scope="module")
def outcome(tmp_path_factory) -> tuple[str | None, float]:
    pytest.importorskip("pandas")
    return run_source(ALL_IN_ORDER, tmp_path_factory.mktemp("docs-commands-in-order"))


def test_documented_commands_run_again_one_after_the_other(outcome):
    """Every command a second time: all sources in order in one directory (a reader who follows the
    README, then the docs, then the --help examples, in one folder)."""
    failure, seconds = outcome
    if failure:
        pytest.fail(f"{ALL_IN_ORDER} ({len(commands_of(ALL_IN_ORDER))} commands, {seconds:.0f} s): {failure}")
