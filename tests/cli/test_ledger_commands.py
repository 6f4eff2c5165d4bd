"""``medbill aging``, ``statement``, ``ledger trial-balance``, ``scrub`` and ``era check``
on the ledger and files the demo leaves behind.

The expected figures are worked out by hand from the demo's data (see _demo_data.py):
charges 390.00 (C-1001) + 305.00 (C-1002) + 225.00 (C-1003) + 150.00 (C-1004) = 1,070.00;
cash 48.00 - 48.00 (reversed) + 141.63 + 56.00 = 197.63; contractual adjustments
70.00 + 117.96 + 65.00 - 65.00 + 55.00 = 242.96.
"""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from medbill.cli._app import cli
from medbill.ledger import Ledger

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
    # 12.41 moved to her secondary, Prairie, which paid them on 2025-04-10 (two CLP loops,
    # a split claim); Tom owes 25.00 + 14.00 after the correction
    assert totals == {
        "acme": "225.00",
        "medicare": "305.00",
        "patient": "39.00",
    }
    # visits of 2025-03-04 (42 days) and 2025-02-18 (56 days): all in 31-60
    assert report["totals"] == ["0.00", "569.00", "0.00", "0.00", "0.00"]
    table = invoke(["aging", "--db", str(day / "ledger.sqlite"), "--as-of", "2025-04-15"])
    assert "569.00" in table.stdout


def test_trial_balance_balances(invoke: Invoke, day: Path) -> None:
    result = invoke(["ledger", "trial-balance", "--db", str(day / "ledger.sqlite"), "--json"])
    data = json.loads(result.stdout)
    assert data["balanced"] is True
    assert data["total_debits"] == data["total_credits"] == "1070.00"
    rows = {row["account"]: row for row in data["rows"]}
    assert rows["cash"]["debit"] == "258.04"  # Acme's 197.63 + Prairie's 60.41
    assert rows["contractual_adjustment"]["debit"] == "242.96"


