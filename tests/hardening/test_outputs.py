"""Outputs are safe to open: no rich markup or terminal escapes from data reach the screen.

Issue 14: a payer name ``[/oops]`` in an 835 killed ``era post`` with a MarkupError
traceback after the ledger was written, ``[link=...]`` became a clickable link and raw ESC
sequences reached the terminal.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from medbill.cli._app import cli
from medbill.cli._output import make_console, printable, table

HOSTILE = "ACME [/oops] [link=https://evil.example]x[/link] \x1b[2J\x07"


def test_printable_escapes_every_control_character() -> None:
    assert printable("a\x1b[31mb\x00c\rd\u202ee") == "a\\x1b[31mb\\x00c\\rd\\u202ee"
    assert printable("line\nnext", keep_newlines=True) == "line\nnext"
    assert printable("[bold]plain[/bold]") == "[bold]plain[/bold]"  # markup is not ours to strip


def test_tables_and_prints_show_data_literally(capsys: object) -> None:
    table("Payer " + HOSTILE, ("payer", "paid"), [(HOSTILE, "10.00")])
    make_console().print("payer:", HOSTILE)
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "[/oops]" in out
    assert "[link=https://evil.example]" in out
    assert "\x1b" not in out
    assert "\\x1b[2J" in out


def test_era_post_with_a_hostile_payer_name(tmp_path: Path) -> None:
    runner = CliRunner()
    day = tmp_path / "day"
    assert runner.invoke(cli, ["demo", "--out", str(day), "--json"]).exit_code == 0
    original = day / "835" / "acme-2025-03-11.835"
    text = original.read_text()
    payer = next(s for s in text.split("~") if s.startswith(("N1*PR*", "\nN1*PR*")))
    hostile = original.with_name("hostile.835")
    hostile.write_text(text.replace(payer, payer.split("*")[0] + "*PR*" + HOSTILE[:-2], 1))
    db = tmp_path / "ledger.sqlite"
    args = ["era", "post", str(hostile), "--db", str(db), "--claims", str(day / "claims")]
    result = runner.invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert "\x1b" not in result.output
    assert "[/oops]" in result.output  # the payer name, printed literally


def test_phi_files_are_created_owner_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import stat

    monkeypatch.setattr(os, "umask", os.umask)  # restored by monkeypatch
    os.umask(0o022)  # a typical umask: other accounts could read new files
    runner = CliRunner()
    day = tmp_path / "day"
    assert runner.invoke(cli, ["demo", "--out", str(day), "--json"]).exit_code == 0
    written = [p for p in day.rglob("*") if p.is_file() and p.suffix != ".sqlite"]
    assert written
    modes = {oct(stat.S_IMODE(p.stat().st_mode)) for p in written}
    assert modes == {"0o600"}, modes
    monkeypatch.setenv("MEDBILL_FILE_MODE", "umask")
    other = tmp_path / "other"
    assert runner.invoke(cli, ["demo", "--out", str(other), "--json"]).exit_code == 0
    claims = next((other / "claims").glob("*.json"))
    assert oct(stat.S_IMODE(claims.stat().st_mode)) == "0o644"


def test_a_new_ledger_file_is_owner_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import stat

    from medbill.ledger import Ledger

    monkeypatch.setattr(os, "umask", os.umask)
    os.umask(0o022)
    with Ledger.open(tmp_path / "ledger.sqlite"):
        pass
    assert oct(stat.S_IMODE((tmp_path / "ledger.sqlite").stat().st_mode)) == "0o600"
