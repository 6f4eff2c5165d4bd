"""270/271 eligibility (ASC X12 005010X279A1) against the public samples in ../shared/reference/.

Every expected value below was read off the sample files by hand (the segment is quoted in
the comment); the 4010 samples (004010X092A1) share the 271's loops and read the same way.
Many samples bend the standard (SE counts, ISA11 equal to ISA16), so they are read with
``strict=False`` and those departures come back as warnings.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from decimal import Decimal
from pathlib import Path

import attrs
import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medbill import (
    Accumulators,
    Coverage,
    CoverageLevel,
    Network,
    ParseError,
    Period,
    Relationship,
    ServiceCategory,
    Sex,
    ValidationError,
    apply_eligibility,
)
from medbill._eligibility import EligibilityBenefit, EligibilityResponse
from medbill.serialize import from_dict, to_dict
from medbill.testing import make_benefits, make_coverage, make_patient, make_provider
from medbill.x12 import Party, X12Warning, read_271, write_270

LFH = "linuxforhealth-x12/src/tests/resources/271_005010X279A1/"
OOP = "oopfactory-x12parser/tests/OopFactory.X12.Hipaa.Tests.Unit/Eligibility/TestData/_271/_5010/"
OOP_PARSING = "oopfactory-x12parser/tests/OopFactory.X12.Tests.Unit/Parsing/_SampleEdiFiles/INS/"
BAD = "badx12/tests/files/edi/"
ONE_LINE_EB = ("1", "33", "35", "47", "86", "88", "98", "AL", "MH", "UC")

# file → [(active, trace, payer NM103, AAA03 codes in file order, number of EB segments)]
# fmt: off
SUMMARY: list[tuple[str, list[tuple[bool | None, str | None, str | None, list[str], int]]]] = [
    (LFH + "dependent-health-benefit-check.271", [(True, "93175-012547", "ABC COMPANY", [], 5)]),
    (LFH + "subscriber-health-benefit-check.271", [(True, "93175-012547", "ABC COMPANY", [], 5)]),
    (LFH + "subscriber-health-benefit-check-error.271", [(False, None, "ABC COMPANY", ["50"], 0)]),
    (BAD + "X279-error-response-from-payer-to-clinic-not-eligible-for-inquiries-with-payer.edi",
     [(False, None, "ABC COMPANY", ["50"], 0)]),
    (BAD + "X279-response-to-generic-request-by-clinic-for-patient-(subscriber)-eligibility.edi",
     [(True, "93175-012547", "ABC COMPANY", [], 5)]),
    (BAD + "X279-response-to-generic-request-by-physician-for-patient-(dependent)-eligibility.edi",
     [(True, "93175-012547", "ABC COMPANY", [], 5)]),
    (OOP + "Example_3_1_2.txt", [(True, "93175-012547", "ABC COMPANY",
                                  ["80", "79", "79", "80", "41", "41", "42", "51", "60"], 6)]),
    (OOP + "Example_3_1_3.txt", [(False, None, "ABC COMPANY", ["50"], 0)]),
    (OOP + "Example_3_2_2.txt", [(True, "93175-012547", "ABC COMPANY", [], 5)]),
    (OOP + "Example_ErrorWithoutBenefitInfo.txt", [(False, "93175-012547", "ABC COMPANY",
                                                    ["80", "79", "79", "80", "41", "41", "42"], 0)]),
    (OOP + "ValidationForDependentBenefitInfo.txt", [(True, None, "ABC COMPANY", ["70"], 1)]),
    (OOP + "ValidationForDependentName.txt", [(True, None, "ABC COMPANY", ["58"], 1)]),
    (OOP + "ValidationForReceiverName.txt", [(False, None, "ABC COMPANY", ["43", "44", "45", "47"], 0)]),
    (OOP + "ValidationForSource.txt", [(False, None, None, ["42"], 0)]),
    (OOP + "ValidationForSourceName.txt", [(False, None, "ABC COMPANY", ["79"], 0)]),
    (OOP + "ValidationForSubscriberBenefitInfo.txt", [(True, "93175-012547", "ABC COMPANY", ["CI", "70"], 1)]),
    (OOP + "ValidationForSubscriberName.txt", [(False, "93175-012547", "ABC COMPANY", ["72", "75"], 0)]),
    (OOP + "ValidationOnAll.txt", [(True, "93175-012547", "ABC COMPANY",
                                    ["79", "42", "79", "80", "41", "41", "42", "35", "52", "60"], 1)]),
    (OOP_PARSING + "_271/_5010/Example_3_1_2.txt", [(True, "93175-012547", "ABC COMPANY", [], 5)]),
    (OOP_PARSING + "_271/_5010/Example_3_1_3.txt", [(False, None, "ABC COMPANY", ["50"], 0)]),
    (OOP_PARSING + "_271/_5010/Example_3_2_2.txt", [(True, "93175-012547", "ABC COMPANY", [], 5)]),
    # filed under _270 but a 271: "AAA*Y**42*R" then "EB*P" (benefit disclaimer)
    (OOP_PARSING + "_270/_5010/From_georgiosd.txt", [(False, None, "BBBBB", ["42"], 1)]),
    ("tigershark/tests/271-example.txt", [(False, "222222222", "Health Net Inc", ["72", "73", "73", "58"], 0)]),
]
# fmt: on


def _read(path: Path) -> list[EligibilityResponse]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", X12Warning)
        return read_271(path, strict=False)


@pytest.mark.parametrize(("name", "expected"), SUMMARY, ids=[n for n, _ in SUMMARY])
def test_every_5010_sample_reads(reference_dir: Path, name: str, expected: list[object]) -> None:
    responses = _read(reference_dir / name)
    for response in responses:  # what the reader built passes the validating constructor
        for benefit in response.benefits:
            assert EligibilityBenefit(**attrs.asdict(benefit, recurse=False)) == benefit
    actual = [
        (r.active, r.trace, r.payer_name, [a.code for a in r.rejections], len(r.benefits))
        for r in responses
    ]
    assert actual == expected


def test_subscriber_benefits_by_network(reference_dir: Path) -> None:
    # EB*1**30**GOLD 123 PLAN; EB*L + LS/NM1*P3*1*JONES*MARCUS/LE;
    # EB*B**1^33^...^UC*HM*GOLD 123 PLAN*27*10.00*****Y and the same *30.00*****N
    [response] = read_271(reference_dir / LFH / "subscriber-health-benefit-check.271")
    assert response.active is True
    assert response.plan_name == "GOLD 123 PLAN"
    assert response.payer_id == "841610001"
    assert (response.provider_name, response.provider_id) == ("BONE AND JOIN CLINIC", "2000035")
    assert response.plan_period == Period(pendulum.date(2006, 1, 1))  # DTP*346*D8*20060101
    subscriber = response.subscriber
    assert subscriber is not None
    assert subscriber.name is not None
    assert (subscriber.name.family, subscriber.name.given) == ("SMITH", "JOHN")
    assert subscriber.member_id == "123456789"
    assert subscriber.birth_date == pendulum.date(1963, 5, 19)  # DMG*D8*19630519*M
    assert subscriber.sex is Sex.MALE
    assert subscriber.address is not None
    assert subscriber.address.city == "KANSAS CITY"
    assert response.dependent is None
    copay, out_copay = response.benefits[3], response.benefits[4]
    assert copay.service_types == ONE_LINE_EB
    assert (copay.insurance_type, copay.time_period, copay.amount) == ("HM", "27", Decimal("10.00"))
    assert (copay.network, out_copay.network) == (Network.IN, Network.OUT)
    assert response.copay(service_type="98") == Decimal("10.00")
    assert response.copay(service_type="98", network=Network.OUT) == Decimal("30.00")
    assert response.copay(service_type="30") is None  # EB*B names its services; 30 is not one
    assert response.benefits[1].entities == ("P3 MARCUS JONES",)
    assert response.benefits[0].description == "Active Coverage"


def test_dependent_as_the_payer_knows_them(reference_dir: Path) -> None:
    # HL*4*3*23*0 / NM1*03*1*SMITH*MARY / DMG*D8*19981014*F / INS*N*19
    [response] = read_271(reference_dir / LFH / "dependent-health-benefit-check.271")
    dependent = response.dependent
    assert dependent is not None
    assert dependent.name is not None
    assert (dependent.name.given, dependent.sex) == ("MARY", Sex.FEMALE)
    assert dependent.relationship is Relationship.CHILD
    assert dependent.birth_date == pendulum.date(1998, 10, 14)
    assert response.subscriber is not None
    assert response.subscriber.member_id == "123456789"
    assert response.patient is dependent


def test_rejection_reasons_carry_their_meaning(reference_dir: Path) -> None:
    # AAA*Y**50*N at the receiver: provider ineligible for inquiries, do not resubmit
    with pytest.warns(X12Warning, match="SE02"):
        [response] = read_271(
            reference_dir / LFH / "subscriber-health-benefit-check-error.271", strict=False
        )
    [rejection] = response.rejections
    assert (rejection.code, rejection.loop, rejection.valid_request) == ("50", "receiver", True)
    assert rejection.description == "Provider Ineligible for Inquiries"
    assert rejection.follow_up_description == "Resubmission Not Allowed"
    assert response.subscriber is None
    assert response.active is False
    with pytest.raises(ParseError, match="SE02"):
        read_271(reference_dir / LFH / "subscriber-health-benefit-check-error.271")


def test_rejections_at_every_level(reference_dir: Path) -> None:
    [response] = _read(reference_dir / OOP / "ValidationOnAll.txt")
    loops = [(r.code, r.loop) for r in response.rejections]
    assert loops[:4] == [("79", "payer"), ("42", "payer"), ("79", "payer"), ("80", "payer")]
    assert ("35", "dependent") in loops  # NM1*03 ... AAA*Y**35*N: out of network
    assert [r.code for r in response.benefits[0].rejections] == ["52", "60"]
    assert response.rejections[-3].description == "Out of Network"


def test_limitation_with_authorization_out_of_network(reference_dir: Path) -> None:
    # EB*F*IND*12***32*****Y*N: limitation, individual, DME purchase, lifetime, auth Y, out
    [response] = _read(reference_dir / OOP / "Example_3_1_2.txt")
    limitation = response.benefits[1]
    assert limitation.coverage_level is CoverageLevel.INDIVIDUAL
    assert (limitation.service_types, limitation.time_period) == (("12",), "32")
    assert (limitation.authorization_required, limitation.network) == (True, Network.OUT)
    assert response.authorization_required("12") is True
    assert response.authorization_required("98") is None
    assert response.benefits[0].entities == ("PR COVENTRY HEALTH AND LIFE INSURANCE",)


def test_deductible_and_out_of_pocket_total_and_remaining(reference_dir: Path) -> None:
    # 4010 sample: EB|C|IND|30|||23|200 and EB|C|IND|30|||29|78.8; EB|C|FAM|30|||23|600 and
    # |29|186.89; EB|G|IND|30||||1000|||||N and EB|G|IND|30|||29|1000|||||N (out of network)
    [response] = _read(reference_dir / "tigershark/tests/271-dependent-benefits.txt")
    assert response.deductible().total == Decimal("200.00")
    assert response.deductible().remaining == Decimal("78.80")
    assert response.deductible().met == Decimal("121.20")  # 200.00 - 78.80
    family = response.deductible(level=CoverageLevel.FAMILY)
    assert (family.total, family.remaining) == (Decimal("600.00"), Decimal("186.89"))
    assert response.out_of_pocket().total is None  # only out-of-network OOP is stated
    outside = response.out_of_pocket(network=Network.OUT)
    assert (outside.total, outside.remaining) == (Decimal("1000.00"), Decimal("1000.00"))
    assert response.group_number == "11111"  # REF|6P|11111 of the subscriber
    assert response.plan_number == "1234567"  # REF|18|1234567 of the dependent
    assert "PCP SELECTION NOT REQUIRED" in response.messages
    assert response.plan_name == "Aetna Choice POS II"
    assert response.eligibility_period == Period(
        pendulum.date(2011, 8, 1), pendulum.date(2011, 8, 1)
    )


FOUR_OH_TEN = [
    OOP_PARSING + "_271/_4010/Example1_DHHS.txt",
    OOP_PARSING + "_271/_4010/Example2_TMHP.txt",
    OOP_PARSING + "_271/_4010/Example3_CMS_HETS.txt",
    OOP_PARSING + "_271/_4010/FromMunawarAbad.txt",
    OOP_PARSING + "_271/_4010/From_tcplex.txt",
    "oopfactory-x12parser/tests/OopFactory.X12.Hipaa.Tests.Unit/Eligibility/TestData/_271/_4010/Example1_DHHS.txt",
    "oopfactory-x12parser/tests/OopFactory.X12.Hipaa.Tests.Unit/Eligibility/TestData/_271/_4010/Example2_TMHP.txt",
    "oopfactory-x12parser/tests/OopFactory.X12.Hipaa.Tests.Unit/Eligibility/TestData/_271/_4010/Example3_CMS_HETS.txt",
    "tigershark/tests/271-dependent-benefits.txt",
    "tigershark/tests/271-example-2.txt",
    "tigershark/tests/271-example-dependent-rejection.txt",
    "tigershark/tests/271-related-entity.txt",
    "opendental/UnitTests/Resources/x271Test.txt",
]
# the payer's NM103 of each, read off the files
PAYERS = ["Medicaid", "Texas Medicaid/Healthcare Services", "CMS", "CMS", "XXXX XXXXX XXXX XXXXXX XX XXXXXXX",
          "Medicaid", "Texas Medicaid/Healthcare Services", "CMS", "COMMERCIAL SAMPLE", "COMMERCIAL SAMPLE",
          "ANTHEM BLUE CROSS", "COMMERCIAL SAMPLE", "INFORMATION RECIEVER NAME"]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "payer"), list(zip(FOUR_OH_TEN, PAYERS, strict=True)), ids=FOUR_OH_TEN
)
def test_4010_samples_read_too(reference_dir: Path, name: str, payer: str) -> None:
    responses = _read(reference_dir / name)
    assert responses
    assert responses[0].payer_name == payer


def test_dependent_rejection_4010(reference_dir: Path) -> None:
    # HL|3|2|22|1 / NM1|IL|1||||||MI|R11111111 / AAA|Y||72|N / HL|4|3|23|0 / NM1|03|1|DOE|JANE
    [response] = _read(reference_dir / "tigershark/tests/271-example-dependent-rejection.txt")
    assert response.active is False
    [rejection] = response.rejections
    assert (rejection.code, rejection.loop, rejection.follow_up) == ("72", "subscriber", "N")
    assert rejection.description == "Invalid/Missing Subscriber/Insured ID"
    assert response.subscriber is not None
    assert response.subscriber.member_id == "R11111111"
    assert response.dependent is not None
    assert response.dependent.name is not None


def test_a_bad_birth_date_is_masked_in_the_error() -> None:
    bad = SEED_271.replace("DMG*D8*19800517*F", "DMG*D8*19801317*F")
    with pytest.raises(ParseError, match="DMG") as caught:
        read_271(bad)
    assert "19801317" not in str(caught.value)
    assert "'********' is not a calendar date" in str(caught.value)


# -- apply_eligibility ---------------------------------------------------------------------


def test_apply_eligibility_takes_the_payers_numbers(reference_dir: Path) -> None:
    [response] = _read(reference_dir / "tigershark/tests/271-dependent-benefits.txt")
    coverage = make_coverage()
    updated, changes = apply_eligibility(coverage, response, pendulum.date(2012, 9, 28))
    # deductible 200.00 total, 78.80 remaining: 121.20 met (EB|C|IND|30|||23|200, |29|78.8)
    assert updated.benefits.deductible == Decimal("200.00")
    assert updated.accumulators.deductible_met == Decimal("121.20")
    assert updated.plan_name == "Aetna Choice POS II"
    assert updated.group_number == "11111"
    assert updated.effective.start == pendulum.date(2011, 8, 1)  # DTP|346|D8|20110801
    assert coverage.benefits.deductible != updated.benefits.deductible  # the original is kept
    fields = {c.field for c in changes}
    assert {
        "benefits.deductible",
        "accumulators.deductible_met",
        "plan_name",
        "group_number",
    } <= fields
    # EB|A|FAM|5|||||0 is the family's lab coinsurance, not the plan's: the file's rate stays
    assert updated.benefits.coinsurance == coverage.benefits.coinsurance


def test_apply_eligibility_family_and_out_of_network(reference_dir: Path) -> None:
    # 4010 sample, loop 2110D of the dependent:
    #   EB|C|FAM|30|||23|600, EB|C|FAM|30|||29|186.89   family deductible, no EB12
    #   EB|C|IND|30|||23|200, EB|C|IND|30|||29|78.8     individual deductible, no EB12
    #   EB|G|IND|30||||1000|||||N, EB|G|IND|30|||29|1000|||||N   out-of-network OOP
    #   EB|G|FAM|30||||3000|||||N, EB|G|FAM|30|||29|3000|||||N   out-of-network family OOP
    [response] = _read(reference_dir / "tigershark/tests/271-dependent-benefits.txt")
    coverage = make_coverage()  # 1000.00 deductible, 20% coinsurance, 25.00 copay, 5000.00 OOP
    updated, changes = apply_eligibility(coverage, response, pendulum.date(2012, 9, 28))
    plan, met = updated.benefits, updated.accumulators
    # in network: the deductibles without EB12 count for both networks
    assert (plan.deductible, plan.family_deductible) == (Decimal("200.00"), Decimal("600.00"))
    assert (met.deductible_met, met.family_deductible_met) == (
        Decimal("121.20"),  # 200.00 - 78.80
        Decimal("413.11"),  # 600.00 - 186.89
    )
    assert plan.out_of_pocket_max == Decimal("5000.00")  # the payer states none in network
    assert plan.family_out_of_pocket_max is None
    outside, outside_met = plan.out_of_network, met.out_of_network
    assert outside is not None
    assert outside_met is not None
    assert (outside.deductible, outside.family_deductible) == (Decimal("200.00"), Decimal("600.00"))
    assert (outside.out_of_pocket_max, outside.family_out_of_pocket_max) == (
        Decimal("1000.00"),
        Decimal("3000.00"),
    )
    # nothing of the 1000.00 / 3000.00 has been used: 1000 - 1000 and 3000 - 3000
    assert (outside_met.out_of_pocket_met, outside_met.family_out_of_pocket_met) == (
        Decimal("0.00"),
        Decimal("0.00"),
    )
    assert (outside_met.deductible_met, outside_met.family_deductible_met) == (
        Decimal("121.20"),
        Decimal("413.11"),
    )
    # no out-of-network coinsurance for service type 30 is stated: the plan's on file
    assert outside.coinsurance == Decimal("0.20")
    fields = [c.field for c in changes]
    assert {
        "benefits.family_deductible",
        "accumulators.family_deductible_met",
        "benefits.out_of_network.out_of_pocket_max",
        "benefits.out_of_network.family_out_of_pocket_max",
        "accumulators.out_of_network.family_deductible_met",
    } <= set(fields)
    assert "benefits.out_of_pocket_max" not in fields
    # the coverage with its new fields round-trips
    assert from_dict(Coverage, to_dict(updated)) == updated


def test_apply_eligibility_out_of_network_copays(reference_dir: Path) -> None:
    # EB*B**1^33^35^47^86^88^98^AL^MH^UC*HM*GOLD 123 PLAN*27*10.00*****Y
    # EB*B**1^33^35^47^86^88^98^AL^MH^UC*HM*GOLD 123 PLAN*27*30.00*****N
    [response] = read_271(reference_dir / LFH / "subscriber-health-benefit-check.271")
    updated, changes = apply_eligibility(make_coverage(), response, pendulum.date(2025, 3, 4))
    inside, outside = updated.benefits, updated.benefits.out_of_network
    assert outside is not None
    # 98 office visit, 86 emergency, UC urgent care, MH mental health are among EB03
    for category in (
        ServiceCategory.OFFICE_VISIT,
        ServiceCategory.EMERGENCY,
        ServiceCategory.URGENT_CARE,
        ServiceCategory.MENTAL_HEALTH,
    ):
        assert inside.copay_for(category) == Decimal("10.00")
        assert outside.copay_for(category) == Decimal("30.00")
    assert outside.copay_for(ServiceCategory.LAB) == Decimal("0.00")  # 5 is not listed
    assert "benefits.out_of_network.copays.office-visit" in {c.field for c in changes}
    # applied again, the coverage already says all of it: no differences
    again, none = apply_eligibility(updated, response, pendulum.date(2025, 3, 4))
    assert (again, none) == (updated, [])


def test_estimate_honours_an_embedded_family_deductible() -> None:
    # One person has met 200.00 of a 1500.00 deductible, the family 2900.00 of 3000.00:
    # only 100.00 of deductible is left for anyone. Allowed 500.00 at 20% coinsurance:
    # deductible 100.00, coinsurance 20% of 400.00 = 80.00, the patient owes 180.00.
    from medbill.fees import PricedClaim, PricedLine, estimate_responsibility

    plan = make_benefits(deductible=Decimal("1500.00"), copays=(),
                         family_deductible=Decimal("3000.00"),
                         out_of_pocket_max=Decimal("6000.00"),
                         family_out_of_pocket_max=Decimal("12000.00"))  # fmt: skip
    met = Accumulators(deductible_met=Decimal("200.00"), family_deductible_met=Decimal("2900.00"),
                       out_of_pocket_met=Decimal("200.00"),
                       family_out_of_pocket_met=Decimal("11950.00"))  # fmt: skip
    claim = PricedClaim(claim_id="c-1", lines=(PricedLine(code="99213",
        allowed=Decimal("500.00"), unit_fee=Decimal("500.00"),
        service_date=pendulum.date(2025, 3, 4), line_id="1"),))  # fmt: skip
    result = estimate_responsibility(claim, make_coverage(benefits=plan, accumulators=met))
    [share] = result.lines
    # the family has 50.00 left of its 12000.00 out-of-pocket maximum: 100.00 + 80.00 is
    # capped at 50.00 (deductible 50.00, no coinsurance)
    assert (share.deductible, share.coinsurance, share.patient_share) == (
        Decimal("50.00"),
        Decimal("0.00"),
        Decimal("50.00"),
    )
    after = result.accumulators
    assert (after.family_deductible_met, after.family_out_of_pocket_met) == (
        Decimal("2950.00"),
        Decimal("12000.00"),
    )
    roomy = attrs.evolve(met, family_out_of_pocket_met=Decimal("0.00"))
    result = estimate_responsibility(claim, make_coverage(benefits=plan, accumulators=roomy))
    [share] = result.lines
    assert (share.deductible, share.coinsurance, share.patient_share) == (
        Decimal("100.00"),
        Decimal("80.00"),
        Decimal("180.00"),
    )


def test_out_of_network_benefits_have_no_network_of_their_own() -> None:
    with pytest.raises(ValidationError, match=r"out_of_network\.out_of_network"):
        make_benefits(out_of_network=make_benefits(out_of_network=make_benefits()))
    with pytest.raises(ValidationError, match="must be Accumulators"):
        Accumulators(out_of_network="none")  # type: ignore[arg-type]


def test_apply_eligibility_refuses_a_rejection(reference_dir: Path) -> None:
    [response] = _read(reference_dir / OOP / "ValidationForSubscriberName.txt")
    with pytest.raises(ValidationError, match="Invalid/Missing Subscriber/Insured ID"):
        apply_eligibility(make_coverage(), response, pendulum.date(2025, 3, 4))


def test_apply_eligibility_inactive_ends_the_coverage() -> None:

    response = EligibilityResponse(benefits=(EligibilityBenefit(code="6", service_types=("30",)),))
    updated, changes = apply_eligibility(make_coverage(), response, pendulum.date(2025, 3, 4))
    assert updated.effective.end == pendulum.date(2025, 3, 3)
    assert not updated.is_active_on(pendulum.date(2025, 3, 4))
    assert [c.field for c in changes] == ["effective"]


# -- write_270 -----------------------------------------------------------------------------

SENDER = Party(name="SPRINGFIELD FAMILY MEDICINE", id="SFM001")
RECEIVER = Party(name="ACME HEALTH", id="ACME")


def _segments(text: str) -> list[list[str]]:
    return [s.split("*") for s in text.split("~\n") if s]


def test_270_structure_follows_the_guide() -> None:
    """005010X279A1 270: ST, BHT*0022*13, 2000A HL*1**20*1 + NM1*PR (PI), 2000B HL*2*1*21*1 +
    NM1*1P (XX NPI), 2000C HL*3*2*22*0 + TRN*1 (TRN03 10 characters) + NM1*IL (MI) + DMG*D8
    + DTP*291 + one EQ per service type, SE counting ST..SE (pyx12 4.0 has no 5010 270 map)."""
    text = write_270(make_patient(), make_coverage(), make_provider(), ["30", "98"],
                     sender=SENDER, receiver=RECEIVER, control_number=7,
                     created=pendulum.datetime(2025, 3, 4, 8), trace="CHK-1",
                     service_date=pendulum.date(2025, 3, 4))  # fmt: skip
    segments = _segments(text)
    ids = [s[0] for s in segments]
    assert ids == ["ISA", "GS", "ST", "BHT", "HL", "NM1", "HL", "NM1", "HL", "TRN", "NM1",
                   "REF", "DMG", "DTP", "EQ", "EQ", "SE", "GE", "IEA"]  # fmt: skip
    assert segments[1][1] == "HS"
    assert segments[1][8] == "005010X279A1"
    assert segments[2] == ["ST", "270", "0001", "005010X279A1"]
    assert segments[3][1:3] == ["0022", "13"]
    assert segments[4] == ["HL", "1", "", "20", "1"]
    assert segments[5][1] == "PR"
    assert segments[5][8] == "PI"
    assert segments[7][1] == "1P"
    assert segments[7][8] == "XX"
    assert segments[8] == ["HL", "3", "2", "22", "0"]
    assert segments[9][1] == "1"
    assert len(segments[9][3]) == 10
    assert segments[10][1] == "IL"
    assert segments[10][8] == "MI"
    assert segments[13] == ["DTP", "291", "D8", "20250304"]
    assert [s[1] for s in segments if s[0] == "EQ"] == ["30", "98"]
    assert segments[16] == ["SE", str(ids.index("SE") - ids.index("ST") + 1), "0001"]


def test_270_for_a_dependent_sends_both_people() -> None:
    from medbill import PersonName, Subscriber

    coverage = make_coverage(
        relationship=Relationship.CHILD,
        subscriber=Subscriber(name=PersonName(family="Doe", given="John"),
                              birth_date=pendulum.date(1975, 2, 1)),
    )  # fmt: skip
    text = write_270(make_patient(), coverage, make_provider(), sender=SENDER, receiver=RECEIVER,
                     control_number=8, created=pendulum.datetime(2025, 3, 4, 8), trace="CHK-2")  # fmt: skip
    segments = _segments(text)
    hls = [s for s in segments if s[0] == "HL"]
    assert hls[2] == ["HL", "3", "2", "22", "1"]
    assert hls[3] == ["HL", "4", "3", "23", "0"]
    names = [s for s in segments if s[0] == "NM1"]
    assert names[2][1:5] == ["IL", "1", "Doe", "John"]
    assert names[2][8] == "MI"
    assert names[3][1] == "03"
    assert len(names[3]) < 9
    assert ["INS", "N", "19"] in segments
    # it reads back as a 271 would describe the same people
    back = read_271(text.replace("ST*270", "ST*271"), strict=False)
    assert back[0].dependent is not None
    assert back[0].subscriber is not None


def test_270_refuses_no_service_type() -> None:
    with pytest.raises(ValidationError, match="service_types"):
        write_270(make_patient(), make_coverage(), make_provider(), [], sender=SENDER,
                  receiver=RECEIVER, control_number=1, created=pendulum.datetime(2025, 3, 4),
                  trace="T")  # fmt: skip


# -- fuzz ----------------------------------------------------------------------------------

LONG = os.environ.get("MEDBILL_FUZZ_LONG") == "1"
SEED_271 = (
    "ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         *250401*1200*^*00501*"
    "000000001*0*P*:~GS*HB*PAYER*CLINIC*20250401*1200*1*X*005010X279A1~ST*271*0001*005010X279A1~"
    "BHT*0022*11*REQ1*20250401*1200~HL*1**20*1~NM1*PR*2*ACME*****PI*60054~HL*2*1*21*1~"
    "NM1*1P*2*CLINIC*****XX*1234567893~HL*3*2*22*0~TRN*2*T-1*9123456789~"
    "NM1*IL*1*DOE*JANE****MI*W1~DMG*D8*19800517*F~DTP*346*D8*20250101~EB*1**30**GOLD~"
    "EB*C*IND*30***29*1200.00*****Y~AAA*N**72*C~MSG*NOTE~SE*16*0001~GE*1*1~IEA*1*000000001~"
)


@settings(max_examples=2000 if LONG else 150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(st.data())
def test_fuzz_271_reads_or_raises_parse_error(data: st.DataObject) -> None:
    text = SEED_271
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["delete", "insert", "replace"]))
        piece = data.draw(st.text(alphabet="*~:^0123456789ABCDEFGHILMNPRSTXY.- \n", max_size=6))
        if action == "delete":
            text = text[:position] + text[position + len(piece) :]
        elif action == "insert":
            text = text[:position] + piece + text[position:]
        else:
            text = text[:position] + piece + text[position + len(piece) :]
    for strict in (True, False):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", X12Warning)
            with contextlib.suppress(ParseError):
                read_271(text, strict=strict)


def test_270_has_the_shape_of_the_guides_example(reference_dir: Path) -> None:
    # the TR3's subscriber example (linuxforhealth copy): ST BHT HL NM1*PR HL NM1*1P HL TRN
    # NM1*IL DMG DTP*291 EQ SE; ours adds REF*6P (group number, 2100C) when the coverage has one
    example = (reference_dir / "linuxforhealth-x12/src/tests/resources/270_005010X279A1/"
               "subscriber-health-benefit-check.270").read_text()  # fmt: skip
    theirs = [s.split("*")[0] for s in example.replace("\n", "").split("~") if s][2:-2]
    ours = write_270(make_patient(), make_coverage(group_number=None), make_provider(),
                     sender=SENDER, receiver=RECEIVER, control_number=1,
                     created=pendulum.datetime(2025, 3, 4, 8), trace="T1",
                     service_date=pendulum.date(2025, 3, 4))  # fmt: skip
    assert [s[0] for s in _segments(ours)][2:-2] == theirs


def test_typed_results_refuse_bad_values() -> None:
    from medbill import ClaimStatusReport
    from medbill._eligibility import BenefitAmount, EligibilityBenefit

    with pytest.raises(ValidationError, match="amount"):
        EligibilityBenefit(code="B", amount="ten")
    with pytest.raises(ValidationError, match="remaining"):
        BenefitAmount(total=Decimal("1.00"), remaining=Decimal("0.001"))
    with pytest.raises(ValidationError, match="paid"):
        ClaimStatusReport(implementation="005010X212", level="claim", paid=1.5)  # type: ignore[arg-type]
    assert EligibilityBenefit(code="B", amount="25").amount == Decimal("25.00")
