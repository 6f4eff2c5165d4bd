"""The chart of accounts: account kinds, codes and dimensions.

An :class:`Account` is a chart code (``"patient_receivable"``) plus dimensions (patient,
payer, responsibility level, claim, claim line). Accounts need no set-up: any account whose
code is in the chart and whose dimensions fit the code exists from its first posting.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import attrs

from medbill._enums import MedbillEnum
from medbill._errors import LedgerError
from medbill._parties import Priority

__all__ = [
    "CHART_OF_ACCOUNTS",
    "Account",
    "AccountKind",
    "ChartEntry",
    "WriteOffReason",
]


class AccountKind(MedbillEnum):
    """The kind of an account, which fixes its normal side.

    Assets and contra-revenue accounts normally carry a debit balance; liabilities and
    revenue a credit balance.

    >>> from medbill.ledger import AccountKind
    >>> AccountKind.ASSET.normal_side, AccountKind.REVENUE.normal_side
    ('debit', 'credit')
    """

    ASSET = "asset"
    LIABILITY = "liability"
    REVENUE = "revenue"
    CONTRA_REVENUE = "contra-revenue"

    @property
    def normal_side(self) -> str:
        """``'debit'`` for assets and contra-revenue, ``'credit'`` otherwise."""
        return (
            "debit" if self is AccountKind.ASSET or self is AccountKind.CONTRA_REVENUE else "credit"
        )

    @property
    def sign(self) -> int:
        """+1 when a debit increases the account's natural balance, -1 otherwise."""
        # identity tests, not a tuple search: a plan asks this of every balance it reads
        return 1 if self is AccountKind.ASSET or self is AccountKind.CONTRA_REVENUE else -1


class WriteOffReason(MedbillEnum):
    """Why a balance is written off; each reason has its own contra-revenue account.

    >>> from medbill.ledger import WriteOffReason
    >>> WriteOffReason.SMALL_BALANCE.account_code
    'write_off.small_balance'
    """

    SMALL_BALANCE = "small_balance"
    BAD_DEBT = "bad_debt"
    CHARITY = "charity"
    ADMINISTRATIVE = "administrative"
    TIMELY_FILING = "timely_filing"

    @property
    def account_code(self) -> str:
        """The chart code of the write-off account for this reason."""
        return f"write_off.{self.value}"


DIMENSIONS: Final = ("patient", "payer", "level", "claim", "line")


@attrs.frozen(kw_only=True)
class ChartEntry:
    """One code of the chart: kind, description, required and allowed dimensions.

    >>> from medbill.ledger import CHART_OF_ACCOUNTS
    >>> entry = CHART_OF_ACCOUNTS["insurance_receivable"]
    >>> entry.kind.value, entry.required
    ('asset', ('patient', 'payer', 'level'))
    """

    code: str
    kind: AccountKind
    description: str
    required: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()


def _chart(*entries: ChartEntry) -> Mapping[str, ChartEntry]:
    return MappingProxyType({entry.code: entry for entry in entries})


_CLAIM_DIMS: Final = ("patient", "claim", "line")
_PAYER_CLAIM_DIMS: Final = ("patient", "payer", "level", "claim", "line")

