"""``medbill statements``: the statement cycle's batch, rendered to a folder."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pendulum

from medbill._errors import ValidationError
from medbill._files import file_mode, write_private
from medbill._parties import Practice
from medbill._payment import Remittance
from medbill.cli._commands._inputs import (
    load_claims,
    open_ledger,
    parse_amount,
    parse_date,
    today,
)
from medbill.cli._commands.reports import _DB
from medbill.cli._output import emit_json, money, table
from medbill.ledger import StatementPolicy, build_statement, statements_due
from medbill.serialize import from_json
from medbill.x12 import read_835

__all__ = ["statements_command"]


def _read_sent(path: Path | None) -> dict[str, pendulum.Date]:
    if path is None or not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValidationError("--sent", str(path), "must hold a JSON object of dates")
    return {str(k): parse_date(str(v), "--sent") for k, v in data.items()}


@click.command("statements", short_help="Render the statements due today (HTML, text, JSON, PDF).")
@_DB
@click.option(
    "--claims",
    "claim_paths",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path, exists=True),
    help="Claim JSON files or folders (their patients are the accounts).",
)
@click.option(
    "--practice",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="The practice (header, remit-to) as JSON.",
)
@click.option(
    "--era",
    "era_paths",
    multiple=True,
    type=click.Path(path_type=Path, exists=True),
    help="835 files: the patient's share split into copay, deductible, coinsurance.",
)
@click.option("--as-of", "as_of", help="Statement date, YYYY-MM-DD (default: today).")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="The folder to write the statements to.",
)
@click.option("--pdf", is_flag=True, help="Also write PDF (needs medbill[pdf]).")
@click.option(
    "--sent",
    type=click.Path(path_type=Path, dir_okay=False),
    help="JSON of guarantor id to last statement date; updated after the run so "
    "no guarantor gets two statements in one cycle.",
)
@click.option("--cycle-days", default=30, show_default=True, help="Days between statements.")
@click.option("--minimum", default="5.00", show_default=True, help="Minimum balance to send.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def statements_command(
    db: Path, claim_paths: tuple[Path, ...], practice: Path, era_paths: tuple[Path, ...],
    as_of: str | None, out: Path, pdf: bool, sent: Path | None, cycle_days: int,
    minimum: str, as_json: bool,
) -> None:  # fmt: skip
    """Who gets a statement on the --as-of day (one per guarantor per cycle, with its
    dunning level), each rendered to OUT as HTML, text and JSON (and PDF with --pdf); the
    accounts at the last dunning level go to OUT/collections.json."""
    day = today() if as_of is None else parse_date(as_of, "--as-of")
    policy = StatementPolicy(
        cycle_days=cycle_days, minimum_balance=parse_amount(minimum, "--minimum")
    )
    office = from_json(Practice, practice.read_text(encoding="utf-8"))
    claims = list(load_claims(list(claim_paths)).values())
    eras: list[Remittance] = []
    for path in era_paths:
        files = sorted(path.glob("*.x12")) + sorted(path.glob("*.835")) if path.is_dir() else [path]
        for file in files:
            eras.extend(read_835(file))
    patients = list({str(c.patient.id): c.patient for c in claims}.values())
    last_sent = _read_sent(sent)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    with open_ledger(db) as ledger:
        run = statements_due(ledger, day, policy, patients=patients, last_sent=last_sent)
        for item in run.due:
            ids = {str(p.id) for p in item.patients}
            found = build_statement(
                ledger, guarantor=item.guarantor, patients=list(item.patients),
                claims=[c for c in claims if str(c.patient.id) in ids], practice=office,
                as_of=day, last_statement=last_sent.get(item.guarantor.id), remittances=eras,
                policy=policy,
            )  # fmt: skip
            stem = out / f"statement-{item.guarantor.id}"
            write_private(stem.with_suffix(".html"), found.render_html(), mode=file_mode())
            write_private(stem.with_suffix(".txt"), found.render_text(), mode=file_mode())
            write_private(
                stem.with_suffix(".json"), json.dumps(found.to_dict(), indent=2), mode=file_mode()
            )
            if pdf:
                write_private(stem.with_suffix(".pdf"), found.render_pdf(), mode=file_mode())
            rows.append((item.guarantor.id, str(found.dunning_level), money(found.amount_due),
                         str(found.due_date), "yes" if found.collections else ""))  # fmt: skip
    worklist = [
        {"guarantor": d.guarantor.id, "balance": f"{d.balance:.2f}", "level": d.level.number}
        for d in run.collections_worklist
    ]
    write_private(out / "collections.json", json.dumps(worklist, indent=2), mode=file_mode())
    if sent is not None:
        updated = {**{k: str(v) for k, v in last_sent.items()},
                   **{d.guarantor.id: str(day) for d in run.due}}  # fmt: skip
        write_private(sent, json.dumps(updated, indent=2, sort_keys=True), mode=file_mode())
    if as_json:
        emit_json({
            "as_of": day, "statements": [dict(zip(("guarantor", "level", "amount_due", "due_date",
                                                  "collections"), r, strict=True)) for r in rows],
            "small_balances": [d.guarantor.id for d in run.small_balances],
            "skipped": [{"guarantor": g, "reason": why} for g, why in run.skipped],
        })  # fmt: skip
        return
    table(
        f"Statements as of {day}",
        ("guarantor", "level", "amount due", "due date", "collections"),
        rows,
        numeric=("amount due",),
    )
