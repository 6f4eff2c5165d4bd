"""Posting real-world remittances through the plan: each case with its numbers worked by hand.

References: X12 005010X221A1 (the 835 TR3) section 1.10.2.1 (balancing), 1.10.2.3 (group
codes), 1.10.2.8 (reversals and corrections), 1.10.2.13 (secondary payments, OA-23); the
CARC definitions (https://x12.org/codes/claim-adjustment-reason-codes); the Medicare
Secondary Payer Manual (CMS Pub. 100-05) chapter 5 section 40 for Medicare as secondary.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pendulum
import pytest

from medbill import (
    Adjustment,
    Claim,
    ClaimId,
    ClaimPayment,
    Coverage,
    DuplicateEntryError,
    LedgerError,
    LinePayment,
    PatientPayment,
    Period,
    Remittance,
    StaleBalanceError,
)
from medbill.claims import (
    DenialCategory,
    ExceptionReason,
    NextAction,
    plan_remittance,
    post_remittance,
)
from medbill.claims._plan import PlanOutcome
from medbill.ledger import (
    Account,
    Ledger,
    post_charges,
    post_patient_payment,
    write_off,
)
from medbill.testing import (
    make_claim,
    make_claim_line,
    make_coverage,
    make_patient,
    make_payer,
)
from medbill.x12 import read_835

D = Decimal
ZERO = D("0.00")
DOS = pendulum.date(2025, 3, 3)
AT = pendulum.datetime(2025, 6, 1, 12)


@pytest.fixture
def ledger() -> Ledger:
    return Ledger.in_memory(clock=lambda: AT)


def adj(group: str, reason: str, amount: str) -> Adjustment:
    return Adjustment(group=group, reason=reason, amount=D(amount))


def line(
    procedure: str, charge: str, paid: str, *adjustments: Adjustment, line_id: str | None = None
) -> LinePayment:
    return LinePayment(
        procedure=procedure,
        charge=D(charge),
        paid=D(paid),
        adjustments=adjustments,
        line_id=line_id,
        service_date=DOS,
    )


def clp(
    claim_id: str,
    status: str,
    *lines: LinePayment,
    clp07: str | None = None,
    adjustments: Sequence[Adjustment] = (),
    charge: str | None = None,
    paid: str | None = None,
) -> ClaimPayment:
    all_adjs = [*adjustments, *(a for li in lines for a in li.adjustments)]
    return ClaimPayment(
        claim_id=claim_id,
        status=status,
        charge=D(charge) if charge is not None else sum((li.charge for li in lines), ZERO),
        paid=D(paid) if paid is not None else sum((li.paid for li in lines), ZERO),
        patient_responsibility=sum((a.amount for a in all_adjs if a.group.value == "PR"), ZERO),
        adjustments=adjustments,
        lines=lines,
        payer_claim_control_number=clp07,
    )


def era(trace: str, *payments: ClaimPayment, payer_id: str = "60054", day: int = 1) -> Remittance:
    return Remittance(
        id=trace,
        payer_name="Acme Health" if payer_id == "60054" else "Other",
        payer_id=payer_id,
        payment_amount=sum((p.paid for p in payments), ZERO),
        paid_on=pendulum.date(2025, 4, day),
        claim_payments=payments,
    )


ACME = make_coverage()  # primary, Acme Health, X12 payer id 60054
BETA = make_coverage(
    id="cov-beta",
    priority="secondary",
    payer=make_payer(id="beta", name="Beta Mutual", x12_payer_id="77777"),
    member_id="BETA-1",
)


def office_claim(claim_id: str = "C-1", *charges: str, coverage: Coverage | None = ACME) -> Claim:
    codes = ["99213", "36415", "81002", "93000"]
    amounts = charges or ("150.00",)
    return make_claim(
        id=claim_id,
        coverage=coverage,
        lines=[
            make_claim_line(line_id=str(n), procedure=codes[n - 1], charge=D(a), service_date=DOS)
            for n, a in enumerate(amounts, start=1)
        ],
    )


def cash(ledger: Ledger) -> Decimal:
    return ledger.total("cash")


def books_balance(ledger: Ledger, claim: str) -> None:
    """charges = insurance A/R + patient A/R + adjustments + payments applied, per claim."""
    charged = ledger.total("gross_charges", claim=claim)
    parts = sum(
        (
            ledger.total(code, claim=claim)
            for code in (
                "insurance_receivable",
                "patient_receivable",
                "contractual_adjustment",
                "capitation_adjustment",
                "other_adjustment",
            )
        ),
        ZERO,
    )
    applied = charged - parts
    assert applied >= 0
    ledger.check_invariants()


# -- the TR3's own secondary-payment sample ---------------------------------------------


def test_the_tr3_secondary_payment_sample_balances(ledger: Ledger, reference_dir: Path) -> None:
    """badx12 X221-secondary-payments.edi: two claims paid by the secondary (CLP02 2).

    The primary adjudications are this test's (the sample carries only the secondary's),
    chosen to agree with the sample's OA-23 amounts:

    * L0004828311, 10,323.64: the primary paid 8,000.00, CO-45 1,411.64, PR-1 912.00 (to
      the secondary). The secondary pays 912.00 with OA-23 9,411.64 = 8,000.00 + 1,411.64.
    * 0001000053 line 1, 12345-26 166.50: the primary paid 120.00, CO-45 16.50, PR-2 30.00;
      the secondary pays 30.00 with OA-23 136.50 = 120.00 + 16.50.
    * line 2, 66543-26 585.00: the primary paid 0.00, CO-45 85.00, PR-1 500.00 (deductible,
      to the secondary). The secondary pays 280.00, PR-1 150.00 + PR-2 70.00 = 220.00 to the
      patient, CO-42 85.00: the same 85.00 the primary already wrote off, reported against
      the full charge (TR3 1.10.2.13), so it is not booked again. 500.00 billed to the
      secondary = 280.00 paid + 220.00 patient: nothing left, no overpayment.
    """
    [secondary_era] = read_835(reference_dir / "badx12/tests/files/edi/X221-secondary-payments.edi")
    assert secondary_era.payment_amount == D("1222")  # BPR02
    payer = make_payer(id="taxdollars", name="Your Tax Dollars At Work", x12_payer_id=None)
    since_2005 = Period(pendulum.date(2005, 1, 1))
    primary = make_coverage(effective=since_2005)
    secondary = make_coverage(
        id="cov-2", priority="secondary", payer=payer, member_id="XXX1", effective=since_2005
    )
    big = make_claim(
        id="L0004828311", coverage=primary, lines=[make_claim_line(
            line_id="1", procedure="99223", charge=D("10323.64"),
            service_date=pendulum.date(2005, 3, 3))],
    )  # fmt: skip
    day = pendulum.date(2005, 1, 6)
    two = make_claim(
        id="0001000053", coverage=primary, lines=[
            make_claim_line(line_id="1", procedure="12345", modifiers=["26"],
                            charge=D("166.50"), service_date=day),
            make_claim_line(line_id="2", procedure="66543", modifiers=["26"],
                            charge=D("585.00"), service_date=day)],
    )  # fmt: skip
    for claim in (big, two):
        post_charges(ledger, claim)
    primary_era = Remittance(
        id="PRI-1", payer_name="Acme Health", payer_id="60054", payment_amount=D("8120.00"),
        paid_on=pendulum.date(2005, 4, 1), claim_payments=[
            ClaimPayment(claim_id="L0004828311", status="1", charge=D("10323.64"),
                         paid=D("8000.00"), patient_responsibility=D("912.00"),
                         adjustments=[adj("CO", "45", "1411.64"), adj("PR", "1", "912.00")]),
            ClaimPayment(claim_id="0001000053", status="1", charge=D("751.50"),
                         paid=D("120.00"), patient_responsibility=D("530.00"), lines=[
                LinePayment(procedure="12345", modifiers=["26"], line_id="1",
                            charge=D("166.50"), paid=D("120.00"),
                            adjustments=[adj("CO", "45", "16.50"), adj("PR", "2", "30.00")]),
                LinePayment(procedure="66543", modifiers=["26"], line_id="2",
                            charge=D("585.00"), paid=D("0.00"),
                            adjustments=[adj("CO", "45", "85.00"), adj("PR", "1", "500.00")])])],
    )  # fmt: skip
    coverages = [primary, secondary]
    post_remittance(ledger, primary_era, [big, two], coverages=coverages)
    assert ledger.total("insurance_receivable", payer="taxdollars") == D("1442.00")  # 912+30+500
    plan = plan_remittance(ledger, secondary_era, [big, two], coverages=coverages)
    assert [c.level.value for c in plan.claims if c.level] == ["secondary", "secondary"]
    assert plan.exceptions == ()
    plan.post(ledger)
    assert cash(ledger) == D("8120.00") + D("1222.00")
    assert ledger.total("payer_overpayment") == ZERO  # nobody is owed 485.00
    assert ledger.total("contractual_adjustment", claim="L0004828311") == D("1411.64")
    assert ledger.total("contractual_adjustment", claim="0001000053") == D("101.50")  # 16.50+85
    assert ledger.total("insurance_receivable", claim="L0004828311") == ZERO
    assert ledger.total("insurance_receivable", claim="0001000053") == ZERO
    assert ledger.total("patient_receivable", claim="0001000053", line="2") == D("220.00")
    assert ledger.total("patient_receivable", claim="L0004828311") == ZERO
    books_balance(ledger, "0001000053")


def test_medicare_as_secondary_pays_up_to_the_obligated_amount(ledger: Ledger) -> None:
    """MSP Manual (Pub. 100-05) ch. 5 sec. 40: Medicare secondary pays the lowest of what it
    would pay as primary (100.00 allowed x 80 % = 80.00), the primary's allowed (the
    obligated amount, 150.00) less the primary's payment (120.00) = 30.00, ... -> 30.00. The
    provider accepts the obligated 150.00: the 50.00 above it is the primary's CO-45, which
    Medicare repeats against the full charge and must not be booked twice."""
    medicare = make_coverage(
        id="cov-mcr", priority="secondary",
        payer=make_payer(id="medicare", name="Medicare", kind="medicare", x12_payer_id="00882"),
        member_id="1EG4TE5MK73",
    )  # fmt: skip
    claim = office_claim("C-MSP", "200.00")
    post_charges(ledger, claim)
    primary = era("EGHP-1", clp("C-MSP", "1", line("99213", "200.00", "120.00",
                  adj("CO", "45", "50.00"), adj("PR", "2", "30.00"), line_id="1")))  # fmt: skip
    post_remittance(ledger, primary, [claim], coverages=[ACME, medicare])
    assert ledger.total("insurance_receivable", payer="medicare", claim="C-MSP") == D("30.00")
    msp = era("MCR-1", clp("C-MSP", "2", line("99213", "200.00", "30.00",
              adj("OA", "23", "120.00"), adj("CO", "45", "50.00"))), payer_id="00882")  # fmt: skip
    post_remittance(ledger, msp, [claim], coverages=[ACME, medicare])
    assert ledger.total("contractual_adjustment", claim="C-MSP") == D("50.00")  # once
    assert ledger.total("insurance_receivable", claim="C-MSP") == ZERO
    assert ledger.total("patient_receivable", claim="C-MSP") == ZERO
    assert cash(ledger) == D("150.00")
    books_balance(ledger, "C-MSP")


def test_a_secondary_835_without_a_secondary_coverage_waits_in_suspense(ledger: Ledger) -> None:
    claim = office_claim("C-2")
    post_charges(ledger, claim)
    beta_era = era("BETA-1", clp("C-2", "2", line("99213", "150.00", "30.00",
                   adj("OA", "23", "120.00"))), payer_id="77777")  # fmt: skip
    result = post_remittance(ledger, beta_era, [claim], coverages=[ACME])
    assert [e.reason for e in result.exceptions] == [ExceptionReason.NO_COVERAGE]
    assert "secondary" in result.exceptions[0].message
    assert result.exceptions[0].next_action
    # cash equals the check; nothing is booked to Acme, the primary
    assert cash(ledger) == D("30.00")
    assert ledger.balance(Account.unapplied_insurance_cash("77777")) == D("30.00")
    assert ledger.total("insurance_receivable", claim="C-2") == D("150.00")


def test_a_crossover_needs_no_secondary_claim(ledger: Ledger) -> None:
    """CLP02 19: processed as primary and forwarded to the next payer (crossover)."""
    a, b = office_claim("C-X1"), office_claim("C-X2")
    for claim in (a, b):
        post_charges(ledger, claim)

    def paid(claim_id: str, status: str) -> ClaimPayment:
        return clp(claim_id, status, line("99213", "150.00", "80.00", adj("CO", "45", "50.00"),
                                          adj("PR", "2", "20.00"), line_id="1"))  # fmt: skip

    plan = plan_remittance(ledger, era("X-1", paid("C-X1", "19"), paid("C-X2", "1")), [a, b],
                           coverages=[ACME, BETA])  # fmt: skip
    assert [c.crossed_over for c in plan.claims] == [True, False]
    assert plan.secondary_claims_due == ("C-X2",)
    plan.post(ledger)
    assert ledger.total("insurance_receivable", payer="beta", claim="C-X1") == D("20.00")


# -- split claims, reversals, duplicates ------------------------------------------------


@pytest.mark.parametrize(("second", "paid"), [("100.00", "80.00"), ("60.00", "50.00")])
def test_a_split_claim_posts_every_loop(ledger: Ledger, second: str, paid: str) -> None:
    """One claim answered in two CLP loops of one 835 (equal, then unequal amounts)."""
    claim = office_claim("C-S", "100.00", second)
    post_charges(ledger, claim)
    co = str(D(second) - D(paid))
    split = era("S-1",
                clp("C-S", "1", line("99213", "100.00", "80.00", adj("CO", "45", "20.00"),
                                     line_id="1"), clp07="ICN-S"),
                clp("C-S", "1", line("36415", second, paid, adj("CO", "45", co), line_id="2"),
                    clp07="ICN-S"))  # fmt: skip
    result = post_remittance(ledger, split, [claim])
    keys = [e.key for e in result.entries if e.key.startswith("claim-payment")]
    assert keys == ["claim-payment:60054:S-1:ICN-S:1", "claim-payment:60054:S-1:ICN-S:2"]
    assert cash(ledger) == D("80.00") + D(paid)
    assert ledger.total("insurance_receivable", claim="C-S") == ZERO
    assert ledger.total("payer_overpayment") == ZERO


def _paid_then(ledger: Ledger, claim: Claim) -> None:
    """Acme paid 80.00 of 150.00 (CO-45 50.00, PR-2 20.00) as ICN-1 on April 1."""
    post_charges(ledger, claim)
    first = era("E-1", clp(claim.id, "1", line("99213", "150.00", "80.00",
                adj("CO", "45", "50.00"), adj("PR", "2", "20.00"), line_id="1"), clp07="ICN-1"))  # fmt: skip
    post_remittance(ledger, first, [claim])


@pytest.mark.parametrize("reversal_first", [True, False])
def test_a_reversal_and_its_correction_in_either_order(
    ledger: Ledger, reversal_first: bool
) -> None:
    """TR3 1.10.2.8: the reversal negates ICN-1 (charge -150.00, paid -80.00, CO -50.00,
    PR -20.00); the correction ICN-2 pays 100.00, CO-45 40.00, PR-2 10.00. Either order:
    cash 80 - 80 + 100 = 100.00, contractual 40.00, patient 10.00, Acme owes nothing."""
    claim = office_claim("C-R")
    _paid_then(ledger, claim)
    reversal = clp("C-R", "22", line("99213", "-150.00", "-80.00", adj("CO", "45", "-50.00"),
                   adj("PR", "2", "-20.00"), line_id="1"), clp07="ICN-1")  # fmt: skip
    correction = clp("C-R", "1", line("99213", "150.00", "100.00", adj("CO", "45", "40.00"),
                     adj("PR", "2", "10.00"), line_id="1"), clp07="ICN-2")  # fmt: skip
    loops = (reversal, correction) if reversal_first else (correction, reversal)
    result = post_remittance(ledger, era("E-2", *loops, day=15), [claim])
    assert result.exceptions == ()
    [undo] = [e for e in result.entries if e.reverses is not None]
    assert undo.reverses == "claim-payment:60054:E-1:ICN-1:1"
    assert cash(ledger) == D("100.00")
    assert ledger.total("contractual_adjustment", claim="C-R") == D("40.00")
    assert ledger.total("patient_receivable", claim="C-R") == D("10.00")
    assert ledger.total("insurance_receivable", claim="C-R") == ZERO
    assert ledger.total("payer_overpayment") == ZERO


def test_a_reversal_that_matches_nothing_waits_in_suspense(ledger: Ledger) -> None:
    claim, other = office_claim("C-R"), office_claim("C-N")
    _paid_then(ledger, claim)
    post_charges(ledger, other)
    stray = clp("C-R", "22", line("99213", "-150.00", "-55.00", adj("CO", "45", "-95.00"),
                line_id="1"), clp07="ICN-9")  # fmt: skip
    paid = clp("C-N", "1", line("99213", "150.00", "80.00", adj("CO", "45", "70.00"), line_id="1"))
    result = post_remittance(ledger, era("E-3", stray, paid, day=20), [claim, other])
    assert [e.reason for e in result.exceptions] == [ExceptionReason.UNMATCHED_REVERSAL]
    # BPR02 = 80.00 - 55.00 = 25.00 reaches cash: 80.00 before + 25.00
    assert cash(ledger) == D("105.00")
    assert ledger.balance(Account.unapplied_insurance_cash("60054")) == D("-55.00")
    assert ledger.total("insurance_receivable", claim="C-R") == ZERO  # ICN-1 stands


@pytest.mark.parametrize("flag", ["same-clp07", "oa-18"])
def test_a_duplicate_payment_books_only_the_extra_cash(ledger: Ledger, flag: str) -> None:
    """CARC 18 (exact duplicate claim/service): the original carries the adjudication, so a
    second 80.00 is owed back to Acme (payer_overpayment 80.00), the patient still owes
    20.00, not 40.00, and CO-45 50.00 is booked once."""
    claim = office_claim("C-D")
    _paid_then(ledger, claim)
    adjustments = [adj("CO", "45", "50.00"), adj("PR", "2", "20.00")]
    if flag == "oa-18":
        adjustments = [adj("CO", "45", "50.00"), adj("OA", "18", "20.00")]
    again = clp("C-D", "1", line("99213", "150.00", "80.00", *adjustments, line_id="1"),
                clp07="ICN-1" if flag == "same-clp07" else "ICN-7")  # fmt: skip
    result = post_remittance(ledger, era("E-4", again, day=25), [claim])
    assert result.plan is not None
    assert result.plan.claims[0].outcome is PlanOutcome.DUPLICATE
    assert ledger.balance(Account(code="payer_overpayment", payer="acme")) == D("80.00")
    assert ledger.total("patient_receivable", claim="C-D") == D("20.00")
    assert ledger.total("contractual_adjustment", claim="C-D") == D("50.00")
    assert cash(ledger) == D("160.00")


# -- denials, capitation ----------------------------------------------------------------


def test_line_denials_stay_in_ar_beside_a_paid_line(ledger: Ledger) -> None:
    """CARC 16 (claim lacks information: correct and resubmit) and CARC 197 (authorization
    absent) leave 40.00 and 30.00 in Acme's A/R; the paid line books CO-45 50.00 only."""
    claim = office_claim("C-L", "150.00", "40.00", "30.00")
    post_charges(ledger, claim)
    payment = clp("C-L", "1",
                  line("99213", "150.00", "80.00", adj("CO", "45", "50.00"),
                       adj("PR", "2", "20.00"), line_id="1"),
                  line("36415", "40.00", "0.00", adj("CO", "16", "40.00"), line_id="2"),
                  line("81002", "30.00", "0.00", adj("CO", "197", "30.00"), line_id="3"))  # fmt: skip
    plan = plan_remittance(ledger, era("E-5", payment), [claim])
    [item] = plan.claims
    assert [(d.amount, d.classification.category, d.classification.action)
            for d in item.denials] == [
        (D("40.00"), DenialCategory.CODING, NextAction.CORRECT_AND_RESUBMIT),
        (D("30.00"), DenialCategory.AUTHORIZATION, NextAction.APPEAL),
    ]  # fmt: skip
    plan.post(ledger)
    assert ledger.total("contractual_adjustment", claim="C-L") == D("50.00")
    assert ledger.total("insurance_receivable", claim="C-L", line="2") == D("40.00")
    assert ledger.total("insurance_receivable", claim="C-L", line="3") == D("30.00")
    assert ledger.total("patient_receivable", claim="C-L") == D("20.00")


