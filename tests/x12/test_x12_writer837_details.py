"""The 837P loops payers ask for (2310A, 2310C, 2410, 2420E/F, REF*G1/9F, NTE, DTP, AMT*F5):
the segments as the TR3 (005010X222A1) spells them, and validity by pyx12."""

from __future__ import annotations

import os
from decimal import Decimal
from importlib import resources
from pathlib import Path

import attrs
import pendulum
import pytest
from pyx12_support import pyx12_errors

from medbill import (
    Accident,
    Address,
    Claim,
    DrugIdentification,
    ServiceFacility,
    ValidationError,
)
from medbill.claims import CodeSets, NcciEdits, PayerRules, read_aoc, read_mue, scrub
from medbill.codes import Icd10CodeSet
from medbill.testing import make_claim, make_claim_line, make_provider
from medbill.x12 import Party, parse_interchange, write_837p


def _fy2026_xml() -> Path:
    pytest.importorskip("simple_icd_10_cm", reason="needs the dev extra (simple-icd-10-cm)")
    folder = resources.files("simple_icd_10_cm") / "data"
    return Path(str(next(p for p in folder.iterdir() if p.name.endswith(".xml"))))


SUBMITTER = Party(
    name="Springfield FM", id="SFM01", contact_name="Billing Office", phone="2175550100"
)
RECEIVER = Party(name="Acme Clearinghouse", id="ACMECH")
CREATED = pendulum.datetime(2025, 3, 5, 9, 30)
DAY = pendulum.date(2025, 3, 4)


def _write(claim: Claim) -> str:
    return write_837p(claim, submitter=SUBMITTER, receiver=RECEIVER, created=CREATED)


def everything() -> Claim:
    """A claim with every optional field: referred, at an imaging center, after a car
    accident, with a prior authorization, a note, a patient payment and a drug line."""
    referring = make_provider(npi="1245319599", name="Cushing", first_name="Harvey")
    ordering = make_provider(npi="1730187808", name="Apgar", first_name="Virginia")
    center = ServiceFacility(
        name="Prairie Imaging Center",
        npi="1922019462",
        address=Address(line1="9 Oak Ave", city="Springfield", state="IL", postal_code="62701"),
    )
    return make_claim(
        id="CLM-FULL",
        referring_provider=referring,
        service_facility=center,
        prior_authorization="PA-7781",
        referral_number="REF-3321",
        note="Films available on request",
        onset_date=pendulum.date(2025, 2, 27),
        accident=Accident(cause="auto", date=pendulum.date(2025, 2, 27), state="IL"),
        patient_paid=Decimal("25.00"),
        lines=[
            make_claim_line(line_id="1", procedure="72148", charge=Decimal("900.00"), service_date=DAY,
                            ordering_provider=ordering),
            make_claim_line(line_id="2", procedure="J1100", charge=Decimal("12.00"), units=Decimal(4),
                            service_date=DAY, referring_provider=referring,
                            drug=DrugIdentification(ndc="63323-0165-01", quantity=Decimal("1"), unit="ML")),
        ],
    )  # fmt: skip


def test_every_field_lands_in_its_loop() -> None:
    lines = _write(everything()).splitlines()
    # 2300: CLM11 AA with the state (CLM11-4), then DTP*431, DTP*439, AMT*F5, REF*9F, REF*G1, NTE
    assert "CLM*CLM-FULL*912.00***11:B:1*Y*A*Y*Y**AA:::IL~" in lines
    start = lines.index("CLM*CLM-FULL*912.00***11:B:1*Y*A*Y*Y**AA:::IL~")
    assert lines[start + 1 : start + 8] == [
        "DTP*431*D8*20250227~",
        "DTP*439*D8*20250227~",
        "AMT*F5*25.00~",
        "REF*9F*REF-3321~",
        "REF*G1*PA-7781~",
        "NTE*ADD*Films available on request~",
        "HI*ABK:E119*ABF:I10~",
    ]
    # 2310A before 2310B; 2310C after it
    assert lines[start + 8] == "NM1*DN*1*Cushing*Harvey****XX*1245319599~"
    assert "NM1*77*2*Prairie Imaging Center*****XX*1922019462~" in lines
    facility = lines.index("NM1*77*2*Prairie Imaging Center*****XX*1922019462~")
    assert lines[facility + 1 : facility + 3] == ["N3*9 Oak Ave~", "N4*Springfield*IL*62701~"]
    # 2420E after line 1's REF*6R; 2410 then 2420F after line 2's
    ref1 = lines.index("REF*6R*1~")
    assert lines[ref1 + 1] == "NM1*DK*1*Apgar*Virginia****XX*1730187808~"
    ref2 = lines.index("REF*6R*2~")
    assert lines[ref2 + 1 : ref2 + 4] == [
        "LIN**N4*63323016501~",
        "CTP****1*ML~",
        "NM1*DN*1*Cushing*Harvey****XX*1245319599~",
    ]


