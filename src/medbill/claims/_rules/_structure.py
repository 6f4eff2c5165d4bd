"""Structural rules: required fields, code formats, pointers, X12 limits, NPI check digits.

The entity constructors already refuse most of these problems; the rules still check them
so a claim assembled another way (a lenient import, a replacement built field by field)
is caught before submission, with a fix hint.
"""

from __future__ import annotations

from collections.abc import Iterator

from medbill._encounter import MAX_DIAGNOSES, MAX_MODIFIERS, MAX_POINTERS, Claim
from medbill._errors import CodeError
from medbill._parties import ProviderKind
from medbill.claims._scrub import Finding, ScrubContext, Severity
from medbill.codes import Icd10Cm, Modifier, Npi, PlaceOfService, ProcedureCode

__all__ = [
    "MAX_DIAGNOSES",
    "MAX_LINES",
    "MAX_MODIFIERS",
    "MAX_POINTERS",
    "code_formats",
    "diagnosis_pointers",
    "limits",
    "npi_check_digits",
    "required_fields",
]

# 837P (005010X222A1): the HI, SV107 and SV101 limits are the entities' own (one source);
# loop 2400 repeats at most 50 times per claim.
MAX_LINES = 50

_ERROR = Severity.ERROR


def _missing(path: str, what: str, hint: str) -> Finding:
    return Finding(
        rule="required-field", severity=_ERROR, path=path, message=f"{what} is missing", hint=hint
    )


def required_fields(claim: Claim, context: ScrubContext) -> Iterator[Finding]:
    """Rule ``required-field``: what an 837P cannot be sent without."""
    coverage = claim.coverage
    if coverage is None:
        yield _missing(
            "coverage",
            "the coverage (a self-pay claim is not submitted)",
            "attach the patient's coverage or bill the patient",
        )
    elif not coverage.payer.x12_payer_id:
        yield _missing(
            "coverage.payer.x12_payer_id",
            "the payer's X12 id (NM109, loop 2010BB)",
            "set Payer.x12_payer_id from the clearinghouse's payer list",
        )
    billing = claim.billing_provider
    if not billing.tax_id:
        yield _missing(
            "billing_provider.tax_id",
            "the billing provider's EIN (REF*EI, loop 2010AA)",
            "set Provider.tax_id",
        )
    if billing.address is None:
        yield _missing(
            "billing_provider.address",
            "the billing provider's address (N3/N4, 2010AA)",
            "set Provider.address (a street address, not a PO box)",
        )
    if claim.patient.address is None:
        yield _missing(
            "patient.address",
            "the patient's address (N3/N4, loop 2010BA/2010CA)",
            "record the patient's address",
        )
    if billing.kind is ProviderKind.ORGANIZATION and claim.rendering_provider is None:
        yield _missing(
            "rendering_provider",
            "the rendering provider (loop 2310B)",
            "name the practitioner who performed the services",
        )


def _bad_code(kind: type, value: object) -> bool:
    if type(value) is kind:
        return False  # a code instance exists only in its validated, canonical form
    try:
        kind(str(value))
    except CodeError:
        return True
    return not isinstance(value, kind)


def code_formats(claim: Claim, context: ScrubContext) -> Iterator[Finding]:
    """Rule ``code-format``: every code well formed; diagnoses billable when a code set is given."""
    for index, diagnosis in enumerate(claim.diagnoses):
        path = f"diagnoses[{index}]"
        if _bad_code(Icd10Cm, diagnosis):
            yield Finding(
                rule="code-format",
                severity=_ERROR,
                path=path,
                message=f"{diagnosis!s} is not an ICD-10-CM code",
                hint="use a valid ICD-10-CM code",
            )
        elif context.icd10 is not None and not context.icd10.is_billable(diagnosis):
            yield Finding(
                rule="code-format",
                severity=_ERROR,
                path=path,
                message=f"{diagnosis} is not a billable ICD-10-CM code",
                hint="code to the highest specificity (a billable leaf code)",
            )
    if _bad_code(PlaceOfService, claim.place_of_service):
        yield Finding(
            rule="code-format",
            severity=_ERROR,
            path="place_of_service",
            message=f"{claim.place_of_service!s} is not a place of service code",
            hint="use a CMS place of service code",
        )
    for index, line in enumerate(claim.lines):
        if _bad_code(ProcedureCode, line.procedure):
            yield Finding(
                rule="code-format",
                severity=_ERROR,
                path=f"lines[{index}].procedure",
                message=f"{line.procedure!s} is not a CPT or HCPCS code",
                hint="use a 5-character CPT or HCPCS code",
            )
        for position, modifier in enumerate(line.modifiers):
            if _bad_code(Modifier, modifier):
                yield Finding(
                    rule="code-format",
                    severity=_ERROR,
                    path=f"lines[{index}].modifiers[{position}]",
                    message=f"{modifier!s} is not a modifier",
                    hint="modifiers are 2 letters or digits",
                )


