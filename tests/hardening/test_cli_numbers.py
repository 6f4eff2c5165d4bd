"""Hostile numbers on the command line: one line of error, a non-zero exit, no traceback.

Issue 14: ``medbill era check --tolerance 1E30`` (and ``price --billed 1E28``) ended in a
``decimal`` traceback; ``--billed -5`` exited 0. Each numeric option of the commands that
take one is tried with values past the bounds, NaN and Infinity, a negative number, a
1E-30 fraction, 5,000 digits and text that is not a number, on real demo files, so the
value is what fails, not a missing input.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from medbill.cli._app import cli

HOSTILE = [
    "1E30",
    "1E28",
    "NaN",
    "sNaN",
    "-Infinity",
    "-1",
    "1E-30",
    "9" * 5000,
    "0." + "1" * 5000,
    "12abc",
    "",
    "\x1b[2J",
    "[/oops]",
]


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of one demo run (ledger, claims, contracts, 835 files)."""
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(cli, ["demo", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.stderr
    return out


def _refused_in_one_line(result: Result, option: str, value: str) -> None:
    assert result.exit_code in (1, 2), (option, value[:20], result.exit_code, result.stdout)
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    if result.exit_code == 1:
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("medbill: error: ")
        assert option in lines[0]
        assert len(lines[0]) < 400  # the 5,000 digits are cut, not echoed
        assert "\x1b" not in lines[0]


def _era_check(day: Path, *options: str) -> list[str]:
    return [
        "era",
        "check",
        str(day / "835" / "acme-2025-04-01.835"),
        "--contract",
        str(day / "contracts" / "acme.toml"),
        "--claims",
        str(day / "claims"),
        *options,
    ]


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v[:12]))
@pytest.mark.parametrize("option", ["--tolerance", "--tolerance-rate"])
def test_era_check_refuses_hostile_tolerances(day: Path, option: str, value: str) -> None:
    result = CliRunner().invoke(cli, _era_check(day, f"{option}={value}"))
    _refused_in_one_line(result, option, value)


def test_era_check_accepts_sane_tolerances(day: Path) -> None:
    result = CliRunner().invoke(
        cli, _era_check(day, "--tolerance", "1.00", "--tolerance-rate", "0.02", "--json")
    )
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v[:12]))
@pytest.mark.parametrize("option", ["--billed", "--units"])
def test_price_refuses_hostile_amounts_and_units(day: Path, option: str, value: str) -> None:
    args = ["price", "99213", "--contract", str(day / "contracts" / "acme.toml")]
    args += ["--date", "2025-03-04", f"{option}={value}"]
    if option == "--units":
        args += ["--billed", "150.00"]
    result = CliRunner().invoke(cli, args)
    _refused_in_one_line(result, option, value)


@pytest.mark.parametrize("value", ["2025-13-45", "1E30", "NaN", "9" * 5000, "", "\x00"])
def test_aging_refuses_hostile_dates(day: Path, value: str) -> None:
    result = CliRunner().invoke(
        cli, ["aging", "--db", str(day / "ledger.sqlite"), f"--as-of={value}"]
    )
    _refused_in_one_line(result, "--as-of", value)
