"""The demo practice's day: patients, payers, visits, contracts and remittances (all invented).

The Medicare numbers the demo prices with are the one demo dataset of
:func:`medbill.testing.demo_medicare_schedule` (rows copied from the CMS files, checked
against them by the tests); they are re-exported here for the demo's own use.

>>> medicare_schedule()
MedicareFeeSchedule(releases=1, rows=8, localities=3)
>>> str(SPRINGFIELD)
'06102-99'
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

import pendulum

from medbill import (
    Accumulators,
    Address,
    Adjustment,
    Benefits,
    ClaimPayment,
    Copay,
    Coverage,
    Encounter,
    LinePayment,
    Patient,
    Payer,
    PayerKind,
    Period,
    PersonName,
    Practice,
    Priority,
    Provider,
    ProviderKind,
    Remittance,
    ServiceCategory,
    ServiceLine,
    Sex,
)
from medbill.fees import MedicareFeeSchedule
from medbill.fees._demo_rows import (
    CONVERSION_FACTOR_2025,
    GPCI_ROWS,
    MANHATTAN,
    PPRRVU_ROWS,
    SPRINGFIELD,
)

__all__ = [
    "AOC_ROWS",
    "ACME_CONTRACT_TOML",
    "CHARGEMASTER_CSV",
    "CLAIMS_SENT",
    "CONVERSION_FACTOR_2025",
    "EARLIER_ERA_DAY",
    "EARLIER_VISIT_DAY",
    "ERA_DAY",
    "SECONDARY_ERA_DAY",
    "GPCI_ROWS",
    "MANHATTAN",
    "MEDICARE_PART_B_DEDUCTIBLE_2025",
    "PPRRVU_ROWS",
    "PRAIRIE_CONTRACT_TOML",
    "SPRINGFIELD",
    "STATEMENT_DAY",
    "VISIT_DAY",
    "acme_earlier_remittance",
    "acme_remittance",
    "prairie_remittance",
    "coverages",
    "doctor",
    "encounters",
    "medicare_schedule",
    "patients",
    "payers",
    "practice",
]


def medicare_schedule() -> MedicareFeeSchedule:
    """The built-in CY2025 schedule: the demo's codes in three localities."""
    return MedicareFeeSchedule.demo()


# --- The demo practice's day -----------------------------------------------------------
# Everything below is invented for the demo (names, member ids, NPIs with valid check
# digits); only the Medicare numbers above are real. The dates: visits on 2025-02-18 and
# 2025-03-04, claims sent on 2025-03-05, Acme's remittances of 2025-03-11 and 2025-04-01,
# statements and aging as of 2025-04-15.

VISIT_DAY: Final = pendulum.date(2025, 3, 4)
EARLIER_VISIT_DAY: Final = pendulum.date(2025, 2, 18)
CLAIMS_SENT: Final = pendulum.datetime(2025, 3, 5, 9, 30)

AOC_ROWS: Final = """primary_code,add_on_code,aoc_edit_type
99205,99417,1
99215,99417,1
"""
"""Two rows of the NCCI add-on code edits (2024-06-03 file): 99417, prolonged outpatient
service, is a type 1 add-on whose only primaries are the highest-level visits 99205 and
99215. C-1003 (a 99203 new-patient visit) is keyed with 99417 by mistake."""
EARLIER_ERA_DAY: Final = pendulum.date(2025, 3, 11)
ERA_DAY: Final = pendulum.date(2025, 4, 1)
SECONDARY_ERA_DAY: Final = pendulum.date(2025, 4, 10)
STATEMENT_DAY: Final = pendulum.date(2025, 4, 15)

CHARGEMASTER_CSV: Final = """code,modifier,amount,valid_from,valid_to
99203,,225.00,2025-01-01,
99213,,150.00,2025-01-01,
99214,,210.00,2025-01-01,
20610,,180.00,2025-01-01,
71046,,95.00,2025-01-01,
93000,,60.00,2025-01-01,
"""
"""The practice's billed charges (a flat fee schedule)."""

