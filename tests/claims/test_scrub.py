"""Scrubbing rules, each with a claim that breaks it and one that does not."""

from __future__ import annotations

from collections.abc import Iterator

import attrs
import pendulum
import pytest

from medbill import Claim
from medbill.claims import (
    Finding,
    ScrubContext,
    Severity,
    TimelyFilingLimit,
    scrub,
)
from medbill.claims._rules import limits
from medbill.codes import Icd10Cm, Icd10CodeSet, Modifier, Npi

from .conftest import DOS, clean_claim, forced, line, payer_coverage

SOON = pendulum.date(2025, 3, 10)


def rules_of(claim: Claim, as_of: pendulum.Date = SOON, **options: object) -> list[str]:
    return [f.rule for f in scrub(claim, as_of=as_of, **options)]  # type: ignore[arg-type]


def test_a_complete_claim_is_clean() -> None:
    assert scrub(clean_claim(), as_of=SOON) == []


def test_findings_carry_path_message_and_hint() -> None:
    claim = clean_claim(line("1", "71046", modifiers=["26", "TC"]))
    (finding,) = scrub(claim, as_of=SOON)
    assert finding == Finding(
        rule="conflicting-modifiers",
        severity=Severity.ERROR,
        path="lines[0].modifiers",
        message="26 and TC on one line",
        hint="bill the global service without 26 or TC, or split into two lines",
    )
    assert finding.blocks_submission


def test_required_fields() -> None:
    claim = clean_claim()
    bare = attrs.evolve(
        claim,
        coverage=None,
        billing_provider=attrs.evolve(claim.billing_provider, tax_id=None, address=None),
        patient=attrs.evolve(claim.patient, address=None),
    )
    paths = [f.path for f in scrub(bare, as_of=SOON) if f.rule == "required-field"]
    assert paths == [
        "billing_provider.address",
        "billing_provider.tax_id",
        "coverage",
        "patient.address",
    ]
    coverage = payer_coverage()
    no_payer_id = attrs.evolve(
        claim,
        coverage=attrs.evolve(coverage, payer=attrs.evolve(coverage.payer, x12_payer_id=None)),
    )
    assert [f.path for f in scrub(no_payer_id, as_of=SOON)] == ["coverage.payer.x12_payer_id"]


def test_code_formats_and_billable_diagnoses() -> None:
    claim = clean_claim(diagnoses=["E11", "I10"])
    codes = Icd10CodeSet(billable=["I10", "E11.9"], headers=["E11"])
    findings = scrub(claim, as_of=SOON, icd10=codes)
    assert [(f.rule, f.path) for f in findings] == [("code-format", "diagnoses[0]")]
    assert "E11 is not a billable" in findings[0].message
    broken = forced(claim, diagnoses=("E11.9", "12.3"))
    assert ("code-format", "diagnoses[1]") in [(f.rule, f.path) for f in scrub(broken, as_of=SOON)]
    bad_modifier = forced(line("1", "99214"), modifiers=("TCX",))
    assert "code-format" in rules_of(clean_claim(bad_modifier))


def test_diagnosis_pointers() -> None:
    claim = clean_claim(diagnoses=["E11.9"])
    broken = forced(claim, lines=(forced(claim.lines[0], diagnosis_pointers=(1, 2, 1)),))
    messages = [f.message for f in scrub(broken, as_of=SOON) if f.rule == "diagnosis-pointer"]
    assert messages == [
        "pointer 2 refers to no diagnosis (the claim has 1)",
        "pointers [1, 2, 1] repeat a diagnosis",
    ]


def test_limits() -> None:
    fifty_one = clean_claim(*[line(str(n), "99214") for n in range(1, 52)])
    assert [f.path for f in scrub(fifty_one, as_of=SOON) if f.rule == "limit"] == ["lines"]
    assert "limit" not in rules_of(
        clean_claim(*[line(str(n), "99214") for n in range(1, 51)]),
        rules=[limits],
    )
    thirteen = tuple(Icd10Cm(f"E11.{n}") for n in range(10)) + tuple(
        Icd10Cm(c) for c in ("I10", "E78.5", "Z79.4")
    )
    wide_line = forced(
        line("1", "99214"),
        modifiers=tuple(map(Modifier, ["25", "59", "XU", "GT", "95"])),
        diagnosis_pointers=(1, 2, 3, 4, 5),
    )
    broken = forced(clean_claim(), diagnoses=thirteen, lines=(wide_line,))
    assert [f.path for f in scrub(broken, as_of=SOON) if f.rule == "limit"] == [
        "diagnoses",
        "lines[0].diagnosis_pointers",
        "lines[0].modifiers",
    ]


def test_npi_check_digit() -> None:
    claim = clean_claim()
    bad = forced(claim.billing_provider, npi="1234567890")
    findings = scrub(forced(claim, billing_provider=bad), as_of=SOON)
    assert [(f.rule, f.path) for f in findings] == [("npi-check-digit", "billing_provider.npi")]
    # Luhn over 80840 + 123456789: check digit 3 (CMS NPI check-digit example)
    assert "expected 3" in findings[0].message
    assert Npi("1234567893")