CHART_OF_ACCOUNTS: Final[Mapping[str, ChartEntry]] = _chart(
    ChartEntry(
        code="insurance_receivable",
        kind=AccountKind.ASSET,
        description="What a payer at a responsibility level still owes on a claim",
        required=("patient", "payer", "level"),
        allowed=_PAYER_CLAIM_DIMS,
    ),
    ChartEntry(
        code="patient_receivable",
        kind=AccountKind.ASSET,
        description="What the patient owes on a claim",
        required=("patient",),
        allowed=_CLAIM_DIMS,
    ),
    ChartEntry(
        code="cash",
        kind=AccountKind.ASSET,
        description="Cash and deposits received (payer EFTs and checks, patient payments)",
        allowed=("payer",),
    ),
    ChartEntry(
        code="gross_charges",
        kind=AccountKind.REVENUE,
        description="Charges at the practice's full fee",
        allowed=_CLAIM_DIMS,
    ),
    ChartEntry(
        code="interest_income",
        kind=AccountKind.REVENUE,
        description="Prompt-pay interest paid by a payer (835 PLB reason L6)",
        allowed=("payer",),
    ),
    ChartEntry(
        code="contractual_adjustment",
        kind=AccountKind.CONTRA_REVENUE,
        description="Charges above the contracted amount (835 group CO, and PI)",
        allowed=_PAYER_CLAIM_DIMS,
    ),
    ChartEntry(
        code="capitation_adjustment",
        kind=AccountKind.CONTRA_REVENUE,
        description="Charges covered by a capitation agreement (835 CARC 24), not a denial",
        allowed=_PAYER_CLAIM_DIMS,
    ),
    ChartEntry(
        code="other_adjustment",
        kind=AccountKind.CONTRA_REVENUE,
        description="Payer adjustments of group OA, held for follow-up",
        allowed=_PAYER_CLAIM_DIMS,
    ),
    *(
        ChartEntry(
            code=reason.account_code,
            kind=AccountKind.CONTRA_REVENUE,
            description=f"Balances written off: {reason.value.replace('_', ' ')}",
            allowed=_PAYER_CLAIM_DIMS,
        )
        for reason in WriteOffReason
    ),
    ChartEntry(
        code="patient_credit",
        kind=AccountKind.LIABILITY,
        description="Money received from a patient and not applied (unapplied or overpaid); "
        "with a claim: collected at check-in for that claim, applied when it adjudicates",
        required=("patient",),
        allowed=("patient", "claim"),
    ),
    ChartEntry(
        code="refunds_payable",
        kind=AccountKind.LIABILITY,
        description="Refunds owed to a patient and not yet paid out",
        required=("patient",),
        allowed=("patient",),
    ),
    ChartEntry(
        code="payer_overpayment",
        kind=AccountKind.LIABILITY,
        description="Overpayments owed back to a payer; recoupments (835 PLB WO) reduce it",
        required=("payer",),
        allowed=("payer",),
    ),
    ChartEntry(
        code="unapplied_insurance_cash",
        kind=AccountKind.LIABILITY,
        description="Payer cash received and not yet applied to a claim (suspense): an 835 "
        "claim payment that matched no claim, coverage or payment to reverse",
        required=("payer",),
        allowed=("payer",),
    ),
    ChartEntry(
        code="payer_forward_balance",
        kind=AccountKind.LIABILITY,
        description="Balances a payer carries forward between remittances (835 PLB FB)",
        required=("payer",),
        allowed=("payer",),
    ),
    ChartEntry(
        code="payer_adjustment_suspense",
        kind=AccountKind.LIABILITY,
        description="Other provider-level adjustments (835 PLB), held for research",
        required=("payer",),
        allowed=("payer",),
    ),
)
"""The chart of accounts, by code. Documented with examples in ``docs/ledger.md``."""


def _bad_dimension(name: str, value: object) -> LedgerError:
    return LedgerError(f"account dimension {name}: must be a non-empty string (got {value!r})")


def _check_text(name: str, value: object) -> None:
    if type(value) is not str or not value or value.isspace():
        raise _bad_dimension(name, value)


def _level(value: object) -> Priority | None:
    if value is None or isinstance(value, Priority):
        return value
    try:
        return Priority(value)
    except ValueError:
        raise LedgerError(
            f"account dimension level: must be primary, secondary or tertiary (got {value!r})"
        ) from None


def _mask(names: tuple[str, ...]) -> int:
    return sum(1 << DIMENSIONS.index(name) for name in names)


_MASKS: Final = {
    code: (_mask(entry.required), _mask(entry.allowed)) for code, entry in CHART_OF_ACCOUNTS.items()
}
SIGN_OF_CODE: Final[Mapping[str, int]] = {
    code: entry.kind.sign for code, entry in CHART_OF_ACCOUNTS.items()
}
"""``account.kind.sign`` by account code, for loops that read thousands of balances."""


