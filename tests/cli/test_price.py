"""``medbill price``: a code or a claim against a flat schedule, a contract or Medicare.

Expected amounts are worked out by hand from the published formula,
fee = (work RVU x work GPCI + PE RVU x PE GPCI + MP RVU x MP GPCI) x CF (42 CFR 414.22),
with the CY2025 numbers written out here (PPRRVU25_JAN.csv, GPCI2025.csv).
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pendulum

from medbill.serialize import to_json
from medbill.testing import make_claim, make_claim_line

from .helpers import Invoke, assert_refused

CF = Decimal("32.3465")


def fee(work: str, pe: str, mp: str, gpci: tuple[str, str, str]) -> Decimal:
    total = (
        Decimal(work) * Decimal(gpci[0])
        + Decimal(pe) * Decimal(gpci[1])
        + Decimal(mp) * Decimal(gpci[2])
    ) * CF
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


REST_OF_ILLINOIS = ("1", "0.912", "1.381")
MANHATTAN = ("1.065", "1.166", "1.656")


def test_a_code_against_medicare_in_two_localities(invoke: Invoke) -> None:
    springfield = fee("1.30", "1.35", "0.10", REST_OF_ILLINOIS)
    assert springfield == Decimal("86.34")  # 2.6693 x 32.3465 = 86.3425
    args = ["price", "99213", "--medicare", "--date", "2025-03-04", "--json"]
    result = invoke([*args, "--locality", "06102-99"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["total"] == str(springfield)
    assert data["lines"][0]["basis"] == "Medicare 06102-99"
    assert any("REST OF ILLINOIS" in step for step in data["lines"][0]["trace"])
    result = invoke([*args, "--locality", "13202-01"])
    assert json.loads(result.stdout)["total"] == str(fee("1.30", "1.35", "0.10", MANHATTAN))


def test_the_table_shows_the_code_amount_and_explanation(invoke: Invoke) -> None:
    result = invoke(
        ["price", "99213", "--medicare", "--locality", "06102-99", "--date", "2025-03-04",
         "--explain"]
    )  # fmt: skip
    assert result.exit_code == 0
    assert "86.34" in result.stdout
    assert "conversion factor: 32.3465 (CY2025)" in result.stdout


def test_a_component_modifier_uses_its_own_row(invoke: Invoke) -> None:
    # 71046-26: work 0.22, PE 0.08, MP 0.01
    result = invoke(
        ["price", "71046", "--modifier", "26", "--medicare", "--locality", "06102-99",
         "--date", "2025-03-04", "--json"]
    )  # fmt: skip
    assert json.loads(result.stdout)["total"] == str(fee("0.22", "0.08", "0.01", REST_OF_ILLINOIS))


def test_a_code_against_a_flat_schedule(invoke: Invoke, tmp_path: Path) -> None:
    schedule = tmp_path / "chargemaster.csv"
    schedule.write_text(
        "code,modifier,amount,valid_from,valid_to\n"
        "99213,,150.00,2025-01-01,2025-06-30\n"
        "99213,,160.00,2025-07-01,\n"
    )
    result = invoke(
        ["price", "99213", "--schedule", str(schedule), "--date", "2025-07-02", "--units", "2",
         "--json"]
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["total"] == "320.00"


CONTRACT = """payer = "acme"
name = "Acme PPO 2025"
effective_from = 2025-01-01
lesser_of_billed = true

[[fixed_rate]]
codes = ["99213"]
amount = "95.00"

