"""Flat fee schedules and localities."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pendulum
import pytest

from medbill import ParseError, PricingError, ValidationError
from medbill.fees import FeeEntry, FeeSchedule, Locality

JAN = pendulum.date(2025, 1, 1)


def test_locality_pads_mac_and_number() -> None:
    assert str(Locality("2102", "1")) == "02102-01"
    assert Locality.parse("13202-01") == Locality("13202", "01")
    assert Locality(10112, 0).mac == "10112"


@pytest.mark.parametrize("bad", ["13202", "1320A-01", "123456-01", "13202-123", ""])
def test_locality_rejects_malformed(bad: str) -> None:
    with pytest.raises(ValidationError):
        Locality.parse(bad)


def test_lookup_picks_entry_in_force_and_falls_back_to_no_modifier() -> None:
    schedule = FeeSchedule(
        [
            FeeEntry(
                code="99213",
                amount=Decimal("150.00"),
                valid_from=JAN,
                valid_to=pendulum.date(2025, 6, 30),
            ),
            FeeEntry(code="99213", amount=Decimal("155.00"), valid_from=pendulum.date(2025, 7, 1)),
            FeeEntry(code="71046", modifiers=["26"], amount=Decimal("30.00"), valid_from=JAN),
            FeeEntry(code="71046", amount=Decimal("95.00"), valid_from=JAN),
        ],
        name="chargemaster",
    )
    assert schedule.amount("99213", service_date=pendulum.date(2025, 6, 30)) == Decimal("150.00")
    assert schedule.amount("99213", service_date=pendulum.date(2025, 7, 1)) == Decimal("155.00")
    assert schedule.amount("71046", modifiers=["26"], service_date=JAN) == Decimal("30.00")
    assert schedule.amount("71046", modifiers=["TC"], service_date=JAN) == Decimal("95.00")
    assert len(schedule) == 4


def test_missing_entry_names_code_modifier_and_date() -> None:
    schedule = FeeSchedule([FeeEntry(code="99213", amount=Decimal("1.00"), valid_from=JAN)])
    with pytest.raises(PricingError) as caught:
        schedule.amount("99214", modifiers=["25"], service_date=pendulum.date(2025, 2, 3))
    message = str(caught.value)
    assert "99214" in message
    assert "modifier 25" in message
    assert "2025-02-03" in message
    with pytest.raises(PricingError, match="2024-12-31"):
        schedule.amount("99213", service_date=pendulum.date(2024, 12, 31))


def test_overlapping_entries_are_rejected() -> None:
    with pytest.raises(ValidationError, match="overlaps"):
        FeeSchedule(
            [
                FeeEntry(code="99213", amount=Decimal("1.00"), valid_from=JAN),
                FeeEntry(
                    code="99213", amount=Decimal("2.00"), valid_from=pendulum.date(2025, 5, 1)
                ),
            ]
        )


def test_same_code_different_modifier_is_not_an_overlap() -> None:
    FeeSchedule(
        [
            FeeEntry(code="71046", amount=Decimal("1.00"), valid_from=JAN),
            FeeEntry(code="71046", modifiers=["26"], amount=Decimal("2.00"), valid_from=JAN),
        ]
    )


def test_entry_rejects_float_and_bad_period() -> None:
    with pytest.raises(ValidationError):
        FeeEntry(code="99213", amount=1.5, valid_from=JAN)
    with pytest.raises(ValidationError, match="valid_to"):
        FeeEntry(
            code="99213", amount=Decimal("1"), valid_from=JAN, valid_to=pendulum.date(2024, 1, 1)
        )


def test_csv_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "payer.csv"
    path.write_text("code,modifier,amount,valid_from,valid_to\n99213,,88.10,2025-01-01,\n")
    schedule = FeeSchedule.from_csv(path)
    assert schedule.name == "payer"
    assert schedule.amount("99213", service_date=JAN) == Decimal("88.10")


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("99213,,abc,2025-01-01,", "amount"),
        ("99213,,10.00,2025-13-01,", "valid_from"),
        ("9921,,10.00,2025-01-01,", "procedure_code"),
        ("99213,,10.00", "columns"),
        ("99213,,10.005,2025-01-01,", "amount"),
    ],
)
def test_malformed_csv_row_names_the_line(row: str, problem: str) -> None:
    text = "code,modifier,amount,valid_from,valid_to\n99214,,1.00,2025-01-01,\n" + row + "\n"
    with pytest.raises(ParseError) as caught:
        FeeSchedule.from_csv_text(text, name="cm.csv")
    assert "cm.csv, line 3" in str(caught.value)
    assert problem in str(caught.value)


def test_bad_header_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="line 1"):
        FeeSchedule.from_csv_text("hcpcs,amount\n")


def test_price_claim_with_a_chargemaster() -> None:
    from .builders import claim, line

    chargemaster = FeeSchedule.from_csv_text(
        "code,modifier,amount,valid_from,valid_to\n"
        "99213,,150.00,2025-01-01,\n71046,26,30.00,2025-01-01,\n71046,,95.00,2025-01-01,\n"
        "97110,,45.50,2025-01-01,\n",
        name="cm",
    )
    priced = chargemaster.price_claim(
        claim(
            line("1", "99213", modifiers=["25"]),
            line("2", "71046", modifiers=["26"]),
            line("3", "97110", units=3),
        )
    )
    # 150.00; the -26 entry 30.00; 45.50 x 3 = 136.50
    assert [p.allowed for p in priced.lines] == [
        Decimal("150.00"),
        Decimal("30.00"),
        Decimal("136.50"),
    ]
    assert priced.total == Decimal("316.50")
    assert "cm 71046-26" in priced.line("2").explain()
    with pytest.raises(PricingError) as caught:
        chargemaster.price_claim(claim(line("9", "99214")))
    assert caught.value.field.startswith("lines[9]")