def test_statement_of_a_patient(invoke: Invoke, day: Path, tmp_path: Path) -> None:
    html = tmp_path / "statement.html"
    result = invoke(
        ["statement", "MRN-1004", "--db", str(day / "ledger.sqlite"), "--period", "..2025-04-15",
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


def test_era_check_finds_the_underpayment_and_the_denial(
    invoke: Invoke, day: Path, tmp_path: Path
) -> None:
    report = tmp_path / "variance.csv"
    result = invoke(
        ["era", "check", str(day / "835" / "acme-2025-04-01.835"),
         "--contract", str(day / "contracts" / "acme.toml"), "--claims", str(day / "claims"),
         "--csv", str(report), "--json"]
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    verdicts = {(r["claim"], r["line"]): (r["expected_allowed"], r["payer_allowed"], r["verdict"])
                for r in data["lines"]}  # fmt: skip
    # 20610 at 130% of Medicare (62.04 x 1.30 = 80.652 -> 80.65), allowed at 62.04
    assert verdicts[("C-1001", "2")] == ("80.65", "62.04", "underpaid")
    assert verdicts[("C-1001", "1")] == ("140.00", "140.00", "correct")
    assert verdicts[("C-1003", "1")][2] == "denied"
    assert verdicts[("C-1004", "1")] == ("95.00", "95.00", "correct")
    # payment terms: 64.52 expected (80.65 less 20% coinsurance), 49.63 paid
    assert data["total_underpayment"] == "14.89"
    # the denied visit: 160.00 - 25.00 copay - 27.00 coinsurance = 108.00 at stake
    assert data["denied_at_stake"] == "108.00"
    assert report.read_text().startswith("payer_id,procedure,provider,period")


def test_era_check_picks_the_contract_by_payer_from_a_folder(
    invoke: Invoke, day: Path, tmp_path: Path
) -> None:
    # Acme's 835 with only Prairie Mutual's contract at hand: nothing is checked against
    # another payer's contract; each claim says why.
    others = tmp_path / "contracts"
    others.mkdir()
    (others / "prairie.toml").write_text((day / "contracts" / "prairie.toml").read_text())
    result = invoke(
        ["era", "check", str(day / "835" / "acme-2025-04-01.835"), "--contract", str(others),
         "--claims", str(day / "claims"), "--json"]
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["lines"] == []
    notes = [n for n in data["not_checked"] if "reversal" not in n]
    assert notes
    assert all("no contract of payer 'acme'" in note for note in notes)
    acme = invoke(
        ["era", "check", str(day / "835" / "acme-2025-04-01.835"),
         "--contract", str(day / "contracts"), "--claims", str(day / "claims"), "--json"]
    )  # fmt: skip
    assert json.loads(acme.stdout)["contracts"] == ["Acme PPO 2025"]


def test_era_check_bad_input(invoke: Invoke, day: Path, tmp_path: Path) -> None:
    args = ["--contract", str(day / "contracts" / "acme.toml"), "--claims", str(day / "claims")]
    assert_refused(invoke(["era", "check", str(tmp_path / "none.835"), *args]), "file not found")
    malformed = tmp_path / "bad.835"
    text = (day / "835" / "acme-2025-04-01.835").read_text()
    malformed.write_text(text.replace("CLP*C-1001*1*390", "CLP*C-1001*1*3X0"))
    assert_refused(invoke(["era", "check", str(malformed), *args]), "CLP")
    truncated = tmp_path / "truncated.835"
    truncated.write_text(text[: len(text) // 2])
    assert_refused(invoke(["era", "check", str(truncated), *args]))


def _post(invoke: Invoke, day: Path, db: Path, name: str, *claims: str) -> dict[str, object]:
    paths = [str(day / "claims" / c) for c in claims] or [str(day / "claims")]
    args = ["era", "post", str(day / "835" / name), "--db", str(db), "--json"]
    for path in paths:
        args += ["--claims", path]
    result = invoke(args)
    assert result.exit_code == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_era_post_posts_once_and_reports_exceptions(
    invoke: Invoke, day: Path, tmp_path: Path
) -> None:
    db = tmp_path / "ledger.sqlite"
    first = _post(invoke, day, db, "acme-2025-03-11.835")
    assert first["claim_payments_posted"] == 1
    assert first["charges_posted"] == ["C-1004"]  # the ledger had not seen the claim
    second = _post(invoke, day, db, "acme-2025-04-01.835")
    assert second["claim_payments_posted"] == 4
    again = _post(invoke, day, db, "acme-2025-04-01.835")
    assert again["ledger_entries"] == second["ledger_entries"]  # posted once
    raw = (day / "835" / "acme-2025-04-01.835").read_bytes()
    trace = re.search(rb"TRN\*1\*([^*~]+)", raw)
    assert trace is not None
    source = f"835 TRN02={trace.group(1).decode()} sha256={hashlib.sha256(raw).hexdigest()}"
    with Ledger.open(db) as ledger:
        sources = {e.kind.value: e.source for e in ledger.history(claim="C-1001")}
    assert sources["claim_payment"] == source
    aging = json.loads(invoke(["aging", "--db", str(db), "--as-of", "2025-04-15", "--json"]).stdout)
    totals = {row["payer"] or row["responsibility"]: row["total"] for row in aging["rows"]}
    # no secondary coverage is known here, so Maria's 60.41 is hers: 60.41 + 39.00
    assert totals == {"acme": "225.00", "patient": "99.41"}
    partial = _post(invoke, day, tmp_path / "other.sqlite", "acme-2025-04-01.835", "C-1001.json")
    assert sorted(e["claim"] for e in partial["exceptions"]) == ["C-1003", "C-1004", "C-1004"]  # type: ignore[attr-defined]


def test_era_post_refuses_an_unbalanced_or_malformed_file(
    invoke: Invoke, day: Path, tmp_path: Path
) -> None:
    text = (day / "835" / "acme-2025-04-01.835").read_text()
    unbalanced = tmp_path / "unbalanced.835"
    unbalanced.write_text(text.replace("BPR*I*149.63", "BPR*I*150.63"))
    db = tmp_path / "ledger.sqlite"
    args = ["--db", str(db), "--claims", str(day / "claims")]
    assert_refused(invoke(["era", "post", str(unbalanced), *args]), "does not balance", "1.00")
    assert (
        not db.exists()
        or json.loads(invoke(["ledger", "trial-balance", "--db", str(db), "--json"]).stdout)["rows"]
        == []
    )
    malformed = tmp_path / "malformed.835"
    malformed.write_text(text[:200])
    assert_refused(invoke(["era", "post", str(malformed), *args]))
    assert_refused(invoke(["era", "post", str(tmp_path / "x.835"), *args]), "file not found")


def test_activity_ties_to_the_trial_balance(invoke: Invoke, day: Path) -> None:
    """The demo's year: charges 765.00 to Acme (C-1001 390.00 + C-1003 225.00 + C-1004
    150.00) and 305.00 to Medicare (C-1002); Acme paid 48.00 - 48.00 (reversed) + 141.63 +
    56.00 = 197.63 and wrote off 242.96 contractually; Prairie paid 60.41 as secondary;
    A/R 0.00 -> 569.00, the aging's total (225.00 + 305.00 + 39.00)."""
    db = str(day / "ledger.sqlite")
    result = invoke(
        ["ledger", "activity", "--db", db, "--period", "2025-01-01..2025-12-31", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    rows = {row["party"]: row for row in data["rows"]}
    assert rows["acme"]["charges"] == "765.00"
    assert rows["medicare"]["charges"] == "305.00"
    assert rows["acme"]["payments"] == "197.63"
    assert rows["acme"]["adjustments"] == {"contractual_adjustment": "242.96"}
    assert rows["prairie"]["payments"] == "60.41"
    assert (data["opening_ar"], data["ar_change"], data["closing_ar"]) == (
        "0.00",
        "569.00",
        "569.00",
    )
    trial = json.loads(invoke(["ledger", "trial-balance", "--db", db, "--json"]).stdout)
    receivable = {r["account"]: r["debit"] for r in trial["rows"]}
    assert Decimal(receivable["insurance_receivable"]) + Decimal(
        receivable["patient_receivable"]
    ) == Decimal("569.00")
    table = invoke(["ledger", "activity", "--db", db, "--period", "2025"])
    assert "ties to the trial balance" in table.stdout
    bad = invoke(["ledger", "activity", "--db", db, "--period", "2025-02-30..2025-12-31"])
    assert bad.exit_code != 0
    assert "--period" in bad.stderr
    assert "Traceback" not in bad.stderr
    # medbill 0.1's --from/--to still work, with a notice, and answer the same
    old = invoke(
        ["ledger", "activity", "--db", db, "--from", "2025-01-01", "--to", "2025-12-31", "--json"]
    )
    assert old.exit_code == 0, old.stderr
    assert "--from/--to are deprecated" in old.stderr
    assert json.loads(old.stdout) == data
    both = invoke(["ledger", "activity", "--db", db, "--period", "2025", "--from", "2025-01-01"])
    assert both.exit_code != 0
    assert "not both" in both.stderr


def test_activity_by_provider(invoke: Invoke, day: Path) -> None:
    """The demo's claims all name one rendering provider (NPI 1456789019): its row holds the
    whole year (charges 765.00 + 305.00 = 1,070.00; payments 197.63 + 60.41 = 258.04;
    contractual 242.96; A/R 0.00 -> 569.00, the report's total)."""
    db = str(day / "ledger.sqlite")
    data = json.loads(
        invoke(["ledger", "activity", "--db", db, "--period", "2025", "--json"]).stdout
    )
    assert data["providers"] == [
        {
            "provider": "1456789019",
            "opening_ar": "0.00",
            "charges": "1070.00",
            "payments": "258.04",
            "adjustments": {"contractual_adjustment": "242.96"},
            "write_offs": {},
            "refunds": "0.00",
            "closing_ar": "569.00",
        }
    ]
    table = invoke(["ledger", "activity", "--db", db, "--period", "2025", "--by", "provider"])
    assert table.exit_code == 0, table.stderr
    assert "provider" in table.stdout
    assert "1456789019" in table.stdout
    assert "acme" not in table.stdout
    bad = invoke(["ledger", "activity", "--db", db, "--period", "2025", "--by", "clinic"])
    assert bad.exit_code != 0
    assert "Traceback" not in bad.stderr


def test_statement_period_and_the_deprecated_to_agree(invoke: Invoke, day: Path) -> None:
    db = str(day / "ledger.sqlite")
    new = invoke(["statement", "MRN-1004", "--db", db, "--period", "..2025-04-15", "--json"])
    old = invoke(["statement", "MRN-1004", "--db", db, "--to", "2025-04-15", "--json"])
    assert new.exit_code == 0, new.stderr
    assert old.exit_code == 0, old.stderr
    assert "--from/--to are deprecated" in old.stderr
    assert json.loads(old.stdout) == json.loads(new.stdout)
    month = invoke(["statement", "MRN-1004", "--db", db, "--period", "2025-04", "--json"])
    data = json.loads(month.stdout)
    assert (data["start"], data["end"]) == ("2025-04-01", "2025-04-30")
    assert invoke(["statement", "MRN-1004", "--db", db, "--period", "2025-13"]).exit_code != 0


def test_worklist_of_the_demo_day(invoke: Invoke, day: Path) -> None:
    # C-1002 was sent to Medicare on 2025-03-05 and never answered: a 276 was due 30 days
    # later, 2025-04-04; Acme denied C-1003 on 2025-04-01: appeal by 2025-07-30 (120 days);
    # Tom's 39.00 (C-1004) has waited more than 30 days
    result = invoke(
        ["worklist", "--db", str(day / "ledger.sqlite"), "--claims", str(day / "workflows.json"),
         "--as-of", "2025-04-15", "--json"]
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    items = json.loads(result.stdout)["items"]
    assert [(i["reason"], i["claim"], i["amount"], i["deadline"]) for i in items] == [
        ("no-response", "C-1002", "305.00", "2025-04-04"),
        ("denied", "C-1003", "225.00", "2025-07-30"),
        ("patient-balance-past-due", "C-1004", "39.00", None),
    ]
    explained = invoke(
        ["worklist", "--db", str(day / "ledger.sqlite"), "--claims", str(day / "workflows.json"),
         "--era", str(day / "835" / "acme-2025-04-01.835"), "--as-of", "2025-04-15",
         "--reason", "denied", "--json"]
    )  # fmt: skip
    [denied] = json.loads(explained.stdout)["items"]
    assert denied["next_action"] == "appeal"
    assert "CO-" in denied["detail"]
    only = invoke(["worklist", "--db", str(day / "ledger.sqlite"), "--as-of", "2025-04-15",
                   "--reason", "denied", "--json"])  # fmt: skip
    assert json.loads(only.stdout)["items"] == []  # without the workflows, no claim states
    bad = day / "not-workflows.json"
    bad.write_text("{}", encoding="utf-8")
    assert_refused(
        invoke(["worklist", "--db", str(day / "ledger.sqlite"), "--claims", str(bad)]),
        "JSON list",
    )


def test_worklist_with_contracts_lists_the_underpaid_claims(invoke: Invoke, day: Path) -> None:
    base = ["worklist", "--db", str(day / "ledger.sqlite"), "--claims",
            str(day / "workflows.json"), "--as-of", "2025-04-15", "--reason", "underpaid",
            "--json"]  # fmt: skip
    eras = ["--era", str(day / "835" / "acme-2025-03-11.835"),
            "--era", str(day / "835" / "acme-2025-04-01.835")]  # fmt: skip
    result = invoke([*base, *eras, "--contracts", str(day / "contracts")])
    assert result.exit_code == 0, result.stderr
    items = json.loads(result.stdout)["items"]
    # C-1001 line 2, 20610 under Acme's contract: 130% of Medicare's 62.04 = 80.65; the
    # patient owes 20% coinsurance (16.13), so Acme owes 64.52; it paid 49.63 (62.04 less
    # 12.41 coinsurance): 14.89 short. Acme paid it on 2025-04-01 (BPR16): a reprocessing
    # request within the 120-day window (42 CFR 405.942) is due by 2025-07-30. The claim
    # id is shared with Maria's secondary claim to Prairie: the item is Acme's.
    assert [(i["claim"], i["payer"], i["amount"], i["deadline"], i["detail"]) for i in items] == [
        ("C-1001", "acme", "14.89", "2025-07-30", "Acme PPO 2025: lines 2"),
    ]
    # With the 03-11 file alone, C-1004 (99213, contracted 95.00, 25.00 copay and 20% of
    # 70.00 = 14.00 coinsurance: Acme owes 56.00) was paid 48.00: 8.00 short. The 04-01
    # file reverses that payment (CLP02 22) and pays 56.00: its last adjudication is right.
    alone = invoke([*base, "--era", str(day / "835" / "acme-2025-03-11.835"),
                    "--contract", str(day / "contracts" / "acme.toml")])  # fmt: skip
    assert [(i["claim"], i["amount"]) for i in json.loads(alone.stdout)["items"]] == [
        ("C-1004", "8.00")
    ]
    # Only Prairie's contract at hand: Acme's payments are not checked, and say so.
    others = invoke([*base, *eras, "--contract", str(day / "contracts" / "prairie.toml")])
    data = json.loads(others.stdout)
    assert data["items"] == []
    assert any("no contract of payer 'acme'" in note for note in data["not_checked"])
    text = invoke([*base[:-1], *eras, "--contracts", str(day / "contracts")])
    assert "14.89" in text.stdout
    assert "underpaid" in text.stdout
    refused = invoke([*base, "--contracts", str(day / "contracts")])
    assert refused.exit_code == 2
    assert "--contract needs --era" in refused.stderr


def test_statements_renders_the_cycle_and_never_twice_in_a_cycle(
    invoke: Invoke, day: Path, tmp_path: Path
) -> None:
    out, sent = tmp_path / "out", tmp_path / "sent.json"
    common = ["--db", str(day / "ledger.sqlite"), "--claims", str(day / "claims"),
              "--practice", str(day / "practice.json"), "--sent", str(sent), "--json"]  # fmt: skip
    first = invoke(["statements", *common, "--as-of", "2025-04-15", "--out", str(out),
                    "--era", str(day / "835"), "--pdf"])  # fmt: skip
    assert first.exit_code == 0, first.stderr
    # Only Tom (MRN-1004) owes anything on 04-15: 39.00 (25.00 copay + 14.00 coinsurance).
    assert json.loads(first.stdout)["statements"] == [
        {"guarantor": "MRN-1004", "level": "1", "amount_due": "39.00",
         "due_date": "2025-05-10", "collections": ""}
    ]  # fmt: skip
    assert {p.name for p in out.iterdir()} >= {
        "statement-MRN-1004.html", "statement-MRN-1004.pdf", "collections.json"
    }  # fmt: skip
    again = invoke(["statements", *common, "--as-of", "2025-04-20", "--out", str(out)])
    assert json.loads(again.stdout)["statements"] == []  # sent 5 days ago: same cycle
    later = invoke(["statements", *common, "--as-of", "2025-05-15", "--out", str(out)])
    # 30 days on; the balance became Tom's on 03-11 (65 days): level 3.
    assert [s["level"] for s in json.loads(later.stdout)["statements"]] == ["3"]


def test_era_post_takes_coverages_and_says_already_posted(
    invoke: Invoke, day: Path, tmp_path: Path
) -> None:
    db = tmp_path / "ledger.sqlite"
    base = ["--db", str(db), "--claims", str(day / "claims"), "--coverages", str(day / "coverages")]
    for name in ("acme-2025-03-11.835", "acme-2025-04-01.835"):
        posted = invoke(["era", "post", str(day / "835" / name), *base])
        assert posted.exit_code == 0, posted.stderr
        assert "claim payment(s) posted" in posted.stdout
    again = invoke(["era", "post", str(day / "835" / "acme-2025-04-01.835"), *base])
    assert again.exit_code == 0, again.stderr
    assert "already posted" in again.stdout
    assert "claim payment(s) posted" not in again.stdout
    aging = json.loads(invoke(["aging", "--db", str(db), "--as-of", "2025-04-15", "--json"]).stdout)
    totals = {row["payer"] or row["responsibility"]: row["total"] for row in aging["rows"]}
    # with the coverages, Maria's 60.41 goes to her secondary, Prairie, as in the demo
    assert totals["prairie"] == "60.41"


def test_era_plan_shows_the_plan_and_posts_nothing(
    invoke: Invoke, day: Path, tmp_path: Path
) -> None:
    inputs = ["--claims", str(day / "claims"), "--coverages", str(day / "coverages")]
    db = tmp_path / "ledger.sqlite"
    earlier = invoke(["era", "post", str(day / "835" / "acme-2025-03-11.835"), "--db", str(db),
                      *inputs])  # fmt: skip
    assert earlier.exit_code == 0, earlier.stderr
    before = json.loads(invoke(["ledger", "trial-balance", "--db", str(db), "--json"]).stdout)
    args = ["era", "plan", str(day / "835" / "acme-2025-04-01.835"), "--db", str(db), *inputs]
    shown = invoke(args)
    assert shown.exit_code == 0, shown.stderr
    # the reversal (CLP02 22) is matched to the March payment by its CLP07
    assert "reverses claim-payment:60054:ACME-EFT-0311:" in shown.stdout
    assert "unapplied" not in shown.stdout
    data = json.loads(invoke([*args, "--json"]).stdout)
    [plan] = data["plans"]
    assert plan["already_posted"] is False
    assert [c["outcome"] for c in plan["claims"]] == ["paid", "denied", "reversed", "paid"]
    after = json.loads(invoke(["ledger", "trial-balance", "--db", str(db), "--json"]).stdout)
    assert after == before  # nothing posted
    # without a ledger, the plan is made against the claims' charges alone: the reversal
    # has no payment to match and its cash would wait in suspense
    alone = invoke(["era", "plan", str(day / "835" / "acme-2025-04-01.835"), *inputs])
    assert "unmatched-reversal" in alone.stdout


def _prairie_835(day: Path, paid_line_2: str, prior_line_2: str) -> str:
    """Prairie Mutual's 835 for C-1001 as a secondary, after Acme paid 92.00 + 49.63."""
    head = (day / "835" / "acme-2025-04-01.835").read_text().split("~")[:11]
    body = [
        *(s.strip() for s in head[:3]),
        f"BPR*I*{Decimal('34.18') + Decimal(paid_line_2)}*C*ACH*CCP*01*999999999*DA*1"
        "*1999999999**01*999999999*DA*2*20250415",
        "TRN*1*PRAIRIE-0415*1999999999",
        "N1*PR*Prairie Mutual",
        "N3*PO BOX 2",
        "N4*ANYTOWN*IL*60601",
        "REF*2U*37602",
        "PER*BL**TE*8005550101",
        head[10].strip(),
        "LX*1",
        f"CLP*C-1001*2*390.00*{Decimal('34.18') + Decimal(paid_line_2)}*21.16*12*PRM0001",
        "SVC*HC:99214:25*210.00*34.18",
        "DTM*472*20250304",
        "CAS*CO*45*69.80",
        "CAS*OA*23*92.00",
        "CAS*PR*2*14.02",
        "REF*6R*1",
        f"SVC*HC:20610:RT*180.00*{paid_line_2}",
        "DTM*472*20250304",
        "CAS*CO*45*108.65",
        f"CAS*OA*23*{prior_line_2}",
        "CAS*PR*2*7.14",
        "REF*6R*2",
    ]
    count = len(body) - 2 + 1  # ST to SE, SE included
    tail = [f"SE*{count}*0001", "GE*1*2", "IEA*1*000000002"]
    return "~\n".join(body + tail) + "~\n"


def test_era_check_takes_the_primarys_payment_into_account_for_a_secondary(
    invoke: Invoke, day: Path, tmp_path: Path
) -> None:
    # C-1001 to Prairie Mutual (secondary; 115% of Medicare in 06102-99, lesser of
    # billed; deductible met, 10% coinsurance), after Acme paid 92.00 and 49.63.
    # 99214: (1.92 x 1 + 1.80 x 0.912 + 0.15 x 1.381) x 32.3465 = 121.9059 -> 121.91;
    #   x 1.15 = 140.1965 -> 140.20; coinsurance 14.02; expected paid
    #   140.20 - 14.02 - 92.00 (Acme) = 34.18: paid 34.18, correct.
    # 20610: (0.79 x 1 + 1.04 x 0.912 + 0.13 x 1.381) x 32.3465 = 62.0409 -> 62.04;
    #   x 1.15 = 71.346 -> 71.35; coinsurance 7.135 -> 7.14; expected paid
    #   71.35 - 7.14 - 49.63 (Acme) = 14.58. Prairie took 54.21 off as the prior payer's
    #   (OA-23) and paid 10.00: 4.58 underpaid, in payment terms.
    era = tmp_path / "prairie.835"
    era.write_text(_prairie_835(day, "10.00", "54.21"))
    args = ["era", "check", str(era), "--contract", str(day / "contracts"),
            "--claims", str(day / "claims" / "secondary"), "--json"]  # fmt: skip
    result = invoke([*args, "--prior", str(day / "835" / "acme-2025-04-01.835")])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["contracts"] == ["Prairie Mutual 2025"]
    lines = {r["line"]: r for r in data["lines"]}
    one, two = lines["1"], lines["2"]
    assert (one["expected_allowed"], one["expected_patient_share"], one["prior_paid"]) == (
        "140.20", "14.02", "92.00",
    )  # fmt: skip
    assert (one["expected_paid"], one["paid"], one["verdict"]) == ("34.18", "34.18", "correct")
    assert (two["expected_allowed"], two["payer_allowed"], two["prior_paid"]) == (
        "71.35", "71.35", "49.63",
    )  # fmt: skip
    assert (two["expected_paid"], two["paid"], two["verdict"]) == ("14.58", "10.00", "underpaid")
    assert data["total_underpayment"] == "4.58"
    assert not any("OA-23" in note for note in data["not_checked"])
    # Without the primary's 835 nothing was paid before as far as the check knows:
    # 92.00 + 54.21 short, and a note says the prior payer's payment is missing.
    alone = json.loads(invoke(args).stdout)
    assert alone["total_underpayment"] == "146.21"
    assert any("C-1001" in note and "OA-23" in note for note in alone["not_checked"])
    # Prairie's own payments in --prior are not "prior" to themselves
    again = json.loads(invoke([*args, "--prior", str(era)]).stdout)
    assert again["total_underpayment"] == "146.21"
