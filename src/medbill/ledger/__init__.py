"""A double-entry patient ledger, with SQLite as the embedded default store.

See the "Ledger" page of the documentation for the chart of accounts and a worked example
of every posting recipe.

>>> import pendulum
>>> from medbill.ledger import Ledger
>>> ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 4, 1, 12))
>>> len(ledger)
0
"""

import functools
from typing import TYPE_CHECKING

from medbill._deprecation import moved_names, receive_only_names, removed_names
from medbill.ledger._accounts import (
    CHART_OF_ACCOUNTS,
    Account,
    AccountKind,
    ChartEntry,
    WriteOffReason,
)
from medbill.ledger._activity import (
    activity,
)
from medbill.ledger._cycles import (
    DunningLevel,
    StatementPolicy,
    statements_due,
    write_off_small_statement_balances,
)
from medbill.ledger._deposits import (
    Deposit,
)
from medbill.ledger._entries import (
    EntryKind,
    JournalEntry,
    Posting,
    References,
)
from medbill.ledger._ledger import Ledger
from medbill.ledger._plans import (
    PaymentPlan,
    PlanFrequency,
    plan_status,
)
from medbill.ledger._recipes import (
    apply_patient_credit,
    claim_payment_key,
    pay_refund,
    post_charges,
    post_claim_payment,
    post_patient_payment,
    post_provider_adjustments,
    recognize_payer_overpayment,
    refund_credit,
    transfer_responsibility,
    write_off,
    write_off_small_balances,
)
from medbill.ledger._reports import (
    AgingBasis,
    aging,
    claim_balance,
    claim_history,
    patient_balance,
    statement,
    trial_balance,
)
from medbill.ledger._statements import (
    build_statement,
)
from medbill.ledger._stores._base import LedgerStore

__all__ = [
    "Deposit",
    "activity",
    "AgingBasis",
    "PaymentPlan",
    "PlanFrequency",
    "DunningLevel",
    "StatementPolicy",
    "build_statement",
    "statements_due",
    "write_off_small_statement_balances",
    "aging",
    "claim_balance",
    "claim_history",
    "patient_balance",
    "plan_status",
    "statement",
    "trial_balance",
    "CHART_OF_ACCOUNTS",
    "apply_patient_credit",
    "claim_payment_key",
    "pay_refund",
    "post_charges",
    "post_claim_payment",
    "post_patient_payment",
    "post_provider_adjustments",
    "recognize_payer_overpayment",
    "refund_credit",
    "transfer_responsibility",
    "write_off",
    "write_off_small_balances",
    "Account",
    "AccountKind",
    "ChartEntry",
    "EntryKind",
    "JournalEntry",
    "Ledger",
    "LedgerStore",
    "Posting",
    "References",
    "WriteOffReason",
]


def _private(module: str, name: str) -> object:
    import importlib

    return getattr(importlib.import_module(f"medbill.ledger.{module}"), name)


def _error(name: str) -> object:
    import medbill

    return getattr(medbill, name)


# Errors live in ``medbill`` (one error tree), and so does Clock; the re-exports here left
# the public surface in 0.2.0 and stay importable, with a DeprecationWarning, until 0.3.
__getattr__ = removed_names(
    __name__,
    {
        name: (functools.partial(_error, name), f"medbill.{name}")
        for name in ("DuplicateEntryError", "LedgerError", "UnbalancedEntryError", "Clock")
    }
    # Renamed in 0.2.0: the old statement's line is ActivityLine, and a service on the
    # statement is StatementService (medbill.ServiceLine is the encounter's service line).
    | {
        "StatementLine": (
            functools.partial(_private, "_reports", "ActivityLine"),
            "ActivityLine (a receive-only type, from statement())",
        ),
        "ServiceLine": (
            functools.partial(_private, "_statements", "StatementService"),
            "StatementService (a receive-only type, from build_statement())",
        ),
    }
    # Left the surface in 0.2.0 (issue 19): Clock's one home is medbill (above); these
    # tables are the statement's and the recipes' own.
    | {
        "LAY_DESCRIPTIONS": (
            functools.partial(_private, "_statements", "LAY_DESCRIPTIONS"),
            "build_statement(descriptions=...) for your own wording",
        ),
        "PROVIDER_ADJUSTMENT_ACCOUNTS": (
            functools.partial(_private, "_recipes", "PROVIDER_ADJUSTMENT_ACCOUNTS"),
            "post_provider_adjustments(), which applies it (docs/ledger.md lists it)",
        ),
    },
)


