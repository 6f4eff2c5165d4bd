"""The posting hot path's fast constructors agree exactly with the validating ones.

A plan of a large 835 builds its postings, references and entries with
``planned_posting``, ``planned_references`` and ``planned_entry`` (no re-validation of
values the planner computed from validated money), its accounts through one shared table
(``account``), the store checks staleness in cents (``stale_balance``) and a remittance's
balance is checked in one pass (``_balanced``): each must give the very object, answer or
error its slow equivalent gives.
"""

from __future__ import annotations

import copy
import pickle
from decimal import Decimal

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medbill import Adjustment, ClaimPayment, LedgerError, LinePayment, Remittance
from medbill._parties import Priority
from medbill.claims._remittance import _balanced
from medbill.ledger import Account, EntryKind, JournalEntry, Posting, References
from medbill.ledger._entries import planned_entry, planned_posting, planned_references
from medbill.ledger._recipes._common import account
from medbill.ledger._stores._memory import MemoryStore

ACCOUNTS = [
    Account.cash("acme"),
    Account.patient_credit("P1"),
    Account(
        code="insurance_receivable", patient="P1", payer="acme", level=Priority.PRIMARY, claim="C1"
    ),
    Account(code="patient_receivable", patient="P1", claim="C1", line="2"),
]
cents = st.integers(min_value=-999_999_999_999, max_value=999_999_999_999)


def _fields(posting: Posting) -> tuple[object, ...]:
    return (posting.account, posting.amount, posting.amount.as_tuple(), posting.cents)


@given(st.sampled_from(ACCOUNTS), cents)
def test_a_planned_posting_is_the_constructors(account_: Account, amount: int) -> None:
    value = Decimal(amount).scaleb(-2)
    for given_amount in (value, value.quantize(Decimal("0.01")), Decimal(amount) / 100):
        if amount == 0:
            with pytest.raises(LedgerError, match="must not be zero"):
                planned_posting(account_, given_amount)
            continue
        assert _fields(planned_posting(account_, given_amount)) == _fields(
            Posting(account_, given_amount)
        )


@pytest.mark.parametrize(
    "amount",
    [Decimal("0.005"), Decimal("1.234"), Decimal("NaN"), Decimal("Infinity"), Decimal(10**13)],
)
def test_a_planned_posting_refuses_what_the_constructor_refuses(amount: Decimal) -> None:
    with pytest.raises(LedgerError) as slow:
        Posting(ACCOUNTS[0], amount)
    with pytest.raises(LedgerError) as fast:
        planned_posting(ACCOUNTS[0], amount)
    assert str(fast.value) == str(slow.value)


ids = st.one_of(st.none(), st.sampled_from(["P1", "C-7", "acme", "EFT-1", " x ", "  ", ""]))


@given(st.tuples(ids, ids, ids, ids, ids, ids))
def test_planned_references_are_the_constructors(values: tuple[str | None, ...]) -> None:
    patient, payer, claim, remittance, trace, line = values
    slow: References | str
    try:
        slow = References(
            patient=patient, payer=payer, claim=claim, remittance=remittance, trace=trace, line=line
        )
    except LedgerError as error:
        slow = str(error)
    fast: References | str
    try:
        fast = planned_references(patient, payer, claim, remittance, trace, line)
    except LedgerError as error:
        fast = str(error)
    assert fast == slow
    assert type(fast) is type(slow)


@pytest.mark.parametrize("bad", ["", "   ", 7])
def test_planned_references_refuse_what_the_constructor_refuses(bad: object) -> None:
    with pytest.raises(LedgerError):
        planned_references(patient=bad)  # type: ignore[arg-type]


def _entry_fields(entry: JournalEntry) -> tuple[object, ...]:
    return (
        entry.key, entry.effective, entry.postings, entry.kind, entry.memo, entry.references,
        entry.recorded_at, entry.reverses, entry.actor, entry.source,
    )  # fmt: skip


@settings(max_examples=50)
@given(
    st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=4),
    st.sampled_from(
        [None, pendulum.datetime(2025, 4, 1, 12), pendulum.datetime(2025, 4, 1, 7, tz="EST")]
    ),
)
def test_a_planned_entry_is_the_constructors(
    amounts: list[int], recorded_at: pendulum.DateTime | None
) -> None:
    postings = [planned_posting(ACCOUNTS[n % 2], Decimal(c).scaleb(-2)) for n, c in
                enumerate(amounts)]  # fmt: skip
    postings.append(planned_posting(ACCOUNTS[2], -Decimal(sum(amounts)).scaleb(-2)))
    key, day, memo = "claim-payment:60054:EFT-1:-:1", pendulum.date(2025, 4, 1), "acme paid"
    references = planned_references(patient="P1", claim="C1", payer="acme")
    fast = planned_entry(key=key, effective=day, postings=tuple(postings), memo=memo,
                         kind=EntryKind.CLAIM_PAYMENT, references=references,
                         recorded_at=recorded_at)  # fmt: skip
    slow = JournalEntry(key=key, effective=day, postings=postings, memo=memo,
                        kind=EntryKind.CLAIM_PAYMENT, references=references,
                        recorded_at=recorded_at)  # fmt: skip
    assert _entry_fields(fast) == _entry_fields(slow)


