"""Claim-level rules among lines of one date of service, worked out by hand on CY2025 rows."""

from __future__ import annotations

from decimal import Decimal

import pendulum
import pytest

from medbill import PricingError
from medbill.fees import Locality, MedicareFeeSchedule

from .builders import cents, claim, line

D = Decimal
CF = D("32.3465")
ALABAMA = Locality.parse("10112-00")  # GPCI work 1, PE 0.869, MP 0.575


def exact(work: str, pe: str, mp: str) -> Decimal:
    """(work x 1 + PE x 0.869 + MP x 0.575) x 32.3465, unrounded (Alabama CY2025)."""
    return (D(work) + D(pe) * D("0.869") + D(mp) * D("0.575")) * CF


def fee(work: str, pe: str, mp: str) -> Decimal:
    """The fee rounded half-up to the cent."""
    return cents(exact(work, pe, mp))


def test_multiple_surgery_ranks_by_fee_100_50_50(cy2025: MedicareFeeSchedule) -> None:
    # Facility rates (POS 22). 19301: work 10.13, PE 7.37, MP 2.51; 11042: 1.01, 0.68,
    # 0.13; 64483: 1.90, 1.27, 0.16. All three have MULT PROC indicator 2.
    mastectomy = fee("10.13", "7.37", "2.51")
    debridement = fee("1.01", "0.68", "0.13")
    injection = fee("1.90", "1.27", "0.16")
    priced = cy2025.price_claim(
        claim(line("1", "11042"), line("2", "19301"), line("3", "64483"), place_of_service="22"),
        locality=ALABAMA,
    )
    assert priced.line("2").allowed == mastectomy  # highest fee: 100%
    assert priced.line("1").allowed == cents(debridement * D("0.5"))
    assert priced.line("3").allowed == cents(injection * D("0.5"))
    assert priced.total == mastectomy + cents(debridement * D("0.5")) + cents(injection * D("0.5"))
    assert "rank 1 of 3" in priced.line("2").explain()


def test_bilateral_is_applied_before_the_ranking(cy2025: MedicareFeeSchedule) -> None:
    # 64483-50 (bilateral indicator 1) = 150% of its fee, which then outranks 11042.
    injection = cents(fee("1.90", "1.27", "0.16") * D("1.5"))
    debridement = fee("1.01", "0.68", "0.13")
    priced = cy2025.price_claim(
        claim(line("1", "11042"), line("2", "64483", modifiers=["50"]), place_of_service="22"),
        locality=ALABAMA,
    )
    assert injection > debridement
    assert priced.line("2").allowed == injection
    assert priced.line("1").allowed == cents(debridement * D("0.5"))


def test_lines_on_different_dates_are_not_reduced(cy2025: MedicareFeeSchedule) -> None:
    later = pendulum.date(2025, 3, 5)
    priced = cy2025.price_claim(
        claim(line("1", "11042"), line("2", "64483", day=later), place_of_service="22"),
        locality=ALABAMA,
    )
    assert priced.line("1").allowed == fee("1.01", "0.68", "0.13")
    assert priced.line("2").allowed == fee("1.90", "1.27", "0.16")


def test_imaging_reduction_technical_50_professional_95(cy2025: MedicareFeeSchedule) -> None:
    # Office (non-facility). 74177 global 1.82/7.25/0.12, -26 1.82/0.66/0.10, -TC 0/6.59/0.02;
    # 70450 global 0.85/2.35/0.05, -26 0.85/0.31/0.04, -TC 0/2.04/0.01. MULT PROC 4.
    ct_abdomen = fee("1.82", "7.25", "0.12")
    ct_head = exact("0.85", "2.35", "0.05")
    head_pc = exact("0.85", "0.31", "0.04")
    head_tc = exact("0", "2.04", "0.01")
    assert exact("0", "6.59", "0.02") > head_tc  # 74177 has the highest technical component
    assert exact("1.82", "0.66", "0.10") > head_pc  # and the highest professional component
    # one rounding, on the unrounded arithmetic: TC at 50%, PC at 95%
    expected_head = cents(ct_head - head_tc * D("0.50") - head_pc * D("0.05"))
    priced = cy2025.price_claim(claim(line("1", "70450"), line("2", "74177")), locality=ALABAMA)
    assert priced.line("2").allowed == ct_abdomen
    assert priced.line("1").allowed == expected_head


