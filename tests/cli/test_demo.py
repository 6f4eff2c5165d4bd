"""``medbill demo``: the day runs end to end, deterministically, and writes its files.

The amounts checked here are worked out by hand: Medicare fee =
(work RVU x 1 + PE RVU x 0.912 + MP RVU x 1.381) x 32.3465 in Rest of Illinois (CY2025).
"""

from __future__ import annotations

import json
from pathlib import Path

from .helpers import Invoke


def test_the_demo_prices_and_reads_the_remittances(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke(["demo", "--out", str(tmp_path / "out"), "--json"])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    pricing = {(p["claim"], p["line"]): p for p in summary["pricing"]}
    # 20610: (0.79 + 1.04 x 0.912 + 0.13 x 1.381) x 32.3465 = 1.91801 x 32.3465 = 62.04
    line = pricing[("C-1001", "2")]
    assert line["medicare"] == "62.04"
    assert line["acme"] == "80.65"  # 130% of 62.04 = 80.652
    assert line["prairie"] == "71.35"  # 115% of 62.04 = 71.346
    # 99214 under Acme: the fixed rate 140.00; Medicare (1.92 + 1.8 x 0.912 + 0.15 x 1.381)
    # x 32.3465 = 3.76875 x 32.3465 = 121.91
    assert pricing[("C-1001", "1")]["acme"] == "140.00"
    assert pricing[("C-1001", "1")]["medicare"] == "121.91"
    # the chest X-ray keyed 26+TC is priced as the global service: 0.94986 x 32.3465 = 30.72
    assert pricing[("C-1002", "3")]["medicare"] == "30.72"
    assert [r["payment"] for r in summary["remittances"]] == ["48.00", "149.63"]
    # estimates under Acme: 25.00 copay once per claim, then 20% coinsurance, per line:
    # C-1001: 25.00 + 20% of 115.00 (23.00) + 20% of 80.65 (16.13) = 64.13 after Acme;
    # Prairie (standard COB, 10% coinsurance, deductible met) would pay 220.65 - 14.00 -
    # 8.07 = 198.58 as primary; the balance after Acme's 156.52 is 64.13: it pays 64.13.
    # C-1002 under Medicare, Part B deductible met: 20% of 86.34, 13.47 and 30.72
    # (17.27 + 2.69 + 6.14) = 26.10, all paid by the Medigap plan G (its deductible, the
    # Part B one, is met); C-1004: 25.00 + 20% of 70.00 = 39.00
    assert summary["estimates"] == {
        "C-1001": "0.00",
        "C-1002": "0.00",
        "C-1003": "52.00",
        "C-1004": "39.00",
    }
    # the scrubber catches the chest X-ray keyed with both 26 and TC, and 99417 keyed on
    # a 99203 visit: NCCI add-on code edit type 1, primaries 99205 and 99215 only
    assert summary["scrub"] == [
        {"claim": "C-1002", "rule": "conflicting-modifiers", "path": "lines[2].modifiers"},
        {"claim": "C-1003", "rule": "ncci-aoc", "path": "lines[1].procedure"},
    ]
    verdicts = {(c["claim"], c["line"]): c["verdict"] for c in summary["payment_check"]}
    assert verdicts == {
        ("C-1001", "1"): "correct",
        ("C-1001", "2"): "underpaid",
        ("C-1003", "1"): "denied",
        ("C-1004", "1"): "correct",
    }
    # In payment terms: the injection (20610) is contracted at 80.65, after the visit's
    # 25.00 copay the patient owes 20% of it (16.13), so Acme owes 64.52; it allowed 62.04
    # and paid 49.63 (62.04 - 12.41): 14.89 too little (not the 18.61 of allowed terms).
    assert summary["underpayment"] == "14.89"
    # The denied new-patient visit (CO-50, medical necessity) is worked apart, as an
    # appeal: 160.00 contracted - 25.00 copay - 20% of 135.00 = 108.00 at stake.
    denial = next(c for c in summary["payment_check"] if c["verdict"] == "denied")
    assert (denial["denial"], denial["next_action"]) == ("medical-necessity", "appeal")
    assert summary["at_stake"] == "108.00"
    # Tom Novak: copay 25.00 + 20% of (95.00 - 25.00) = 39.00; Maria's 60.41 went to
    # her secondary payer, which paid it
    assert summary["statements"]["MRN-1004"] == "39.00"
    assert summary["statements"]["MRN-1001"] == "0.00"
    # Prairie, Maria's secondary, answers C-1001 in two CLP loops (a split claim), each
    # processed as secondary (CLP02 2) with Acme's impact as OA-23: it pays the 48.00 and
    # 12.41 Acme left, so nothing is owed on C-1001 any more (TR3 1.10.2.13)
    assert summary["secondary_remittance"] == {
        "id": "PRM-EFT-0410",
        "payment": "60.41",
        "loops": [["claim_payment"], ["claim_payment"]],
    }
    assert summary["aging"] == {
        "acme": "225.00",
        "medicare": "305.00",
        "patient": "39.00",
    }
    assert summary["trial_balance"] == "1070.00"
    # check-in: Acme's 271 says Maria's coverage is active, as on file (nothing to change)
    assert summary["eligibility"] == {"active": True, "changes": 0}
    # the worklist on 2025-04-15: C-1002 unanswered (sent 03-05, a 276 due 04-04), the
    # denied C-1003 (appeal by 07-30), C-1001 paid 14.89 below Acme's contract (see the
    # payment check above), Tom's 39.00 past 30 days
    assert summary["worklist"] == [
        ["no-response", "C-1002"],
        ["denied", "C-1003"],
        ["underpaid", "C-1001"],
        ["patient-balance-past-due", "C-1004"],
    ]
    for name in summary["files"]:
        assert Path(name).is_file()


def test_the_demo_is_deterministic(invoke: Invoke, tmp_path: Path) -> None:
    first = invoke(["demo", "--out", str(tmp_path / "a")])
    second = invoke(["demo", "--out", str(tmp_path / "a")])
    assert first.exit_code == 0, first.stderr
    assert first.stdout == second.stdout
    assert "Acme PPO 2025" in first.stdout
    assert "Files written" in first.stdout
    for folder in ("837p", "835", "claims", "statements", "reports"):
        assert (tmp_path / "a" / folder).is_dir()
    assert (tmp_path / "a" / "ledger.sqlite").is_file()
    assert "Maria" not in first.stdout  # names are PHI: masked


def test_the_demo_refuses_an_out_path_that_is_a_file(invoke: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("")
    result = invoke(["demo", "--out", str(target)])
    assert result.exit_code != 0
    assert "Traceback" not in result.stderr


def test_the_demo_ledger_can_live_elsewhere(invoke: Invoke, tmp_path: Path) -> None:
    db = tmp_path / "books" / "practice.sqlite"
    db.parent.mkdir()
    result = invoke(["demo", "--out", str(tmp_path / "out"), "--db", str(db), "--json"])
    assert result.exit_code == 0, result.stderr
    assert db.is_file()
    assert not (tmp_path / "out" / "ledger.sqlite").exists()
    trial = invoke(["ledger", "trial-balance", "--db", str(db), "--json"])
    assert json.loads(trial.stdout)["total_debits"] == "1070.00"


def test_a_ledger_in_a_missing_folder_is_one_line(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke(["demo", "--out", str(tmp_path / "out"), "--db", str(tmp_path / "no" / "x.db")])
    assert result.exit_code == 1
    assert result.stderr.startswith("medbill: error: ")
    assert "Traceback" not in result.stderr
