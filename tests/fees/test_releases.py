"""Pricing never mixes years: each line is priced with the CMS release in force on its date
of service. Every expected amount is worked out by hand from the CMS files named."""

from __future__ import annotations

from decimal import Decimal

import pendulum
import pytest

from medbill import Period, PricingError, ValidationError
from medbill.fees import (
    Contract,
    Gpci,
    Locality,
    MedicareFeeSchedule,
    PercentOfMedicare,
    RvuRow,
)

from .builders import cents, claim, line

D = Decimal
ALABAMA = Locality.parse("10112-00")


def price(schedule: MedicareFeeSchedule, code: str, day: pendulum.Date, **kw: object) -> Decimal:
    kw.setdefault("locality", ALABAMA)
    kw.setdefault("place_of_service", "11")
    return schedule.price_line(code, service_date=day, **kw).allowed  # type: ignore[arg-type]


def test_the_release_periods_follow_the_quarters(cy2020_to_2025: MedicareFeeSchedule) -> None:
    assert [r.describe() for r in cy2020_to_2025.releases] == [
        "RVU20D (2020-10-01 to 2020-12-31)",
        "RVU21D (2021-10-01 to 2021-12-31)",
        "RVU22D (2022-10-01 to 2022-12-31)",
        "RVU23D (2023-10-01 to 2023-12-31)",
        "RVU24A (2024-01-01 to 2024-03-08)",
        "RVU24AR (2024-03-09 to 2024-03-31)",
        "RVU24B (2024-04-01 to 2024-06-30)",
        "RVU24C (2024-07-01 to 2024-12-31)",
        "RVU25A (2025-01-01 to 2025-12-31)",
    ]


def test_each_line_is_priced_with_its_own_release(cy2020_to_2025: MedicareFeeSchedule) -> None:
    # 99213, Alabama, office. CY2020 D (RVU20D): 0.97/1.06/0.08, GPCI 1/0.889/0.707, CF
    # 36.0896. CY2024 (RVU24A/AR/B): 1.30/1.33/0.10, GPCI 1/0.869/0.575, CF 32.7442 to
    # 2024-03-08, 33.2875 from 2024-03-09. CY2025 (RVU25A): 1.30/1.35/0.10, CF 32.3465.
    cy2020 = (D("0.97") + D("1.06") * D("0.889") + D("0.08") * D("0.707")) * D("36.0896")
    cy2024 = D("1.30") + D("1.33") * D("0.869") + D("0.10") * D("0.575")
    cy2025 = (D("1.30") + D("1.35") * D("0.869") + D("0.10") * D("0.575")) * D("32.3465")
    s = cy2020_to_2025
    assert price(s, "99213", pendulum.date(2020, 11, 2)) == cents(cy2020)
    assert price(s, "99213", pendulum.date(2024, 2, 1)) == cents(cy2024 * D("32.7442"))
    assert price(s, "99213", pendulum.date(2024, 3, 15)) == cents(cy2024 * D("33.2875"))
    assert price(s, "99213", pendulum.date(2024, 5, 6)) == cents(cy2024 * D("33.2875"))
    assert price(s, "99213", pendulum.date(2025, 3, 4)) == cents(cy2025) == D("81.86")
    # a 2024 visit is never priced with CY2025 rates: 83.66, not 82.50 (2025 RVUs x the
    # 2024 factor) nor 81.86
    assert cents(cy2024 * D("33.2875")) == D("83.66")
    trace = s.price_line(
        "99213", locality=ALABAMA, place_of_service="11", service_date=pendulum.date(2024, 5, 6)
    ).trace
    assert "RVU24B (2024-04-01 to 2024-06-30)" in str(trace)


def test_a_code_added_in_a_later_quarter_is_not_in_the_earlier_release(
    cy2020_to_2025: MedicareFeeSchedule,
) -> None:
    # G0138 first appears in the April release (RVU24B), contractor priced (status C).
    with pytest.raises(PricingError, match="RVU24A"):
        price(cy2020_to_2025, "G0138", pendulum.date(2024, 2, 1))
    line_b = cy2020_to_2025.price_line(
        "G0138", locality=ALABAMA, place_of_service="11", service_date=pendulum.date(2024, 5, 6)
    )
    assert line_b.status == "C"


def test_a_date_outside_every_release_names_the_date_and_the_releases(
    cy2020_to_2025: MedicareFeeSchedule,
) -> None:
    with pytest.raises(PricingError) as caught:
        price(cy2020_to_2025, "99213", pendulum.date(2022, 5, 2))  # RVU22D starts in October
    message = str(caught.value)
    assert "2022-05-02" in message
    assert "RVU22D (2022-10-01 to 2022-12-31)" in message
    assert "RVU25A" in message
    # nearest, asked for explicitly: the same year's release (RVU22D) before a closer one
    # of another year (RVU21D ends 122 days before, RVU22D starts 152 days after), with the
    # CY2022 factor 34.6062
    near = cy2020_to_2025.price_line(
        "99213",
        locality=ALABAMA,
        place_of_service="11",
        service_date=pendulum.date(2022, 5, 2),
        nearest_release=True,
    )
    release = cy2020_to_2025.release(pendulum.date(2022, 5, 2), nearest_release=True)
    assert release.label == "RVU22D"
    row, gpci = release.rows[("99213", "")], release.gpcis[ALABAMA]
    fee = (row.work * gpci.work + row.pe_nonfacility * gpci.pe + row.mp * gpci.mp) * D("34.6062")
    assert near.allowed == cents(fee)


