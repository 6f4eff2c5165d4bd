"""The contractual-discount check over remittances, shared by ``era check`` and the demo."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from medbill import Claim, ClaimPayment, Remittance
from medbill.claims import Tolerance, Verdict, check_payment, match_remittance
from medbill.claims._check import PaymentCheck
from medbill.cli._commands._inputs import parse_amount, parse_fraction
from medbill.cli._output import money, progress, table
from medbill.fees import Contract

__all__ = [
    "check_remittances",
    "contract_files",
    "contract_for",
    "line_rows",
    "parse_tolerance",
    "pricing_options",
    "prior_payments",
    "show_checks",
    "show_denials",
]


_Command = TypeVar("_Command", bound=Callable[..., Any])


def pricing_options(forgiven: str) -> Callable[[_Command], _Command]:
    """The options a contract check needs beside the contracts, shared by ``era check`` and
    ``worklist``: ``--schedule``, ``--rvu``/``--gpci`` and ``--tolerance``/``--tolerance-rate``
    (``forgiven`` says what a tolerance forgives: a variance, an underpayment)."""

    def add(command: _Command) -> _Command:
        for option in reversed(
            (
                click.option(
                    "--schedule",
                    "schedules",
                    multiple=True,
                    type=click.Path(path_type=Path, dir_okay=False),
                    help="A flat fee schedule CSV a contract names (by the file's stem).",
                ),
                click.option(
                    "--rvu",
                    type=click.Path(path_type=Path, dir_okay=False),
                    help="CMS PPRRVU file.",
                ),
                click.option(
                    "--gpci", type=click.Path(path_type=Path, dir_okay=False), help="CMS GPCI file."
                ),
                click.option(
                    "--tolerance",
                    default="0.00",
                    show_default=True,
                    help=f"{forgiven} forgiven, in dollars.",
                ),
                click.option(
                    "--tolerance-rate",
                    default=None,
                    help=f"{forgiven} forgiven as a fraction of the expected amount (0.02 is 2%).",
                ),
            )
        ):
            command = option(command)
        return command

    return add


def parse_tolerance(tolerance: str, tolerance_rate: str | None) -> Tolerance:
    """The :class:`Tolerance` of ``--tolerance`` (dollars, never negative) and
    ``--tolerance-rate`` (a fraction from 0 to 1)."""
    return Tolerance(
        amount=parse_amount(tolerance, "--tolerance", signed=False),
        rate=None if tolerance_rate is None else parse_fraction(tolerance_rate, "--tolerance-rate"),
    )


def contract_files(paths: Sequence[Path], option: str = "--contract") -> list[Path]:
    """The contract TOML files named: each path is a file, or a folder of ``*.toml``."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.glob("*.toml")))
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(2, "No such file or folder", str(path))
    if not found:
        raise click.UsageError(f"{option} names no contract file (*.toml)")
    return found


def contract_for(claim: Claim, contracts: Sequence[Contract]) -> Contract | None:
    """The contract of the claim's payer (and plan) in force on its first date of service."""
    coverage = claim.coverage
    if coverage is None or not claim.lines:
        return None
    day = min(line.service_date for line in claim.lines)
    return next((c for c in contracts if c.applies_to(coverage, day)), None)


def check_remittances(
    remittances: Sequence[Remittance],
    claims: dict[str, Claim],
    contracts: Sequence[Contract],
    tolerance: Tolerance,
    prior: Mapping[str, Sequence[tuple[str, ClaimPayment]]] | None = None,
) -> tuple[list[PaymentCheck], list[str]]:
    """Check every matched, non-reversal claim payment against its payer's contract; say
    what was not checked (a payer without a contract among ``contracts``).

    ``prior`` holds the earlier payers' claim payments by claim id, each with the payer
    of its remittance (see :func:`prior_payments`): a secondary's payment is checked
    with the primary's payment taken off what it owes. A secondary's own OA-23 (the
    impact of the prior payer) is the payer's claim, not evidence: without the primary's
    835 such a claim is checked as if nothing had been paid before, and a note says so."""
    checks: list[PaymentCheck] = []
    skipped: list[str] = []
    for remittance in remittances:
        matched = match_remittance(remittance, list(claims.values()))
        for exception in matched.exceptions:
            skipped.append(f"{exception.claim_payment.claim_id}: {exception.message}")
        for match in progress(list(matched.matched), "Checking payments"):
            if match.payment.status.is_reversal:
                skipped.append(f"{match.claim.id}: a reversal is not checked")
                continue
            contract = contract_for(match.claim, contracts)
            if contract is None:
                coverage = match.claim.coverage
                payer = "self-pay" if coverage is None else coverage.payer.id
                skipped.append(
                    f"{match.claim.id}: no contract of payer {payer!r} is in force "
                    f"(contracts: {', '.join(sorted(c.name for c in contracts))})"
                )
                continue
            payer = _payer_of(remittance)
            earlier = [
                payment
                for source, payment in (prior or {}).get(str(match.claim.id), ())
                if source != payer
            ]
            if not earlier and _cites_prior_payer(match.payment):
                skipped.append(
                    f"{match.claim.id}: the payment cites a prior payer (OA-23) but no "
                    "prior payer's 835 was given (--prior): the primary's payment is not "
                    "taken into account"
                )
            checks.append(
                check_payment(
                    match.claim, match.payment, contract, tolerance=tolerance,
                    prior_payments=earlier,
                )
            )  # fmt: skip
    return checks, skipped


