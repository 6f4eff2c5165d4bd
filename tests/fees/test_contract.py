"""Payer contracts: term precedence, lesser-of, TOML loading with located errors."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medbill import ParseError, Period, PricingError, ValidationError
from medbill.fees import (
    CarveOut,
    Contract,
    ContractTerm,
    FeeEntry,
    FeeSchedule,
    FeeScheduleTerm,
    FixedRate,
    Locality,
    MedicareFeeSchedule,
    PercentOfBilled,
    PercentOfMedicare,
)
from medbill.fees._contract import CodeRange

from .builders import DOS, cents, claim, line

D = Decimal
ONE = Decimal(1)
YEAR_2025 = Period(pendulum.date(2025, 1, 1), pendulum.date(2025, 12, 31))
ALABAMA = Locality.parse("10112-00")
CF = D("32.3465")


def contract(*terms: ContractTerm, lesser: bool = False) -> Contract:
    return Contract(
        payer_id="acme",
        name="Acme PPO 2025",
        effective=YEAR_2025,
        terms=terms,
        lesser_of_billed=lesser,
    )


def expected(
    c: Contract, code: str, billed: str = "500.00", units: Decimal = ONE
) -> tuple[Decimal, str]:
    result = c.expected_line(code=code, billed=D(billed), service_date=DOS, units=units)
    return result.allowed, result.term


def test_code_range_contains_only_same_shape_codes() -> None:
    labs = CodeRange.parse("80000-89999")
    assert labs.contains("85025")
    assert not labs.contains("99213")
    assert not CodeRange.parse("J0000-J9999").contains("99213")
    with pytest.raises(ValidationError):
        CodeRange.parse("89999-80000")


def test_precedence_carve_out_fixed_schedule_medicare_billed() -> None:
    schedule = FeeSchedule(
        [FeeEntry(code="99214", amount=D("120.00"), valid_from=pendulum.date(2025, 1, 1))],
        name="acme-2025",
    )
    terms = (
        PercentOfBilled(rate="0.50"),
        PercentOfMedicare(schedule=MedicareFeeSchedule.demo(), rate="1.40", locality=ALABAMA),
        FeeScheduleTerm(schedule=schedule),
        FixedRate(codes=["99213"], amount="95.00"),
        FixedRate(codes=["99200-99499"], amount="70.00"),
        CarveOut(codes=["J0000-J9999"], billed_rate="0.60"),
    )
    c = contract(*terms)
    assert expected(c, "J1100") == (D("300.00"), "carve-out J0000-J9999")
    assert expected(c, "99213") == (D("95.00"), "fixed rate 99213")  # exact beats range
    assert expected(c, "99215") == (D("70.00"), "fixed rate 99200-99499")
    assert expected(c, "71046") == (
        # demo row 71046 office, Alabama: (0.22 + 0.77 x 0.869 + 0.02 x 0.575) x CF, x 140%
        cents(
            cents((D("0.22") + D("0.77") * D("0.869") + D("0.02") * D("0.575")) * CF) * D("1.40")
        ),
        "140% of Medicare",
    )
    assert expected(c, "85025") == (D("250.00"), "50% of billed")


def test_fee_schedule_term_before_medicare() -> None:
    schedule = FeeSchedule(
        [FeeEntry(code="71046", amount=D("40.00"), valid_from=pendulum.date(2025, 1, 1))],
        name="acme",
    )
    c = contract(
        PercentOfMedicare(schedule=MedicareFeeSchedule.demo(), rate="2", locality=ALABAMA),
        FeeScheduleTerm(schedule=schedule, rate="0.90"),
    )
    assert expected(c, "71046", units=D(2)) == (D("72.00"), "fee schedule acme")  # 40 x 2 x 90%


def test_lesser_of_billed_applies_except_to_carve_outs() -> None:
    c = contract(
        FixedRate(codes=["99213"], amount="95.00"),
        CarveOut(codes=["J1100"], amount="12.00"),
        lesser=True,
    )
    assert expected(c, "99213", billed="80.00") == (
        D("80.00"),
        "fixed rate 99213, lesser of billed",
    )
    assert expected(c, "99213", billed="120.00") == (D("95.00"), "fixed rate 99213")
    assert expected(c, "J1100", billed="5.00", units=D(3)) == (D("36.00"), "carve-out J1100")


def test_no_term_and_out_of_period_raise() -> None:
    c = contract(FixedRate(codes=["99213"], amount="95.00"))
    with pytest.raises(PricingError, match="no term"):
        expected(c, "99214")
    with pytest.raises(PricingError, match="not in force"):
        c.expected_line(code="99213", billed=D("1.00"), service_date=pendulum.date(2026, 1, 1))


def test_expected_allowed_uses_medicare_claim_rules(cy2025: MedicareFeeSchedule) -> None:
    # 11042 and 64483 on one day in a facility: Medicare ranks 64483 first, 11042 at 50%.
    def fee(work: str, pe: str, mp: str) -> Decimal:
        return cents((D(work) + D(pe) * D("0.869") + D(mp) * D("0.575")) * CF)

    c = contract(PercentOfMedicare(schedule=cy2025, rate="1.25", locality=ALABAMA))
    result = c.expected_allowed(
        claim(
            line("1", "11042", charge="300.00"),
            line("2", "64483", charge="900.00"),
            place_of_service="22",
        )
    )
    assert result.line("2").allowed == cents(fee("1.90", "1.27", "0.16") * D("1.25"))
    assert result.line("1").allowed == cents(
        cents(fee("1.01", "0.68", "0.13") * D("0.5")) * D("1.25")
    )
    assert result.line("1").term == "125% of Medicare"
    assert "multiple surgery" in result.line("1").explain()  # Medicare's own trace is kept
    assert result.total == result.line("1").allowed + result.line("2").allowed


def test_percent_of_medicare_for_a_fixed_year(cy2024: MedicareFeeSchedule) -> None:
    medicare_2024 = cy2024
    c = contract(
        PercentOfMedicare(schedule=medicare_2024, rate="1.40", locality=ALABAMA, year=2024)
    )
    # 99213 CY2024 January release (RVU24A, in force to 2024-03-08): 1.30 + 1.33 x 0.869
    # + 0.10 x 0.575, on 2024-03-04 (first CY2024 factor 32.7442)
    base = cents((D("1.30") + D("1.33") * D("0.869") + D("0.10") * D("0.575")) * D("32.7442"))
    assert expected(c, "99213") == (cents(base * D("1.40")), "140% of Medicare 2024")
    trace = c.expected_line(
        code="99213", billed=D("500.00"), service_date=pendulum.date(2025, 3, 4)
    ).trace
    assert "RVU24A (2024-01-01 to 2024-03-08)" in str(trace)


def test_a_term_naming_a_year_not_loaded_fails(cy2024: MedicareFeeSchedule) -> None:
    # "140% of 2023 Medicare" with only CY2024 loaded: an error, not 2024's rates and not
    # the next term (percent of billed).
    c = contract(
        PercentOfMedicare(schedule=cy2024, rate="1.40", locality=ALABAMA, year=2023),
        PercentOfBilled(rate="0.50"),
    )
    with pytest.raises(PricingError, match=r"RVU24A.*2023-03-04"):
        expected(c, "99213")
    with pytest.raises(PricingError, match="2023-03-04"):
        c.expected_allowed(claim(line("1", "99213", charge="150.00")))


@settings(max_examples=60, deadline=None)
@given(
    billed=st.decimals(min_value=0, max_value=10_000, places=2),
    rate=st.decimals(min_value=0, max_value=10_000, places=2),
    percent=st.decimals(min_value=0, max_value=5, places=2),
    units=st.integers(1, 5),
)
def test_lesser_of_never_exceeds_billed(
    billed: Decimal, rate: Decimal, percent: Decimal, units: int
) -> None:
    c = contract(
        FixedRate(codes=["99213"], amount=rate), PercentOfBilled(rate=percent), lesser=True
    )
    for code in ("99213", "85025"):
        allowed, _ = expected(c, code, billed=str(billed), units=D(units))
        assert 0 <= allowed <= billed


CONTRACT_TOML = """\
payer = "acme"
name = "Acme PPO 2025"
plan = "PPO"
effective_from = 2025-01-01
effective_to = 2025-12-31
lesser_of_billed = true

