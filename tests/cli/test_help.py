"""CLI tests: ``swapsim --help`` lists every command with its whole one-line summary."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from swapsim.cli import cli


@pytest.mark.parametrize("width", [80, 100, 200])
def test_top_level_help_lists_every_command_untruncated(width):
    result = CliRunner().invoke(cli, ["--help"], terminal_width=width)
    assert result.exit_code == 0, result.output
    listing = result.output.split("Commands:", 1)[1].splitlines()
    assert not any("..." in line for line in listing), result.output
    rows = {line.split()[0]: line.split(None, 1)[1] for line in listing if line.startswith("  ") and line.split()}
    assert set(rows) == set(cli.commands)
    for name, cmd in cli.commands.items():
        summary = cmd.get_short_help_str(limit=1000)
        assert rows[name] == summary, f"{name}: the listed summary is cut or wrapped"
        assert summary.endswith("."), f"{name}: the summary is not a whole sentence: {summary!r}"


def test_every_command_has_a_short_help_of_its_own():
    """Without ``short_help`` click cuts the docstring's first sentence with '...' at about 45 characters."""
    for name, cmd in cli.commands.items():
        assert cmd.short_help, f"{name}: no short_help"
        assert len(cmd.short_help) <= 70, f"{name}: short_help too long for one line at 80 columns"


def test_the_group_help_points_to_the_commands_help():
    result = CliRunner().invoke(cli, ["--help"])
    assert "swapsim COMMAND --help" in " ".join(result.output.split())


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_help_shows_no_escaped_percent_signs(name):
    """click prints an option's help as written: ``95 %%`` would show both signs (issue 28)."""
    result = CliRunner().invoke(cli, [name, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "%%" not in result.output, result.output


def test_warmup_help_names_its_three_series():
    text = " ".join(CliRunner().invoke(cli, ["warmup", "--help"]).output.split())
    assert "three series" in text and "green packs" in text and "two series" not in text
