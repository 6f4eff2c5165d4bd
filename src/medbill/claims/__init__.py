"""Claims: building, the lifecycle state machine, scrubbing, denials, remittance matching.

>>> from medbill.claims import ClaimStatus
>>> ClaimStatus("draft").allowed_next() == {ClaimStatus.VALIDATED}
True
"""

import functools
from typing import TYPE_CHECKING

from medbill._deprecation import moved_names, receive_only_names, removed_names
from medbill.claims._appeals import Appeal, AppealStatus
from medbill.claims._build import (
    build_claim,
    build_secondary_claim,
)
from medbill.claims._check import (
    Tolerance,
    Verdict,
    check_payment,
)
from medbill.claims._code_sets import (
    CodeSets,
    HcpcsCode,
    read_hcpcs,
)
from medbill.claims._corrections import (
    build_corrected_claim,
    build_void_claim,
    post_corrected_charges,
)
from medbill.claims._denials import (
    DEFAULT_DENIAL_TABLE,
    DenialCategory,
    DenialRule,
    DenialTable,
    NextAction,
    classify_denial,
)
from medbill.claims._holidays import federal_holidays, is_business_day, next_business_day
from medbill.claims._ncci import (
    NcciEdits,
    read_aoc,
    read_mue,
    read_ptp,
)
from medbill.claims._payer_rules import (
    PayerRules,
)
from medbill.claims._plan import (
    PlanOutcome,
    apply_unapplied_cash,
    plan_remittance,
    plan_remittances,
)
from medbill.claims._posting import (
    post_remittance,
    post_remittances,
)
from medbill.claims._remittance import (
    ExceptionReason,
    check_balanced,
    match_remittance,
)
from medbill.claims._report import (
    ReportPeriod,
    VarianceReport,
)
from medbill.claims._rules import DEFAULT_RULES
from medbill.claims._scrub import Finding, Rule, ScrubContext, Severity, TimelyFilingLimit, scrub
from medbill.claims._workflow import (
    ClaimStatus,
    ClaimWorkflow,
)
from medbill.claims._worklist import (
    WorkPolicy,
    WorkReason,
    worklist,
)

__all__ = [
    "PlanOutcome",
    "Appeal",
    "AppealStatus",
    "build_corrected_claim",
    "build_void_claim",
    "post_corrected_charges",
    "WorkPolicy",
    "WorkReason",
    "worklist",
    "ClaimStatus",
    "ClaimWorkflow",
    "CodeSets",
    "DEFAULT_DENIAL_TABLE",
    "DEFAULT_RULES",
    "DenialCategory",
    "DenialRule",
    "DenialTable",
    "ExceptionReason",
    "Finding",
    "HcpcsCode",
    "NcciEdits",
    "NextAction",
    "PayerRules",
    "ReportPeriod",
    "Rule",
    "ScrubContext",
    "Severity",
    "TimelyFilingLimit",
    "Tolerance",
    "VarianceReport",
    "Verdict",
    "apply_unapplied_cash",
    "build_claim",
    "build_secondary_claim",
    "check_balanced",
    "check_payment",
    "classify_denial",
    "federal_holidays",
    "is_business_day",
    "match_remittance",
    "next_business_day",
    "plan_remittance",
    "plan_remittances",
    "post_remittance",
    "post_remittances",
    "read_aoc",
    "read_hcpcs",
    "read_mue",
    "read_ptp",
    "scrub",
]


def _private(module: str, name: str) -> object:
    import importlib

    return getattr(importlib.import_module(f"medbill.claims.{module}"), name)


def _error(name: str) -> object:
    import medbill

    return getattr(medbill, name)


# Errors live in ``medbill`` (one error tree); the re-exports here left the public surface
# in 0.2.0 and stay importable, with a DeprecationWarning, until 0.3.
__getattr__ = removed_names(
    __name__,
    {
        name: (functools.partial(_error, name), f"medbill.{name}")
        for name in ("ClaimStateError", "UnbalancedRemittanceError")
    }
    # Rule tables that left the surface in 0.2.0 (issue 19): each is applied by the function
    # named, and docs/claims.md cites its source.
    | {
        name: (functools.partial(_private, module, name), instead)
        for name, module, instead in (
            ("ANATOMIC_MODIFIERS", "_ncci", "scrub() with NcciEdits, which applies them"),
            ("DISTINCT_SERVICE_MODIFIERS", "_ncci", "scrub() with NcciEdits, which applies them"),
            ("PTP_MODIFIERS", "_ncci", "scrub() with NcciEdits, which applies them"),
            ("COST_SHARING", "_check", "check_payment(), whose LineCheck.patient_share splits it"),
        )
    },
)


