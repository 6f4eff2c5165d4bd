"""Code lists of the eligibility, claim status and acknowledgement transactions, as data.

The public face of these tables is :class:`medbill.codes.CodeList` (one member per list).
Each mapping goes from the code as sent to its published meaning:

- ``CLAIM_STATUS_CATEGORY_DESCRIPTIONS``: Health Care Claim Status Category Codes (X12
  external code source 507), the first component of an STC composite (277, 277CA);
- ``CLAIM_STATUS_DESCRIPTIONS``: Health Care Claim Status Codes (code source 508), the
  second component: every code of the list (over 780, including the retired ones, with the
  meaning they had), without the list's usage notes, which are in
  ``CLAIM_STATUS_USAGE_NOTES`` (``"This code requires use of an Entity Code."``);
  a code not in the list is kept as sent, without a meaning.

  Both lists are data: the package file ``medbill/codes/claim_status_codes.csv``, whose
  header cites the source (the X12 code lists) and the transcriptions it was taken from.
- ``ELIGIBILITY_REJECTION_DESCRIPTIONS``: AAA03 reject reason codes of the 271
  (005010X279A1, loops 2000A, 2100A-D, 2110C/D);
- ``ELIGIBILITY_FOLLOW_UP_DESCRIPTIONS``: AAA04 follow-up action codes;
- ``BENEFIT_DESCRIPTIONS``: EB01 eligibility or benefit information codes;
- ``SERVICE_TYPE_DESCRIPTIONS``: EB03 / EQ01 service type codes in common use;
- ``ACK_SEGMENT_ERROR_DESCRIPTIONS`` (999 IK304), ``ACK_ELEMENT_ERROR_DESCRIPTIONS``
  (IK403), ``ACK_TRANSACTION_ERROR_DESCRIPTIONS`` (IK502..IK506),
  ``ACK_GROUP_ERROR_DESCRIPTIONS`` (AK905..AK909) and ``ACK_STATUS_DESCRIPTIONS``
  (IK501 / AK901) of the 999 (005010X231A1).

>>> from medbill.codes import CodeList
>>> CodeList.CLAIM_STATUS_CATEGORY.meanings["F2"]
'Finalized/Denial - The claim/line has been denied.'
>>> CodeList.ELIGIBILITY_REJECTION.meanings["72"]
'Invalid/Missing Subscriber/Insured ID'
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType
from typing import Final

import attrs

__all__ = [
    "ACK_ELEMENT_ERROR_DESCRIPTIONS",
    "ACK_GROUP_ERROR_DESCRIPTIONS",
    "ACK_SEGMENT_ERROR_DESCRIPTIONS",
    "ACK_STATUS_DESCRIPTIONS",
    "ACK_TRANSACTION_ERROR_DESCRIPTIONS",
    "BENEFIT_DESCRIPTIONS",
    "CLAIM_STATUS_CATEGORY_DESCRIPTIONS",
    "CLAIM_STATUS_DESCRIPTIONS",
    "CLAIM_STATUS_RETIRED",
    "CLAIM_STATUS_UNPUBLISHED",
    "CLAIM_STATUS_USAGE_NOTES",
    "ELIGIBILITY_FOLLOW_UP_DESCRIPTIONS",
    "ELIGIBILITY_REJECTION_DESCRIPTIONS",
    "SERVICE_TYPE_DESCRIPTIONS",
]


def _frozen(table: dict[str, str]) -> Mapping[str, str]:
    return MappingProxyType(table)


@attrs.frozen(kw_only=True)
class _StatusCodeRow:
    meaning: str
    usage: str
    edition: str


def _load_status_lists() -> dict[str, dict[str, _StatusCodeRow]]:
    """Read ``claim_status_codes.csv`` (lists 507 and 508; its header cites the source)."""
    text = resources.files("medbill.codes").joinpath(_STATUS_FILE).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    found: dict[str, dict[str, _StatusCodeRow]] = {"507": {}, "508": {}}
    for row in csv.DictReader(lines):
        found[row["list"]][row["code"]] = _StatusCodeRow(
            meaning=row["meaning"], usage=row["usage"], edition=row["edition"]
        )
    return found


_STATUS_FILE = "claim_status_codes.csv"
_STATUS_LISTS = _load_status_lists()

CLAIM_STATUS_CATEGORY_DESCRIPTIONS: Final = _frozen(
    {code: row.meaning for code, row in _STATUS_LISTS["507"].items() if row.meaning}
)
CLAIM_STATUS_DESCRIPTIONS: Final = _frozen(
    {code: row.meaning for code, row in _STATUS_LISTS["508"].items() if row.meaning}
)
CLAIM_STATUS_USAGE_NOTES: Final = _frozen(
    {code: row.usage for code, row in _STATUS_LISTS["508"].items() if row.usage}
)
CLAIM_STATUS_UNPUBLISHED: Final = frozenset(
    f"{name}:{code}"
    for name, rows in _STATUS_LISTS.items()
    for code, row in rows.items()
    if row.edition == "none"
)
CLAIM_STATUS_RETIRED: Final = frozenset(
    code for code, row in _STATUS_LISTS["508"].items() if row.edition == "earlier"
)

ELIGIBILITY_REJECTION_DESCRIPTIONS: Final = _frozen({
    "04": "Authorized Quantity Exceeded",
    "15": "Required application data missing",
    "33": "Input Errors",
    "35": "Out of Network",
    "41": "Authorization/Access Restrictions",
    "42": "Unable to Respond at Current Time",
    "43": "Invalid/Missing Provider Identification",
    "44": "Invalid/Missing Provider Name",
    "45": "Invalid/Missing Provider Specialty",
    "46": "Invalid/Missing Provider Phone Number",
    "47": "Invalid/Missing Provider State",
    "48": "Invalid/Missing Referring Provider Identification Number",
    "49": "Provider is Not Primary Care Physician",
    "50": "Provider Ineligible for Inquiries",
    "51": "Provider Not on File",
    "52": "Service Dates Not Within Provider Plan Enrollment",
    "53": "Inquired Benefit Inconsistent with Provider Type",
    "54": "Inappropriate Product/Service ID Qualifier",
    "55": "Inappropriate Product/Service ID",
    "56": "Inappropriate Date",
    "57": "Invalid/Missing Date(s) of Service",
    "58": "Invalid/Missing Date-of-Birth",
    "60": "Date of Birth Follows Date(s) of Service",
    "61": "Date of Death Precedes Date(s) of Service",
    "62": "Date of Service Not Within Allowable Inquiry Period",
    "63": "Date of Service in Future",
    "64": "Invalid/Missing Patient ID",
    "65": "Invalid/Missing Patient Name",
    "66": "Invalid/Missing Patient Gender Code",
    "67": "Patient Not Found",
    "68": "Duplicate Patient ID Number",
    "69": "Inconsistent with Patient's Age",
    "70": "Inconsistent with Patient's Gender",
    "71": "Patient Birth Date Does Not Match That for the Patient on the Database",
    "72": "Invalid/Missing Subscriber/Insured ID",
    "73": "Invalid/Missing Subscriber/Insured Name",
    "74": "Invalid/Missing Subscriber/Insured Gender Code",
    "75": "Subscriber/Insured Not Found",
    "76": "Duplicate Subscriber/Insured ID Number",
    "77": "Subscriber Found, Patient Not Found",
    "78": "Subscriber/Insured Not in Group/Plan Identified",
    "79": "Invalid Participant Identification",
    "80": "No Response received - Transaction Terminated",
    "97": "Invalid or Missing Provider Address",
    "98": "Experimental Service or Procedure",
    "AA": "Authorization Number Not Found",
    "AE": "Requires Primary Care Physician Authorization",
    "AF": "Invalid/Missing Diagnosis Code(s)",
    "AG": "Invalid/Missing Procedure Code(s)",
    "AO": "Additional Patient Condition Information Required",
    "CI": "Certification Information Does Not Match Patient",
    "E8": "Requires Medical Review",
    "IA": "Invalid Authorization Number Format",
    "MA": "Missing Authorization",
    "T4": "Payer Name or Identifier Missing",
})  # fmt: skip

ELIGIBILITY_FOLLOW_UP_DESCRIPTIONS: Final = _frozen({
    "C": "Please Correct and Resubmit",
    "N": "Resubmission Not Allowed",
    "P": "Please Resubmit Original Transaction",
    "R": "Resubmission Allowed",
    "S": "Do Not Resubmit; Inquiry Initiated to a Third Party",
    "W": "Please Wait 30 Days and Resubmit",
    "X": "Please Wait 10 Days and Resubmit",
    "Y": "Do Not Resubmit; We Will Hand Over Your Request",
})  # fmt: skip

BENEFIT_DESCRIPTIONS: Final = _frozen({
    "1": "Active Coverage",
    "2": "Active - Full Risk Capitation",
    "3": "Active - Services Capitated",
    "4": "Active - Services Capitated to Primary Care Physician",
    "5": "Active - Pending Investigation",
    "6": "Inactive",
    "7": "Inactive - Pending Eligibility Update",
    "8": "Inactive - Pending Investigation",
    "A": "Co-Insurance",
    "B": "Co-Payment",
    "C": "Deductible",
    "CB": "Coverage Basis",
    "D": "Benefit Description",
    "E": "Exclusions",
    "F": "Limitations",
    "G": "Out of Pocket (Stop Loss)",
    "H": "Unlimited",
    "I": "Non-Covered",
    "J": "Cost Containment",
    "K": "Reserve",
    "L": "Primary Care Provider",
    "M": "Pre-existing Condition",
    "MC": "Managed Care Coordinator",
    "N": "Services Restricted to Following Provider",
    "O": "Not Deemed a Medical Necessity",
    "P": "Benefit Disclaimer",
    "Q": "Second Surgical Opinion Required",
    "R": "Other or Additional Payor",
    "S": "Prior Year(s) History",
    "T": "Card(s) Reported Lost/Stolen",
    "U": "Contact Following Entity for Eligibility or Benefit Information",
    "V": "Cannot Process",
    "W": "Other Source of Data",
    "X": "Health Care Facility",
    "Y": "Spend Down",
})  # fmt: skip

SERVICE_TYPE_DESCRIPTIONS: Final = _frozen({
    "1": "Medical Care",
    "2": "Surgical",
    "3": "Consultation",
    "4": "Diagnostic X-Ray",
    "5": "Diagnostic Lab",
    "6": "Radiation Therapy",
    "7": "Anesthesia",
    "8": "Surgical Assistance",
    "12": "Durable Medical Equipment Purchase",
    "18": "Durable Medical Equipment Rental",
    "20": "Second Surgical Opinion",
    "23": "Diagnostic Dental",
    "30": "Health Benefit Plan Coverage",
    "33": "Chiropractic",
    "35": "Dental Care",
    "40": "Oral Surgery",
    "42": "Home Health Care",
    "45": "Hospice",
    "47": "Hospital",
    "48": "Hospital - Inpatient",
    "50": "Hospital - Outpatient",
    "51": "Hospital - Emergency Accident",
    "52": "Hospital - Emergency Medical",
    "53": "Hospital - Ambulatory Surgical",
    "54": "Long Term Care",
    "56": "Medically Related Transportation",
    "62": "MRI/CAT Scan",
    "65": "Newborn Care",
    "68": "Well Baby Care",
    "73": "Diagnostic Medical",
    "76": "Dialysis",
    "78": "Chemotherapy",
    "80": "Immunizations",
    "81": "Routine Physical",
    "82": "Family Planning",
    "86": "Emergency Services",
    "88": "Pharmacy",
    "93": "Podiatry",
    "98": "Professional (Physician) Visit - Office",
    "99": "Professional (Physician) Visit - Inpatient",
    "A0": "Professional (Physician) Visit - Outpatient",
    "A3": "Professional (Physician) Visit - Home",
    "A4": "Psychiatric",
    "A6": "Psychotherapy",
    "A7": "Psychiatric - Inpatient",
    "A8": "Psychiatric - Outpatient",
    "AD": "Occupational Therapy",
    "AE": "Physical Medicine",
    "AF": "Speech Therapy",
    "AG": "Skilled Nursing Care",
    "AI": "Substance Abuse",
    "AL": "Vision (Optometry)",
    "BG": "Cardiac Rehabilitation",
    "BH": "Pediatric",
    "BY": "Physician Visit - Office: Sick",
    "BZ": "Physician Visit - Office: Well",
    "DM": "Durable Medical Equipment",
    "MH": "Mental Health",
    "PT": "Physical Therapy",
    "UC": "Urgent Care",
})  # fmt: skip

ACK_STATUS_DESCRIPTIONS: Final = _frozen({
    "A": "Accepted",
    "E": "Accepted But Errors Were Noted",
    "M": "Rejected, Message Authentication Code (MAC) Failed",
    "P": "Partially Accepted, At Least One Transaction Set Was Rejected",
    "R": "Rejected",
    "W": "Rejected, Assurance Failed Validity Tests",
    "X": "Rejected, Content After Decryption Could Not Be Analyzed",
})  # fmt: skip

ACK_SEGMENT_ERROR_DESCRIPTIONS: Final = _frozen({
    "1": "Unrecognized segment ID",
    "2": "Unexpected segment",
    "3": "Required Segment Missing",
    "4": "Loop Occurs Over Maximum Times",
    "5": "Segment Exceeds Maximum Use",
    "6": "Segment Not in Defined Transaction Set",
    "7": "Segment Not in Proper Sequence",
    "8": "Segment Has Data Element Errors",
    "I4": "Implementation \"Not Used\" Segment Present",
    "I6": "Implementation Dependent Segment Missing",
    "I7": "Implementation Loop Occurs Under Minimum Times",
    "I8": "Implementation Segment Below Minimum Use",
    "I9": "Implementation Dependent \"Not Used\" Segment Present",
})  # fmt: skip

ACK_ELEMENT_ERROR_DESCRIPTIONS: Final = _frozen({
    "1": "Required Data Element Missing",
    "2": "Conditional Required Data Element Missing",
    "3": "Too Many Data Elements",
    "4": "Data Element Too Short",
    "5": "Data Element Too Long",
    "6": "Invalid Character In Data Element",
    "7": "Invalid Code Value",
    "8": "Invalid Date",
    "9": "Invalid Time",
    "10": "Exclusion Condition Violated",
    "12": "Too Many Repetitions",
    "13": "Too Many Components",
    "I6": "Code Value Not Used in Implementation",
    "I9": "Implementation Dependent Data Element Missing",
    "I10": "Implementation \"Not Used\" Data Element Present",
    "I11": "Implementation Too Few Repetitions",
    "I12": "Implementation Pattern Match Failure",
    "I13": "Implementation Dependent \"Not Used\" Data Element Present",
})  # fmt: skip

ACK_TRANSACTION_ERROR_DESCRIPTIONS: Final = _frozen({
    "1": "Transaction Set Not Supported",
    "2": "Transaction Set Trailer Missing",
    "3": "Transaction Set Control Number in Header and Trailer Do Not Match",
    "4": "Number of Included Segments Does Not Match Actual Count",
    "5": "One or More Segments in Error",
    "6": "Missing or Invalid Transaction Set Identifier",
    "7": "Missing or Invalid Transaction Set Control Number",
    "8": "Authentication Key Name Unknown",
    "9": "Encryption Key Name Unknown",
    "10": "Requested Service (Authentication or Encrypted) Not Available",
    "11": "Unknown Security Recipient",
    "12": "Incorrect Message Length (Encryption Only)",
    "13": "Message Authentication Code Failed",
    "15": "Unknown Security Originator",
    "16": "Syntax Error in Decrypted Text",
    "17": "Security Not Supported",
    "18": "Transaction Set not in Functional Group",
    "19": "Invalid Transaction Set Implementation Convention Reference",
    "23": "Transaction Set Control Number Not Unique within the Functional Group",
    "I5": "Implementation One or More Segments in Error",
    "I6": "Implementation Convention Not Supported",
})  # fmt: skip

ACK_GROUP_ERROR_DESCRIPTIONS: Final = _frozen({
    "1": "Functional Group Not Supported",
    "2": "Functional Group Version Not Supported",
    "3": "Functional Group Trailer Missing",
    "4": "Group Control Number in the Functional Group Header and Trailer Do Not Agree",
    "5": "Number of Included Transaction Sets Does Not Match Actual Count",
    "6": "Group Control Number Violates Syntax",
    "10": "Authentication Key Name Unknown",
    "11": "Encryption Key Name Unknown",
    "12": "Requested Service (Authentication or Encryption) Not Available",
    "13": "Unknown Security Recipient",
    "14": "Unknown Security Originator",
    "15": "Syntax Error in Decrypted Text",
    "16": "Security Not Supported",
    "17": "Incorrect Message Length (Encryption Only)",
    "18": "Message Authentication Code Failed",
    "19": "Functional Group Control Number not Unique within Interchange",
    "23": "S3E Security End Segment Missing for S3S Security Start Segment",
    "24": "S3S Security Start Segment Missing for S3E End Segment",
    "25": "S4E Security End Segment Missing for S4S Security Start Segment",
    "26": "S4S Security Start Segment Missing for S4E Security End Segment",
})  # fmt: skip