def test_a_patient_assigned_denial_moves_the_amount_to_the_patient(ledger: Ledger) -> None:
    """CLP02 4 with PR-204 (service not covered by the plan; the patient signed a waiver):
    the 150.00 is the patient's."""
    claim = office_claim("C-P")
    post_charges(ledger, claim)
    denied = clp("C-P", "4", line("99213", "150.00", "0.00", adj("PR", "204", "150.00"),
                 line_id="1"))  # fmt: skip
    post_remittance(ledger, era("E-6", denied), [claim])
    assert ledger.total("patient_receivable", claim="C-P") == D("150.00")
    assert ledger.total("insurance_receivable", claim="C-P") == ZERO


def test_capitation_is_its_own_outcome(ledger: Ledger) -> None:
    """CARC 24 (covered by a capitation agreement): the charge goes to
    capitation_adjustment; it is not a denial."""
    claim = office_claim("C-CAP")
    post_charges(ledger, claim)
    capitated = clp("C-CAP", "1", line("99213", "150.00", "0.00", adj("CO", "24", "150.00"),
                    line_id="1"))  # fmt: skip
    plan = plan_remittance(ledger, era("E-7", capitated), [claim])
    assert plan.claims[0].denials == ()
    plan.post(ledger)
    assert ledger.total("capitation_adjustment", claim="C-CAP") == D("150.00")
    assert ledger.total("insurance_receivable", claim="C-CAP") == ZERO


