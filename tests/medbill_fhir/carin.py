"""Compile the CARIN Blue Button FHIR Shorthand examples to JSON with SUSHI.

The reference folder holds only the IG's example instances (``input/fsh/examples``), not its
profiles, code systems or aliases. To compile them, a temporary SUSHI project gets:

- the examples folder itself, linked in place (never copied);
- the aliases the examples use, with the canonical URLs of the CARIN BB IG 2.x;
- a stand-in profile per ``InstanceOf`` (on the base resource, with the slices the examples
  fill: ``identifier[uniqueclaimid]``, ``total[adjudicationamounttype]``, ...);
- a stand-in CodeSystem for each CARIN code system the examples name without an alias.

The stand-ins only let SUSHI lay the instances out; the JSON is the examples' own content.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

CANONICAL = "http://hl7.org/fhir/us/carin-bb"
_CS = f"{CANONICAL}/CodeSystem"
ALIASES = {
    "adjudication": "http://terminology.hl7.org/CodeSystem/adjudication",
    "adjudication_1": "http://terminology.hl7.org/CodeSystem/adjudication",
    "HL7AdjudicationCS": "http://terminology.hl7.org/CodeSystem/adjudication",
    "C4BBAdjudication": f"{_CS}/C4BBAdjudication",
    "C4BBAdjudicationCS": f"{_CS}/C4BBAdjudication",
    "C4BBAdjudicationDiscriminator": f"{_CS}/C4BBAdjudicationDiscriminator",
    "C4BBPayerAdjudicationStatus": f"{_CS}/C4BBPayerAdjudicationStatus",
    "C4BBClaimDiagnosisType": f"{_CS}/C4BBClaimDiagnosisType",
    "C4BBClaimDiagnosisTypeCS": f"{_CS}/C4BBClaimDiagnosisType",
    "C4BBClaimProcedureType": f"{_CS}/C4BBClaimProcedureType",
    "C4BBClaimCareTeamRole": f"{_CS}/C4BBClaimCareTeamRole",
    "C4BBIdentifierType": f"{_CS}/C4BBIdentifierType",
    "C4BBIdentifierTypeCS": f"{_CS}/C4BBIdentifierType",
    "C4BBSupportingInfoType": f"{_CS}/C4BBSupportingInfoType",
    "C4BBInstitutionalClaimSubType": f"{_CS}/C4BBInstitutionalClaimSubType",
    "CMSPlaceofServiceCodes": "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set",
    "cpt": "http://www.ama-assn.org/go/cpt",
    "CPT": "http://www.ama-assn.org/go/cpt",
    "HCPCS": "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "icd-10-cm": "http://hl7.org/fhir/sid/icd-10-cm",
    "ICD10": "http://hl7.org/fhir/sid/icd-10-cm",
    "IdentifierType": "http://terminology.hl7.org/CodeSystem/v2-0203",
    "HL7ClaimTypeCS": "http://terminology.hl7.org/CodeSystem/claim-type",
    "payeetype": "http://terminology.hl7.org/CodeSystem/payeetype",
    "ex-diagnosistype": "http://terminology.hl7.org/CodeSystem/ex-diagnosistype",
    "HL7DiagnosisType": "http://terminology.hl7.org/CodeSystem/ex-diagnosistype",
    "coverage-class": "http://terminology.hl7.org/CodeSystem/coverage-class",
    "subscriber-relationship": "http://terminology.hl7.org/CodeSystem/subscriber-relationship",
    "HL7DataAbsentReason": "http://terminology.hl7.org/CodeSystem/data-absent-reason",
    "NUCCProviderTaxonomy": "http://nucc.org/provider-taxonomy",
    "AHANUBCRevenueCodes": "https://www.nubc.org/CodeSystem/RevenueCodes",
    "AHANUBCTypeOfBill": "https://www.nubc.org/CodeSystem/TypeOfBill",
    "AHANUBCPriorityTypeOfAdmissionOrVisit": "https://www.nubc.org/CodeSystem/PriorityTypeOfAdmitOrVisit",
    "AHANUBCPointOfOriginForAdmissionOrVisitNonnewborn": "https://www.nubc.org/CodeSystem/PointOfOrigin",
    "AHANUBCPatientDischargeStatus": "https://www.nubc.org/CodeSystem/PatDischargeStatus",
    "ADADentalProcedureCode": "http://www.ada.org/cdt",
    "ADAUniversalToothDesignationSystem": "http://terminology.hl7.org/CodeSystem/ADAUniversalToothDesignationSystem",
    "ADAAreaOralCavitySystem": "http://terminology.hl7.org/CodeSystem/ADAAreaOralCavitySystem",
    "v3-ActCode": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
    "v3-NullFlavor": "http://terminology.hl7.org/CodeSystem/v3-NullFlavor",
    "organization-type": "http://terminology.hl7.org/CodeSystem/organization-type",
    "CareTeamRoleCodeCS": "http://terminology.hl7.org/CodeSystem/claimcareteamrole",
    "X12AmbulanceTransReas": "https://x12.org/codes/ambulance-transport-reason-codes",
    "NCPDPPrescriptionOriginCode": "http://terminology.hl7.org/CodeSystem/NCPDPPrescriptionOriginCode",
    "NCPDPDispensedAsWrittenOrProductSelectionCode": "http://terminology.hl7.org/CodeSystem/NCPDPDispensedAsWrittenOrProductSelectionCode",
    "NCPDPCompoundCode": "http://terminology.hl7.org/CodeSystem/NCPDPCompoundCode",
    "NCPDPBrandGenericIndicator": "http://terminology.hl7.org/CodeSystem/NCPDPBrandGenericIndicator",
    "FDANationalDrugCode": "http://hl7.org/fhir/sid/ndc",
}  # fmt: skip
# The profile ids the IG gives (the professional one is what medbill's constant names).
_IDS = {
    "C4BBExplanationOfBenefitProfessionalNonClinician": "C4BB-ExplanationOfBenefit-Professional-NonClinician"
}
_BASES = (
    "ExplanationOfBenefit",
    "Coverage",
    "Organization",
    "Patient",
    "Practitioner",
    "RelatedPerson",
)
_SLICE = re.compile(r"([A-Za-z]+)\[([A-Za-z][A-Za-z0-9-]*)\]")
_ALIAS_CODE = re.compile(r"\$([A-Za-z0-9_-]+)#([A-Za-z0-9._-]+)")
_LOCAL_CODE = re.compile(r"(?<![$\w/-])(C4BB[A-Za-z]+)#([A-Za-z0-9._-]+)")


# The pattern each CARIN slice fixes (its discriminator), as the IG's profiles define it.
_IDENTIFIER_TYPES = {
    "uniqueclaimid": "$C4BBIdentifierType#uc", "uniquememberid": "$C4BBIdentifierType#um",
    "payerid": "$C4BBIdentifierType#payerid", "memberid": "$IdentifierType#MB",
    "NPI": "$IdentifierType#NPI", "tax": "$IdentifierType#TAX",
}  # fmt: skip


def _pattern(element: str, name: str) -> tuple[str, str] | None:
    if element == "identifier" and name in _IDENTIFIER_TYPES:
        return "type", _IDENTIFIER_TYPES[name]
    if element == "supportingInfo":
        return "category", f"$C4BBSupportingInfoType#{name.lower()}"
    if element == "adjudication" and name != "adjudicationamounttype":
        return "category", f"$C4BBAdjudicationDiscriminator#{name}"
    return None


def _base(profile: str) -> str:
    for base in _BASES:
        if base in profile:
            return base
    raise ValueError(f"no base resource for profile {profile}")


def stand_ins(examples: Path) -> str:
    """FSH for the aliases, profiles and code systems the examples need."""
    slices: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    codes: dict[str, set[str]] = defaultdict(set)
    for path in sorted(examples.glob("*.fsh")):
        text = path.read_text(encoding="utf-8")
        profile = re.search(r"^InstanceOf:\s*(\S+)", text, re.M)
        if profile is None:
            continue
        slices[profile.group(1)]  # every profile gets a stand-in, sliced or not
        for rule in re.findall(r"^\s*\*\s*(\S+)", text, re.M):
            for element, name in _SLICE.findall(rule.split(" ")[0]):
                slices[profile.group(1)][element].add(name)
        for system, code in _LOCAL_CODE.findall(text):
            codes[system].add(code)
        for alias, code in _ALIAS_CODE.findall(text):
            url = ALIASES.get(alias, "")
            if url.startswith(_CS + "/"):
                codes[url.rsplit("/", 1)[-1]].add(code)
    out = [f"Alias: ${name} = {url}" for name, url in ALIASES.items()]
    for name_of, elements in sorted(slices.items()):
        out += [
            "",
            f"Profile: {name_of}",
            f"Parent: {_base(name_of)}",
            f"Id: {_IDS.get(name_of, name_of)}",
        ]
        for element, names in sorted(elements.items()):
            paths = [element] + (["item.adjudication"] if element == "adjudication" else [])
            for where in paths:
                out += [
                    f"* {where} ^slicing.discriminator.type = #pattern",
                    f'* {where} ^slicing.discriminator.path = "$this"',
                    f"* {where} ^slicing.rules = #open",
                    f"* {where} contains " + " and ".join(f"{n} 0..*" for n in sorted(names)),
                ]
                for name in sorted(names):
                    pattern = _pattern(element, name)
                    if pattern is not None:
                        out.append(f"* {where}[{name}].{pattern[0]} = {pattern[1]}")
                        system, code = pattern[1].split("#")
                        url = ALIASES.get(system[1:], "")
                        if url.startswith(_CS + "/"):
                            codes[url.rsplit("/", 1)[-1]].add(code)
    for system, found in sorted(codes.items()):
        out += [
            "",
            f"CodeSystem: {system}",
            f"Id: {system}",
            *(f'* #{c} "{c}"' for c in sorted(found)),
        ]
    return "\n".join(out) + "\n"


def compile_examples(
    sushi: str, fhir_home: Path, examples: Path, work: Path
) -> dict[str, dict[str, Any]]:
    """Run SUSHI over the examples; the compiled resources by ``Type/id``."""
    fsh = work / "input" / "fsh"
    fsh.mkdir(parents=True)
    (fsh / "examples").symlink_to(examples, target_is_directory=True)
    (fsh / "stand-ins.fsh").write_text(stand_ins(examples), encoding="utf-8")
    (work / "sushi-config.yaml").write_text(
        f"canonical: {CANONICAL}\nfhirVersion: 4.3.0\nFSHOnly: true\nversion: 2.2.0\n"
        "status: draft\nname: CarinBbExamples\nid: medbill.test.carin\n",
        encoding="utf-8",
    )
    env = {**os.environ, "HOME": str(fhir_home)}
    done = subprocess.run(
        [sushi, "build", str(work), "--out", str(work / "out")],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    (work / "sushi.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    resources: dict[str, dict[str, Any]] = {}
    folder = work / "out" / "fsh-generated" / "resources"
    for path in sorted(folder.glob("*.json")):
        data = json.loads(
            path.read_text(encoding="utf-8"), parse_float=__import__("decimal").Decimal
        )
        if data.get("resourceType") in ("StructureDefinition", "CodeSystem"):
            continue
        resources[f"{data['resourceType']}/{data['id']}"] = data
    if done.returncode != 0 and not resources:
        raise RuntimeError(f"SUSHI failed:\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}")
    return resources
