"""``medbill worklist``: the A/R follow-up worklist of a ledger (and the claims' workflows)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from medbill import Claim, Remittance
from medbill._errors import ValidationError
from medbill.claims import ClaimWorkflow, Tolerance, WorkReason, worklist
from medbill.claims._check import PaymentCheck
from medbill.cli._commands._checks import (
    check_remittances,
    contract_files,
    parse_tolerance,
    pricing_options,
)
from medbill.cli._commands._inputs import (
    load_contract,
    load_medicare,
    open_ledger,
    parse_date,
    today,
)
from medbill.cli._output import emit_json, make_console, money, table
from medbill.fees import FeeSchedule
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


def _checks(
    remittances: list[Remittance],
    flows: list[ClaimWorkflow],
    contract_paths: tuple[Path, ...],
    schedules: tuple[Path, ...],
    cms: tuple[Path | None, Path | None],
    tolerance: Tolerance,
) -> tuple[list[PaymentCheck], list[str]]:
    """Every paid claim of the 835s checked against its payer's contract (as ``era check``)."""
    if not contract_paths:
        return [], []
    if not remittances:
        raise click.UsageError("--contract needs --era: the 835 files whose payments to check")
    if not flows:
        raise click.UsageError("--contract needs --claims: the claims the 835 files pay")
    flat = [FeeSchedule.from_csv(path) for path in schedules]
    medicare = load_medicare(*cms)
    contracts = [load_contract(path, medicare, flat) for path in contract_files(contract_paths)]
    # Only a claim's last adjudication counts: in payment-date order, a reversal takes
    # back the check of the payment it reverses and a later payment replaces it.
    # A claim is its payer's: the primary and the secondary claim share the claim id.
    latest: dict[tuple[str, str], PaymentCheck] = {}
    skipped: list[str] = []
    for remittance in sorted(remittances, key=lambda r: r.paid_on):
        claims = _claims_paid_by(remittance, flows)
        for payment in remittance.claim_payments:
            claim = claims.get(str(payment.claim_id))
            if payment.status.is_reversal and claim is not None and claim.coverage is not None:
                latest.pop((str(claim.coverage.payer.id), str(claim.id)), None)
        checks, notes = check_remittances([remittance], claims, contracts, tolerance)
        skipped += notes
        latest.update({(check.payer_id, check.claim_id): check for check in checks})
    return list(latest.values()), skipped


def _claims_paid_by(remittance: Remittance, flows: list[ClaimWorkflow]) -> dict[str, Claim]:
    """The claims billed to the remittance's payer (by its 835 payer id, else its name);
    a primary and a secondary claim share the claim id, the payer tells them apart."""

    def billed_to_payer(claim: Claim) -> bool:
        payer = None if claim.coverage is None else claim.coverage.payer
        if payer is None:
            return False
        if remittance.payer_id and payer.x12_payer_id:
            return payer.x12_payer_id == remittance.payer_id
        return payer.name.casefold() == remittance.payer_name.casefold()

    claims = [flow.claim for flow in flows]
    return {str(claim.id): claim for claim in claims if billed_to_payer(claim)}


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
@click.option(
    "--contract",
    "--contracts",
    "contract_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A payer's contract TOML, or a folder of them: each paid claim of the --era files "
    "is checked against its payer's, and what was paid below it is listed (repeatable).",
)
@pricing_options("Underpayment")
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
    contract_paths: tuple[Path, ...],
    schedules: tuple[Path, ...],
    rvu: Path | None,
    gpci: Path | None,
    tolerance: str,
    tolerance_rate: str | None,
    as_of: str | None,
    sort: str,
    payer: str | None,
    reason: str | None,
    as_json: bool,
) -> None:
    """What needs a person: unanswered, rejected, denied, pended and underpaid claims,
    secondaries not billed, patient balances past due and unapplied payer money, each
    with the amount, age, next action and deadline. With --contract, the paid claims of
    the --era files are checked against their payers' contracts (as ``era check`` does):
    a claim paid below its contract, in payment terms, is an underpaid item."""
    day = today() if as_of is None else parse_date(as_of, "--as-of")
    forgiven = parse_tolerance(tolerance, tolerance_rate)
    flows = [] if claims_file is None else load_workflows(claims_file)
    remittances = [era for path in eras for era in read_835(path, strict=False)]
    payments = [
        payment
        for era in remittances
        for payment in era.claim_payments
        if not payment.status.is_reversal
    ]
    checks, skipped = _checks(remittances, flows, contract_paths, schedules, (rvu, gpci), forgiven)
    with open_ledger(db) as ledger:
        found = worklist(ledger, flows, day, payments=payments, checks=checks)
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
                "not_checked": skipped,
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
    console = make_console()
    for note in skipped:
        console.print(f"not checked against a contract: {note}", markup=False)