def test_a_contract_naming_a_year_uses_that_years_release(
    cy2020_to_2025: MedicareFeeSchedule,
) -> None:
    # "150% of 2024 Medicare" for a 2025-05-06 visit: priced as on 2024-05-06 (RVU24B,
    # CF 33.2875): 99213 83.66 x 1.50 = 125.49.
    contract = Contract(
        payer_id="acme",
        name="Acme 2025",
        effective=Period(pendulum.date(2025, 1, 1)),
        terms=[
            PercentOfMedicare(schedule=cy2020_to_2025, rate="1.50", locality=ALABAMA, year=2024)
        ],
    )
    result = contract.expected_line(
        code="99213", billed=D("500.00"), service_date=pendulum.date(2025, 5, 6)
    )
    assert result.allowed == cents(D("83.66") * D("1.50")) == D("125.49")


def test_national_locality_is_unadjusted() -> None:
    # CY2025 99213 at GPCI 1.000: (1.30 + 1.35 + 0.10) x 32.3465 = 88.952875 -> 88.95
    national = MedicareFeeSchedule.demo().price_line(
        "99213",
        locality=Locality.NATIONAL,
        place_of_service="11",
        service_date=pendulum.date(2025, 3, 4),
    )
    assert national.allowed == D("88.95")
    assert "NATIONAL (unadjusted)" in str(national.trace)


def test_medicare_pays_the_lesser_of_the_charge_and_the_fee_schedule() -> None:
    # SSA s. 1848(a)(1). 99213 Alabama CY2025 is 81.86: billed 75.00 the charge wins;
    # billed 150.00 the fee schedule amount wins.
    schedule = MedicareFeeSchedule.demo()
    priced = schedule.price_claim(
        claim(
            line("1", "99213", charge="75.00", day=pendulum.date(2025, 3, 4)),
            line("2", "71046", charge="150.00", modifiers=["26"], day=pendulum.date(2025, 3, 4)),
        ),
        locality=ALABAMA,
    )
    low, high = priced.lines
    assert (low.allowed, low.fee_schedule_amount, low.charge) == (
        D("75.00"),
        D("81.86"),
        D("75.00"),
    )
    assert low.trace.steps[-1].rule == "lesser of charge"
    assert "the charge wins" in low.trace.steps[-1].detail
    assert high.allowed == high.fee_schedule_amount
    assert "the fee schedule amount wins" in high.trace.steps[-1].detail
    keep = schedule.price_claim(
        claim(line("1", "99213", charge="75.00", day=pendulum.date(2025, 3, 4))),
        locality=ALABAMA,
        lesser_of_charge=False,
    )
    assert keep.lines[0].allowed == D("81.86")


def test_percent_of_medicare_keeps_its_own_lesser_of_switch() -> None:
    # 140% of Medicare for 99213 billed 75.00: by default 140% of the fee schedule amount
    # (81.86 x 1.40 = 114.604 -> 114.60); with lesser_of_charge 140% of 75.00 = 105.00.
    schedule = MedicareFeeSchedule.demo()
    visit = claim(line("1", "99213", charge="75.00", day=pendulum.date(2025, 3, 4)))

    def allowed(**switch: bool) -> Decimal:
        term = PercentOfMedicare(schedule=schedule, rate="1.40", locality=ALABAMA, **switch)
        contract = Contract(
            payer_id="acme",
            name="Acme",
            effective=Period(pendulum.date(2025, 1, 1)),
            terms=[term],
        )
        return contract.expected_allowed(visit).lines[0].allowed

    assert allowed() == D("114.60")
    assert allowed(lesser_of_charge=True) == D("105.00")


def test_constructors_refuse_wrong_types_naming_the_field() -> None:
    demo = MedicareFeeSchedule.demo()
    rows = {("99213", ""): demo.row("99213")}
    gpcis = {ALABAMA: demo.gpci(ALABAMA)}
    with pytest.raises(ValidationError, match="conversion_factors"):
        MedicareFeeSchedule(rows, gpcis, conversion_factors={"CY2025": D("32.3465")})  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="rows"):
        MedicareFeeSchedule([demo.row("99213")], gpcis)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="gpcis"):
        MedicareFeeSchedule(rows, {"10112-00": demo.gpci(ALABAMA)})  # type: ignore[dict-item]
    with pytest.raises(ValidationError, match="work"):
        RvuRow(code="99213", work="1.30")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"gpci\.pe"):
        Gpci(D(1), 0.9, D(1), "X")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="schedule"):
        PercentOfMedicare(schedule="medicare", rate="1.40", locality=ALABAMA)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        RvuRow("99213")  # type: ignore[call-arg]  # keyword-only


def test_a_loaded_schedule_can_be_extended_and_releases_may_not_overlap() -> None:
    demo = MedicareFeeSchedule.demo()
    # a made-up row for a code the demo does not hold
    extra = RvuRow(code="99215", work=D("1.92"), pe_nonfacility=D("1.82"), mp=D("0.14"))
    bigger = demo.extended(
        rows=[extra], gpcis={Locality("99999", "99"): Gpci(D(1), D(1), D(1), "X")}
    )
    # (1.92 + 1.82 + 0.14) x 32.3465 = 125.50442 -> 125.50
    assert price(bigger, "99215", pendulum.date(2025, 3, 4), locality=Locality("99999", "99")) == (
        D("125.50")
    )
    with pytest.raises(PricingError):
        price(demo, "99215", pendulum.date(2025, 3, 4))  # the original is unchanged
    with pytest.raises(ValidationError, match="overlap"):
        demo.extended(releases=demo.releases)