ACME_CONTRACT_TOML: Final = """# Acme Health PPO: fixed rates for office visits, 130% of Medicare for the rest.
payer = "acme"
name = "Acme PPO 2025"
plan = "Acme PPO"
effective_from = 2025-01-01
effective_to = 2025-12-31
lesser_of_billed = true

[[fixed_rate]]
codes = ["99213"]
amount = "95.00"

[[fixed_rate]]
codes = ["99214"]
amount = "140.00"

[[fixed_rate]]
codes = ["99203"]
amount = "160.00"

[[percent_of_medicare]]
schedule = "medicare"
rate = "1.30"
locality = "06102-99"
"""

PRAIRIE_CONTRACT_TOML: Final = """# Prairie Mutual: 115% of Medicare in the practice's locality.
payer = "prairie"
name = "Prairie Mutual 2025"
effective_from = 2025-01-01
lesser_of_billed = true

[[percent_of_medicare]]
schedule = "medicare"
rate = "1.15"
locality = "06102-99"
"""


def practice() -> Provider:
    """The billing provider: Prairie Family Medicine, Springfield, IL."""
    return Provider(
        npi="1987654328",
        name="Prairie Family Medicine",
        kind=ProviderKind.ORGANIZATION,
        taxonomy="207Q00000X",
        tax_id="371234567",
        address=Address(
            line1="200 Capitol Ave", city="Springfield", state="IL", postal_code="62701"
        ),
    )


def statement_practice() -> Practice:
    """The practice as its patient statements show it; payments go to a lockbox."""
    return Practice(
        name="Prairie Family Medicine",
        address=Address(
            line1="200 Capitol Ave", city="Springfield", state="IL", postal_code="62701"
        ),
        phone="(217) 555-0140",
        npi="1987654328",
        tax_id="371234567",
        remit_to=Address(line1="PO Box 4410", city="Springfield", state="IL", postal_code="62708"),
        remit_name="Prairie Family Medicine - Patient Payments",
    )


def doctor() -> Provider:
    """The rendering physician."""
    return Provider(npi="1456789019", name="Okafor", first_name="Grace", taxonomy="207Q00000X")


def payers() -> dict[str, Payer]:
    """Medicare Part B (Illinois), Acme Health and Prairie Mutual."""
    return {
        "medicare": Payer(
            id="medicare", name="Medicare Part B Illinois", kind=PayerKind.MEDICARE,
            x12_payer_id="06102",
        ),
        "acme": Payer(
            id="acme", name="Acme Health", kind=PayerKind.COMMERCIAL, x12_payer_id="60054"
        ),
        "prairie": Payer(
            id="prairie", name="Prairie Mutual", kind=PayerKind.COMMERCIAL, x12_payer_id="37602"
        ),
    }  # fmt: skip


def _benefits() -> Benefits:
    return Benefits(
        deductible=Decimal("500.00"),
        coinsurance=Decimal("0.20"),
        copays=[Copay(category=ServiceCategory.OFFICE_VISIT, amount=Decimal("25.00"))],
        out_of_pocket_max=Decimal("4000.00"),
    )


MEDICARE_PART_B_DEDUCTIBLE_2025: Final = Decimal("257.00")
"""The 2025 Part B deductible (CMS, "2025 Medicare Parts A & B Premiums and Deductibles")."""


def _medicare_part_b() -> Benefits:
    # Part B: the annual deductible, then 20% coinsurance (42 CFR 410.152), no copays
    return Benefits(deductible=MEDICARE_PART_B_DEDUCTIBLE_2025, coinsurance=Decimal("0.20"))


