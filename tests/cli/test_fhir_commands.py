"""``medbill price --fhir``, ``medbill scrub --fhir`` and ``medbill era fhir``."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pendulum
import pytest

from medbill.testing import make_claim, make_remittance
from medbill.x12 import write_835

from .helpers import Invoke, assert_refused

pytest.importorskip("fhir.resources")


def _fhir_claim(tmp_path: Path, *, bundle: bool = False) -> Path:
    from medbill.fhir import to_fhir, to_fhir_bundle

    resource = to_fhir_bundle(make_claim()) if bundle else to_fhir(make_claim())
    path = tmp_path / "claim.fhir.json"
    path.write_text(resource.model_dump_json(), encoding="utf-8")
    return path


@pytest.mark.parametrize("bundle", [False, True])
def test_price_a_fhir_claim_against_medicare(invoke: Invoke, tmp_path: Path, bundle: bool) -> None:
    # 99213 in Springfield, IL (06102-99), non-facility (POS 11), CY2025:
    # (1.30 x 1 + 1.35 x 0.912 + 0.10 x 1.381) x 32.3465 = 2.6693 x 32.3465 = 86.34 (42 CFR 414.22).
    path = _fhir_claim(tmp_path, bundle=bundle)
    result = invoke(
        ["price", str(path), "--fhir", "--medicare", "--locality", "06102-99", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["total"] == "86.34"
    assert data["fhir_unmapped"][0].endswith("created")  # FHIR requires it; medbill keeps none


def test_scrub_a_fhir_bundle(invoke: Invoke, tmp_path: Path) -> None:
    path = _fhir_claim(tmp_path, bundle=True)
    result = invoke(["scrub", str(path), "--fhir", "--as-of", "2025-03-10", "--json"])
    assert result.exit_code in (0, 3), result.stderr
    assert json.loads(result.stdout)["claim"] == "CLM-0001"


def test_a_fhir_claim_with_a_foreign_modifier_is_refused_naming_the_path(
    invoke: Invoke, tmp_path: Path
) -> None:
    path = _fhir_claim(tmp_path)
    data = json.loads(path.read_text())
    data["item"][0]["modifier"] = [
        {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/modifiers", "code": "a"}]}
    ]
    path.write_text(json.dumps(data))
    result = invoke(["price", str(path), "--fhir", "--medicare", "--locality", "06102-99"])
    assert_refused(result, "Claim.item[0].modifier[0]", "outside medbill's CPT/HCPCS modifiers")


def test_era_fhir_writes_one_eob_per_claim_payment(invoke: Invoke, tmp_path: Path) -> None:
    remittance = make_remittance()
    era = tmp_path / "acme.835"
    era.write_text(
        write_835(remittance, created=pendulum.datetime(2025, 4, 1, 9, 0)), encoding="utf-8"
    )
    out = tmp_path / "fhir"
    result = invoke(["era", "fhir", str(era), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.stderr
    written = json.loads(result.stdout)["explanations_of_benefit"]
    assert len(written) == len(remittance.claim_payments)
    eob = json.loads(Path(written[0]["file"]).read_text(), parse_float=Decimal)
    payment = remittance.claim_payments[0]
    assert eob["resourceType"] == "ExplanationOfBenefit"
    assert eob["claim"]["identifier"]["value"] == payment.claim_id
    assert Decimal(eob["payment"]["amount"]["value"]) == payment.paid
    assert eob["payment"]["date"] == str(remittance.paid_on)
    bundles = list(out.glob("*.Bundle.json"))
    assert len(bundles) == 1