def _payer_of(remittance: Remittance) -> str:
    return remittance.payer_id or remittance.payer_name


def _cites_prior_payer(payment: ClaimPayment) -> bool:
    """Whether a claim payment carries CARC 23 (the impact of prior payers' adjudication)."""
    adjustments = [*payment.adjustments, *(a for line in payment.lines for a in line.adjustments)]
    return any(str(a.reason) == "23" for a in adjustments)


def prior_payments(
    remittances: Sequence[Remittance],
) -> dict[str, list[tuple[str, ClaimPayment]]]:
    """The claim payments of earlier payers' remittances by claim id (reversals and
    corrections included: they net out line by line), each with its remittance's payer."""
    found: dict[str, list[tuple[str, ClaimPayment]]] = {}
    for remittance in remittances:
        payer = _payer_of(remittance)
        for payment in remittance.claim_payments:
            found.setdefault(str(payment.claim_id), []).append((payer, payment))
    return found


def line_rows(checks: list[PaymentCheck]) -> list[dict[str, Any]]:
    """One JSON-ready row per checked line."""
    rows = []
    for check in checks:
        for line in check.lines:
            expected_share = line.expected_patient_share
            rows.append(
                {
                    "claim": check.claim_id, "line": line.line_id, "payer": check.payer_id,
                    "contract": check.contract, "code": line.procedure, "billed": line.billed,
                    "expected_allowed": line.expected_allowed,
                    "payer_allowed": line.payer_allowed,
                    "allowed_variance": line.allowed_variance,
                    "expected_patient_share": (
                        None if expected_share is None else expected_share.total
                    ),
                    "patient_share": line.payer_patient_share.total,
                    "patient_share_variance": line.patient_share_variance,
                    "prior_paid": line.prior_paid,
                    "expected_paid": line.expected_paid, "paid": line.paid,
                    "payment_variance": line.payment_variance,
                    "underpayment": line.underpayment, "overpayment": line.overpayment,
                    "verdict": line.verdict.value, "term": line.term, "reason": line.reason,
                    "denial": line.outcome,
                    "next_action": None if line.denial is None else line.denial.action.value,
                }
            )  # fmt: skip
    return rows


def show_checks(rows: list[dict[str, Any]], title: str) -> None:
    """The line-by-line payment check (denied lines apart) as a table, in payment terms."""
    table(
        f"Payments checked against {title}",
        ("claim", "line", "code", "expected allowed", "payer allowed", "expected paid", "paid",
         "variance", "verdict"),
        [
            (
                r["claim"], r["line"], r["code"], money(r["expected_allowed"]),
                money(r["payer_allowed"]), money(r["expected_paid"]), money(r["paid"]),
                money(r["payment_variance"]), r["verdict"],
            )
            for r in rows
            if r["verdict"] != Verdict.DENIED.value
        ],
        numeric=("expected allowed", "payer allowed", "expected paid", "paid", "variance"),
    )  # fmt: skip


def show_denials(rows: list[dict[str, Any]]) -> None:
    """The denied lines with their classification and next action, when there are any."""
    denied = [r for r in rows if r["verdict"] == Verdict.DENIED.value]
    if denied:
        table(
            "Denials (worked apart from the contract variance)",
            ("claim", "line", "code", "billed", "denial", "next action"),
            [
                (r["claim"], r["line"], r["code"], money(r["billed"]), r["denial"],
                 r["next_action"])
                for r in denied
            ],
            numeric=("billed",),
        )  # fmt: skip
