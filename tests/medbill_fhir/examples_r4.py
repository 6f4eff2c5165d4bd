"""Stand-ins for the resources the HL7 R4 financial examples refer to but the example
package does not hold (``Patient/1``, ``Organization/1``, ``Organization/2``, ...), so
each example is judged on its own content, not on a missing neighbour."""

from __future__ import annotations

from typing import Any

PATIENT: dict[str, Any] = {
    "resourceType": "Patient",
    "id": "1",
    "name": [{"family": "Donald", "given": ["Duck"]}],
    "gender": "male",
    "birthDate": "1980-01-01",
}
PAYER: dict[str, Any] = {"resourceType": "Organization", "id": "2", "name": "Benefits Inc."}
PROVIDER: dict[str, Any] = {
    "resourceType": "Organization",
    "id": "1",
    "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}],
    "name": "Happy Valley Clinic",
}
COVERAGE: dict[str, Any] = {
    "resourceType": "Coverage",
    "id": "9876B1",
    "status": "active",
    "subscriberId": "12345",
    "beneficiary": {"reference": "Patient/1"},
    "relationship": {"coding": [{"code": "self"}]},
    "period": {"start": "2011-05-23"},
    "payor": [{"reference": "Organization/2"}],
    "order": 1,
}
STUBS: dict[str, dict[str, Any]] = {
    "Patient/1": PATIENT,
    "Organization/1": PROVIDER,
    "Organization/2": PAYER,
    "Coverage/9876B1": COVERAGE,
}