if TYPE_CHECKING:  # receive-only types: typed for mypy, resolved lazily (no warning) at run time
    from medbill.claims._build import LineAdjudication as LineAdjudication
    from medbill.claims._build import PriorPayerAdjudication as PriorPayerAdjudication
    from medbill.claims._build import SecondaryClaim as SecondaryClaim
    from medbill.claims._check import LineCheck as LineCheck
    from medbill.claims._check import PatientShare as PatientShare
    from medbill.claims._check import PaymentCheck as PaymentCheck
    from medbill.claims._code_sets import CodeSetsOn as CodeSetsOn
    from medbill.claims._code_sets import CodeStatus as CodeStatus
    from medbill.claims._denials import DenialClassification as DenialClassification
    from medbill.claims._matching import LineMatch as LineMatch
    from medbill.claims._matching import MatchMethod as MatchMethod
    from medbill.claims._ncci import AocEdit as AocEdit
    from medbill.claims._ncci import AocType as AocType
    from medbill.claims._ncci import MueIndicator as MueIndicator
    from medbill.claims._ncci import MueLimit as MueLimit
    from medbill.claims._ncci import PtpEdit as PtpEdit
    from medbill.claims._plan import ClaimPlan as ClaimPlan
    from medbill.claims._plan import LineDenial as LineDenial
    from medbill.claims._plan import RemittanceFilePlan as RemittanceFilePlan
    from medbill.claims._plan import RemittancePlan as RemittancePlan
    from medbill.claims._posting import PostingResult as PostingResult
    from medbill.claims._remittance import ClaimMatch as ClaimMatch
    from medbill.claims._remittance import RemittanceException as RemittanceException
    from medbill.claims._remittance import RemittanceMatch as RemittanceMatch
    from medbill.claims._report import ReportRow as ReportRow
    from medbill.claims._workflow import ResponseEvent as ResponseEvent
    from medbill.claims._workflow import Transition as Transition
    from medbill.claims._worklist import WorkItem as WorkItem
    from medbill.claims._worklist import Worklist as Worklist

# Issue 19 (0.2.0): left the surface (the reason is in CHANGELOG.md); still importable,
# with a DeprecationWarning, until 0.3.
__getattr__ = moved_names(
    __name__,
    {
        "CLAIM_FIELDS": (
            "medbill.claims._payer_rules",
            "RequiredField, which checks the field names",
        ),
        "LINE_FIELDS": (
            "medbill.claims._payer_rules",
            "RequiredField, which checks the field names",
        ),
        "PAYMENT_REDUCTIONS": ("medbill.claims._check", "check_payment(), which applies them"),
        "ChargeSource": ("medbill.claims._build", "post_corrected_charges(charges=) as annotated"),
    },
    then=__getattr__,
)

# Receive-only types (tests/api/receive_only.txt): records medbill returns and users
# only read. Out of __all__ and provisional since 0.2.0; still imported, without a warning.
__getattr__ = receive_only_names(
    __name__,
    {
        "AocEdit": ("medbill.claims._ncci", "read_aoc()"),
        "PtpEdit": ("medbill.claims._ncci", "read_ptp()"),
        "MueLimit": ("medbill.claims._ncci", "read_mue()"),
        "ClaimMatch": ("medbill.claims._remittance", "match_remittance()"),
        "LineMatch": ("medbill.claims._matching", "match_remittance()"),
        "RemittanceMatch": ("medbill.claims._remittance", "match_remittance()"),
        "ClaimPlan": ("medbill.claims._plan", "plan_remittance()"),
        "RemittancePlan": ("medbill.claims._plan", "plan_remittance()"),
        "RemittanceFilePlan": ("medbill.claims._plan", "plan_remittances()"),
        "RemittanceException": ("medbill.claims._remittance", "plan_remittance()"),
        "LineDenial": ("medbill.claims._plan", "plan_remittance()"),
        "PostingResult": ("medbill.claims._posting", "post_remittance()"),
        "LineCheck": ("medbill.claims._check", "check_payment()"),
        "PaymentCheck": ("medbill.claims._check", "check_payment()"),
        "PatientShare": ("medbill.claims._check", "check_payment()"),
        "DenialClassification": ("medbill.claims._denials", "classify_denial()"),
        "ReportRow": ("medbill.claims._report", "VarianceReport.from_checks()"),
        "WorkItem": ("medbill.claims._worklist", "worklist()"),
        "Worklist": ("medbill.claims._worklist", "worklist()"),
        "CodeSetsOn": ("medbill.claims._code_sets", "CodeSets.on()"),
        "CodeStatus": ("medbill.claims._code_sets", "CodeSets.on()"),
        "SecondaryClaim": ("medbill.claims._build", "build_secondary_claim()"),
        "LineAdjudication": ("medbill.claims._build", "build_secondary_claim()"),
        "PriorPayerAdjudication": ("medbill.claims._build", "build_secondary_claim()"),
        "Transition": ("medbill.claims._workflow", "ClaimWorkflow.history"),
        "ResponseEvent": ("medbill.claims._workflow", "ClaimWorkflow.responses"),
        "MatchMethod": ("medbill.claims._matching", "match_remittance()"),
        "MueIndicator": ("medbill.claims._ncci", "read_mue()"),
        "AocType": ("medbill.claims._ncci", "read_aoc()"),
    },
    then=__getattr__,
)


if TYPE_CHECKING:  # receive-only types: typed for mypy, resolved lazily (no warning) at run time
    from medbill.claims._payer_rules import FrequencyLimit as FrequencyLimit
    from medbill.claims._payer_rules import ModifierRequirement as ModifierRequirement
    from medbill.claims._payer_rules import RequiredField as RequiredField

# Receive-only types (tests/api/receive_only.txt): records medbill returns and users
# only read. Out of __all__ and provisional since 0.2.0; still imported, without a warning.
__getattr__ = receive_only_names(
    __name__,
    {
        "FrequencyLimit": ("medbill.claims._payer_rules", "PayerRules.from_toml()"),
        "ModifierRequirement": ("medbill.claims._payer_rules", "PayerRules.from_toml()"),
        "RequiredField": ("medbill.claims._payer_rules", "PayerRules.from_toml()"),
    },
    then=__getattr__,
)