# -- copays, whole files, re-posts, concurrency -----------------------------------------


def test_a_check_in_copay_is_applied_when_the_claim_adjudicates(ledger: Ledger) -> None:
    """25.00 collected at check-in for C-CO; Acme pays 100.00, CO-45 25.00, PR-3 (copay)
    25.00: the copay settles the patient's share, nothing is left to bill."""
    claim = office_claim("C-CO")
    post_charges(ledger, claim)
    copay = PatientPayment(id="copay-1", patient_id="MRN-0001", amount=D("25.00"),
                           received_on=DOS, method="card", claim_id="C-CO")  # fmt: skip
    post_patient_payment(ledger, copay)
    assert ledger.balance(Account.patient_credit("MRN-0001", "C-CO")) == D("25.00")
    paid = clp("C-CO", "1", line("99213", "150.00", "100.00", adj("CO", "45", "25.00"),
               adj("PR", "3", "25.00"), line_id="1"))  # fmt: skip
    result = post_remittance(ledger, era("E-8", paid), [claim])
    assert any(e.key.endswith("/copay") for e in result.entries)
    assert ledger.total("patient_receivable", claim="C-CO") == ZERO
    assert ledger.total("patient_credit", patient="MRN-0001") == ZERO
    assert cash(ledger) == D("125.00")


