"""PHI is masked whatever type the caller passed; money has one shape and one bound.

Each case is an input from issue 14's attack report, kept as a regression test.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pendulum
import pytest

from medbill import (
    Address,
    ClaimPayment,
    Coverage,
    Patient,
    Payer,
    PayerKind,
    Period,
    PersonName,
    Priority,
    Relationship,
    Sex,
    Subscriber,
    ValidationError,
)
from medbill._money import MAX_MONEY, as_money, as_rate
from medbill._privacy import mask_value
from medbill.testing import make_claim_line

NAME = "Zebediah Quixotefield"


def _message(call: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        call()
    return str(caught.value) + repr(caught.value)


def test_a_plain_string_name_is_refused_without_echo() -> None:
    text = _message(
        lambda: Patient(
            id="MRN-1",
            name=NAME,  # type: ignore[arg-type]
            birth_date=pendulum.date(1957, 11, 23),
            sex="F",
        )
    )
    assert "must be a PersonName" in text
    assert "Zebediah" not in text
    assert "Quixotefield" not in text


@pytest.mark.parametrize("field", ["patient_name", "insured_name", "corrected_name"])
def test_claim_payment_names_must_be_person_names(field: str) -> None:
    text = _message(
        lambda: ClaimPayment(
            claim_id="C-1",
            status="1",
            charge=Decimal("10.00"),
            paid=Decimal("10.00"),
            **{field: NAME},  # type: ignore[arg-type]
        )
    )
    assert field in text
    assert "Zebediah" not in text


def test_subscriber_address_and_coverage_subscriber_are_typed_and_masked() -> None:
    name = PersonName(family="Doe", given="John")
    text = _message(lambda: Subscriber(name=name, address="12 Elm Street, Springfield"))  # type: ignore[arg-type]
    assert "must be an Address" in text
    assert "Elm" not in text
    assert "Springfield" not in text
    payer = Payer(id="aetna", name="Aetna", kind=PayerKind.COMMERCIAL)
    text = _message(
        lambda: Coverage(
            id="cov-1",
            patient_id="MRN-1",
            payer=payer,
            member_id="W123456789",
            priority=Priority.PRIMARY,
            effective=Period(pendulum.date(2025, 1, 1)),
            relationship=Relationship.CHILD,
            subscriber=NAME,  # type: ignore[arg-type]
        )
    )
    assert "must be a Subscriber" in text
    assert "Zebediah" not in text


def test_an_int_phone_number_is_a_validation_error_not_a_type_error() -> None:
    text = _message(
        lambda: Patient(
            id="MRN-1",
            name=PersonName(family="Doe", given="Jane"),
            birth_date=pendulum.date(1957, 11, 23),
            sex=Sex.FEMALE,
            phone=5551234567,  # type: ignore[arg-type]
        )
    )
    assert "phone: must be text" in text
    assert "5551234567" not in text


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("19571123", "'19******'"),  # CCYYMMDD: once '****1123', the month and day in clear
        ("11/23/1957", "'**/**/****'"),
        ("1957.11.23", "'19**.**.**'"),
        ("23-11-57", "'**-**-**'"),
        ("Nov 23 1957", "'N** ** ****'"),
        (pendulum.date(1957, 11, 23), "'19**-**-**'"),
    ],
)
def test_dates_are_masked_whatever_their_format(value: object, shown: str) -> None:
    assert mask_value(value) == shown


def test_address_repr_never_shows_the_street() -> None:
    address = Address(line1="12 Elm Street", city="Springfield", state="IL", postal_code="62704")
    assert "Elm" not in repr(address)
    assert "62704" not in repr(address)


# -- money -------------------------------------------------------------------------------


def test_amounts_are_normalised_to_cents_at_construction() -> None:
    line = make_claim_line(charge=Decimal("150.000"))
    assert str(line.charge) == "150.00"  # once written to the 837P as CLM*…*150.000
    assert str(make_claim_line(charge=Decimal("150")).charge) == "150.00"


def test_an_amount_that_is_not_whole_cents_is_refused_not_rounded() -> None:
    text = _message(lambda: make_claim_line(charge=Decimal("150.005")))
    assert "at most 2 decimal places" in text


@pytest.mark.parametrize("value", ["1E28", "10000000000.00", "-10000000000.00", 10**30])
def test_the_one_bound_applies(value: object) -> None:
    with pytest.raises(ValidationError):
        make_claim_line(charge=value)
    with pytest.raises(ValidationError):
        as_money(value)
    assert as_money(MAX_MONEY) == MAX_MONEY


@pytest.mark.parametrize("bad", ["NaN", "sNaN", "Infinity", "-Infinity", Decimal("NaN")])
def test_nan_and_infinity_are_refused_for_money_units_and_rates(bad: object) -> None:
    with pytest.raises(ValidationError):
        make_claim_line(charge=bad)
    with pytest.raises(ValidationError):
        make_claim_line(units=bad)
    with pytest.raises(ValidationError):
        as_rate(bad)


def test_rates_beyond_twenty_significant_digits_are_refused() -> None:
    with pytest.raises(ValidationError, match="significant digits"):
        as_rate("1." + "1" * 40)
    with pytest.raises(ValidationError, match="significant digits"):
        as_rate("1E30")


def test_huge_text_numbers_are_refused_quickly() -> None:
    with pytest.raises(ValidationError, match="too long"):
        as_money("9" * 5000)
    with pytest.raises(ValidationError):
        make_claim_line(charge="9" * 5000)


# -- enumerations --------------------------------------------------------------------------


def test_a_bad_enum_value_lists_the_allowed_values() -> None:
    from medbill.ledger import AgingBasis, Ledger, WriteOffReason, aging

    with pytest.raises(ValidationError, match="must be one of 'primary', 'secondary'"):
        Ledger.in_memory().total("patient_receivable", level="first")
    with pytest.raises(ValidationError, match="write_off_reason: must be one of"):
        WriteOffReason("bogus")
    with pytest.raises(ValidationError, match="aging_basis: must be one of"):
        aging(Ledger.in_memory(), as_of=pendulum.date(2025, 1, 1), basis="bogus")
    assert AgingBasis("service") is AgingBasis.SERVICE
    with pytest.raises(ValueError, match="must be one of"):  # still a ValueError for callers
        Priority("first")


def test_every_medbill_enumeration_refuses_values_in_the_error_tree() -> None:
    import enum
    import importlib
    import pkgutil

    import medbill
    from medbill._enums import MedbillEnum

    plain = []
    for info in pkgutil.walk_packages(medbill.__path__, "medbill."):
        if info.name.startswith(("medbill.cli", "medbill.spark", "medbill.batch", "medbill.fhir")):
            continue  # extras: their imports need optional packages
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, enum.Enum)
                and value.__module__ == info.name
                and not issubclass(value, MedbillEnum)
            ):
                plain.append(f"{info.name}.{value.__name__}")
    assert plain == [], "derive these from medbill._enums.MedbillEnum"


def test_ledger_questions_refuse_wrong_types_in_the_error_tree() -> None:
    import datetime as dt

    from medbill.ledger import Account, Ledger

    ledger = Ledger.in_memory()
    with pytest.raises(ValidationError, match="account: must be an Account"):
        ledger.balance("cash")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="as_of: must be a date"):
        ledger.total("patient_receivable", as_of="2025-01-01")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="claim: must be an id"):
        ledger.history(claim=5)  # type: ignore[arg-type]
    # a stdlib date is accepted at the boundary (NAMING.md)
    assert ledger.balance(Account.cash(), as_of=dt.date(2025, 1, 1)) == Decimal("0.00")  # type: ignore[arg-type]