[[carve_out]]
codes = ["J0000-J9999"]
billed_rate = "0.60"

[[fixed_rate]]
codes = ["99213"]
amount = "95.00"

[percent_of_medicare]
schedule = "medicare"
rate = "1.40"
locality = "10112-00"

[percent_of_billed]
rate = "0.50"
"""


def test_toml_contract_loads(tmp_path: Path) -> None:
    path = tmp_path / "acme.toml"
    path.write_text(CONTRACT_TOML)
    c = Contract.from_toml(path, schedules={"medicare": MedicareFeeSchedule.demo()})
    assert c.plan == "PPO"
    assert c.lesser_of_billed
    assert expected(c, "99213") == (D("95.00"), "fixed rate 99213")
    assert expected(c, "J1100", billed="10.00") == (D("6.00"), "carve-out J0000-J9999")
    assert expected(c, "85025", billed="10.00") == (D("5.00"), "50% of billed")


@pytest.mark.parametrize(
    ("old", "new", "line_number", "key"),
    [
        ('amount = "95.00"', "amount = 95.5", 14, "fixed_rate[0].amount"),
        ('rate = "1.40"', 'rate = "lots"', 18, "percent_of_medicare[0].rate"),
        ('locality = "10112-00"', 'locality = "10112"', 19, "percent_of_medicare[0].locality"),
        ('schedule = "medicare"', 'schedule = "medicaid"', 17, "percent_of_medicare[0].schedule"),
        ('codes = ["99213"]', 'codes = ["9921"]', 13, "fixed_rate[0].codes"),
        ("lesser_of_billed = true", 'lesser_of_billed = "yes"', 6, "lesser_of_billed"),
        ('plan = "PPO"', 'plan = "PPO"\ndiscount = "0.1"', 4, "discount"),
    ],
)
def test_toml_errors_name_file_line_and_key(
    tmp_path: Path, old: str, new: str, line_number: int, key: str
) -> None:
    path = tmp_path / "acme.toml"
    assert old in CONTRACT_TOML
    path.write_text(CONTRACT_TOML.replace(old, new))
    with pytest.raises(ParseError) as caught:
        Contract.from_toml(path, schedules={"medicare": MedicareFeeSchedule.demo()})
    message = str(caught.value)
    assert f"{path}, line {line_number}" in message
    assert key in message


def test_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("payer = \n")
    with pytest.raises(ParseError, match=r"broken\.toml"):
        Contract.from_toml(path)


def test_contract_applies_to_payer_plan_and_date() -> None:
    from medbill import Coverage, CoverageId, PatientId, Payer, PayerId

    c = Contract(
        payer_id="acme",
        name="Acme PPO",
        plan="PPO",
        effective=YEAR_2025,
        terms=[PercentOfBilled(rate="0.5")],
    )

    def cover(payer: str, plan: str | None) -> Coverage:
        return Coverage(
            id=CoverageId("cov-1"),
            patient_id=PatientId("MRN-1"),
            member_id="W1234567",
            payer=Payer(id=PayerId(payer), name=payer, kind="commercial"),
            priority="primary",
            effective=YEAR_2025,
            plan_name=plan,
        )

    assert c.applies_to(cover("acme", "PPO"), DOS)
    assert not c.applies_to(cover("acme", "HMO"), DOS)
    assert not c.applies_to(cover("other", "PPO"), DOS)
    assert not c.applies_to(cover("acme", "PPO"), pendulum.date(2026, 1, 2))


def test_fixed_year_medicare_keeps_claim_rules(cy2024: MedicareFeeSchedule) -> None:
    medicare_2024 = cy2024
    c = contract(
        PercentOfMedicare(schedule=medicare_2024, rate="1.50", locality=ALABAMA, year=2024)
    )
    # Services on 2025-03-04 priced as on 2024-03-04 (factor 32.7442), facility rates:
    # 64483 2024: 1.90/1.24/0.18 ranks first; 11042 2024: 1.01/0.67/0.13 at 50%.
    cf = D("32.7442")
    injection = cents((D("1.90") + D("1.24") * D("0.869") + D("0.18") * D("0.575")) * cf)
    debridement = cents((D("1.01") + D("0.67") * D("0.869") + D("0.13") * D("0.575")) * cf)
    result = c.expected_allowed(
        claim(
            line("1", "11042", charge="900.00"),
            line("2", "64483", charge="900.00"),
            place_of_service="22",
        )
    )
    assert result.line("2").allowed == cents(injection * D("1.50"))
    assert result.line("1").allowed == cents(cents(debridement * D("0.5")) * D("1.50"))


def test_contract_validates_its_fields() -> None:
    with pytest.raises(ValidationError, match="payer_id"):
        Contract(payer_id="", name="x", effective=YEAR_2025, terms=[PercentOfBilled(rate="1")])
    with pytest.raises(ValidationError, match="at least one term"):
        Contract(payer_id="acme", name="x", effective=YEAR_2025, terms=[])
    with pytest.raises(ValidationError, match="exactly one of"):
        CarveOut(codes=["J1100"], amount="1.00", billed_rate="0.5")
    with pytest.raises(ValidationError, match="rate"):
        PercentOfBilled(rate="-0.1")
