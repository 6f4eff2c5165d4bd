"""Payer rules written as TOML by a billing office: required fields, modifiers, frequency."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import attrs
import pendulum
import pytest

from medbill import Claim, ParseError, PayerId, Provider
from medbill.claims import PayerRules, scrub

from .conftest import DOS, clean_claim, line, payer_coverage

ACME = """\
payer = "aetna"
name = "Aetna 2025 professional rules"
relax = ["duplicate-line"]

[timely_filing]
months = 0
days = 90

[[required]]
field = "prior_authorization"
codes = ["72148"]
reason = "MRI of the lumbar spine needs a prior authorization"

[[required]]
field = "lines.drug"
codes = ["J*"]

[[required]]
field = "referring_provider"

[[modifier]]
codes = ["97110"]
any_of = ["GP", "GO", "GN"]
reason = "therapy services carry the plan-of-care modifier"

[[frequency]]
codes = ["G0439"]
max_units = 1
per = "claim"
"""
SOON = DOS.add(days=5)


@pytest.fixture
def rules(tmp_path: Path) -> PayerRules:
    path = tmp_path / "aetna.toml"
    path.write_text(ACME)
    return PayerRules.from_toml(path)


def referred(claim: Claim) -> Claim:
    doctor = Provider(npi="1245319599", name="Cushing", first_name="Harvey")
    return attrs.evolve(claim, referring_provider=doctor)


def test_required_fields_for_some_codes_and_for_all(rules: PayerRules) -> None:
    claim = clean_claim(line("1", "72148", "900.00"), line("2", "J1100", "12.00"))
    findings = scrub(claim, as_of=SOON, payer_rules=[rules])
    assert [(f.rule, f.path) for f in findings] == [
        ("payer-required-field", "lines[1].drug"),
        ("payer-required-field", "prior_authorization"),
        ("payer-required-field", "referring_provider"),
    ]
    assert "MRI of the lumbar spine" in findings[1].message
    assert "aetna.toml" in findings[0].message
    fixed = attrs.evolve(referred(claim), prior_authorization="PA-1")
    assert [f.path for f in scrub(fixed, as_of=SOON, payer_rules={PayerId("aetna"): rules})] == [
        "lines[1].drug"
    ]


def test_other_payers_are_not_touched(rules: PayerRules) -> None:
    claim = clean_claim(line("1", "72148"), coverage=payer_coverage("cigna"))
    assert scrub(claim, as_of=SOON, payer_rules=[rules]) == []


def test_modifier_frequency_relax_and_filing_limit(rules: PayerRules) -> None:
    claim = referred(clean_claim(line("1", "97110"), line("2", "G0439"), line("3", "G0439")))
    findings = scrub(claim, as_of=SOON, payer_rules=[rules])
    # the duplicate G0439 line is not reported (relaxed), its frequency is
    assert [(f.rule, f.path) for f in findings] == [
        ("payer-frequency", "lines[1].units"),
        ("payer-modifier", "lines[0].modifiers"),
    ]
    assert "2 units of G0439 on the claim; aetna pays at most 1 per claim" in findings[0].message
    # 90 days instead of Medicare's 12 months: 2025-03-04 + 90 days = 2025-06-02
    late = referred(clean_claim(line("1", "99213")))
    rules_found = scrub(late, as_of=pendulum.date(2025, 6, 3), payer_rules=[rules])
    assert [f.rule for f in rules_found] == ["timely-filing"]
    assert "was 2025-06-02" in rules_found[0].message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('payer = "a"\nbogus = 1\n', r"line 2: bogus: unknown key"),
        ('name = "x"\n', r"line 1: missing required key 'payer'"),
        (
            'payer = "a"\n\n[[required]]\nfield = "fax_number"\n',
            r"line 4: required\[0\]\.field: .*must be one of",
        ),
        (
            'payer = "a"\n[[frequency]]\ncodes = ["G0439"]\nmax_units = 1.5\n',
            r"line 4: frequency\[0\]\.max_units",
        ),
        (
            'payer = "a"\n[[modifier]]\ncodes = ["97110"]\nany_of = "GP"\n',
            r"line 4: modifier\[0\]\.any_of: .*list of strings",
        ),
        (
            'payer = "a"\n[[frequency]]\ncodes = ["G0439"]\nmax_units = 1\nper = "week"\n',
            r"line 5: frequency\[0\]\.per",
        ),
        ('payer = "a"\n[timely_filing]\nmonths = -1\n', r"line 3: timely_filing\[0\]\.months"),
        ('payer = "a"\n[[required]\n', r"not valid TOML"),
    ],
)
def test_errors_name_file_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text)
    with pytest.raises(ParseError, match=message) as caught:
        PayerRules.from_toml(path)
    assert "rules.toml" in str(caught.value)


def test_a_missing_file_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="cannot read the payer rules"):
        PayerRules.from_toml(tmp_path / "nope.toml")


def test_units_add_up_per_day(tmp_path: Path) -> None:
    path = tmp_path / "daily.toml"
    path.write_text(
        'payer = "aetna"\n[[frequency]]\ncodes = ["97110"]\nmax_units = 4\nper = "day"\n'
    )
    daily = PayerRules.from_toml(path)
    claim = clean_claim(
        line("1", "97110", units="3"), line("2", "97110", units="2", modifiers=["59"])
    )
    assert [f.message for f in scrub(claim, as_of=SOON, payer_rules=[daily])] == [
        "5 units of 97110 on 2025-03-04; aetna pays at most 4 per day (daily.toml)"
    ]
    assert Decimal(4) == daily.frequency[0].max_units
