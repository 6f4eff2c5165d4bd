"""Medicare physician fee schedule arithmetic on real CY2025 rows, worked out by hand.

Every expected amount is written out from the published rule: (work RVU x work GPCI +
PE RVU x PE GPCI + MP RVU x MP GPCI) x conversion factor, rounded half-up to the cent,
then each percentage applied to the rounded amount and rounded again. RVUs are those of
PPRRVU25_JAN.csv, GPCIs those of GPCI2025.csv (CMS CY2025 final rule, Addendum E).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pendulum
import pytest

from medbill import Period, PricingError, ProviderKind, ValidationError
from medbill.fees import Locality, MedicareFeeSchedule

from .builders import DOS, cents

D = Decimal

CF = D("32.3465")  # CY2025 conversion factor
ALABAMA = Locality.parse("10112-00")  # GPCI work 1, PE 0.869, MP 0.575
MANHATTAN = Locality.parse("13202-01")  # GPCI work 1.065, PE 1.166, MP 1.656
ALASKA = Locality.parse("02102-01")  # GPCI work 1.5, PE 1.081, MP 0.592


def price(schedule: MedicareFeeSchedule, code: str, **kw: object) -> Decimal:
    kw.setdefault("locality", ALABAMA)
    kw.setdefault("place_of_service", "11")
    kw.setdefault("service_date", DOS)
    line = schedule.price_line(code, **kw)  # type: ignore[arg-type]
    assert line.payable, line.reason
    return line.allowed


def test_loads_every_row_and_locality(cy2025: MedicareFeeSchedule) -> None:
    assert len(cy2025.localities) == 109
    assert cy2025.row("99213").work == D("1.30")
    # Alaska is written "2102,AK,1" in the GPCI file.
    assert cy2025.gpci(ALASKA).work == D("1.5")


def test_office_visit_non_facility_manhattan(cy2025: MedicareFeeSchedule) -> None:
    # 99213: work 1.30, non-facility PE 1.35, MP 0.10
    # 1.30 x 1.065 + 1.35 x 1.166 + 0.10 x 1.656 = 1.3845 + 1.5741 + 0.1656 = 3.1242
    # 3.1242 x 32.3465 = 101.05693... -> 101.06
    assert price(cy2025, "99213", locality=MANHATTAN) == D("101.06")


def test_facility_rate_in_outpatient_hospital(cy2025: MedicareFeeSchedule) -> None:
    # 99213 facility PE 0.57: (1.30 x 1 + 0.57 x 0.869 + 0.10 x 0.575) x 32.3465
    expected = cents((D("1.30") + D("0.57") * D("0.869") + D("0.10") * D("0.575")) * CF)
    assert expected == D("59.93")
    assert price(cy2025, "99213", place_of_service="22") == expected


def test_pos_02_is_facility_and_pos_10_non_facility(cy2025: MedicareFeeSchedule) -> None:
    facility = cents((D("1.30") + D("0.57") * D("0.869") + D("0.10") * D("0.575")) * CF)
    office = cents((D("1.30") + D("1.35") * D("0.869") + D("0.10") * D("0.575")) * CF)
    assert office == D("81.86")
    assert price(cy2025, "99213", place_of_service="02") == facility
    assert price(cy2025, "99213", place_of_service="10") == office


def test_alaska_work_gpci_floor(cy2025: MedicareFeeSchedule) -> None:
    # (1.30 x 1.5 + 1.35 x 1.081 + 0.10 x 0.592) x 32.3465
    expected = cents((D("1.30") * D("1.5") + D("1.35") * D("1.081") + D("0.10") * D("0.592")) * CF)
    assert price(cy2025, "99213", locality=ALASKA) == expected


def test_na_practice_expense_is_not_payable_in_that_setting(cy2025: MedicareFeeSchedule) -> None:
    knee = cy2025.price_line("27447", locality=ALABAMA, place_of_service="11", service_date=DOS)
    assert not knee.payable
    assert knee.allowed == D("0.00")
    assert "non-facility" in (knee.reason or "")


@pytest.mark.parametrize(("code", "status"), [("A0021", "I")])
def test_non_payable_status_returns_status_and_meaning(
    cy2025: MedicareFeeSchedule, code: str, status: str
) -> None:
    line = cy2025.price_line(code, locality=ALABAMA, place_of_service="11", service_date=DOS)
    assert not line.payable
    assert line.status == status
    assert line.reason == "status I: not valid for Medicare: Medicare uses another code"


def test_unknown_code_and_locality_raise(cy2025: MedicareFeeSchedule) -> None:
    with pytest.raises(PricingError, match="99999"):
        cy2025.price_line("99999", locality=ALABAMA, place_of_service="11", service_date=DOS)
    with pytest.raises(PricingError, match="99999-99"):
        cy2025.price_line(
            "99213", locality=Locality.parse("99999-99"), place_of_service="11", service_date=DOS
        )
    with pytest.raises(PricingError, match=r"RVU25A \(2025-01-01 to 2025-12-31\).*2019-06-01"):
        cy2025.price_line(
            "99213",
            locality=ALABAMA,
            place_of_service="11",
            service_date=pendulum.date(2019, 6, 1),
        )
    # with the nearest release asked for explicitly, the conversion factors still decide
    with pytest.raises(PricingError, match="conversion factor"):
        cy2025.price_line(
            "99213",
            locality=ALABAMA,
            place_of_service="11",
            service_date=pendulum.date(2019, 6, 1),
            nearest_release=True,
        )


def test_cy2024_has_two_conversion_factors(reference_dir: Path) -> None:
    folder = reference_dir / "arkrvu-cms-pfs" / "rvu_source_2024"
    if not folder.is_dir():
        pytest.skip(f"{folder} absent")
    whole_year = Period(pendulum.date(2024, 1, 1), pendulum.date(2024, 12, 31))
    schedule = MedicareFeeSchedule.from_cms_files(
        [(folder / "pprrvu_rvu24c_jul.csv", folder / "gpci_rvu24c.csv", whole_year)]
    )
    # CY2024 July release (given the whole year explicitly) 99213: work 1.30, non-facility PE 1.33, MP 0.10; Alabama GPCIs.
    rvus = D("1.30") + D("1.33") * D("0.869") + D("0.10") * D("0.575")
    before = price(schedule, "99213", service_date=pendulum.date(2024, 3, 8))
    after = price(schedule, "99213", service_date=pendulum.date(2024, 3, 9))
    assert before == cents(rvus * D("32.7442"))
    assert after == cents(rvus * D("33.2875"))


def test_cy2026_conversion_factor_depends_on_apm_status(cy2025: MedicareFeeSchedule) -> None:
    rvus = D("1.30") + D("1.35") * D("0.869") + D("0.10") * D("0.575")
    day = pendulum.date(2026, 2, 2)  # CY2025 rates with CY2026 factors: asked for explicitly
    near = {"nearest_release": True}
    assert price(cy2025, "99213", service_date=day, **near) == cents(rvus * D("33.4009"))
    assert price(cy2025, "99213", service_date=day, qualifying_apm=True, **near) == cents(
        rvus * D("33.5675")
    )


def test_professional_and_technical_components(cy2025: MedicareFeeSchedule) -> None:
    # 71046-26: work 0.22, PE 0.08, MP 0.01; 71046-TC: work 0, PE 0.69, MP 0.01
    pc = cents((D("0.22") + D("0.08") * D("0.869") + D("0.01") * D("0.575")) * CF)
    tc = cents((D("0.69") * D("0.869") + D("0.01") * D("0.575")) * CF)
    assert price(cy2025, "71046", modifiers=["26"]) == pc
    assert price(cy2025, "71046", modifiers=["TC"]) == tc


def test_meaningless_modifiers_raise(cy2025: MedicareFeeSchedule) -> None:
    with pytest.raises(PricingError, match="exclude each other"):
        price(cy2025, "71046", modifiers=["26", "TC"])
    with pytest.raises(PricingError, match="PC/TC indicator 0"):
        price(cy2025, "99213", modifiers=["26"])
    with pytest.raises(PricingError, match="bilateral indicator 9"):
        price(cy2025, "G0102", modifiers=["50"])  # bilateral indicator 9


def test_bilateral_indicator_1_is_150_percent(cy2025: MedicareFeeSchedule) -> None:
    # 20610 (bilateral indicator 1): fee (0.79 + 1.04 x 0.869 + 0.13 x 0.575) x CF = 57.21
    fee = cents((D("0.79") + D("1.04") * D("0.869") + D("0.13") * D("0.575")) * CF)
    assert fee == D("57.21")
    assert price(cy2025, "20610", modifiers=["50"]) == cents(fee * D("1.5")) == D("85.82")


def test_bilateral_indicator_0_is_100_percent(cy2025: MedicareFeeSchedule) -> None:
    # 11042 has bilateral indicator 0
    fee = cents((D("1.01") + D("2.73") * D("0.869") + D("0.13") * D("0.575")) * CF)
    assert price(cy2025, "11042", modifiers=["50"]) == fee


def test_bilateral_indicator_2_is_100_percent(cy2025: MedicareFeeSchedule) -> None:
    # G0268 (bilateral indicator 2: already bilateral): 0.61 / 0.87 / 0.08
    fee = cents((D("0.61") + D("0.87") * D("0.869") + D("0.08") * D("0.575")) * CF)
    assert price(cy2025, "G0268", modifiers=["50"]) == fee


def test_bilateral_indicator_3_is_100_percent_each_side(cy2025: MedicareFeeSchedule) -> None:
    # 70030 (bilateral indicator 3): 0.18 / 0.79 / 0.02, paid twice
    fee = cents((D("0.18") + D("0.79") * D("0.869") + D("0.02") * D("0.575")) * CF)
    assert price(cy2025, "70030", modifiers=["50"]) == fee * 2


def knee_fee() -> Decimal:
    # 27447 in a facility, Manhattan: (19.60 x 1.065 + 15.30 x 1.166 + 3.98 x 1.656) x CF
    return cents((D("19.60") * D("1.065") + D("15.30") * D("1.166") + D("3.98") * D("1.656")) * CF)


@pytest.mark.parametrize(
    ("modifiers", "percent"),
    [
        (["62"], D("0.625")),  # co-surgeons, indicator 1
        (["80"], D("0.16")),  # assistant at surgery, indicator 2
        # surgical care only: PRE OP 0.10 + INTRA OP 0.69 (Pub. 100-04 Ch. 12 s. 40.2 A)
        (["54"], D("0.79")),
        (["55"], D("0.21")),  # post-operative care only: POST OP 0.21
        (["56"], D("0.10")),  # pre-operative care only: PRE OP 0.10
    ],
)
def test_surgical_modifiers_on_total_knee(
    cy2025: MedicareFeeSchedule, modifiers: list[str], percent: Decimal
) -> None:
    allowed = price(cy2025, "27447", locality=MANHATTAN, place_of_service="21", modifiers=modifiers)
    assert allowed == cents(knee_fee() * percent)


def test_as_modifier_is_85_percent_of_16_percent(cy2025: MedicareFeeSchedule) -> None:
    assistant = cents(knee_fee() * D("0.16"))
    allowed = price(
        cy2025,
        "27447",
        locality=MANHATTAN,
        place_of_service="21",
        modifiers=["AS"],
        provider_kind=ProviderKind.NON_PHYSICIAN_PRACTITIONER,
    )
    assert allowed == cents(assistant * D("0.85"))


def test_54_and_55_together_add_their_shares(cy2025: MedicareFeeSchedule) -> None:
    allowed = price(
        cy2025, "27447", locality=MANHATTAN, place_of_service="21", modifiers=["54", "55"]
    )
    # 54 (pre 0.10 + intra 0.69) with 55 (post 0.21): the whole package, 100%
    assert allowed == knee_fee()


def test_55_is_prorated_by_the_days_of_post_operative_care(cy2025: MedicareFeeSchedule) -> None:
    # 27447 has a 90-day global period; post-operative care for 30 days of it: POST OP
    # 0.21 x 30/90 = 0.07 (Pub. 100-04 Ch. 12 s. 40.2 A).
    allowed = price(
        cy2025, "27447", locality=MANHATTAN, place_of_service="21", modifiers=["55"], care_days=30
    )
    assert allowed == cents(knee_fee() * D("0.07"))
    with pytest.raises(ValidationError, match="care_days"):
        price(cy2025, "27447", locality=MANHATTAN, place_of_service="21", modifiers=["55"],
              care_days=-1)  # fmt: skip


def test_non_physician_practitioner_is_85_percent(cy2025: MedicareFeeSchedule) -> None:
    allowed = price(cy2025, "99213", provider_kind=ProviderKind.NON_PHYSICIAN_PRACTITIONER)
    assert allowed == cents(D("81.86") * D("0.85")) == D("69.58")


def test_units_multiply(cy2025: MedicareFeeSchedule) -> None:
    # 97110: (0.45 + 0.43 x 0.869 + 0.01 x 0.575) x CF, three units on their own
    fee = cents((D("0.45") + D("0.43") * D("0.869") + D("0.01") * D("0.575")) * CF)
    assert price(cy2025, "97110", units=3) == fee * 3


def test_non_participating_and_limiting_charge(cy2025: MedicareFeeSchedule) -> None:
    line = cy2025.price_line("99213", locality=ALABAMA, place_of_service="11", service_date=DOS)
    # 81.86 x 0.95 = 77.767 -> 77.77; 77.77 x 1.15 = 89.4355 -> 89.44
    assert line.non_participating == D("77.77")
    assert line.limiting_charge == D("89.44")


def test_trace_names_every_step(cy2025: MedicareFeeSchedule) -> None:
    line = cy2025.price_line(
        "20610",
        locality=ALABAMA,
        place_of_service="11",
        service_date=DOS,
        modifiers=["50"],
        provider_kind=ProviderKind.NON_PHYSICIAN_PRACTITIONER,
    )
    rules = [step.rule for step in line.trace]
    assert rules == [
        "release",
        "RVU",
        "GPCI",
        "conversion factor",
        "fee",
        "modifier 50",
        "non-physician practitioner",
    ]
    text = line.explain()
    assert "bilateral indicator 1" in text
    assert "32.3465 (CY2025)" in text


@pytest.mark.parametrize("year", [2020, 2021, 2022, 2023, 2024])
def test_older_arkrvu_layouts_load(reference_dir: Path, year: int) -> None:
    folder = reference_dir / "arkrvu-cms-pfs" / f"rvu_source_{year}"
    if not folder.is_dir():
        pytest.skip(f"{folder} absent")
    rvu = sorted(folder.glob("pprrvu_*.csv"))[-1]
    gpci = sorted(folder.glob("gpci_*.csv"))[-1]
    schedule = MedicareFeeSchedule.from_cms_files(rvu, gpci)
    assert schedule.row("99213").status == "A"
    assert ALASKA in schedule.localities
    assert len(schedule.localities) >= 109


def test_cy2020_october_release_by_hand(reference_dir: Path) -> None:
    folder = reference_dir / "arkrvu-cms-pfs" / "rvu_source_2020"
    if not folder.is_dir():
        pytest.skip(f"{folder} absent")
    schedule = MedicareFeeSchedule.from_cms_files(
        folder / "pprrvu_rvu20d_oct.csv", folder / "gpci_rvu20d.csv"
    )
    # CY2020: 99213 work 0.97, non-facility PE 1.06, MP 0.08; Alabama GPCIs 1, 0.889, 0.707;
    # conversion factor 36.0896. The D release prices October to December.
    expected = cents((D("0.97") + D("1.06") * D("0.889") + D("0.08") * D("0.707")) * D("36.0896"))
    assert price(schedule, "99213", service_date=pendulum.date(2020, 11, 2)) == expected
    with pytest.raises(PricingError, match="RVU20D"):
        price(schedule, "99213", service_date=pendulum.date(2020, 6, 1))


@pytest.mark.parametrize(
    ("modifier", "why"),
    [("80", "assistant indicator 1"), ("62", "co-surgery indicator 0")],
)
def test_payment_restrictions_make_the_line_not_payable(
    cy2025: MedicareFeeSchedule, modifier: str, why: str
) -> None:
    # 20610: ASST SURG 1 (statutory restriction), CO-SURG 0 (not permitted)
    line = cy2025.price_line(
        "20610", locality=ALABAMA, place_of_service="11", service_date=DOS, modifiers=[modifier]
    )
    assert not line.payable
    assert why in (line.reason or "")
    assert line.allowed == D("0.00")


def test_split_care_on_a_code_without_global_period_raises(cy2025: MedicareFeeSchedule) -> None:
    with pytest.raises(PricingError, match="no pre/intra/post"):
        price(cy2025, "99213", modifiers=["54"])