def test_imaging_reduction_professional_component_only(cy2025: MedicareFeeSchedule) -> None:
    # A radiologist reading both studies (-26): the second PC at 95%.
    abdomen_pc = fee("1.82", "0.66", "0.10")
    head_pc = fee("0.85", "0.31", "0.04")
    priced = cy2025.price_claim(
        claim(
            line("1", "70450", modifiers=["26"]),
            line("2", "74177", modifiers=["26"]),
            place_of_service="22",
        ),
        locality=ALABAMA,
    )
    # facility PE for the -26 rows equals the non-facility one (0.31 and 0.66)
    assert priced.line("2").allowed == abdomen_pc
    assert priced.line("1").allowed == cents(head_pc * D("0.95"))


def test_therapy_reduces_practice_expense_after_the_highest_unit(
    cy2025: MedicareFeeSchedule,
) -> None:
    # 97110: 0.45/0.43/0.01, 97140: 0.43/0.40/0.01, both MULT PROC 5, in the office.
    # CMS: reduced = [(work x GPCI) + (PE x GPCI x 50%) + (MP x GPCI)] x CF, rounded once.
    exercise = fee("0.45", "0.43", "0.01")
    assert exercise_pe_first_unit_ranks_first()
    priced = cy2025.price_claim(
        claim(line("1", "97110", units=2), line("2", "97140")), locality=ALABAMA
    )
    second_exercise_unit = fee("0.45", "0.215", "0.01")  # PE 0.43 x 50%
    assert priced.line("1").allowed == exercise + second_exercise_unit
    assert priced.line("2").allowed == fee("0.43", "0.20", "0.01")  # PE 0.40 x 50%


def exercise_pe_first_unit_ranks_first() -> bool:
    """97110's PE payment (0.43 x 0.869 x CF) beats 97140's (0.40 x ...)."""
    return D("0.43") * D("0.869") * CF > D("0.40") * D("0.869") * CF


def test_therapy_rounds_once_where_rounding_the_portion_first_is_a_cent_off(
    cy2025: MedicareFeeSchedule,
) -> None:
    # 97110 then 97140 (0.43/0.40/0.01) in Manhattan (GPCI 1.065/1.166/1.656), CY2025:
    # full fee (0.43 x 1.065 + 0.40 x 1.166 + 0.01 x 1.656) x 32.3465 = 30.4345...;
    # PE portion 0.40 x 1.166 x 32.3465 = 15.0864...; one rounding of CMS's formula:
    # 30.4345 - 15.0864 x 0.5 = 22.8913... -> 22.89. Rounding the portion first:
    # 30.43 - 15.09 + 7.55 (7.545 -> 7.55) = 22.90, a cent too much.
    manhattan = Locality.parse("13202-01")
    g_work, g_pe, g_mp = D("1.065"), D("1.166"), D("1.656")
    row = cy2025.row("97140")
    full = (row.work * g_work + row.pe_nonfacility * g_pe + row.mp * g_mp) * CF
    pe = row.pe_nonfacility * g_pe * CF
    once = cents(full - pe * D("0.5"))
    twice = cents(full) - cents(pe) + cents(cents(pe) * D("0.5"))
    priced = cy2025.price_claim(claim(line("1", "97110"), line("2", "97140")), locality=manhattan)
    assert priced.line("2").allowed == once
    assert (row.work, row.pe_nonfacility, row.mp) == (D("0.43"), D("0.40"), D("0.01"))
    assert once == D("22.89")
    assert twice == D("22.90")