def test_every_field_is_valid_for_pyx12() -> None:
    text = _write(everything())
    assert parse_interchange(text)
    assert pyx12_errors(text) == []


def test_employment_and_other_accidents_need_no_state() -> None:
    claim = make_claim(accident=Accident(cause="EM", date=pendulum.date(2025, 3, 1)))
    assert "CLM*CLM-0001*150.00***11:B:1*Y*A*Y*Y**EM~" in _write(claim).splitlines()


def test_bad_details_are_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError, match="ndc: must be 11 digits"):
        DrugIdentification(ndc="1234", quantity=Decimal(1), unit="ML")
    with pytest.raises(ValidationError, match="unit: must be one of"):
        DrugIdentification(ndc="63323016501", quantity=Decimal(1), unit="XX")
    with pytest.raises(ValidationError, match="note: must be 1 to 80 characters"):
        make_claim(note="x" * 81)
    with pytest.raises(ValidationError, match="patient_paid: must be a Decimal"):
        make_claim(patient_paid=12.5)
    organisation = make_provider(kind="organization", first_name=None, name="Group LLC")
    with pytest.raises(ValidationError, match="referring_provider"):
        _write(make_claim(referring_provider=organisation))


def test_a_claim_clean_with_every_edit_loaded_is_valid_for_pyx12(
    tmp_path: Path, reference_dir: Path
) -> None:
    # Scrub with the CY2025 PPRRVU, the HCPCS Level II file, the modifier lists, the
    # ICD-10-CM FY2025 list in force in March 2025 (FY2026's stands in when FY2025 is not
    # at hand: none of the claim's codes changed), the NCCI tables and a payer rule that
    # asks for the prior authorization and the NDC; then validate the 837P with pyx12.
    reference = reference_dir
    codes = reference / "northstar-cms-codes"
    icd10 = os.environ.get("MEDBILL_ICD10CM_FY2025_XML") or str(_fy2026_xml())
    sets = (
        CodeSets()
        .with_pprrvu(reference / "cms-pfs-2025" / "PPRRVU25_JAN.csv")
        .with_hcpcs(codes / "hcpcs_lvl2.csv", effective=pendulum.date(2024, 7, 1))
        .with_modifier_file(codes / "modifiers.csv")
        .with_icd10(Icd10CodeSet.from_tabular_xml(icd10), effective=pendulum.date(2024, 10, 1),
                    through=pendulum.date(2025, 9, 30))
    )  # fmt: skip
    with (codes / "ncci_aoc.csv").open() as aoc, (codes / "ncci_mue_prac.csv").open() as mue:
        ncci = NcciEdits.from_rows(aoc=read_aoc(aoc), mue=read_mue(mue))
    rules = tmp_path / "acme.toml"
    rules.write_text('payer = "acme"\n[[required]]\nfield = "prior_authorization"\ncodes = ["72148"]\n'
                     '[[required]]\nfield = "lines.drug"\ncodes = ["J*"]\n')  # fmt: skip
    payer = PayerRules.from_toml(rules)
    claim = everything()
    as_of = pendulum.date(2025, 3, 6)
    assert scrub(claim, as_of=as_of, code_sets=sets, ncci=ncci, payer_rules=[payer]) == []
    assert [f.path for f in scrub(attrs.evolve(claim, prior_authorization=None), as_of=as_of,
                                  payer_rules=[payer])] == ["prior_authorization"]  # fmt: skip
    assert pyx12_errors(_write(claim)) == []


def test_the_new_fields_survive_serialize() -> None:
    from medbill.serialize import from_json, to_json

    claim = everything()
    assert from_json(Claim, to_json(claim)) == claim
