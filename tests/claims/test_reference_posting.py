"""Every real 835 in the shared reference folder, posted the way a billing office would.

The other posting tests work out their numbers by hand on files we wrote. These take the
files other parsers ship (TR3 examples, payers' de-identified files, fixtures) and post
each one, with the claims the practice billed built from the 835 itself: a claim per
CLP01, a line per SVC, one coverage at the level CLP02 names. On every file the books
must be right by the rules that do not depend on who wrote it:

- X12 005010X221A1 section 1.10.2.1 (balancing): a transaction set that does not balance
  is refused, with nothing posted, and one that balances is never refused for balance;
- cash equals the checks: the cash posted is the sum of the BPR02 amounts (BPR03 ``C``
  a credit to the payee, ``D`` a debit);
- nothing is dropped: every CLP loop is in the plan once, in file order, and each is
  posted or named as an exception;
- a primary claim posted without an exception leaves the patient owing exactly CLP05, the
  patient responsibility amount (TR3 loop 2100 CLP05; each patient here has one coverage,
  so nothing moves on to a next payer);
- posting the file again changes nothing, and the SQLite (and, with a server, the
  PostgreSQL) store ends with the same balance in every account as the memory store.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pendulum

from medbill import (
    Claim,
    Coverage,
    MedbillError,
    Period,
    Remittance,
    UnbalancedRemittanceError,
)
from medbill.claims import plan_remittances, post_remittances
from medbill.ledger import Ledger
from medbill.testing import make_claim, make_claim_line, make_coverage, make_patient, make_payer
from medbill.x12 import read_835

AT = pendulum.datetime(2026, 1, 2, 9)
# Before every date these samples carry, so no payment predates the charge it settles.
BILLED_ON = pendulum.date(2000, 1, 3)
LEVELS = {"1": "primary", "19": "primary", "2": "secondary", "20": "secondary"}
LEVELS |= {"3": "tertiary", "21": "tertiary"}

# Reference files that balance and post (the others are refused as unbalanced, or are not
# 835s medbill can read); a file on this list that stops posting is a regression.
_LFH = "linuxforhealth-x12/src/tests/resources/835_005010X221A1/"
POSTS = {
    "edi-835-parser-affect-fork/tests/test_edi_835_files/sample_835.txt",
    "linuxforhealth-x12/demo-file/demo.835",
    _LFH + "cob-contractural-adjustment.835",
    _LFH + "managed-care.835",
    _LFH + "medicare-part-a.835",
    _LFH + "secondary-payment.835",
    "pyx12/tests/835_mult_loops.txt",
}
# ... and files refused whole because a set does not balance (TR3 1.10.2.1); for example
# tigershark's BPR02 is 216.19 off the sum of its CLP04s less its PLBs.
REFUSED = {
    "tigershark/tests/835-example.txt",
    "tigershark/tests/835-example-2.txt",
    "edi-835-parser-affect-fork/tests/test_edi_835_files/sample_835_with_interests.txt",
    "pyx12/test_x12testdata/835id.x12.txt",
}


def _read(path: Path) -> list[Remittance] | None:
    """The file read leniently (these public samples depart from the envelope rules), or
    ``None`` when it is not an 835 medbill can read at all."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return read_835(path, strict=False)
        except MedbillError:
            return None


def _billed(remittances: list[Remittance]) -> tuple[list[Claim], list[Coverage]]:
    """What the practice billed, built from the 835: a claim per CLP01 (the first loop
    that names it gives its lines), billed to the payer at the level CLP02 names."""
    claims: dict[str, Claim] = {}
    coverages: list[Coverage] = []
    for remittance in remittances:
        payer_id = remittance.payer_id or remittance.payer_name or "PAYER"
        payer = make_payer(id=payer_id, name=remittance.payer_name or "PAYER",
                           x12_payer_id=payer_id)  # fmt: skip
        for payment in remittance.claim_payments:
            claim_id = str(payment.claim_id)
            if claim_id in claims:
                continue
            patient = f"P-{claim_id}"
            coverage = make_coverage(id=f"cov-{patient}", patient_id=patient, payer=payer,
                                     priority=LEVELS.get(payment.status.value, "primary"),
                                     effective=Period(BILLED_ON))  # fmt: skip
            coverages.append(coverage)
            lines = [
                make_claim_line(line_id=str(n), procedure=line.procedure or "99213",
                                modifiers=line.modifiers, charge=abs(line.charge),
                                service_date=line.service_date or BILLED_ON)
                for n, line in enumerate(payment.lines, start=1)
            ]  # fmt: skip
            if not lines:  # a claim-level payment (an institutional claim, Part A)
                lines = [make_claim_line(line_id="1", procedure="99213",
                                         charge=abs(payment.charge), service_date=BILLED_ON)]  # fmt: skip
            claims[claim_id] = make_claim(id=claim_id, patient=make_patient(id=patient),
                                          coverage=coverage, lines=lines)  # fmt: skip
    return list(claims.values()), coverages