def test_future_date_of_service() -> None:
    claim = clean_claim(line("1", "99214", day=pendulum.date(2025, 3, 11)))
    assert rules_of(claim, as_of=SOON) == ["future-date-of-service"]
    assert rules_of(claim, as_of=pendulum.date(2025, 3, 11)) == []


def test_coverage_must_be_in_force() -> None:
    late = payer_coverage(start=pendulum.date(2025, 6, 1))
    assert rules_of(clean_claim(coverage=late)) == ["coverage-inactive"]
    ended = payer_coverage(end=pendulum.date(2025, 3, 3))
    (finding,) = scrub(clean_claim(coverage=ended), as_of=SOON)
    assert (
        finding.message
        == "coverage cov-aetna (2025-01-01 to 2025-03-03) is not in force on 2025-03-04"
    )


@pytest.mark.parametrize(
    ("service_date", "deadline"),
    [
        # 12 months later is a Tuesday: the deadline itself
        (pendulum.date(2025, 3, 4), pendulum.date(2026, 3, 4)),
        # 2026-01-18 is a Sunday and Monday 2026-01-19 is Martin Luther King Jr. Day
        (pendulum.date(2025, 1, 18), pendulum.date(2026, 1, 20)),
        # 2026-07-04 is a Saturday (observed on Friday 3 July): rolls to Monday 6 July
        (pendulum.date(2025, 7, 4), pendulum.date(2026, 7, 6)),
        # 2024-02-29 + 12 months: 2025-02-28, a Friday
        (pendulum.date(2024, 2, 29), pendulum.date(2025, 2, 28)),
    ],
)
def test_medicare_timely_filing_deadline(
    service_date: pendulum.Date, deadline: pendulum.Date
) -> None:
    claim = clean_claim(
        line("1", "99214", day=service_date),
        coverage=payer_coverage(start=pendulum.date(2024, 1, 1)),
    )
    assert rules_of(claim, as_of=deadline.subtract(days=30)) == []
    on_time = scrub(claim, as_of=deadline)
    assert [(f.rule, f.severity) for f in on_time] == [("timely-filing", Severity.WARNING)]
    late = scrub(claim, as_of=deadline.add(days=1))
    assert [(f.rule, f.severity) for f in late] == [("timely-filing", Severity.ERROR)]
    assert str(deadline) in late[0].message


def test_timely_filing_per_payer() -> None:
    claim = clean_claim(coverage=payer_coverage("acme"))
    # 90 days after 2025-03-04 is Monday 2025-06-02
    limits = {"acme": TimelyFilingLimit(months=0, days=90, warn_days=0)}
    assert rules_of(claim, as_of=pendulum.date(2025, 6, 2), filing_limits=limits) == []
    assert rules_of(claim, as_of=pendulum.date(2025, 6, 3), filing_limits=limits) == [
        "timely-filing"
    ]


def test_duplicate_lines() -> None:
    claim = clean_claim(
        line("1", "36415"),
        line("2", "36415"),
        line("3", "36415", modifiers=["91"]),
        line("4", "36415", day=pendulum.date(2025, 3, 5)),
    )
    assert [(f.rule, f.path) for f in scrub(claim, as_of=SOON)] == [("duplicate-line", "lines[1]")]


def test_conflicting_modifiers() -> None:
    claim = clean_claim(
        line("1", "27447", modifiers=["50", "RT"]),
        line("2", "27446", modifiers=["LT", "50"]),
        line("3", "71046", modifiers=["26"]),
        line("4", "73560", modifiers=["RT"]),
    )
    assert [f.path for f in scrub(claim, as_of=SOON)] == [
        "lines[0].modifiers",
        "lines[1].modifiers",
    ]


def test_user_rules_plug_in_without_touching_medbill() -> None:
    def acme_requires_authorization(claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        if claim.coverage and claim.coverage.payer.id == "acme" and not claim.prior_authorization:
            yield Finding(
                rule="acme-auth",
                severity=Severity.ERROR,
                path="prior_authorization",
                message="Acme requires an authorization",
                hint="call Acme",
            )

    acme = clean_claim(coverage=payer_coverage("acme"))
    assert rules_of(acme, extra_rules=[acme_requires_authorization]) == ["acme-auth"]
    assert rules_of(clean_claim(), extra_rules=[acme_requires_authorization]) == []
    assert rules_of(acme, rules=[]) == []


def test_errors_sort_before_warnings() -> None:
    claim = clean_claim(
        line("1", "71046", modifiers=["26", "TC"], day=pendulum.date(2024, 3, 20)),
        coverage=payer_coverage(start=pendulum.date(2024, 1, 1)),
    )
    findings = scrub(claim, as_of=pendulum.date(2025, 3, 1))
    assert [f.severity for f in findings] == [Severity.ERROR, Severity.WARNING]


def test_as_of_must_be_a_date() -> None:
    from medbill import ValidationError

    with pytest.raises(ValidationError, match="as_of"):
        scrub(clean_claim(), as_of=pendulum.datetime(2025, 3, 10))
    assert pendulum.date(2025, 3, 4) == DOS