if TYPE_CHECKING:  # receive-only types: typed for mypy, resolved lazily (no warning) at run time
    from medbill.ledger._activity import ActivityReport as ActivityReport
    from medbill.ledger._activity import ActivityRow as ActivityRow
    from medbill.ledger._cycles import StatementDue as StatementDue
    from medbill.ledger._cycles import StatementRun as StatementRun
    from medbill.ledger._deposits import DepositMatch as DepositMatch
    from medbill.ledger._deposits import DepositReconciliation as DepositReconciliation
    from medbill.ledger._deposits import RemittanceCash as RemittanceCash
    from medbill.ledger._plans import Installment as Installment
    from medbill.ledger._plans import InstallmentState as InstallmentState
    from medbill.ledger._plans import PlanStatus as PlanStatus
    from medbill.ledger._reports import ActivityLine as ActivityLine
    from medbill.ledger._reports import ActivityStatement as ActivityStatement
    from medbill.ledger._reports import AgingReport as AgingReport
    from medbill.ledger._reports import AgingRow as AgingRow
    from medbill.ledger._reports import ClaimBalance as ClaimBalance
    from medbill.ledger._reports import ClaimHistory as ClaimHistory
    from medbill.ledger._reports import PatientBalance as PatientBalance
    from medbill.ledger._reports import TrialBalance as TrialBalance
    from medbill.ledger._reports import TrialBalanceRow as TrialBalanceRow
    from medbill.ledger._statements import PlanSummary as PlanSummary
    from medbill.ledger._statements import ServiceDay as ServiceDay
    from medbill.ledger._statements import Statement as Statement
    from medbill.ledger._statements import StatementPayment as StatementPayment
    from medbill.ledger._statements import StatementService as StatementService

# Issue 19 (0.2.0): left the surface (the reason is in CHANGELOG.md); still importable,
# with a DeprecationWarning, until 0.3.
__getattr__ = moved_names(
    __name__,
    {
        "AGING_BUCKETS": (
            "medbill.ledger._reports",
            "aging(), whose AgingReport rows carry the buckets",
        ),
        "MAX_AMOUNT": (
            "medbill.ledger._entries",
            "Posting(), which refuses an amount above it (9,999,999,999.99)",
        ),
        "DEFAULT_DUNNING": ("medbill.ledger._cycles", "StatementPolicy().levels"),
    },
    then=__getattr__,
)

# Receive-only types (tests/api/receive_only.txt): records medbill returns and users
# only read. Out of __all__ and provisional since 0.2.0; still imported, without a warning.
__getattr__ = receive_only_names(
    __name__,
    {
        "ActivityReport": ("medbill.ledger._activity", "activity()"),
        "ActivityRow": ("medbill.ledger._activity", "activity()"),
        "ActivityLine": ("medbill.ledger._reports", "statement()"),
        "ActivityStatement": ("medbill.ledger._reports", "statement()"),
        "DepositMatch": ("medbill.ledger._deposits", "Ledger.reconcile_deposits()"),
        "DepositReconciliation": ("medbill.ledger._deposits", "Ledger.reconcile_deposits()"),
        "RemittanceCash": ("medbill.ledger._deposits", "Ledger.reconcile_deposits()"),
        "AgingReport": ("medbill.ledger._reports", "aging()"),
        "AgingRow": ("medbill.ledger._reports", "aging()"),
        "ClaimBalance": ("medbill.ledger._reports", "claim_balance()"),
        "ClaimHistory": ("medbill.ledger._reports", "claim_history()"),
        "Installment": ("medbill.ledger._plans", "plan_status()"),
        "InstallmentState": ("medbill.ledger._plans", "plan_status()"),
        "PatientBalance": ("medbill.ledger._reports", "patient_balance()"),
        "PlanStatus": ("medbill.ledger._plans", "plan_status()"),
        "PlanSummary": ("medbill.ledger._statements", "build_statement()"),
        "ServiceDay": ("medbill.ledger._statements", "build_statement()"),
        "Statement": ("medbill.ledger._statements", "build_statement()"),
        "StatementService": ("medbill.ledger._statements", "build_statement()"),
        "StatementPayment": ("medbill.ledger._statements", "build_statement()"),
        "StatementDue": ("medbill.ledger._cycles", "statements_due()"),
        "StatementRun": ("medbill.ledger._cycles", "statements_due()"),
        "TrialBalance": ("medbill.ledger._reports", "trial_balance()"),
        "TrialBalanceRow": ("medbill.ledger._reports", "trial_balance()"),
    },
    then=__getattr__,
)


# Issue 19 (0.2.0): left the surface (the reason is in CHANGELOG.md); still importable,
# with a DeprecationWarning, until 0.3.
__getattr__ = moved_names(
    __name__,
    {
        "SqliteStore": (
            "medbill.ledger._stores._sqlite",
            "Ledger.open(path), which opens a SqliteStore with the same options",
        ),
        "PostgresStore": (
            "medbill.ledger._stores._postgres",
            "Ledger.open('postgresql://...'), which opens a PostgresStore with the same options",
        ),
        "MemoryStore": ("medbill.ledger._stores._memory", "Ledger.in_memory()"),
    },
    then=__getattr__,
)
