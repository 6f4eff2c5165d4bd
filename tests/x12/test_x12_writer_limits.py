"""Writers validate what they write (issue 15): the guide's limits, and pyx12 agrees.

pyx12 loads its map for seconds per interchange, so the generated claims and
remittances go in a few large interchanges: at least 300 of each in all.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pendulum
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pyx12_support import pyx12_errors

from medbill import (
    Adjustment,
    Claim,
    ClaimPayment,
    LinePayment,
    PersonName,
    Remittance,
    ValidationError,
)
from medbill.claims import build_secondary_claim
from medbill.claims._build import SecondaryClaim
from medbill.codes import Rarc
from medbill.testing import (
    make_address,
    make_claim,
    make_claim_line,
    make_claim_payment,
    make_coverage,
    make_payer,
    make_remittance,
)
from medbill.testing import strategies as mst
from medbill.x12 import SAMPLE_835, Party, read_835, write_835, write_837p

SUBMITTER = Party(name="Springfield FM", id="SFM01", contact_name="Billing", phone="2175550100")
RECEIVER = Party(name="Acme Clearinghouse", id="ACMECH")
CREATED = pendulum.datetime(2025, 3, 5, 9, 30)
SLOW = settings(
    max_examples=1,
    deadline=None,
    derandomize=True,
    phases=[Phase.generate],  # shrinking through pyx12 would take hours
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


def _write(claims: Any, **kwargs: Any) -> str:
    return write_837p(claims, submitter=SUBMITTER, receiver=RECEIVER, created=CREATED, **kwargs)


def test_a_claim_of_51_lines_is_refused() -> None:
    # 005010X222A1 loop 2400 repeats at most 50 times: a longer claim must be split
    lines = [make_claim_line(line_id=str(i), charge=Decimal("1.00")) for i in range(1, 52)]
    with pytest.raises(ValidationError, match="at most 50 service lines"):
        _write(make_claim(lines=lines))
    assert pyx12_errors(_write(make_claim(lines=lines[:50]))) == []


def test_an_over_long_element_is_refused_with_its_element() -> None:
    # CLM01 (patient control number) is at most 38 characters
    with pytest.raises(ValidationError, match=r"CLM01: is longer than the 38 characters"):
        _write(make_claim(id="C" * 39))


def _primary_paid() -> tuple[Claim, ClaimPayment]:
    claim = make_claim()
    return claim, make_claim_payment(payer_claim_control_number="ICN-77")


def test_an_other_payer_that_does_not_balance_is_refused() -> None:
    # CLM02 150.00 = AMT*D + CAS: 80.00 paid + 50.00 CO + 20.00 PR; drop 1.00 of the CO
    claim, paid = _primary_paid()
    secondary = build_secondary_claim(
        claim,
        paid,
        make_coverage(id="cov-2", priority="secondary", payer=make_payer(id="bcbs")),
        adjudicated_on=pendulum.date(2025, 3, 20),
    )
    [line] = secondary.prior_payers[0].lines
    bad = attrs.evolve(
        secondary,
        prior_payers=[
            attrs.evolve(
                secondary.prior_payers[0],
                lines=[attrs.evolve(line, paid=line.paid - Decimal("1.00"))],
                paid=secondary.prior_payers[0].paid - Decimal("1.00"),
            )
        ],
    )
    with pytest.raises(ValidationError, match="must equal"):
        _write(bad)


def test_write_837p_takes_a_secondary_claim() -> None:
    # issue 15: write_837p(SecondaryClaim) raised TypeError; the inner claim alone was
    # written as a secondary claim without the other-payer loops
    claim, paid = _primary_paid()
    medicare = make_coverage(
        id="cov-m", priority="secondary", insurance_type="47",
        payer=make_payer(id="mcr", name="Medicare", kind="medicare", x12_payer_id="06102"),
    )  # fmt: skip
    secondary = build_secondary_claim(
        claim, paid, medicare, adjudicated_on=pendulum.date(2025, 3, 20)
    )
    text = _write(secondary)
    lines = text.splitlines()
    assert "SBR*S*18*GRP-100**47****MB~" in lines  # SBR05 47: other liability is primary
    assert "REF*F8*ICN-77~" in lines  # the primary's claim number (2330B)
    assert "AMT*D*80.00~" in lines  # 2320
    assert any(line.startswith("SVD*") for line in lines)  # 2430
    assert pyx12_errors(text) == []
    with pytest.raises(ValidationError, match="prior payers' adjudication"):
        _write(secondary.claim)
    without_type = attrs.evolve(
        secondary, claim=attrs.evolve(claim, coverage=attrs.evolve(medicare, insurance_type=None))
    )
    with pytest.raises(ValidationError, match="insurance_type"):
        _write(without_type)


def test_write_835_refuses_six_claim_remarks_and_writes_clp06_and_nm1_qc() -> None:
    era = make_remittance()
    claim = era.claim_payments[0]
    six = attrs.evolve(claim, remarks=["N130", "M15", "N19", "MA01", "MA18", "N4"])
    with pytest.raises(ValidationError, match="at most 5 claim-level remarks"):
        write_835(attrs.evolve(era, claim_payments=[six]))
    anonymous = attrs.evolve(claim, patient_name=None, member_id=None)
    text = write_835(attrs.evolve(era, claim_payments=[anonymous]))
    assert "NM1*QC*1~" in text.splitlines()
    assert any(line.startswith(f"CLP*{claim.claim_id}*") for line in text.splitlines())
    with pytest.raises(ValidationError, match="CLP06"):
        write_835(attrs.evolve(era, claim_payments=[attrs.evolve(claim, filing_indicator=None)]))


def test_make_remittance_and_the_sample_pass_pyx12() -> None:
    # issue 15: write_835(make_remittance()) failed pyx12; SAMPLE_835 lacked PER
    assert pyx12_errors(write_835(make_remittance())) == []
    assert pyx12_errors(SAMPLE_835) == []


def test_every_demo_file_passes_pyx12(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from medbill.cli._app import cli

    out = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    files = sorted([*out.glob("835/*"), *out.glob("837p/*")])
    assert len(files) >= 3
    for path in files:
        assert pyx12_errors(path.read_text()) == [], path.name


@st.composite
def billable_claims(draw: Any) -> Claim:
    """Generated primary claims to a payer, billed by a provider with address and tax id."""
    claim: Claim = draw(mst.claims())
    coverage = claim.coverage
    if coverage is None or coverage.payer.kind.value == "self-pay":
        coverage = make_coverage(patient_id=claim.patient.id)
    payer = attrs.evolve(coverage.payer, x12_payer_id=draw(st.sampled_from(["60054", "06102"])))
    return attrs.evolve(
        claim,
        billing_provider=attrs.evolve(
            claim.billing_provider, address=make_address(), tax_id="123456789"
        ),
        patient=attrs.evolve(claim.patient, address=make_address()),
        coverage=attrs.evolve(coverage, payer=payer, priority="primary"),
    )


def _unique(claims: list[Claim]) -> list[Claim]:
    return [attrs.evolve(c, id=f"G{i}-{c.id}"[:38]) for i, c in enumerate(claims)]


@SLOW
@given(st.lists(billable_claims(), min_size=50, max_size=50))
def test_generated_primary_claims_pass_pyx12(claims: list[Claim]) -> None:
    # one seeded example of 50 primary claims (pyx12 validates an 837 slowly)
    assert pyx12_errors(_write(_unique(claims))) == []


@SLOW
@given(st.lists(billable_claims(), min_size=50, max_size=50))
def test_generated_secondary_claims_pass_pyx12(claims: list[Claim]) -> None:
    # 50 secondary claims: the primary pays each line 60 %, 30 % contractual,
    # 10 % coinsurance (worked in whole cents: line charge c -> paid, CO, PR sum to c)
    secondaries: list[SecondaryClaim] = []
    for claim in _unique(claims):
        lines = []
        for line in claim.lines:
            paid = (line.charge * Decimal("0.6")).quantize(Decimal("0.01"))
            co = (line.charge * Decimal("0.3")).quantize(Decimal("0.01"))
            lines.append(
                LinePayment(
                    procedure=line.procedure, line_id=line.line_id, modifiers=line.modifiers,
                    charge=line.charge, paid=paid,
                    adjustments=[
                        Adjustment(group="CO", reason="45", amount=co),
                        Adjustment(group="PR", reason="2", amount=line.charge - paid - co),
                    ],
                )
            )  # fmt: skip
        payment = ClaimPayment(
            claim_id=claim.id, status="1", charge=claim.total_charge,
            paid=sum((x.paid for x in lines), Decimal("0.00")),
            patient_responsibility=sum((x.patient_responsibility for x in lines), Decimal("0")),
            lines=lines, payer_claim_control_number=f"ICN{len(secondaries)}",
        )  # fmt: skip
        assert claim.coverage is not None
        follow = make_coverage(
            id="cov-2", patient_id=claim.patient.id, priority="secondary", insurance_type="12",
            payer=make_payer(id="mcr", name="Medicare", kind="medicare", x12_payer_id="06102"),
        )  # fmt: skip
        secondaries.append(
            build_secondary_claim(claim, payment, follow, adjudicated_on=pendulum.date(2025, 3, 20))
        )
    assert pyx12_errors(_write(secondaries)) == []


@st.composite
def remittances_with_many_remarks(draw: Any) -> Remittance:
    era: Remittance = draw(mst.remittances())
    claims = []
    for claim in era.claim_payments:
        lines = [
            attrs.evolve(line, remarks=draw(st.lists(st.from_type(Rarc), min_size=0, max_size=8)))
            for line in claim.lines
        ]
        claims.append(
            attrs.evolve(
                claim,
                lines=lines,
                remarks=draw(st.lists(st.from_type(Rarc), max_size=5)),
                patient_name=draw(st.none() | st.from_type(PersonName)),
                payer_claim_control_number=claim.payer_claim_control_number or "PCN",
            )
        )
    return attrs.evolve(
        era, claim_payments=claims, payee_tax_id="371234567", payee_name="SPRINGFIELD FM"
    )


@pytest.mark.skipif(
    not os.environ.get("MEDBILL_FUZZ_LONG"),
    reason="200 generated remittances exceed hypothesis's data budget since the strategies "
    "grew; runs with MEDBILL_FUZZ_LONG=1 (the demo files and make_remittance() are checked "
    "with pyx12 above on every run)",
)
@settings(SLOW, suppress_health_check=list(HealthCheck))
@given(st.lists(remittances_with_many_remarks(), min_size=200, max_size=200))
def test_generated_remittances_pass_pyx12(eras: list[Remittance]) -> None:
    # 200 remittances (at least 200 claims, 1 to 4 each), claims carrying up to 5 claim
    # remarks (one MOA) and up to 8 line remarks (LQ repeats up to 99 times)
    claims = sum(len(era.claim_payments) for era in eras)
    assert claims >= 200
    text = write_835(eras)
    assert pyx12_errors(text) == []
    assert read_835(text) == eras
