"""The 837P segments and loops for what payers ask beyond the basics, one function per loop.

All from ASC X12 005010X222A1 (the 837P TR3): in loop 2300 CLM11 (related causes),
DTP*431 (onset of current illness), DTP*439 (accident), AMT*F5 (patient amount paid),
REF*9F (referral number), REF*G1 (prior authorization), REF*F8 (payer claim control
number), NTE*ADD (claim note); loops 2310A (referring provider, NM1*DN), 2310C (service
facility location, NM1*77); in the line, 2410 (drug identification: LIN with the N4
qualifier for the 11-digit NDC, CTP04/CTP05 quantity and unit), 2420E (ordering
provider, NM1*DK) and 2420F (referring provider, NM1*DN). Segment order within each loop
is the TR3's.
"""

from __future__ import annotations

import pendulum

from medbill._encounter import Claim, ClaimLine
from medbill._errors import ValidationError
from medbill._parties import Provider
from medbill.x12._write import SegmentWriter, amount

__all__ = [
    "claim_amounts",
    "claim_dates",
    "claim_note",
    "claim_references",
    "line_loops",
    "loop_2310a_referring",
    "loop_2310c_service_facility",
    "related_causes",
]


def _d8(day: pendulum.Date) -> str:
    return day.format("YYYYMMDD")


def related_causes(out: SegmentWriter, claim: Claim) -> str:
    """CLM11: the accident's related-causes code, and for an auto accident its state."""
    accident = claim.accident
    if accident is None:
        return ""
    return out.composite(accident.cause.x12, "", "", accident.state or "")


def claim_dates(out: SegmentWriter, claim: Claim) -> None:
    """2300 DTP*431 (onset of current illness or symptom) and DTP*439 (accident)."""
    if claim.onset_date is not None:
        out.add("DTP", "431", "D8", _d8(claim.onset_date))
    if claim.accident is not None:
        out.add("DTP", "439", "D8", _d8(claim.accident.date))


def claim_amounts(out: SegmentWriter, claim: Claim) -> None:
    """2300 AMT*F5: the amount the patient has paid toward the claim."""
    if claim.patient_paid is not None:
        out.add("AMT", "F5", amount(claim.patient_paid))


def claim_references(out: SegmentWriter, claim: Claim) -> None:
    """2300 REF*9F (referral), REF*G1 (prior authorization), REF*F8 (original claim)."""
    if claim.referral_number:
        out.add("REF", "9F", out.text(claim.referral_number, "referral_number"))
    if claim.prior_authorization:
        out.add("REF", "G1", out.text(claim.prior_authorization, "prior_authorization"))
    if claim.original_claim_reference:
        out.add("REF", "F8", out.text(claim.original_claim_reference, "original_claim_reference"))


def claim_note(out: SegmentWriter, claim: Claim) -> None:
    """2300 NTE*ADD: a free-text claim note (at most 80 characters)."""
    if claim.note:
        out.add("NTE", "ADD", out.text(claim.note, "note"))


def _person_nm1(out: SegmentWriter, role: str, provider: Provider, field: str) -> None:
    if not provider.kind.is_person:
        raise ValidationError(
            field, provider.name, f"NM1*{role} names a person, not an organization"
        )
    out.add(
        "NM1", role, "1", out.text(provider.name, field), out.text(provider.first_name, field),
        "", "", "", "XX", str(provider.npi),
    )  # fmt: skip


def loop_2310a_referring(out: SegmentWriter, claim: Claim) -> None:
    """Loop 2310A: the referring provider (NM1*DN)."""
    if claim.referring_provider is not None:
        _person_nm1(out, "DN", claim.referring_provider, "referring_provider")


def loop_2310c_service_facility(out: SegmentWriter, claim: Claim) -> None:
    """Loop 2310C: the service facility location (NM1*77, N3, N4)."""
    site = claim.service_facility
    if site is None:
        return
    npi = ("XX", str(site.npi)) if site.npi is not None else ("", "")
    out.add("NM1", "77", "2", out.text(site.name, "service_facility.name"), "", "", "", "", *npi)
    address = site.address
    out.add("N3", out.text(address.line1, "service_facility.address"),
            out.text(address.line2, "service_facility.address"))  # fmt: skip
    out.add(
        "N4", out.text(address.city, "service_facility.address"), address.state, address.postal_code
    )


def line_loops(out: SegmentWriter, line: ClaimLine) -> None:
    """Loops 2410 (drug: LIN, CTP), 2420E (ordering provider) and 2420F (referring provider)
    of one service line, after its REF segments and before 2430."""
    drug = line.drug
    if drug is not None:
        out.add("LIN", "", "N4", drug.ndc)
        out.add("CTP", "", "", "", amount(drug.quantity), out.composite(drug.unit.value))
    if line.ordering_provider is not None:
        _person_nm1(out, "DK", line.ordering_provider, "ordering_provider")
    if line.referring_provider is not None:
        _person_nm1(out, "DN", line.referring_provider, "referring_provider")