def patients() -> list[Patient]:
    """Four patients of the practice."""

    def patient(mrn: str, family: str, given: str, born: pendulum.Date, sex: Sex) -> Patient:
        return Patient(
            id=mrn,
            name=PersonName(family=family, given=given),
            birth_date=born,
            sex=sex,
            address=Address(
                line1="48 Oak Ave", city="Springfield", state="IL", postal_code="62704"
            ),
        )

    return [
        patient("MRN-1001", "Rivera", "Maria", pendulum.date(1978, 11, 2), Sex.FEMALE),
        patient("MRN-1002", "Chen", "Robert", pendulum.date(1954, 6, 19), Sex.MALE),
        patient("MRN-1003", "Patel", "Aisha", pendulum.date(1990, 2, 14), Sex.FEMALE),
        patient("MRN-1004", "Novak", "Tom", pendulum.date(1985, 9, 30), Sex.MALE),
    ]


def coverages() -> list[Coverage]:
    """Primary and secondary coverages: two patients have both."""
    by_id = payers()
    year = Period(pendulum.date(2025, 1, 1))
    met = Accumulators(deductible_met=Decimal("500.00"), out_of_pocket_met=Decimal("310.00"))
    part_b_met = Accumulators(deductible_met=MEDICARE_PART_B_DEDUCTIBLE_2025)

    def coverage(
        cid: str, mrn: str, payer: str, member: str, priority: Priority, **more: Any
    ) -> Coverage:
        return Coverage(
            id=cid, patient_id=mrn, payer=by_id[payer], member_id=member, priority=priority,
            effective=year, **more,
        )  # fmt: skip

    return [
        coverage("COV-1001-A", "MRN-1001", "acme", "ACM100200300", Priority.PRIMARY,
                 plan_name="Acme PPO", benefits=_benefits(), accumulators=met),
        coverage("COV-1001-B", "MRN-1001", "prairie", "PRM55501234", Priority.SECONDARY,
                 plan_name="Prairie Mutual Supplemental", cob_method="standard",
                 benefits=Benefits(deductible=Decimal("250.00"), coinsurance=Decimal("0.10")),
                 accumulators=Accumulators(deductible_met=Decimal("250.00"))),
        coverage("COV-1002-A", "MRN-1002", "medicare", "1EG4TE5MK73", Priority.PRIMARY,
                 benefits=_medicare_part_b(), accumulators=part_b_met),
        # Medigap plan G: pays Medicare's coinsurance; the Part B deductible is the
        # patient's (met this year), so the plan's own deductible is the Part B one.
        coverage("COV-1002-B", "MRN-1002", "prairie", "PRM55509876", Priority.SECONDARY,
                 plan_name="Prairie Mutual Medigap (plan G)", cob_method="medicare-supplement",
                 benefits=Benefits(deductible=MEDICARE_PART_B_DEDUCTIBLE_2025),
                 accumulators=part_b_met),
        coverage("COV-1003-A", "MRN-1003", "acme", "ACM100200477", Priority.PRIMARY,
                 plan_name="Acme PPO", benefits=_benefits(), accumulators=met),
        coverage("COV-1004-A", "MRN-1004", "acme", "ACM100200912", Priority.PRIMARY,
                 plan_name="Acme PPO", benefits=_benefits(), accumulators=met),
    ]  # fmt: skip


