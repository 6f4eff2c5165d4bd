"""The contractual-discount check over remittances, shared by ``era check`` and the demo."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from medbill import Claim, Remittance
from medbill.claims import PaymentCheck, Tolerance, check_payment, match_remittance
from medbill.cli._output import money, progress, table
from medbill.fees import Contract

__all__ = ["check_remittances", "line_rows", "show_checks"]


def check_remittances(
    remittances: Sequence[Remittance],
    claims: dict[str, Claim],
    contract: Contract,
    tolerance: Tolerance,
) -> tuple[list[PaymentCheck], list[str]]:
    """Check every matched, non-reversal claim payment; say what was not checked."""
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
            checks.append(check_payment(match.claim, match.payment, contract, tolerance=tolerance))
    return checks, skipped


def line_rows(checks: list[PaymentCheck]) -> list[dict[str, Any]]:
    """One JSON-ready row per checked line."""
    return [
        {
            "claim": check.claim_id, "line": line.line_id, "code": line.procedure,
            "billed": line.billed, "expected_allowed": line.expected_allowed,
            "payer_allowed": line.payer_allowed, "paid": line.paid,
            "patient_responsibility": line.patient_responsibility,
            "variance": line.variance, "variance_percent": line.variance_percent,
            "verdict": line.verdict.value, "term": line.term, "reason": line.reason,
        }
        for check in checks
        for line in check.lines
    ]  # fmt: skip


def show_checks(rows: list[dict[str, Any]], contract: str) -> None:
    """The line-by-line payment check as a table."""
    table(
        f"Payments checked against {contract}",
        ("claim", "line", "code", "expected", "payer allowed", "paid", "variance", "verdict"),
        [
            (
                r["claim"],
                r["line"],
                r["code"],
                money(r["expected_allowed"]),
                money(r["payer_allowed"]),
                money(r["paid"]),
                money(r["variance"]),
                r["verdict"],
            )
            for r in rows
        ],
        numeric=("expected", "payer allowed", "paid", "variance"),
    )