def test_a_planned_entry_refuses_what_the_constructor_refuses() -> None:
    unbalanced = (planned_posting(ACCOUNTS[0], Decimal("1.00")),)
    day = pendulum.date(2025, 4, 1)
    for key, postings in (("k", unbalanced), (" ", ()), ("k", (object(),))):
        with pytest.raises(LedgerError) as slow:
            JournalEntry(key=key, effective=day, postings=postings)  # type: ignore[arg-type]
        with pytest.raises(LedgerError) as fast:
            planned_entry(key=key, effective=day, postings=postings, kind=EntryKind.GENERAL,  # type: ignore[arg-type]
                          memo="", references=References(), recorded_at=None)  # fmt: skip
        assert str(fast.value) == str(slow.value)


def test_accounts_are_shared_and_equal_to_the_constructed_ones() -> None:
    made = account("insurance_receivable", "P9", "acme", Priority.SECONDARY, "C9", "1")
    again = account("insurance_receivable", "P9", "acme", Priority.SECONDARY, "C9", "1")
    built = Account(code="insurance_receivable", patient="P9", payer="acme",
                    level=Priority.SECONDARY, claim="C9", line="1")  # fmt: skip
    assert made is again
    assert made == built
    assert hash(made) == hash(built)
    for copied in (pickle.loads(pickle.dumps(built)), copy.deepcopy(built), copy.copy(built)):
        assert copied == built
        assert hash(copied) == hash(built)
        assert {built: 1}[copied] == 1


def test_the_stale_balance_check_in_cents_agrees_with_balances() -> None:
    store = MemoryStore()
    store.append([JournalEntry(key="k", effective=pendulum.date(2025, 1, 2),
                               recorded_at=pendulum.datetime(2025, 1, 2, 9), postings=[
        Posting.debit(ACCOUNTS[0], Decimal("5.00")),
        Posting.credit(ACCOUNTS[1], Decimal("5.00"))])])  # fmt: skip
    right = {ACCOUNTS[0]: Decimal("5.00"), ACCOUNTS[1]: Decimal("5.00"), ACCOUNTS[2]: Decimal(0)}
    assert store.stale_balance(right) is None
    wrong = {**right, ACCOUNTS[1]: Decimal("4.00")}
    assert store.stale_balance(wrong) == (ACCOUNTS[1], Decimal("4.00"), Decimal("5.00"))


money = st.integers(min_value=-5_000, max_value=5_000).map(lambda c: Decimal(c).scaleb(-2))


@st.composite
def remittances(draw: st.DrawFn) -> Remittance:
    """Remittances balanced by construction, then maybe nudged by a cent somewhere."""
    payments = []
    for n in range(draw(st.integers(min_value=0, max_value=3))):
        lines = []
        for _ in range(draw(st.integers(min_value=0, max_value=3))):
            adjustments = [Adjustment(group=draw(st.sampled_from(["CO", "PR", "OA"])),
                                      reason="45", amount=draw(money))
                           for _ in range(draw(st.integers(min_value=0, max_value=2)))]  # fmt: skip
            paid = draw(money)
            charge = paid + sum((a.amount for a in adjustments), Decimal("0.00"))
            charge += draw(st.sampled_from([Decimal(0)] * 5 + [Decimal("0.01")]))
            lines.append(LinePayment(procedure="99213", charge=charge, paid=paid,
                                     adjustments=adjustments))  # fmt: skip
        claim_level = [Adjustment(group="PR", reason="1", amount=draw(money))
                       for _ in range(draw(st.integers(min_value=0, max_value=1)))]  # fmt: skip
        every = claim_level + [a for line in lines for a in line.adjustments]
        paid = sum((li.paid for li in lines), Decimal("0.00")) + draw(money)
        charge = paid + sum((a.amount for a in every), Decimal("0.00"))
        charge += draw(st.sampled_from([Decimal(0)] * 5 + [Decimal("0.01")]))
        shares = sum((a.amount for a in every if a.group.value == "PR"), Decimal("0.00"))
        shares += draw(st.sampled_from([Decimal(0)] * 5 + [Decimal("0.01")]))
        payments.append(ClaimPayment(claim_id=f"C{n}", status="1", charge=charge, paid=paid,
                                     patient_responsibility=shares, adjustments=claim_level,
                                     lines=lines))  # fmt: skip
    total = sum((p.paid for p in payments), Decimal("0.00"))
    total += draw(st.sampled_from([Decimal(0)] * 5 + [Decimal("0.01")]))
    credit = total >= 0
    return Remittance(id="EFT-1", payer_name="Acme", payment_amount=abs(total), credit=credit,
                      paid_on=pendulum.date(2025, 4, 1), claim_payments=payments)  # fmt: skip


@settings(max_examples=300)
@given(remittances())
def test_the_one_pass_balance_check_agrees_with_imbalances(remittance: Remittance) -> None:
    assert _balanced(remittance) is (not remittance.imbalances())
