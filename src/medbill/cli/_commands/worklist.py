"""``medbill worklist``: the A/R follow-up worklist of a ledger (and the claims' workflows)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from medbill._errors import ValidationError
from medbill.claims import ClaimWorkflow, WorkReason, worklist
from medbill.cli._commands._inputs import open_ledger, parse_date, today
from medbill.cli._output import emit_json, money, table
from medbill.serialize import from_dict
from medbill.x12 import read_835

__all__ = ["load_workflows", "worklist_command"]


def load_workflows(path: Path) -> list[ClaimWorkflow]:
    """The claims' workflows of a JSON file: a list of ``medbill.serialize`` documents."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValidationError("--claims", str(path), f"is not JSON: {error.msg}") from None
    if not isinstance(data, list):
        raise ValidationError("--claims", str(path), "must hold a JSON list of claim workflows")
    return [from_dict(ClaimWorkflow, item) for item in data]


@click.command("worklist", short_help="Claims and balances to follow up, with deadlines.")
@click.option(
    "--db",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The SQLite ledger.",
)
@click.option(
    "--claims",
    "claims_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="JSON list of the claims' workflows (medbill.serialize.to_dict of each).",
)
@click.option(
    "--era",
    "eras",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="835 files whose adjudications explain the denials (repeatable).",
)
@click.option("--as-of", "as_of", help="YYYY-MM-DD (default: today).")
@click.option(
    "--sort",
    type=click.Choice(["deadline", "amount", "age"]),
    default="deadline",
    show_default=True,
    help="Order of the items.",
)
@click.option("--payer", help="Only this payer's items (payer id).")
@click.option(
    "--reason", type=click.Choice([r.value for r in WorkReason]), help="Only items of this reason."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def worklist_command(
    db: Path,
    claims_file: Path | None,
    eras: tuple[Path, ...],
    as_of: str | None,
    sort: str,
    payer: str | None,
    reason: str | None,
    as_json: bool,
) -> None:
    """What needs a person: unanswered, rejected, denied, pended and underpaid claims,
    secondaries not billed, patient balances past due and unapplied payer money, each
    with the amount, age, next action and deadline."""
    day = today() if as_of is None else parse_date(as_of, "--as-of")
    flows = [] if claims_file is None else load_workflows(claims_file)
    payments = [
        payment
        for path in eras
        for era in read_835(path, strict=False)
        for payment in era.claim_payments
        if not payment.status.is_reversal
    ]
    with open_ledger(db) as ledger:
        found = worklist(ledger, flows, day, payments=payments)
    items = found.filter(payer=payer, reason=reason).sorted_by(sort)
    if as_json:
        emit_json(
            {
                "as_of": day,
                "items": [
                    {"reason": i.reason.value, "claim": i.claim_id, "patient": i.patient_id,
                     "payer": i.payer_id, "provider": i.provider, "amount": i.amount,
                     "age": i.age, "next_action": i.next_action, "deadline": i.deadline,
                     "detail": i.detail}
                    for i in items
                ],
            }
        )  # fmt: skip
        return
    table(
        f"Worklist as of {day} ({len(items)} items)",
        ("reason", "claim", "payer", "amount", "age", "next action", "deadline"),
        [
            (
                i.reason.value,
                i.claim_id or i.patient_id or "-",
                i.payer_id or "-",
                money(i.amount),
                str(i.age),
                i.next_action,
                str(i.deadline or "-"),
            )
            for i in items
        ],
        numeric=("amount", "age"),
        nowrap=("reason", "claim", "deadline"),
    )