def test_patient_payments_refuse_unknown_claims_and_dates_before_the_charge(
    ledger: Ledger,
) -> None:
    claim = office_claim("C-Y", coverage=None)
    post_charges(ledger, claim)

    def pay(pid: str, patient: str, day: pendulum.Date, claim_id: str | None) -> PatientPayment:
        return PatientPayment(id=pid, patient_id=patient, amount=D("10.00"), received_on=day,
                              claim_id=claim_id)  # fmt: skip

    with pytest.raises(LedgerError, match="no charges in the ledger"):
        post_patient_payment(ledger, pay("p-1", "MRN-0001", DOS, "C-TYPO"))
    with pytest.raises(LedgerError, match=r"dated 2025-03-01 .* charged on 2025-03-03"):
        post_patient_payment(ledger, pay("p-2", "MRN-0001", pendulum.date(2025, 3, 1), "C-Y"))
    post_patient_payment(ledger, pay("p-3", "MRN-0001", DOS, "C-Y"))
    with pytest.raises(DuplicateEntryError, match="patient-payment:MRN-0001:p-3"):
        post_patient_payment(ledger, pay("p-3", "MRN-0001", DOS.add(days=1), "C-Y"))
    # the same payment id for another patient is another payment, not the first one again
    other = make_claim(id="C-Z", patient=make_patient(id="MRN-0002"), coverage=None,
                       lines=claim.lines)  # fmt: skip
    post_charges(ledger, other)
    entry = post_patient_payment(ledger, pay("p-3", "MRN-0002", DOS, "C-Z"))
    assert entry.references.patient == "MRN-0002"
    assert ledger.total("patient_receivable", claim="C-Z") == D("140.00")


