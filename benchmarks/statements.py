"""Statement benchmark: a statement cycle over N patients (build + render HTML/text/PDF).

Run: ``.venv/bin/python benchmarks/statements.py`` (``--quick`` for a smaller run).

Each patient has one claim of two lines, paid by Acme with a patient share (the example
remittance). Measured in the same run: ``statements_due`` over everyone, ``build_statement``
per guarantor, and each renderer; next to a naive baseline that only sums each patient's
receivable postings from ``ledger.entries(patient=...)`` (what a statement at least has to
read) and Python's ``str.format`` of a one-line summary per patient.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import attrs
import pendulum

from medbill import ClaimId, Guarantor, Practice
from medbill._common import Address
from medbill.ledger import (
    Ledger,
    StatementPolicy,
    build_statement,
    post_charges,
    post_claim_payment,
    statements_due,
)
from medbill.ledger._examples import example_claim, example_remittance

AS_OF = pendulum.date(2025, 4, 15)


def timed(label: str, count: int, work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    seconds = time.perf_counter() - start
    print(f"{label:<44}{seconds * 1000:>10.1f} ms  {count / seconds:>10.0f} /s")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    patients = 200 if parser.parse_args().quick else 2000
    ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 4, 1, 18))
    era = example_remittance()
    claims = []
    for n in range(patients):
        claim = example_claim(claim_id=f"C-{n}", patient_id=f"P-{n}")
        payment = attrs.evolve(era.claim_payments[0], claim_id=ClaimId(f"C-{n}"))
        post_charges(ledger, claim)
        post_claim_payment(ledger, claim, payment, remittance=era, key=f"pay-{n}")
        claims.append(claim)
    practice = Practice(
        name="Clinic", phone="217-555-0100", npi="1234567893", tax_id="123456789",
        address=Address(line1="1 Main St", city="Springfield", state="IL", postal_code="62701"),
    )  # fmt: skip
    print(f"{patients} patients, one claim each, as of {AS_OF}")

    def naive() -> None:
        for claim in claims:
            owed = sum(
                p.amount
                for e in ledger.entries(patient=str(claim.patient.id))
                for p in e.postings
                if p.account.code == "patient_receivable"
            )
            f"{claim.patient.id}: {owed}"

    timed("baseline: sum each patient's postings", patients, naive)
    run = None

    def due() -> None:
        nonlocal run
        run = statements_due(ledger, AS_OF, StatementPolicy(), patients=[c.patient for c in claims])

    timed("statements_due", patients, due)
    built = []

    def build() -> None:
        for claim in claims:
            built.append(build_statement(
                ledger, guarantor=Guarantor.of_patient(claim.patient), patients=[claim.patient],
                claims=[claim], practice=practice, as_of=AS_OF, remittances=[era],
            ))  # fmt: skip

    timed("build_statement", patients, build)
    timed("render_html", patients, lambda: [s.render_html() for s in built])
    timed("render_text", patients, lambda: [s.render_text() for s in built])
    few = built[: max(patients // 10, 1)]
    timed("render_pdf (fpdf2)", len(few), lambda: [s.render_pdf() for s in few])


if __name__ == "__main__":
    main()
