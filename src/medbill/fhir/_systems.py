"""Canonical URIs of the code systems, identifier systems and extensions medbill reads and writes.

The standard ones are HL7's (hl7.org/fhir/sid, terminology.hl7.org), CMS's and X12's as
the US Core, CARIN Blue Button and Da Vinci guides use them. What FHIR has no element for
(a CAS group code, an 835 claim status code, a coverage's year-to-date accumulators) goes
in an extension under :data:`MEDBILL`, so a round trip through FHIR loses nothing.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ADJUDICATION",
    "C4BB_ADJUDICATION",
    "C4BB_EOB_PROFESSIONAL",
    "CARC",
    "CPT",
    "HCPCS",
    "ICD10CM",
    "MEDBILL",
    "NPI",
    "PLACE_OF_SERVICE",
    "RARC",
]

ICD10CM: Final = "http://hl7.org/fhir/sid/icd-10-cm"
"""ICD-10-CM diagnoses."""
CPT: Final = "http://www.ama-assn.org/go/cpt"
"""CPT procedures and CPT (Level I) modifiers."""
HCPCS: Final = "https://bluebutton.cms.gov/resources/codesystem/hcpcs"
"""HCPCS Level II procedures and modifiers."""
# Read as HCPCS too (CMS's own URIs and the OID); written as HCPCS. A tuple: messages list
# them in this order.
HCPCS_ALIASES: Final = (
    HCPCS,
    "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "urn:oid:2.16.840.1.113883.6.285",
)
PLACE_OF_SERVICE: Final = (
    "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
)
"""The CMS place-of-service code set (THO CMSPlaceofServiceCodes)."""
CARC: Final = "https://x12.org/codes/claim-adjustment-reason-codes"
"""X12 claim adjustment reason codes."""
RARC: Final = "https://x12.org/codes/remittance-advice-remark-codes"
"""X12 remittance advice remark codes."""
NPI: Final = "http://hl7.org/fhir/sid/us-npi"
"""National Provider Identifier."""
EIN: Final = "urn:oid:2.16.840.1.113883.4.4"
NUCC_TAXONOMY: Final = "http://nucc.org/provider-taxonomy"
NUBC_REVENUE: Final = "https://www.nubc.org/CodeSystem/RevenueCodes"
V2_IDENTIFIER_TYPE: Final = "http://terminology.hl7.org/CodeSystem/v2-0203"
CLAIM_TYPE: Final = "http://terminology.hl7.org/CodeSystem/claim-type"
ADJUDICATION: Final = "http://terminology.hl7.org/CodeSystem/adjudication"
"""HL7 adjudication categories (submitted, eligible, copay, deductible, benefit, ...)."""
C4BB_ADJUDICATION: Final = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication"
"""CARIN Blue Button adjudication categories (coinsurance, memberliability, paidtoprovider, ...)."""
C4BB_IDENTIFIER_TYPE: Final = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBIdentifierType"
C4BB_SUPPORTING_INFO: Final = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType"
C4BB_CARE_TEAM_ROLE: Final = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimCareTeamRole"
C4BB_EOB_PROFESSIONAL: Final = (
    "http://hl7.org/fhir/us/carin-bb/StructureDefinition/"
    "C4BB-ExplanationOfBenefit-Professional-NonClinician"
)
"""The CARIN BB professional / non-clinician EOB profile."""
CARE_TEAM_ROLE: Final = "http://terminology.hl7.org/CodeSystem/claimcareteamrole"
SUBSCRIBER_RELATIONSHIP: Final = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
COVERAGE_CLASS: Final = "http://terminology.hl7.org/CodeSystem/coverage-class"
COPAY_TYPE: Final = "http://terminology.hl7.org/CodeSystem/coverage-copay-type"
SELF_PAY: Final = "http://terminology.hl7.org/CodeSystem/coverage-selfpay"
RELATED_CLAIM: Final = "http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship"
PROCESS_PRIORITY: Final = "http://terminology.hl7.org/CodeSystem/processpriority"
PAYEE_TYPE: Final = "http://terminology.hl7.org/CodeSystem/payeetype"
ORGANIZATION_TYPE: Final = "http://terminology.hl7.org/CodeSystem/organization-type"
PAYER_TYPOLOGY: Final = "urn:oid:2.16.840.1.113883.3.221.5"
"""PHDSC Source of Payment Typology."""
ACT_CODE: Final = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PARTICIPATION_TYPE: Final = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
CONDITION_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/condition-category"
DATA_ABSENT_REASON: Final = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
PAYMENT_TYPE: Final = "http://terminology.hl7.org/CodeSystem/payment-type"

MEDBILL: Final = "https://medbill.dev/fhir"
"""Base of medbill's own extensions and code systems (``{MEDBILL}/StructureDefinition/...``)."""


def extension_url(name: str) -> str:
    """The URL of medbill's extension ``name``."""
    return f"{MEDBILL}/StructureDefinition/{name}"


def medbill_system(name: str) -> str:
    """The URL of medbill's code or identifier system ``name``."""
    return f"{MEDBILL}/{name}"