def test_status_t_injection_not_paid_with_another_service(cy2025: MedicareFeeSchedule) -> None:
    alone = cy2025.price_claim(claim(line("1", "G0117")), locality=ALABAMA)
    assert alone.line("1").allowed == fee("0.45", "1.42", "0.02")
    both = cy2025.price_claim(claim(line("1", "G0117"), line("2", "99213")), locality=ALABAMA)
    assert not both.line("1").payable
    assert both.line("2").allowed == fee("1.30", "1.35", "0.10")


def test_claim_errors_name_the_line(cy2025: MedicareFeeSchedule) -> None:
    with pytest.raises(PricingError) as caught:
        cy2025.price_claim(claim(line("7", "71046", modifiers=["26", "TC"])), locality=ALABAMA)
    assert caught.value.field.startswith("lines[7]")


def test_claim_explain_lists_lines_and_total(cy2025: MedicareFeeSchedule) -> None:
    priced = cy2025.price_claim(claim(line("1", "99213")), locality=ALABAMA)
    assert priced.explain().endswith(f"total allowed {priced.total}")


def test_endoscopy_family_then_ranking_across_families(cy2025: MedicareFeeSchedule) -> None:
    # Facility rates (POS 22), Alabama. Colonoscopy family (ENDO BASE 45378):
    # 45385 4.57/2.38/0.56, 45380 3.56/1.93/0.47, base 45378 3.26/1.79/0.43.
    # Upper GI family (base 43235): 43239 2.39/1.42/0.29 alone in its family.
    snare = fee("4.57", "2.38", "0.56")
    biopsy = fee("3.56", "1.93", "0.47")
    base = fee("3.26", "1.79", "0.43")
    egd = fee("2.39", "1.42", "0.29")
    # Within the family: the highest (45385) in full, 45380 at its fee minus the base's.
    family_total = snare + (biopsy - base)
    assert family_total > egd  # the colonoscopy family ranks first, the EGD at 50%
    priced = cy2025.price_claim(
        claim(line("1", "43239"), line("2", "45380"), line("3", "45385"), place_of_service="22"),
        locality=ALABAMA,
    )
    assert priced.line("3").allowed == snare
    assert priced.line("2").allowed == biopsy - base
    assert priced.line("1").allowed == cents(egd * D("0.5"))
    assert "minus base endoscopy" in priced.line("2").explain()


def test_base_endoscopy_adds_nothing_to_its_family(cy2025: MedicareFeeSchedule) -> None:
    # 45378 (the base, MULT PROC 2) with 45380 of its family: 45380 in full, 45378 at
    # its own fee minus itself = 0.
    priced = cy2025.price_claim(
        claim(line("1", "45378"), line("2", "45380"), place_of_service="22"), locality=ALABAMA
    )
    assert priced.line("2").allowed == fee("3.56", "1.93", "0.47")
    assert priced.line("1").allowed == D("0.00")


def test_diagnostic_cardiovascular_technical_component_at_75(cy2025: MedicareFeeSchedule) -> None:
    # Office, Alabama. 93880 TC 0/4.47/0.03 outranks 93306 TC 0/3.76/0.03 (MULT PROC 6).
    echo = fee("1.46", "4.28", "0.07")
    echo_tc = fee("0", "3.76", "0.03")
    duplex = fee("0.80", "4.73", "0.09")
    assert fee("0", "4.47", "0.03") > echo_tc
    priced = cy2025.price_claim(claim(line("1", "93306"), line("2", "93880")), locality=ALABAMA)
    assert priced.line("2").allowed == duplex
    assert priced.line("1").allowed == echo - echo_tc + cents(echo_tc * D("0.75"))


