"""JSON round trips are lossless; bad JSON names the path of every bad field."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medbill import (
    Accumulators,
    Address,
    Adjustment,
    Benefits,
    Claim,
    ClaimLine,
    ClaimPayment,
    Coverage,
    Encounter,
    LinePayment,
    Patient,
    PatientPayment,
    Payer,
    Period,
    PersonName,
    Provider,
    ProviderAdjustment,
    Remittance,
    Subscriber,
    ValidationError,
)
from medbill.serialize import SCHEMA_VERSION, from_dict, from_json, to_dict, to_json
from medbill.testing import make_claim, make_claim_line, make_patient
from medbill.testing import strategies as mst

ROUND_TRIPS: list[tuple[type[Any], st.SearchStrategy[Any]]] = [
    (Period, st.from_type(Period)),
    (PersonName, st.from_type(PersonName)),
    (Address, st.from_type(Address)),
    (Benefits, st.from_type(Benefits)),
    (Accumulators, st.from_type(Accumulators)),
    (Subscriber, st.from_type(Subscriber)),
    (Patient, st.from_type(Patient)),
    (Payer, st.from_type(Payer)),
    (Coverage, mst.coverages()),
    (Provider, st.from_type(Provider)),
    (Encounter, st.from_type(Encounter)),
    (ClaimLine, mst.claim_lines()),
    (Claim, mst.claims()),
    (Adjustment, st.from_type(Adjustment)),
    (LinePayment, st.from_type(LinePayment)),
    (ClaimPayment, mst.claim_payments()),
    (ProviderAdjustment, st.from_type(ProviderAdjustment)),
    (Remittance, mst.remittances()),
    (PatientPayment, st.from_type(PatientPayment)),
]


@pytest.mark.parametrize(("cls", "strategy"), ROUND_TRIPS, ids=lambda v: getattr(v, "__name__", ""))
def test_round_trip_is_lossless(cls: type[Any], strategy: st.SearchStrategy[Any]) -> None:
    @settings(max_examples=40, deadline=None)
    @given(strategy)
    def check(obj: Any) -> None:
        text = to_json(obj)
        back = from_json(cls, text)
        assert back == obj
        assert to_json(back) == text  # stable: the same document again

    check()


def test_money_and_dates_are_strings() -> None:
    data = to_dict(make_claim())
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["total_charge"] == "150.00"
    assert data["lines"][0]["service_date"] == "2025-03-04"
    assert data["lines"][0]["procedure"] == "99213"
    assert data["diagnoses"] == ["E11.9", "I10"]
    assert data["patient"]["sex"] == "F"


def test_json_numbers_are_read_exactly() -> None:
    data = to_dict(make_claim_line())
    text = json.dumps(data).replace('"150.00"', "150.10")
    assert from_json(ClaimLine, text).charge == Decimal("150.10")


def test_every_bad_field_is_named_with_its_path() -> None:
    data = to_dict(make_claim())
    data["lines"][0]["charge"] = "1.005"
    data["lines"][0]["procedure"] = "9921"
    data["diagnoses"][1] = "11.9"
    del data["billing_provider"]["npi"]
    data["surprise"] = 1
    with pytest.raises(ValidationError) as caught:
        from_dict(Claim, data)
    fields = sorted(p.field for p in caught.value.problems)
    assert fields == sorted(
        [
            "billing_provider.npi",
            "diagnoses[1]",
            "lines[0].charge",
            "lines[0].procedure",
            "surprise",
        ]
    )
    message = str(caught.value)
    assert "lines[0].procedure: must be 5 characters, not 4 (got '9921')" in message
    assert "surprise: is not a known field" in message


def test_entity_rule_failures_carry_the_path() -> None:
    data = to_dict(make_claim())
    data["lines"][0]["charge"] = "1.005"
    with pytest.raises(ValidationError) as caught:
        from_dict(Claim, data)
    assert [p.field for p in caught.value.problems] == ["lines[0].charge"]


def test_wrong_types_are_validation_errors() -> None:
    data = to_dict(make_patient())
    data["id"] = 7
    data["birth_date"] = 19800517
    with pytest.raises(ValidationError) as caught:
        from_dict(Patient, data)
    assert sorted(p.field for p in caught.value.problems) == ["birth_date", "id"]
    assert "19800517" not in str(caught.value)  # the birth date is PHI: masked


def test_schema_version_rules() -> None:
    data = to_dict(make_patient())
    with pytest.raises(ValidationError, match="schema_version: is newer"):
        from_dict(Patient, {**data, "schema_version": SCHEMA_VERSION + 1})
    with pytest.raises(ValidationError, match="schema_version: is required"):
        from_dict(Patient, {k: v for k, v in data.items() if k != "schema_version"})
    with pytest.raises(ValidationError, match="must be a JSON object"):
        from_dict(Patient, [])


def test_not_json() -> None:
    with pytest.raises(ValidationError, match=r"\$: is not valid JSON"):
        from_json(Patient, "{not json")


def test_to_dict_refuses_non_entities() -> None:
    with pytest.raises(ValidationError, match="is not a medbill entity"):
        to_dict(42)