def test_two_write_offs_of_different_parties_on_one_day_are_two_entries(
    ledger: Ledger,
) -> None:
    claim = office_claim("C-W")
    post_charges(ledger, claim)
    post_remittance(ledger, era("E-9", clp("C-W", "1", line("99213", "150.00", "80.00",
                    adj("PR", "2", "20.00"), adj("CO", "16", "50.00"), line_id="1"))), [claim])  # fmt: skip
    day = pendulum.date(2025, 5, 1)
    payer_part = write_off(
        ledger, ClaimId("C-W"), reason="administrative", effective=day, coverage=ACME
    )
    patient_part = write_off(ledger, ClaimId("C-W"), reason="administrative", effective=day)
    assert payer_part.key != patient_part.key
    assert ledger.total("write_off.administrative", claim="C-W") == D("70.00")
    with pytest.raises(LedgerError, match="before the charge"):
        write_off(ledger, ClaimId("C-W"), reason="charity", effective=pendulum.date(2025, 1, 1))


def test_a_file_with_one_unpostable_claim_posts_the_rest(ledger: Ledger) -> None:
    a, b = office_claim("C-A"), office_claim("C-B")
    for claim in (a, b):
        post_charges(ledger, claim)

    def paid(claim_id: str) -> ClaimPayment:
        return clp(claim_id, "1", line("99213", "150.00", "80.00", adj("CO", "45", "70.00"),
                                       line_id="1"))  # fmt: skip

    result = post_remittance(ledger, era("E-10", paid("C-A"), paid("C-404"), paid("C-B")), [a, b])
    assert [(e.reason, e.position) for e in result.exceptions] == [
        (ExceptionReason.UNKNOWN_CLAIM, 2)
    ]
    assert cash(ledger) == D("240.00")  # BPR02: every loop's cash
    assert ledger.balance(Account.unapplied_insurance_cash("60054")) == D("80.00")
    assert ledger.total("insurance_receivable", claim="C-A") == ZERO
    assert ledger.total("insurance_receivable", claim="C-B") == ZERO