def encounters() -> list[Encounter]:
    """The visits. The chest X-ray of E-1002 was keyed with both 26 and TC (a mistake the
    scrubber catches); E-1004 is an earlier visit already paid once."""

    def visit(
        eid: str, mrn: str, day: pendulum.Date, dx: list[str], lines: list[ServiceLine]
    ) -> Encounter:
        return Encounter(
            id=eid, patient_id=mrn, service_date=day, place_of_service="11",
            rendering_provider=doctor(), billing_provider=practice(), diagnoses=dx, lines=lines,
        )  # fmt: skip

    def line(code: str, charge: str, *mods: str, pointers: tuple[int, ...] = (1,)) -> ServiceLine:
        return ServiceLine(
            procedure=code, charge=Decimal(charge), modifiers=mods, diagnosis_pointers=pointers
        )

    return [
        visit("E-1001", "MRN-1001", VISIT_DAY, ["M17.11", "I10"],
              [line("99214", "210.00", "25", pointers=(1, 2)), line("20610", "180.00", "RT")]),
        visit("E-1002", "MRN-1002", VISIT_DAY, ["R07.89", "I10"],
              [line("99213", "150.00", pointers=(1, 2)), line("93000", "60.00"),
               line("71046", "95.00", "26", "TC")]),
        visit("E-1003", "MRN-1003", VISIT_DAY, ["J06.9"], [line("99203", "225.00")]),
        visit("E-1004", "MRN-1004", EARLIER_VISIT_DAY, ["I10"], [line("99213", "150.00")]),
    ]  # fmt: skip


def _adj(group: str, reason: str, amount: str) -> Adjustment:
    return Adjustment(group=group, reason=reason, amount=Decimal(amount))


def _line(
    line_id: str,
    code: str,
    charge: str,
    paid: str,
    day: pendulum.Date,
    *adjs: Adjustment,
    mods: tuple[str, ...] = (),
    allowed: str | None = None,
) -> LinePayment:
    return LinePayment(
        line_id=line_id, procedure=code, modifiers=mods, charge=Decimal(charge),
        paid=Decimal(paid), allowed=None if allowed is None else Decimal(allowed),
        service_date=day, adjustments=adjs,
    )  # fmt: skip


def acme_earlier_remittance() -> Remittance:
    """Acme's 835 of 2025-03-11: E-1004's 99213 allowed at 85.00 instead of the contract's
    95.00 (Acme reprocesses it on 2025-04-01)."""
    day = EARLIER_VISIT_DAY
    return Remittance(
        id="ACME-EFT-0311", payer_name="Acme Health", payer_id="60054",
        payment_amount=Decimal("48.00"), paid_on=EARLIER_ERA_DAY, method="ACH",
        payee_name="Prairie Family Medicine", payee_npi="1987654328",
        claim_payments=[ClaimPayment(
            claim_id="C-1004", status="1", charge=Decimal("150.00"), paid=Decimal("48.00"),
            patient_responsibility=Decimal("37.00"), payer_claim_control_number="ACM25070001", filing_indicator="12",
            lines=[_line("1", "99213", "150.00", "48.00", day, _adj("CO", "45", "65.00"),
                         _adj("PR", "3", "25.00"), _adj("PR", "2", "12.00"), allowed="85.00")],
        )],
    )  # fmt: skip


