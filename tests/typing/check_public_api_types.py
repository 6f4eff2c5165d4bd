"""A typing test: the public API used as users type it, checked by ``mypy --strict``.

``make test`` runs mypy over ``tests/``, so this file is checked with the rest; nothing here
runs (the functions are never called, so the lines meant to fail at run time too are safe).
Each line marked ``# type: ignore[code]`` must fail type checking: under ``--strict``
``warn_unused_ignores`` is on, so if a signature is loosened (a float accepted as money, a
bare string as ``modifiers``, one id type for another) the ignore becomes unused and mypy
fails. Keep it to the public names (``medbill``, ``medbill.<package>``), as users import them.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import attrs
import pendulum

from medbill import (
    Claim,
    ClaimId,
    ClaimLine,
    ClaimPayment,
    PatientId,
    PayerId,
    Period,
    Priority,
    ValidationError,
    round_cents,
)
from medbill.claims import Finding, ScrubContext, scrub
from medbill.fees import FeeEntry, FeeSchedule, MedicareFeeSchedule, PricedLine
from medbill.testing import DEMO_LOCALITY, adjudicate, make_claim, make_claim_payment

DAY = pendulum.date(2025, 3, 4)


def money_is_decimal_int_or_str_never_float() -> None:
    ClaimLine(
        line_id="1",
        procedure="99213",
        charge=Decimal("150.00"),
        service_date=DAY,
        diagnosis_pointers=(1,),
    )
    ClaimLine(
        line_id="1", procedure="99213", charge="150.00", service_date=DAY, diagnosis_pointers=(1,)
    )
    ClaimLine(line_id="1", procedure="99213", charge=150, service_date=DAY, diagnosis_pointers=(1,))
    ClaimLine(line_id="1", procedure="99213", charge=150.0, service_date=DAY, diagnosis_pointers=(1,))  # type: ignore[arg-type]  # fmt: skip
    rounded: Decimal = round_cents(Decimal("80.005"))
    round_cents(80.005)  # type: ignore[arg-type]
    del rounded


def modifiers_are_a_sequence_never_one_string(line: ClaimLine) -> None:
    mods: list[str] = ["26"]
    attrs.evolve(line, modifiers=mods)
    ClaimLine(line_id="1", procedure="71046", charge="95.00", service_date=DAY,
              diagnosis_pointers=(1,), modifiers=("26",))  # fmt: skip
    ClaimLine(line_id="1", procedure="71046", charge="95.00", service_date=DAY,
              diagnosis_pointers=(1,), modifiers="26")  # type: ignore[arg-type]  # fmt: skip


def dates_are_stdlib_or_pendulum_dates(claim: Claim, schedule: MedicareFeeSchedule) -> None:
    found: list[Finding] = scrub(claim, as_of=datetime.date(2025, 3, 10))
    scrub(claim, as_of=DAY)
    scrub(claim, as_of="2025-03-10")  # type: ignore[arg-type]
    FeeEntry(code="99213", amount="95.00", valid_from=datetime.date(2025, 1, 1))
    line: PricedLine = schedule.price_line(
        "99213", locality=DEMO_LOCALITY, place_of_service="11", service_date=DAY
    )
    kept: pendulum.Date = line.service_date  # results are pendulum dates
    del found, kept


def ids_are_not_interchangeable(context: ScrubContext, payment: ClaimPayment) -> None:
    context.filing_limit(PayerId("acme"))
    context.filing_limit(ClaimId("CLM-0001"))  # type: ignore[arg-type]
    claim_id: ClaimId = payment.claim_id
    patient_id: PatientId = payment.claim_id  # type: ignore[assignment]
    del claim_id, patient_id


def the_testing_kit_returns_entities(schedule: FeeSchedule) -> None:
    payment: ClaimPayment = adjudicate(make_claim(), schedule, deny={"1": "50"})
    reversal: ClaimPayment = adjudicate(make_claim(), schedule, reverse=True)
    adjudicate(make_claim(), "acme")  # type: ignore[arg-type]
    adjudicate(make_claim(), schedule, deny=50)  # type: ignore[arg-type]
    imbalance: Decimal = make_claim_payment().imbalance
    del payment, reversal, imbalance


def enumerations_and_errors() -> None:
    rank: int = Priority("primary").rank
    try:
        scrub(make_claim(), as_of=DAY)
    except ValidationError as error:
        field: str = error.field
        del field
    del rank


def ledger_questions_take_typed_ids_or_the_entity() -> None:
    from medbill.ledger import Ledger, claim_balance, claim_history, patient_balance, statement

    ledger = Ledger.in_memory()
    claim = make_claim()
    claim_balance(ledger, claim.id)
    claim_balance(ledger, claim)
    claim_history(ledger, ClaimId("CLM-0001"), missing_ok=True)
    patient_balance(ledger, claim.patient.id)
    patient_balance(ledger, claim.patient)
    statement(ledger, claim.patient, period=Period(DAY, DAY))
    claim_balance(ledger, claim.patient.id)  # type: ignore[arg-type]
    claim_history(ledger, claim.patient)  # type: ignore[arg-type]
    patient_balance(ledger, claim.id)  # type: ignore[arg-type]
    patient_balance(ledger, claim)  # type: ignore[arg-type]
    statement(ledger, ClaimId("CLM-0001"), period=Period(DAY, DAY))  # type: ignore[arg-type]
    claim_balance(ledger, "CLM-0001")  # type: ignore[arg-type]


def ledger_recipes_take_typed_ids_or_the_entity() -> None:
    from medbill.ledger import (
        ClaimBalance,
        Ledger,
        apply_patient_credit,
        pay_refund,
        post_patient_payment,
        recognize_payer_overpayment,
        refund_credit,
        transfer_responsibility,
        write_off,
        write_off_small_balances,
    )
    from medbill.testing import make_patient_payment

    ledger = Ledger.in_memory()
    claim = make_claim()
    coverage = claim.coverage
    assert coverage is not None
    write_off(ledger, claim.id, reason="charity", effective=DAY)
    write_off(ledger, claim, reason="charity", effective=DAY)
    write_off(ledger, ClaimId("CLM-0001"), reason="charity", effective=DAY)
    write_off(ledger, claim.patient.id, reason="charity", effective=DAY)  # type: ignore[arg-type]
    write_off(ledger, claim.patient, reason="charity", effective=DAY)  # type: ignore[arg-type]
    write_off(ledger, "CLM-0001", reason="charity", effective=DAY)  # type: ignore[arg-type]
    transfer_responsibility(ledger, claim, source=coverage, target=None, effective=DAY)
    transfer_responsibility(ledger, claim.patient.id, source=coverage, target=None, effective=DAY)  # type: ignore[arg-type]  # fmt: skip
    recognize_payer_overpayment(ledger, claim.id, coverage=coverage, effective=DAY)
    recognize_payer_overpayment(ledger, claim.patient, coverage=coverage, effective=DAY)  # type: ignore[arg-type]  # fmt: skip
    refund_credit(ledger, claim.patient.id, effective=DAY)
    refund_credit(ledger, claim.patient, effective=DAY)
    refund_credit(ledger, claim.id, effective=DAY)  # type: ignore[arg-type]
    refund_credit(ledger, claim, effective=DAY)  # type: ignore[arg-type]
    pay_refund(ledger, PatientId("MRN-0001"), effective=DAY)
    pay_refund(ledger, "MRN-0001", effective=DAY)  # type: ignore[arg-type]
    apply_patient_credit(ledger, claim.patient, effective=DAY)
    apply_patient_credit(ledger, claim.id, effective=DAY)  # type: ignore[arg-type]
    write_off_small_balances(ledger, threshold=Decimal(5), effective=DAY, patient_id=claim.patient)
    write_off_small_balances(ledger, threshold=Decimal(5), effective=DAY, patient_id=claim.id)  # type: ignore[arg-type]  # fmt: skip
    payment = make_patient_payment()
    post_patient_payment(ledger, payment, apply_to=[claim.id, claim])
    post_patient_payment(ledger, payment, apply_to=[claim.patient.id])  # type: ignore[list-item]
    ClaimBalance(claim_id=claim.id, insurance=(), patient_share=Decimal(0))
    ClaimBalance(claim_id=claim, insurance=(), patient_share=Decimal(0))  # type: ignore[arg-type]


def claims_take_typed_ids(payment: ClaimPayment) -> None:
    from medbill.claims import build_claim, check_payment
    from medbill.fees import Contract, FixedRate
    from medbill.testing import make_coverage, make_encounter, make_patient

    encounter, patient, coverage = make_encounter(), make_patient(), make_coverage()
    prices = {"99213": Decimal("95.00")}
    build_claim(encounter, patient, [coverage], prices, claim_id=ClaimId("C-1"))
    build_claim(encounter, patient, [coverage], prices, claim_id="C-1")  # type: ignore[arg-type]
    build_claim(encounter, patient, [coverage], prices, claim_id=patient.id)  # type: ignore[arg-type]
    contract = Contract(payer_id="acme", name="Acme", effective=Period(DAY), terms=[FixedRate(codes=["99213"], amount="95.00")])  # fmt: skip
    check_payment(make_claim(), payment, contract, payer_id=PayerId("acme"))
    check_payment(make_claim(), payment, contract, payer_id=ClaimId("acme"))  # type: ignore[arg-type]


def receive_only_types_keep_their_types() -> None:
    # A receive-only type (tests/api/receive_only.txt) is out of __all__ (provisional) and
    # imports at run time without a warning; its package also imports it under TYPE_CHECKING: annotations
    # with it are the real class, not Any, so a wrong field still fails.
    from medbill.claims import PaymentCheck, check_payment
    from medbill.fees import Contract, Responsibility, estimate_responsibility
    from medbill.ledger import ClaimBalance, Ledger, claim_balance
    from medbill.testing import make_coverage

    balance: ClaimBalance = claim_balance(Ledger.in_memory(), make_claim().id)
    balance.patient_share.quantize(Decimal("0.01"))
    print(balance.no_such_field)  # type: ignore[attr-defined]
    contract = Contract(payer_id="acme", name="Acme", effective=Period(DAY), terms=[])
    check: PaymentCheck = check_payment(make_claim(), make_claim_payment(), contract)
    print(check.no_such_field)  # type: ignore[attr-defined]
    priced = MedicareFeeSchedule.demo().price_claim(make_claim(), locality=DEMO_LOCALITY)
    estimate: Responsibility = estimate_responsibility(priced, make_coverage())
    print(estimate.no_such_field)  # type: ignore[attr-defined]
    wrong: ClaimBalance = estimate  # type: ignore[assignment]
    del wrong