def _state(ledger: Ledger) -> tuple[int, dict[str, Decimal]]:
    return len(ledger), {str(a): ledger.balance(a) for a in ledger.accounts()}


def _checks(remittances: list[Remittance]) -> Decimal:
    """The money the payer sent: BPR02, a credit (BPR03 C) or a debit (D) to the payee."""
    return sum(
        (r.payment_amount if r.credit else -r.payment_amount for r in remittances),
        Decimal("0.00"),
    )


def _post(ledger: Ledger, remittances: list[Remittance]) -> list[str]:
    """Post one file into ``ledger``; the problems found, each naming its rule."""
    claims, coverages = _billed(remittances)
    before = _state(ledger)
    unbalanced = [i for r in remittances for i in r.imbalances()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            plan = plan_remittances(ledger, remittances, claims, coverages=coverages,
                                    charges=claims)  # fmt: skip
        except UnbalancedRemittanceError:
            if not unbalanced:
                return ["a balanced file was refused as unbalanced"]
            if _state(ledger) != before:
                return ["a refused file changed the ledger"]
            return ["refused"]
    problems = []
    if unbalanced:
        problems.append(f"an unbalanced file was planned: {unbalanced[:2]}")
    if _state(ledger) != before:
        problems.append("planning posted something")
    for remittance, set_plan in zip(remittances, plan.plans, strict=True):
        positions = [claim_plan.position for claim_plan in set_plan.claims]
        if positions != list(range(1, len(remittance.claim_payments) + 1)):
            problems.append(f"CLP loops {positions} planned of {len(remittance.claim_payments)}")
    plan.post(ledger)
    ledger.check_invariants()
    if (cash := ledger.total("cash")) != _checks(remittances):
        problems.append(f"cash {cash} != checks {_checks(remittances)}")
    for set_plan in plan.plans:
        for claim_plan in set_plan.claims:
            payment = claim_plan.claim_payment
            if not (claim_plan.entries or claim_plan.exceptions or claim_plan.already_posted):
                problems.append(f"CLP loop {claim_plan.position} neither posted nor excepted")
            if payment.status.value in ("1", "19") and not claim_plan.exceptions:
                owed = ledger.total("patient_receivable", claim=str(payment.claim_id))
                if owed != payment.patient_responsibility:
                    problems.append(
                        f"claim {payment.claim_id}: patient owes {owed}, "
                        f"CLP05 {payment.patient_responsibility}"
                    )
    posted = _state(ledger)
    again = post_remittances(ledger, remittances, claims, coverages=coverages)
    if not all(result.already_posted for result in again) or _state(ledger) != posted:
        problems.append("posting the file again changed the ledger")
    return problems


def _sweep(reference_835s: list[Path], reference_dir: Path,
           open_ledger: Callable[[int], Ledger]) -> dict[str, tuple[list[str], dict[str, Decimal]]]:  # fmt: skip
    found = {}
    for n, path in enumerate(reference_835s):
        remittances = _read(path)
        if not remittances:
            continue
        ledger = open_ledger(n)
        try:
            problems = _post(ledger, remittances)
            found[path.relative_to(reference_dir).as_posix()] = (problems, _state(ledger)[1])
        finally:
            ledger.close()
    return found


def test_every_reference_835_posts_with_the_books_right(
    reference_835s: list[Path], reference_dir: Path, tmp_path: Path
) -> None:
    memory = _sweep(reference_835s, reference_dir, lambda n: Ledger.in_memory(clock=lambda: AT))
    wrong = {name: p for name, (p, _) in memory.items() if p and p != ["refused"]}
    assert wrong == {}
    posted = {name for name, (p, _) in memory.items() if not p}
    refused = {name for name, (p, _) in memory.items() if p == ["refused"]}
    present = {name for name in POSTS | REFUSED if (reference_dir / name).is_file()}
    assert POSTS & present <= posted, sorted((POSTS & present) - posted)
    assert REFUSED & present <= refused, sorted((REFUSED & present) - refused)
    # the same books on the embedded SQLite store
    sqlite = _sweep(reference_835s, reference_dir,
                    lambda n: Ledger.open(tmp_path / f"{n}.sqlite", clock=lambda: AT))  # fmt: skip
    assert sqlite == memory


def test_every_reference_835_posts_the_same_on_postgresql(
    reference_835s: list[Path], reference_dir: Path, postgres_databases: Callable[[], str]
) -> None:
    memory = _sweep(reference_835s, reference_dir, lambda n: Ledger.in_memory(clock=lambda: AT))
    fresh = _sweep(reference_835s, reference_dir,
                   lambda n: Ledger.open(postgres_databases(), clock=lambda: AT))  # fmt: skip
    assert fresh == memory