def acme_remittance() -> Remittance:
    """Acme's 835 of 2025-04-01, worked out by hand from Acme's benefits (25.00 copay on
    the visit, 20% coinsurance, deductible met):

    * C-1001: 99214 at the contract's 140.00 (copay 25.00, coinsurance 23.00, paid 92.00);
      20610 allowed at 62.04 (100% of Medicare) where the contract says 130%: underpaid;
      coinsurance 12.41, paid 49.63.
    * C-1003: denied, CARC 50 (not deemed a medical necessity).
    * C-1004: the 2025-03-11 payment reversed (status 22), then paid again at 95.00:
      copay 25.00, coinsurance 14.00, paid 56.00.

    Payment: 141.63 + 0.00 - 48.00 + 56.00 = 149.63.
    """
    day, early = VISIT_DAY, EARLIER_VISIT_DAY
    return Remittance(
        id="ACME-EFT-0401", payer_name="Acme Health", payer_id="60054",
        payment_amount=Decimal("149.63"), paid_on=ERA_DAY, method="ACH",
        payee_name="Prairie Family Medicine", payee_npi="1987654328",
        claim_payments=[
            ClaimPayment(
                claim_id="C-1001", status="1", charge=Decimal("390.00"), paid=Decimal("141.63"),
                patient_responsibility=Decimal("60.41"), payer_claim_control_number="ACM25090001", filing_indicator="12",
                lines=[
                    _line("1", "99214", "210.00", "92.00", day, _adj("CO", "45", "70.00"),
                          _adj("PR", "3", "25.00"), _adj("PR", "2", "23.00"), mods=("25",),
                          allowed="140.00"),
                    _line("2", "20610", "180.00", "49.63", day, _adj("CO", "45", "117.96"),
                          _adj("PR", "2", "12.41"), mods=("RT",), allowed="62.04"),
                ],
            ),
            ClaimPayment(
                claim_id="C-1003", status="4", charge=Decimal("225.00"), paid=Decimal("0.00"),
                payer_claim_control_number="ACM25090002", filing_indicator="12",
                lines=[_line("1", "99203", "225.00", "0.00", day, _adj("CO", "50", "225.00"))],
            ),
            ClaimPayment(
                claim_id="C-1004", status="22", charge=Decimal("-150.00"), paid=Decimal("-48.00"),
                patient_responsibility=Decimal("-37.00"), payer_claim_control_number="ACM25070001", filing_indicator="12",
                lines=[_line("1", "99213", "-150.00", "-48.00", early, _adj("CO", "45", "-65.00"),
                             _adj("PR", "3", "-25.00"), _adj("PR", "2", "-12.00"),
                             allowed="-85.00")],
            ),
            ClaimPayment(
                claim_id="C-1004", status="1", charge=Decimal("150.00"), paid=Decimal("56.00"),
                patient_responsibility=Decimal("39.00"), payer_claim_control_number="ACM25090003", filing_indicator="12",
                lines=[_line("1", "99213", "150.00", "56.00", early, _adj("CO", "45", "55.00"),
                             _adj("PR", "3", "25.00"), _adj("PR", "2", "14.00"),
                             allowed="95.00")],
            ),
        ],
    )  # fmt: skip


def prairie_remittance() -> Remittance:
    """Prairie Mutual's 835 of 2025-04-10, as Maria's secondary payer for C-1001 (standard
    COB, 10% coinsurance, deductible met: its own benefit, 198.58, exceeds what Acme left,
    so it pays the whole 60.41). Prairie answers the claim in two CLP loops, one per line
    (a split claim), each processed as secondary (CLP02 2) against the full charge with
    Acme's impact as OA-23 (TR3 1.10.2.13):

    * 99214: charge 210.00, Acme paid 92.00 and wrote off 70.00, so OA-23 162.00; paid
      48.00 (the 25.00 copay and 23.00 coinsurance Acme left to Maria);
    * 20610: charge 180.00, Acme paid 49.63 and wrote off 117.96, so OA-23 167.59; paid
      12.41 (the coinsurance).

    Payment: 48.00 + 12.41 = 60.41.
    """
    day = VISIT_DAY
    return Remittance(
        id="PRM-EFT-0410", payer_name="Prairie Mutual", payer_id="37602",
        payment_amount=Decimal("60.41"), paid_on=SECONDARY_ERA_DAY, method="ACH",
        payee_name="Prairie Family Medicine", payee_npi="1987654328",
        claim_payments=[
            ClaimPayment(
                claim_id="C-1001", status="2", charge=Decimal("210.00"), paid=Decimal("48.00"),
                payer_claim_control_number="PRM25100001", filing_indicator="12",
                lines=[_line("1", "99214", "210.00", "48.00", day, _adj("OA", "23", "162.00"),
                             mods=("25",))],
            ),
            ClaimPayment(
                claim_id="C-1001", status="2", charge=Decimal("180.00"), paid=Decimal("12.41"),
                payer_claim_control_number="PRM25100002", filing_indicator="12",
                lines=[_line("2", "20610", "180.00", "12.41", day, _adj("OA", "23", "167.59"),
                             mods=("RT",))],
            ),
        ],
    )  # fmt: skip
