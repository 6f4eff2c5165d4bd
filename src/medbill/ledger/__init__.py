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

from medbill._deprecation import removed_names
from medbill.ledger._accounts import (
    CHART_OF_ACCOUNTS,
    Account,
    AccountKind,
    ChartEntry,
    WriteOffReason,
)
from medbill.ledger._activity import ActivityReport, ActivityRow, activity
from medbill.ledger._cycles import (
    DEFAULT_DUNNING,
    DunningLevel,
    StatementDue,
    StatementPolicy,
    StatementRun,
    statements_due,
    write_off_small_statement_balances,
)
from medbill.ledger._deposits import (
    Deposit,
    DepositMatch,
    DepositReconciliation,
    RemittanceCash,
)
from medbill.ledger._entries import MAX_AMOUNT, EntryKind, JournalEntry, Posting, References
from medbill.ledger._ledger import Ledger
from medbill.ledger._plans import (
    Installment,
    InstallmentState,
    PaymentPlan,
    PlanFrequency,
    PlanStatus,
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
    AGING_BUCKETS,
    ActivityLine,
    ActivityStatement,
    AgingBasis,
    AgingReport,
    AgingRow,
    ClaimBalance,
    ClaimHistory,
    PatientBalance,
    TrialBalance,
    TrialBalanceRow,
    aging,
    claim_balance,
    claim_history,
    patient_balance,
    statement,
    trial_balance,
)
from medbill.ledger._statements import (
    PlanSummary,
    ServiceDay,
    Statement,
    StatementPayment,
    StatementService,
    build_statement,
)
from medbill.ledger._stores._base import LedgerStore
from medbill.ledger._stores._memory import MemoryStore
from medbill.ledger._stores._postgres import PostgresStore
from medbill.ledger._stores._sqlite import SqliteStore

__all__ = [
    "ActivityReport",
    "ActivityRow",
    "Deposit",
    "DepositMatch",
    "DepositReconciliation",
    "RemittanceCash",
    "activity",
    "AGING_BUCKETS",
    "AgingBasis",
    "AgingReport",
    "AgingRow",
    "ClaimBalance",
    "ClaimHistory",
    "Installment",
    "InstallmentState",
    "PatientBalance",
    "PaymentPlan",
    "PlanFrequency",
    "PlanStatus",
    "ActivityLine",
    "ActivityStatement",
    "DEFAULT_DUNNING",
    "DunningLevel",
    "PlanSummary",
    "ServiceDay",
    "Statement",
    "StatementService",
    "StatementDue",
    "StatementPayment",
    "StatementPolicy",
    "StatementRun",
    "build_statement",
    "statements_due",
    "write_off_small_statement_balances",
    "TrialBalance",
    "TrialBalanceRow",
    "aging",
    "claim_balance",
    "claim_history",
    "patient_balance",
    "plan_status",
    "statement",
    "trial_balance",
    "CHART_OF_ACCOUNTS",
    "MAX_AMOUNT",
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
    "MemoryStore",
    "PostgresStore",
    "Posting",
    "References",
    "SqliteStore",
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
        "StatementLine": (lambda: ActivityLine, "medbill.ledger.ActivityLine"),
        "ServiceLine": (lambda: StatementService, "medbill.ledger.StatementService"),
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