def test_re_posting_is_a_no_op_reported_as_such(ledger: Ledger) -> None:
    claim = office_claim("C-RP")
    post_charges(ledger, claim)
    remittance = era("E-11", clp("C-RP", "1", line("99213", "150.00", "80.00",
                     adj("CO", "45", "70.00"), line_id="1")))  # fmt: skip
    first = post_remittance(ledger, remittance, [claim])
    size = len(ledger)
    again = post_remittance(ledger, remittance, [claim])
    assert (first.already_posted, again.already_posted) == (False, True)
    assert len(ledger) == size
    assert [e.key for e in again.entries] == [e.key for e in first.entries]


def test_a_plan_made_before_another_workstation_posted_is_refused(ledger: Ledger) -> None:
    claim = office_claim("C-ST")
    post_charges(ledger, claim)
    remittance = era("E-12", clp("C-ST", "1", line("99213", "150.00", "80.00",
                     adj("CO", "45", "50.00"), adj("PR", "2", "20.00"), line_id="1")))  # fmt: skip
    plan = plan_remittance(ledger, remittance, [claim])
    write_off(ledger, ClaimId("C-ST"), reason="administrative", effective=pendulum.date(2025, 3, 20),
              coverage=ACME, amount=D("10.00"))  # fmt: skip
    size = len(ledger)
    with pytest.raises(StaleBalanceError):
        plan.post(ledger)
    assert len(ledger) == size
    plan_remittance(ledger, remittance, [claim]).post(ledger)  # planned again: fine
    assert cash(ledger) == D("80.00")