def diagnosis_pointers(claim: Claim, context: ScrubContext) -> Iterator[Finding]:
    """Rule ``diagnosis-pointer``: each line points at 1-4 distinct diagnoses of the claim."""
    count = len(claim.diagnoses)
    for index, line in enumerate(claim.lines):
        path = f"lines[{index}].diagnosis_pointers"
        pointers = list(line.diagnosis_pointers)
        if not pointers:
            yield Finding(
                rule="diagnosis-pointer",
                severity=_ERROR,
                path=path,
                message="the line points at no diagnosis",
                hint="point at the diagnosis that justifies the service",
            )
        for pointer in pointers:
            if not 1 <= pointer <= count:
                yield Finding(
                    rule="diagnosis-pointer",
                    severity=_ERROR,
                    path=path,
                    message=f"pointer {pointer} refers to no diagnosis (the claim has {count})",
                    hint="pointers are 1-based positions in the claim's diagnoses",
                )
        if len(set(pointers)) != len(pointers):
            yield Finding(
                rule="diagnosis-pointer",
                severity=_ERROR,
                path=path,
                message=f"pointers {pointers} repeat a diagnosis",
                hint="list each diagnosis once",
            )


def limits(claim: Claim, context: ScrubContext) -> Iterator[Finding]:
    """Rule ``limit``: at most 12 diagnoses, 50 lines, 4 pointers and 4 modifiers per line."""
    if len(claim.diagnoses) > MAX_DIAGNOSES:
        yield Finding(
            rule="limit",
            severity=_ERROR,
            path="diagnoses",
            message=f"{len(claim.diagnoses)} diagnoses; an 837P holds {MAX_DIAGNOSES}",
            hint="keep the diagnoses the lines point at; split the claim if needed",
        )
    if len(claim.lines) > MAX_LINES:
        yield Finding(
            rule="limit",
            severity=_ERROR,
            path="lines",
            message=f"{len(claim.lines)} lines; an 837P claim holds {MAX_LINES}",
            hint="split the services over several claims",
        )
    for index, line in enumerate(claim.lines):
        if len(line.diagnosis_pointers) > MAX_POINTERS:
            yield Finding(
                rule="limit",
                severity=_ERROR,
                path=f"lines[{index}].diagnosis_pointers",
                message=f"{len(line.diagnosis_pointers)} pointers; at most {MAX_POINTERS}",
                hint="keep the four most relevant diagnoses",
            )
        if len(line.modifiers) > MAX_MODIFIERS:
            yield Finding(
                rule="limit",
                severity=_ERROR,
                path=f"lines[{index}].modifiers",
                message=f"{len(line.modifiers)} modifiers; at most {MAX_MODIFIERS}",
                hint="payment modifiers first; 99 when more are needed",
            )


def npi_check_digits(claim: Claim, context: ScrubContext) -> Iterator[Finding]:
    """Rule ``npi-check-digit``: billing and rendering NPIs pass the Luhn check (45 CFR 162.406)."""
    providers = [("billing_provider.npi", claim.billing_provider)]
    if claim.rendering_provider is not None:
        providers.append(("rendering_provider.npi", claim.rendering_provider))
    for path, provider in providers:
        if type(provider.npi) is Npi:
            continue  # an Npi instance passed its check digit when it was made
        try:
            Npi(str(provider.npi))
        except CodeError as error:
            yield Finding(
                rule="npi-check-digit",
                severity=_ERROR,
                path=path,
                message=f"NPI {provider.npi!s} is invalid: {error.reason}",
                hint="check the NPI in the NPPES registry",
            )