def _rebuilt(
    code: str,
    patient: str | None,
    payer: str | None,
    level: str | None,
    claim: str | None,
    line: str | None,
) -> Account:
    return Account(
        code=code,
        patient=patient,
        payer=payer,
        level=None if level is None else Priority(level),
        claim=claim,
        line=line,
    )


@attrs.frozen(kw_only=True, hash=False, repr=False)
class Account:
    """An account of the chart with its dimensions.

    ``level`` is the payer's responsibility level (primary, secondary, tertiary) for
    insurance receivables. An unknown code or dimensions that do not fit the code raise
    :class:`~medbill.LedgerError`.

    >>> from medbill.ledger import Account
    >>> account = Account(code="insurance_receivable", patient="MRN-1", payer="acme",
    ...                   level="primary", claim="C-1")
    >>> account
    Account('insurance_receivable', patient='MRN-1', payer='acme', level='primary', claim='C-1')
    >>> account.kind.value
    'asset'
    >>> Account(code="petty_cash")
    Traceback (most recent call last):
    ...
    medbill.LedgerError: unknown account code 'petty_cash'
    """

    code: str
    patient: str | None = None
    payer: str | None = None
    level: Priority | None = None
    claim: str | None = None
    line: str | None = None
    identity: tuple[str | None, ...] = attrs.field(
        init=False, eq=False, hash=False, repr=False, default=()
    )
    # The hash of ``identity``, computed once: accounts key every balance dictionary, and a
    # plain attribute read is the cheapest ``__hash__`` (equal accounts have equal
    # identities, so equal hashes). Not pickled: a string's hash differs per process.
    _hash: int = attrs.field(init=False, eq=False, hash=False, repr=False, default=0)

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self) -> tuple[object, tuple[str | None, ...]]:
        return _rebuilt, self.identity

    def __attrs_post_init__(self) -> None:
        code, patient, payer, level, claim, line = (
            self.code,
            self.patient,
            self.payer,
            self.level,
            self.claim,
            self.line,
        )
        masks = _MASKS.get(code) if type(code) is str else None
        if masks is None:
            raise LedgerError(f"unknown account code {code!r}")
        present = 0
        if patient is not None:
            present = 1
            _check_text("patient", patient)
        if payer is not None:
            present |= 2
            _check_text("payer", payer)
        if level is not None:
            present |= 4
        if claim is not None:
            present |= 8
            _check_text("claim", claim)
        if line is not None:
            present |= 16
            _check_text("line", line)
        if level is not None and type(level) is not Priority:
            object.__setattr__(self, "level", _level(level))
        required, allowed = masks
        if present & ~allowed or required & ~present:
            self._explain(code, present, required)
        if line is not None and claim is None:
            raise LedgerError(f"account {code!r}: a line dimension needs a claim")
        level_value = None if self.level is None else self.level.value
        identity = (code, patient, payer, level_value, claim, line)
        object.__setattr__(self, "identity", identity)
        object.__setattr__(self, "_hash", hash(identity))

    @staticmethod
    def _explain(code: str, present: int, required: int) -> None:
        for bit, name in enumerate(DIMENSIONS):
            if required & (1 << bit) and not present & (1 << bit):
                raise LedgerError(f"account {code!r} needs the dimension {name}")
        extra = [name for bit, name in enumerate(DIMENSIONS) if present & (1 << bit)]
        allowed = CHART_OF_ACCOUNTS[code].allowed
        raise LedgerError(
            f"account {code!r} has no dimension {next(n for n in extra if n not in allowed)}"
        )

    @property
    def kind(self) -> AccountKind:
        """The kind of the account's code (asset, liability, revenue, contra-revenue)."""
        return CHART_OF_ACCOUNTS[self.code].kind

    @property
    def dimensions(self) -> dict[str, str]:
        """The dimensions that are set, by name (``level`` as its value)."""
        found: dict[str, str] = {}
        for name in DIMENSIONS:
            value = getattr(self, name)
            if value is not None:
                found[name] = value.value if isinstance(value, Priority) else value
        return found

    def __repr__(self) -> str:
        parts = [repr(self.code)] + [f"{k}={v!r}" for k, v in self.dimensions.items()]
        return f"Account({', '.join(parts)})"

    def __str__(self) -> str:
        dims = "/".join(self.dimensions.values())
        return f"{self.code}[{dims}]" if dims else self.code

    # -- readable constructors for the chart's accounts ------------------------------

    @classmethod
    def cash(cls, payer: str | None = None) -> Account:
        """Cash and deposits, optionally by the payer that paid.

        >>> from medbill.ledger import Account
        >>> Account.cash()
        Account('cash')
        """
        return cls(code="cash", payer=payer)

    @classmethod
    def gross_charges(
        cls, patient: str | None = None, claim: str | None = None, line: str | None = None
    ) -> Account:
        """Gross charges (revenue), optionally by patient, claim and line.

        >>> from medbill.ledger import Account
        >>> Account.gross_charges("MRN-1", "C-1", "1")
        Account('gross_charges', patient='MRN-1', claim='C-1', line='1')
        """
        return cls(code="gross_charges", patient=patient, claim=claim, line=line)

    @classmethod
    def patient_receivable(
        cls, patient: str, claim: str | None = None, line: str | None = None
    ) -> Account:
        """What a patient owes, optionally on one claim and line.

        >>> from medbill.ledger import Account
        >>> Account.patient_receivable("MRN-1", "C-1")
        Account('patient_receivable', patient='MRN-1', claim='C-1')
        """
        return cls(code="patient_receivable", patient=patient, claim=claim, line=line)

    @classmethod
    def insurance_receivable(
        cls,
        payer: str,
        level: Priority | str,
        patient: str,
        claim: str | None = None,
        line: str | None = None,
    ) -> Account:
        """What a payer at a responsibility level owes on a patient's claim.

        >>> from medbill.ledger import Account
        >>> Account.insurance_receivable("acme", "secondary", "MRN-1", "C-1").level
        <Priority.SECONDARY: 'secondary'>
        """
        return cls(
            code="insurance_receivable",
            payer=payer,
            level=_level(level),
            patient=patient,
            claim=claim,
            line=line,
        )

    @classmethod
    def patient_credit(cls, patient: str, claim: str | None = None) -> Account:
        """Money of a patient not applied to any balance (a liability); with ``claim``,
        money collected for that claim (a check-in copay) waiting for it to adjudicate.

        >>> from medbill.ledger import Account
        >>> Account.patient_credit("MRN-1").kind.value
        'liability'
        >>> Account.patient_credit("MRN-1", "C-1")
        Account('patient_credit', patient='MRN-1', claim='C-1')
        """
        return cls(code="patient_credit", patient=patient, claim=claim)

    @classmethod
    def unapplied_insurance_cash(cls, payer: str) -> Account:
        """Payer cash not yet applied to a claim (suspense), a liability.

        >>> from medbill.ledger import Account
        >>> Account.unapplied_insurance_cash("acme")
        Account('unapplied_insurance_cash', payer='acme')
        """
        return cls(code="unapplied_insurance_cash", payer=payer)

    @classmethod
    def refunds_payable(cls, patient: str) -> Account:
        """Refunds owed to a patient.

        >>> from medbill.ledger import Account
        >>> Account.refunds_payable("MRN-1")
        Account('refunds_payable', patient='MRN-1')
        """
        return cls(code="refunds_payable", patient=patient)

    @classmethod
    def write_off(
        cls,
        reason: WriteOffReason | str,
        *,
        patient: str | None = None,
        payer: str | None = None,
        level: Priority | str | None = None,
        claim: str | None = None,
        line: str | None = None,
    ) -> Account:
        """The write-off account of ``reason``.

        >>> from medbill.ledger import Account
        >>> Account.write_off("bad_debt", patient="MRN-1", claim="C-1")
        Account('write_off.bad_debt', patient='MRN-1', claim='C-1')
        """
        try:
            why = reason if isinstance(reason, WriteOffReason) else WriteOffReason(reason)
        except ValueError:
            raise LedgerError(f"unknown write-off reason {reason!r}") from None
        return cls(
            code=why.account_code,
            patient=patient,
            payer=payer,
            level=_level(level),
            claim=claim,
            line=line,
        )