# -- the patient's share replaced after the patient paid ---------------------------------


def _patient_balances_not_negative(ledger: Ledger, claim: str) -> None:
    for account in ledger.accounts("patient_receivable", claim=claim):
        assert ledger.balance(account) >= 0, account


def test_a_secondary_that_pays_the_copay_the_patient_paid_makes_it_patient_credit(
    ledger: Ledger,
) -> None:
    """20.00 copay at check-in for C-PC. Acme (billed without Beta on file) pays 80.00,
    CO-45 50.00, PR-3 20.00: the copay settles the patient's 20.00. Beta, secondary, then
    pays the 20.00 itself (CLP02 2, OA-23 130.00 = Acme's 80.00 paid + 50.00 CO-45, TR3
    1.10.2.13; no PR): the patient's share becomes 0.00 and replaces the 20.00, which the
    patient already paid. By the rule for patient credit (same claim first, then oldest
    open balance: docs/ledger.md) the 20.00 is the patient's credit; the patient's
    receivable never goes negative, and Beta's 20.00 is not a payer overpayment.
    Cash 20 + 80 + 20 = 120.00; charges 150 = contractual 50 + 100 collected net of the
    20.00 credit owed back."""
    claim = office_claim("C-PC")
    post_charges(ledger, claim)
    post_patient_payment(ledger, PatientPayment(id="copay-pc", patient_id="MRN-0001",
                         amount=D("20.00"), received_on=DOS, method="card", claim_id="C-PC"))  # fmt: skip
    acme = era("E-PC", clp("C-PC", "1", line("99213", "150.00", "80.00", adj("CO", "45", "50.00"),
               adj("PR", "3", "20.00"), line_id="1"), clp07="ICN-PC"))  # fmt: skip
    post_remittance(ledger, acme, [claim], coverages=[ACME])
    assert ledger.total("patient_receivable", claim="C-PC") == ZERO  # the copay applied
    beta = era("B-PC", clp("C-PC", "2", line("99213", "150.00", "20.00",
               adj("OA", "23", "130.00"), line_id="1"), clp07="B-PC"), payer_id="77777",
               day=20)  # fmt: skip
    result = post_remittance(ledger, beta, [claim], coverages=[ACME, BETA])
    assert result.exceptions == ()
    _patient_balances_not_negative(ledger, "C-PC")
    assert ledger.total("patient_receivable", claim="C-PC") == ZERO
    assert ledger.balance(Account.patient_credit("MRN-0001")) == D("20.00")
    assert ledger.total("payer_overpayment") == ZERO
    assert ledger.total("insurance_receivable", claim="C-PC") == ZERO
    assert ledger.total("contractual_adjustment", claim="C-PC") == D("50.00")
    assert cash(ledger) == D("120.00")
    assert any("patient credit" in note for note in result.plan.claims[0].explanation)  # type: ignore[union-attr]
    books_balance(ledger, "C-PC")


