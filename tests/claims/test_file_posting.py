"""A whole 835 file (several ST/SE transaction sets) is posted whole or not at all.

The TR3 lets one interchange carry several 835 transaction sets (X12 005010X221A1
section 1.10.1, one ST/SE per payment); the developer guide requires a file to post whole
or not at all. :func:`medbill.claims.plan_remittances` plans every remittance against the
balances the earlier ones leave and :meth:`RemittanceFilePlan.post` posts them in one
batch. The real files are read in place from the shared reference folder.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pendulum
import pytest

from medbill import (
    Claim,
    Coverage,
    DuplicateEntryError,
    LedgerError,
    PatientPayment,
    Period,
    Remittance,
    StaleBalanceError,
    UnbalancedRemittanceError,
)
from medbill.claims import plan_remittance, plan_remittances, post_remittances
from medbill.claims._plan import PlanOutcome
from medbill.ledger import (
    Account,
    EntryKind,
    JournalEntry,
    Ledger,
    post_charges,
    post_patient_payment,
)
from medbill.testing import make_claim, make_claim_line, make_coverage, make_patient, make_payer
from medbill.x12 import read_835

from .test_posting_scenarios import ACME, adj, clp, era, line, office_claim

D = Decimal
ZERO = D("0.00")
AT = pendulum.datetime(2025, 6, 1, 12)
SAMPLE = "edi-835-parser-affect-fork/tests/test_edi_835_files/sample_835.txt"
UNBALANCED_FIRST = "tigershark/tests/835-example-2.txt"


def _read(path: Path) -> list[Remittance]:
    with warnings.catch_warnings():  # these public samples depart from the envelope rules
        warnings.simplefilter("ignore")
        return read_835(path, strict=False)


def _claims_for(remittances: list[Remittance]) -> tuple[list[Claim], list[Coverage]]:
    """A claim per CLP loop, as the practice billed it: each SVC line a claim line, billed
    to the payer (N1*PR) at the level CLP02 names (1 primary, 2 secondary)."""
    claims: list[Claim] = []
    coverages: list[Coverage] = []
    for era_ in remittances:
        payer = make_payer(id=era_.payer_id, name=era_.payer_name, x12_payer_id=era_.payer_id)
        for payment in era_.claim_payments:
            patient = f"P-{payment.claim_id}"
            level = "primary" if payment.status.value == "1" else "secondary"
            coverage = make_coverage(id=f"cov-{patient}", patient_id=patient, payer=payer,
                                     priority=level, effective=_period())  # fmt: skip
            coverages.append(coverage)
            lines = [
                make_claim_line(line_id=str(i), procedure=li.procedure, modifiers=li.modifiers,
                                charge=li.charge, service_date=li.service_date)
                for i, li in enumerate(payment.lines, start=1)
            ]  # fmt: skip
            claims.append(make_claim(id=str(payment.claim_id), patient=make_patient(id=patient),
                                     coverage=coverage, lines=lines))  # fmt: skip
    return claims, coverages


def _period() -> Period:
    return Period(pendulum.date(2021, 1, 1))


def _state(ledger: Ledger) -> tuple[int, dict[str, Decimal]]:
    """Everything a refused post must leave as it was: the journal and every balance."""
    return len(ledger), {str(a): ledger.balance(a) for a in ledger.accounts()}


def test_a_real_two_set_file_posts_as_one_batch(reference_dir: Path) -> None:
    """sample_835.txt carries two 835s of one payer (TRN02 081000607720126 for 1.78 and
    081000607720039 for 141.13). Posted whole: cash is the sum of both BPR02s, 142.91.
    Loop 1 of the second set is primary (CLP02 1): charge 157.00, paid 132.81, CO-45 4.19
    (CARC 45: charge exceeds the fee arrangement, a write-off) and PR-3 20.00 (CARC 3:
    copayment), so the payer owes nothing, the patient 20.00, contractual 4.19."""
    remittances = _read(reference_dir / SAMPLE)
    assert [len(r.claim_payments) for r in remittances] == [2, 4]
    claims, coverages = _claims_for(remittances)
    ledger = Ledger.in_memory(clock=lambda: AT)
    plan = plan_remittances(ledger, remittances, claims, coverages=coverages, charges=claims)
    assert len(ledger) == 0  # planning posts nothing
    results = plan.post(ledger)
    assert [r.remittance_id for r in results] == ["081000607720126", "081000607720039"]
    assert ledger.total("cash") == D("1.78") + D("141.13") == D("142.91")
    primary = "patient_control_number2"
    assert ledger.total("insurance_receivable", claim=primary) == ZERO
    assert ledger.total("patient_receivable", claim=primary) == D("20.00")
    assert ledger.total("contractual_adjustment", claim=primary) == D("4.19")
    ledger.check_invariants()
    again = post_remittances(ledger, remittances, claims, coverages=coverages)
    assert [r.already_posted for r in again] == [True, True]
    assert ledger.total("cash") == D("142.91")


def test_a_real_file_refused_in_its_second_set_posts_nothing(reference_dir: Path) -> None:
    """The second set's first loop key already holds another entry (keyed by hand at the
    desk): the batch is refused with DuplicateEntryError, and the first set, which alone
    would post, is not posted either; the charges of the same batch neither."""
    remittances = _read(reference_dir / SAMPLE)
    claims, coverages = _claims_for(remittances)
    ledger = Ledger.in_memory(clock=lambda: AT)
    second = remittances[1]
    key = plan_remittance(ledger, second, claims, coverages=coverages).claims[0].key
    ledger.post(JournalEntry(key=key, effective=second.paid_on, postings=[]))
    before = _state(ledger)
    plan = plan_remittances(ledger, remittances, claims, coverages=coverages, charges=claims)
    with pytest.raises(DuplicateEntryError):
        plan.post(ledger)
    assert _state(ledger) == before == (1, {})


def test_a_real_file_with_an_unbalanced_set_is_refused_whole(reference_dir: Path) -> None:
    """835-example-2.txt: the first set's BPR02 12345.67 is not its claims' 200.02 (TR3
    1.10.2.1 balancing), the second balances: the file is refused before anything is
    planned, so neither the charges nor the second set are posted."""
    remittances = _read(reference_dir / UNBALANCED_FIRST)
    claims, coverages = _claims_for(remittances)
    ledger = Ledger.in_memory(clock=lambda: AT)
    with pytest.raises(UnbalancedRemittanceError):
        post_remittances(ledger, remittances, claims, coverages=coverages, charges=claims)
    assert len(ledger) == 0


def _acme_paid(claim_id: str, trace: str, clp07: str, day: int) -> Remittance:
    """Acme pays 80.00 of 150.00: CO-45 50.00, PR-2 20.00."""
    return era(trace, clp(claim_id, "1", line("99213", "150.00", "80.00", adj("CO", "45", "50.00"),
               adj("PR", "2", "20.00"), line_id="1"), clp07=clp07), day=day)  # fmt: skip


def test_a_reversal_in_a_later_set_finds_the_payment_of_an_earlier_set() -> None:
    """One file, two sets: E-1 pays ICN-1 (80.00), E-2 reverses it (CLP02 22, TR3
    1.10.2.8) and pays the correction ICN-2 (100.00, CO-45 40.00, PR-2 10.00). Planned
    together, E-2 sees E-1's planned payment: cash 80 - 80 + 100 = 100.00, contractual
    40.00, patient 10.00, no exception; E-2 planned alone could not post before E-1."""
    ledger = Ledger.in_memory(clock=lambda: AT)
    claim = office_claim("C-F")
    post_charges(ledger, claim)
    first = _acme_paid("C-F", "E-1", "ICN-1", 1)
    second = era("E-2", clp("C-F", "22", line("99213", "-150.00", "-80.00",
                 adj("CO", "45", "-50.00"), adj("PR", "2", "-20.00"), line_id="1"),
                 clp07="ICN-1"),
                 clp("C-F", "1", line("99213", "150.00", "100.00", adj("CO", "45", "40.00"),
                     adj("PR", "2", "10.00"), line_id="1"), clp07="ICN-2"), day=15)  # fmt: skip
    plan = plan_remittances(ledger, [first, second], [claim])
    assert [c.outcome for c in plan.plans[1].claims] == [PlanOutcome.REVERSED, PlanOutcome.PAID]
    assert plan.exceptions == ()
    with pytest.raises(LedgerError, match="post the file's plan"):
        plan.plans[1].post(ledger)  # it depends on E-1, which is not posted
    plan.post(ledger)
    assert ledger.total("cash") == D("100.00")
    assert ledger.total("contractual_adjustment", claim="C-F") == D("40.00")
    assert ledger.total("patient_receivable", claim="C-F") == D("10.00")
    assert ledger.total("insurance_receivable", claim="C-F") == ZERO
    ledger.check_invariants()


def test_a_file_planned_before_another_workstation_posted_is_refused_whole() -> None:
    """E-1 pays C-A, E-2 pays C-B. Between planning and posting, the desk takes a 20.00
    copay for C-A (patient credit on C-A, the balance being with Acme): the plan read that
    credit as 0.00, so posting raises StaleBalanceError and neither set is posted, not even
    E-2, which the copay does not touch."""
    ledger = Ledger.in_memory(clock=lambda: AT)
    claims = [office_claim("C-A"), office_claim("C-B")]
    for claim in claims:
        post_charges(ledger, claim)
    eras = [_acme_paid("C-A", "E-1", "ICN-A", 1), _acme_paid("C-B", "E-2", "ICN-B", 2)]
    plan = plan_remittances(ledger, eras, claims)
    post_patient_payment(ledger, PatientPayment(id="pp-1", patient_id="MRN-0001",
                         amount=D("20.00"), received_on=pendulum.date(2025, 4, 1),
                         method="card", claim_id="C-A"))  # fmt: skip
    before = _state(ledger)
    with pytest.raises(StaleBalanceError):
        plan.post(ledger)
    assert _state(ledger) == before
    assert ledger.balance(Account.cash(ACME.payer.id)) == ZERO


def test_a_remittance_repeated_in_one_file_posts_once() -> None:
    """The same ST/SE set twice in one file (a resent transaction set): the second copy is
    reported already posted and adds nothing; cash is 80.00, not 160.00."""
    ledger = Ledger.in_memory(clock=lambda: AT)
    claim = office_claim("C-D")
    post_charges(ledger, claim)
    once = _acme_paid("C-D", "E-1", "ICN-1", 1)
    results = post_remittances(ledger, [once, once], [claim])
    assert [r.already_posted for r in results] == [False, True]
    assert ledger.total("cash") == D("80.00")
    ledger.check_invariants()


def test_entries_posted_from_a_file_name_its_trace_and_hash() -> None:
    """Each entry of the file's remittances names its source: TRN02 (the remittance id,
    835 TR3 section 2.3.1.1) and the file's SHA-256; a charge the plan posts comes from
    the claims and names none. Re-posting the file returns the first entries (source is
    audit data, not content)."""
    import hashlib

    ledger = Ledger.in_memory(clock=lambda: AT)
    claim = office_claim("C-S")
    digest = hashlib.sha256(b"ISA*00*          *00*...~IEA*1*000000001~").hexdigest()
    era_ = _acme_paid("C-S", "EFT-77", "ICN-1", 1)
    results = post_remittances(ledger, [era_], [claim], charges=[claim], source_sha256=digest)
    payment_keys = [e.key for e in results[0].entries]
    assert payment_keys
    assert {ledger.get(k).source for k in payment_keys} == {f"835 TRN02=EFT-77 sha256={digest}"}
    assert ledger.get("charge:C-S").source is None
    other = hashlib.sha256(b"another copy").hexdigest()
    again = post_remittances(ledger, [era_], [claim], source_sha256=other)
    assert again[0].already_posted
    assert ledger.get(payment_keys[0]).source == f"835 TRN02=EFT-77 sha256={digest}"
    with pytest.raises(LedgerError, match="sha256 must be 64 lowercase hex digits"):
        post_remittances(ledger, [era_], [claim], source_sha256="ABC")


# -- the batch reads a plan makes, on every store ---------------------------------------


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def any_ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Ledger]:
    if request.param == "memory":
        ledger = Ledger.in_memory(clock=lambda: AT)
    elif request.param == "sqlite":
        ledger = Ledger.open(tmp_path / "ledger.sqlite", clock=lambda: AT)
    else:
        ledger = Ledger.open(request.getfixturevalue("postgres_database"), clock=lambda: AT)
    yield ledger
    ledger.close()


def test_the_batch_reads_answer_what_the_single_reads_answer(any_ledger: Ledger) -> None:
    """After charges, a payment and its reversal and a patient payment on two claims: the
    store's batch reads (balances, accounts by claim, owners, adjudications, reversals)
    agree with the one-at-a-time questions, and a file posts the same on every store."""
    ledger = any_ledger
    claims = [office_claim("C-A"), office_claim("C-B", "100.00", "40.00")]
    for claim in claims:
        post_charges(ledger, claim)
    post_remittances(ledger, [_acme_paid("C-A", "E-1", "ICN-A", 1)], claims)
    undo = era("E-2", clp("C-A", "22", line("99213", "-150.00", "-80.00",
               adj("CO", "45", "-50.00"), adj("PR", "2", "-20.00"), line_id="1"),
               clp07="ICN-A"),
               clp("C-A", "1", line("99213", "150.00", "100.00", adj("CO", "45", "40.00"),
                   adj("PR", "2", "10.00"), line_id="1"), clp07="ICN-A2"), day=2)  # fmt: skip
    post_remittances(ledger, [undo], claims)
    store = ledger.store
    wanted = ["C-A", "C-B", "C-none"]
    by_claim = store.claim_balances(wanted)  # type: ignore[attr-defined]
    single = {a: store.balance(a) for c in wanted for a in store.accounts(claim=c)}
    assert by_claim == single
    assert len(single) >= 6
    assert store.balances(list(single)) == single  # type: ignore[attr-defined]
    owners = store.claim_owners(wanted)  # type: ignore[attr-defined]
    assert owners == {c: (store.claim_patient(c), store.service_date(c)) for c in wanted[:2]}
    kinds = [EntryKind.CLAIM_PAYMENT, EntryKind.DENIAL]
    found = store.claim_entries_of(wanted, kinds)  # type: ignore[attr-defined]
    assert {c: [e.key for e in es] for c, es in found.items()} == {
        "C-A": ["claim-payment:60054:E-1:ICN-A:1", "claim-payment:60054:E-2:ICN-A2:2"]
    }
    assert found["C-A"][0] == store.get("claim-payment:60054:E-1:ICN-A:1")
    assert store.reversals(["claim-payment:60054:E-1:ICN-A:1", "nope"]) == {  # type: ignore[attr-defined]
        "claim-payment:60054:E-1:ICN-A:1": "claim-payment:60054:E-2:ICN-A:1"
    }
    # TR3 1.10.2.8: 80.00 paid, reversed, then 100.00 (CO-45 40.00, PR-2 10.00)
    assert ledger.total("cash") == D("100.00")
    assert ledger.total("insurance_receivable", claim="C-A") == ZERO
    assert ledger.total("patient_receivable", claim="C-A") == D("10.00")
    ledger.check_invariants()


def test_era_post_posts_a_real_multi_set_file_whole_or_not_at_all(
    reference_dir: Path, tmp_path: Path
) -> None:
    """`medbill era post` on sample_835.txt's two ST/SE sets (written back as a clean
    interchange: the CLI reads strictly, and the sample's SE01 counts are off), with the
    claims and coverages as JSON: refused (exit 1) when the second set cannot post, leaving
    the ledger as it was (neither the first set nor the charges); posted whole on a ledger
    without the conflict."""
    from click.testing import CliRunner

    from medbill.cli._app import cli
    from medbill.serialize import to_json
    from medbill.x12 import write_835

    remittances = _read(reference_dir / SAMPLE)
    clean = tmp_path / "sample.835"
    clean.write_text(write_835(remittances, created=pendulum.datetime(2022, 1, 11, 6)))
    remittances = read_835(clean)
    assert len(remittances) == 2
    claims, coverages = _claims_for(remittances)
    for folder, items in (("claims", claims), ("coverages", coverages)):
        (tmp_path / folder).mkdir()
        for item in items:
            (tmp_path / folder / f"{item.id}.json").write_text(to_json(item))
    db = tmp_path / "ledger.sqlite"
    key = plan_remittance(Ledger.in_memory(), remittances[1], claims, coverages=coverages)
    with Ledger.open(db, clock=lambda: AT) as ledger:  # keyed by hand, differently
        ledger.post(JournalEntry(key=key.claims[0].key, effective=remittances[1].paid_on,
                                 postings=[]))  # fmt: skip
    args = ["era", "post", str(clean), "--db", str(db), "--claims",
            str(tmp_path / "claims"), "--coverages", str(tmp_path / "coverages"), "--json"]  # fmt: skip
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 1, refused.output
    assert key.claims[0].key in refused.output  # DuplicateEntryError names the key
    with Ledger.open(db, clock=lambda: AT) as ledger:
        assert len(ledger) == 1
        assert ledger.total("cash") == ZERO
    fresh = [*args[:3], "--db", str(tmp_path / "fresh.sqlite"), *args[5:]]
    posted = CliRunner().invoke(cli, fresh)
    assert posted.exit_code == 0, posted.output
    with Ledger.open(tmp_path / "fresh.sqlite", clock=lambda: AT) as ledger:
        assert ledger.total("cash") == D("142.91")
        ledger.check_invariants()