[[percent_of_medicare]]
schedule = "medicare"
rate = "1.40"
locality = "06102-99"
"""


def _claim_file(tmp_path: Path) -> Path:
    day = pendulum.date(2025, 3, 4)
    claim = make_claim(
        id="C-1",
        lines=[
            make_claim_line(line_id="1", procedure="99213", modifiers=["25"], service_date=day),
            make_claim_line(
                line_id="2", procedure="20610", charge=Decimal("120.00"), service_date=day
            ),
        ],
    )
    path = tmp_path / "claim.json"
    path.write_text(to_json(claim))
    return path


def test_a_claim_against_a_contract(invoke: Invoke, tmp_path: Path) -> None:
    (tmp_path / "acme.toml").write_text(CONTRACT)
    result = invoke(
        ["price", str(_claim_file(tmp_path)), "--contract", str(tmp_path / "acme.toml"), "--json"]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    # line 1: the fixed rate; line 2: 140% of Medicare's 20610 in Rest of Illinois
    medicare_20610 = fee("0.79", "1.04", "0.13", REST_OF_ILLINOIS)
    assert medicare_20610 == Decimal("62.04")
    expected_2 = (medicare_20610 * Decimal("1.40")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert [line["allowed"] for line in data["lines"]] == ["95.00", str(expected_2)]
    assert data["lines"][0]["basis"] == "fixed rate 99213"
    assert data["total"] == str(Decimal("95.00") + expected_2)


def test_a_code_under_a_contract_needs_the_billed_charge(invoke: Invoke, tmp_path: Path) -> None:
    (tmp_path / "acme.toml").write_text(CONTRACT)
    args = ["price", "99213", "--contract", str(tmp_path / "acme.toml"), "--date", "2025-03-04"]
    assert_refused(invoke(args), "--billed", code=2)
    result = invoke([*args, "--billed", "80.00", "--json"])
    assert json.loads(result.stdout)["lines"][0]["allowed"] == "80.00"  # lesser of billed


def test_a_missing_file_is_one_line(invoke: Invoke) -> None:
    result = invoke(["price", "nowhere.json", "--medicare", "--locality", "06102-99"])
    assert_refused(result, "file not found: nowhere.json")


def test_an_unknown_code_is_one_line(invoke: Invoke) -> None:
    result = invoke(
        ["price", "99215", "--medicare", "--locality", "06102-99", "--date", "2025-03-04"]
    )
    assert_refused(result, "99215", "not in the Medicare relative value file")


def test_a_malformed_code_is_one_line(invoke: Invoke) -> None:
    result = invoke(
        ["price", "9921", "--medicare", "--locality", "06102-99", "--date", "2025-03-04"]
    )
    assert_refused(result, "9921")


def test_bad_json_is_one_line(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "claim.json"
    path.write_text('{"id": ')
    assert_refused(
        invoke(["price", str(path), "--medicare", "--locality", "06102-99"]), "not valid JSON"
    )


def test_an_invalid_claim_names_every_field(invoke: Invoke, tmp_path: Path) -> None:
    path = _claim_file(tmp_path)
    data = json.loads(path.read_text())
    data["lines"][0]["charge"] = "abc"
    data["place_of_service"] = "XX"
    path.write_text(json.dumps(data))
    assert_refused(
        invoke(["price", str(path), "--medicare", "--locality", "06102-99"]),
        "2 problems",
        "lines[0].charge",
    )


def test_a_broken_contract_names_file_and_line(invoke: Invoke, tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(CONTRACT.replace('"95.00"', "95.5"))
    result = invoke(
        ["price", "99213", "--contract", str(tmp_path / "bad.toml"), "--date", "2025-03-04",
         "--billed", "100.00"]
    )  # fmt: skip
    assert_refused(result, "bad.toml, line 8")


def test_a_bad_date_and_a_bad_locality(invoke: Invoke) -> None:
    base = ["price", "99213", "--medicare"]
    assert_refused(invoke([*base, "--locality", "06102-99", "--date", "2025-13-01"]), "--date")
    assert_refused(invoke([*base, "--locality", "0610299", "--date", "2025-03-04"]), "locality")


def test_usage_errors(invoke: Invoke) -> None:
    assert_refused(invoke(["price", "99213", "--date", "2025-03-04"]), "exactly one", code=2)
    assert_refused(
        invoke(["price", "99213", "--medicare", "--locality", "06102-99"]), "--date", code=2
    )
    assert_refused(
        invoke(["price", "99213", "--medicare", "--date", "2025-03-04"]), "--locality", code=2
    )


def test_the_full_cms_files_price_like_the_built_in_rows(
    invoke: Invoke, reference_dir: Path
) -> None:
    folder = reference_dir / "cms-pfs-2025"
    args = ["price", "99214", "--medicare", "--locality", "06102-99", "--date", "2025-03-04",
            "--json"]  # fmt: skip
    built_in = json.loads(invoke(args).stdout)
    full = invoke(
        [*args, "--rvu", str(folder / "PPRRVU25_JAN.csv"), "--gpci", str(folder / "GPCI2025.csv")]
    )
    assert full.exit_code == 0, full.stderr
    # (1.92 + 1.8 x 0.912 + 0.15 x 1.381) x 32.3465 = 3.76875 x 32.3465 = 121.91
    assert json.loads(full.stdout)["total"] == built_in["total"] == "121.91"


def test_rvu_without_gpci_is_a_usage_error(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke(
        ["price", "99213", "--medicare", "--locality", "06102-99", "--date", "2025-03-04",
         "--rvu", str(tmp_path / "PPRRVU.csv")]
    )  # fmt: skip
    assert_refused(result, "--gpci", code=2)


def test_two_flat_schedules_without_a_contract(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke(
        ["price", "99213", "--schedule", "a.csv", "--schedule", "b.csv", "--date", "2025-03-04"]
    )
    assert_refused(result, "one --schedule", code=2)
