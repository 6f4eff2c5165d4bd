"""``medbill aging``, ``statement``, ``ledger trial-balance``, and ``scrub``
on the ledger and files the demo leaves behind.

The expected figures are worked out by hand from the demo's data (see _demo_data.py):
charges 390.00 (C-1001) + 305.00 (C-1002) + 225.00 (C-1003) + 150.00 (C-1004) = 1,070.00;
cash 48.00 - 48.00 (reversed) + 141.63 + 56.00 = 197.63; contractual adjustments
70.00 + 117.96 + 65.00 - 65.00 + 55.00 = 242.96.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from medbill.cli._app import cli

from .helpers import Invoke, assert_refused


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of one demo run (its ledger, claims, contracts, 835 files)."""
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(cli, ["demo", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.stderr
    return out


def test_aging_splits_insurance_by_payer_and_patient(invoke: Invoke, day: Path) -> None:
    result = invoke(
        ["aging", "--db", str(day / "ledger.sqlite"), "--as-of", "2025-04-15", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    totals = {row["payer"] or row["responsibility"]: row["total"] for row in report["rows"]}
    # denied C-1003 stays with Acme; C-1002 waits on Medicare; Maria's 25.00 + 23.00 +
    # 12.41 moved to her secondary, Prairie; Tom owes 25.00 + 14.00 after the correction
    assert totals == {
        "acme": "225.00",
        "medicare": "305.00",
        "prairie": "60.41",
        "patient": "39.00",
    }
    # visits of 2025-03-04 (42 days) and 2025-02-18 (56 days): all in 31-60
    assert report["totals"] == ["0.00", "629.41", "0.00", "0.00", "0.00"]
    table = invoke(["aging", "--db", str(day / "ledger.sqlite"), "--as-of", "2025-04-15"])
    assert "629.41" in table.stdout


def test_trial_balance_balances(invoke: Invoke, day: Path) -> None:
    result = invoke(["ledger", "trial-balance", "--db", str(day / "ledger.sqlite"), "--json"])
    data = json.loads(result.stdout)
    assert data["balanced"] is True
    assert data["total_debits"] == data["total_credits"] == "1070.00"
    rows = {row["account"]: row for row in data["rows"]}
    assert rows["cash"]["debit"] == "197.63"
    assert rows["contractual_adjustment"]["debit"] == "242.96"


def test_statement_of_a_patient(invoke: Invoke, day: Path, tmp_path: Path) -> None:
    html = tmp_path / "statement.html"
    result = invoke(
        ["statement", "MRN-1004", "--db", str(day / "ledger.sqlite"), "--to", "2025-04-15",
         "--html", str(html), "--json"]
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["new_balance"] == "39.00"  # copay 25.00 + coinsurance 20% of 70.00
    assert data["insurance_pending"] == "0.00"
    assert "<html" in html.read_text().lower()


def test_unknown_patient_and_missing_ledger(invoke: Invoke, day: Path, tmp_path: Path) -> None:
    db = str(day / "ledger.sqlite")
    assert_refused(invoke(["statement", "MRN-0000", "--db", db]), "unknown patient 'MRN-0000'")
    assert_refused(invoke(["aging", "--db", str(tmp_path / "none.sqlite")]), "no ledger at")
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_text("not a database")
    assert_refused(invoke(["ledger", "trial-balance", "--db", str(garbage)]), "database")


def test_scrub_a_clean_and_a_broken_claim(invoke: Invoke, day: Path, tmp_path: Path) -> None:
    claim = day / "claims" / "C-1002.json"
    result = invoke(["scrub", str(claim), "--as-of", "2025-03-05", "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["clean"] is True
    data = json.loads(claim.read_text())
    data["lines"][2]["modifiers"] = ["26", "TC"]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data))
    result = invoke(["scrub", str(broken), "--as-of", "2025-03-05", "--json"])
    assert result.exit_code == 3
    [finding] = json.loads(result.stdout)["findings"]
    assert (finding["rule"], finding["path"]) == ("conflicting-modifiers", "lines[2].modifiers")
    assert_refused(invoke(["scrub", str(tmp_path / "nope.json")]), "file not found")