def test_diagnostic_ophthalmology_technical_component_at_80(cy2025: MedicareFeeSchedule) -> None:
    # 92134 TC 0/0.43/0.01 outranks 92133 TC 0/0.42/0.01 (MULT PROC 7).
    # Round once (CY2013 PFS final rule; docs/pricing.md): the reduced fee comes from the
    # unrounded arithmetic. 92133: (0.31 + 0.59 x 0.869 + 0.02 x 0.575) x 32.3465
    # = 26.983874...; its TC (0 + 0.42 x 0.869 + 0.01 x 0.575) x 32.3465 = 11.991818...;
    # paid 26.983874 - 11.991818 x 0.20 = 24.585510... -> 24.59. Rounding the pieces first
    # (26.98 - 11.99 + 9.59 = 24.58) is a cent short.
    retina = fee("0.32", "0.63", "0.02")
    nerve = exact("0.31", "0.59", "0.02")
    nerve_tc = exact("0", "0.42", "0.01")
    priced = cy2025.price_claim(claim(line("1", "92133"), line("2", "92134")), locality=ALABAMA)
    assert priced.line("2").allowed == retina
    assert priced.line("1").allowed == cents(nerve - nerve_tc * D("0.20")) == D("24.59")
    assert cents(nerve) - cents(nerve_tc) + cents(cents(nerve_tc) * D("0.80")) == D("24.58")


def test_global_test_only_code_is_not_reduced(cy2025: MedicareFeeSchedule) -> None:
    # 93000 (PC/TC indicator 4) has no component rows: nothing to reduce, nor to rank.
    priced = cy2025.price_claim(claim(line("1", "93000"), line("2", "93306")), locality=ALABAMA)
    assert priced.line("1").allowed == fee("0.17", "0.24", "0.02")
    assert priced.line("2").allowed == fee("1.46", "4.28", "0.07")


def test_traces_written_when_read_are_the_same_text_and_survive_pickling(
    cy2025: MedicareFeeSchedule,
) -> None:
    # The therapy claim above, priced twice: the second answer comes from the caches
    # (the same lines take part in the ranking) and its trace is written only when read.
    import pickle

    from medbill.fees._trace import Trace

    bill = claim(line("1", "97110", units=2), line("2", "97140"))
    first = cy2025.price_claim(bill, locality=ALABAMA)
    second = cy2025.price_claim(bill, locality=ALABAMA)
    text = str(first.line("1").trace)
    assert "therapy reduction" in text
    assert "unit 2: rank" in text
    assert str(second.line("1").trace) == text
    assert second == first  # the traces compare by their steps
    eager = Trace(tuple(first.line("2").trace.steps))
    assert eager == second.line("2").trace
    assert hash(eager) == hash(second.line("2").trace)
    fresh = cy2025.price_claim(bill, locality=ALABAMA)
    restored = pickle.loads(pickle.dumps(fresh))  # not read before pickling
    assert restored == first
    assert str(restored.line("1").trace) == text


def test_priced_lines_built_without_the_constructor_equal_constructed_ones() -> None:
    """price_claim builds its PricedLines with medbill._trusted (no __init__): each must be
    the object the validating constructor builds from the same values, field for field."""
    import attrs
    import pendulum

    from medbill.fees import Locality, MedicareFeeSchedule, PricedLine
    from medbill.testing import make_claim, make_claim_line

    schedule = MedicareFeeSchedule.demo()
    day = pendulum.date(2025, 5, 1)
    claim = make_claim(
        lines=[
            make_claim_line(line_id="1", procedure="99213", service_date=day),
            make_claim_line(line_id="2", procedure="20610", modifiers=["50"], service_date=day),
            make_claim_line(line_id="3", procedure="71046", modifiers=["26"], service_date=day),
        ]
    )
    priced = schedule.price_claim(claim, locality=Locality.parse("10112-00"))
    assert len(priced.lines) == 3
    for priced_line in priced.lines:
        values = {f.name: getattr(priced_line, f.name) for f in attrs.fields(PricedLine)}
        rebuilt = PricedLine(**values)
        assert rebuilt == priced_line
        assert attrs.asdict(rebuilt, recurse=False) == attrs.asdict(priced_line, recurse=False)
        assert type(priced_line) is PricedLine