def test_a_statement_payment_counts_toward_the_secondarys_patient_share(ledger: Ledger) -> None:
    """C-SP: line 1 99213 200.00, line 2 36415 50.00. Acme pays line 1 120.00 (CO-45
    40.00, PR-2 40.00) and line 2 30.00 (CO-45 10.00, PR-2 10.00): the patient owes 40.00
    + 10.00. The patient pays 40.00 by statement (applied line by line: line 1 to 0.00).
    Beta, secondary, pays line 1 35.00 (OA-23 160.00, PR-1 5.00) and line 2 nothing
    (OA-23 40.00, PR-1 10.00). The patient's share is now 5.00 + 10.00 = 15.00 and the
    patient paid 40.00 of it: line 1's 40.00 against a 5.00 share leaves 35.00 overpaid,
    which goes to the same claim first (line 2's 10.00), the rest, 25.00, to the patient's
    credit (40.00 paid - 15.00 share). Cash 150 + 40 + 35 = 225.00."""
    claim = office_claim("C-SP", "200.00", "50.00")
    post_charges(ledger, claim)
    acme = era("E-SP", clp("C-SP", "1",
               line("99213", "200.00", "120.00", adj("CO", "45", "40.00"),
                    adj("PR", "2", "40.00"), line_id="1"),
               line("36415", "50.00", "30.00", adj("CO", "45", "10.00"),
                    adj("PR", "2", "10.00"), line_id="2"), clp07="ICN-SP"))  # fmt: skip
    post_remittance(ledger, acme, [claim], coverages=[ACME])
    post_patient_payment(ledger, PatientPayment(id="stmt-1", patient_id="MRN-0001",
                         amount=D("40.00"), received_on=pendulum.date(2025, 4, 10),
                         method="check", claim_id="C-SP"))  # fmt: skip
    assert ledger.total("patient_receivable", claim="C-SP") == D("10.00")
    beta = era("B-SP", clp("C-SP", "2",
               line("99213", "200.00", "35.00", adj("OA", "23", "160.00"),
                    adj("PR", "1", "5.00"), line_id="1"),
               line("36415", "50.00", "0.00", adj("OA", "23", "40.00"),
                    adj("PR", "1", "10.00"), line_id="2"), clp07="B-SP"),
               payer_id="77777", day=20)  # fmt: skip
    result = post_remittance(ledger, beta, [claim], coverages=[ACME, BETA])
    assert result.exceptions == ()
    _patient_balances_not_negative(ledger, "C-SP")
    assert ledger.total("patient_receivable", claim="C-SP") == ZERO
    assert ledger.balance(Account.patient_credit("MRN-0001")) == D("25.00")
    assert ledger.total("insurance_receivable", claim="C-SP") == ZERO
    assert ledger.total("payer_overpayment") == ZERO
    assert ledger.total("contractual_adjustment", claim="C-SP") == D("50.00")
    assert cash(ledger) == D("225.00")
    books_balance(ledger, "C-SP")
