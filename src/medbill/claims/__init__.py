"""Claims: building, the lifecycle state machine, scrubbing, denials, remittance matching.

>>> from medbill.claims import ClaimStatus
>>> ClaimStatus("draft").allowed_next() == {ClaimStatus.VALIDATED}
True
"""

import functools

from medbill._deprecation import removed_names
from medbill.claims._appeals import Appeal, AppealStatus
from medbill.claims._build import (
    ChargeSource,
    LineAdjudication,
    PriorPayerAdjudication,
    SecondaryClaim,
    build_claim,
    build_secondary_claim,
)
from medbill.claims._check import (
    PAYMENT_REDUCTIONS,
    LineCheck,
    PatientShare,
    PaymentCheck,
    Tolerance,
    Verdict,
    check_payment,
)
from medbill.claims._code_sets import CodeSets, CodeSetsOn, CodeStatus, HcpcsCode, read_hcpcs
from medbill.claims._corrections import (
    build_corrected_claim,
    build_void_claim,
    post_corrected_charges,
)
from medbill.claims._denials import (
    DEFAULT_DENIAL_TABLE,
    DenialCategory,
    DenialClassification,
    DenialRule,
    DenialTable,
    NextAction,
    classify_denial,
)
from medbill.claims._holidays import federal_holidays, is_business_day, next_business_day
from medbill.claims._matching import LineMatch, MatchMethod
from medbill.claims._ncci import (
    AocEdit,
    AocType,
    MueIndicator,
    MueLimit,
    NcciEdits,
    PtpEdit,
    read_aoc,
    read_mue,
    read_ptp,
)
from medbill.claims._payer_rules import (
    CLAIM_FIELDS,
    LINE_FIELDS,
    FrequencyLimit,
    ModifierRequirement,
    PayerRules,
    RequiredField,
)
from medbill.claims._plan import (
    ClaimPlan,
    LineDenial,
    PlanOutcome,
    RemittanceFilePlan,
    RemittancePlan,
    apply_unapplied_cash,
    plan_remittance,
    plan_remittances,
)
from medbill.claims._posting import PostingResult, post_remittance, post_remittances
from medbill.claims._remittance import (
    ClaimMatch,
    ExceptionReason,
    RemittanceException,
    RemittanceMatch,
    check_balanced,
    match_remittance,
)
from medbill.claims._report import ReportPeriod, ReportRow, VarianceReport
from medbill.claims._rules import DEFAULT_RULES
from medbill.claims._scrub import Finding, Rule, ScrubContext, Severity, TimelyFilingLimit, scrub
from medbill.claims._workflow import ClaimStatus, ClaimWorkflow, ResponseEvent, Transition
from medbill.claims._worklist import WorkItem, Worklist, WorkPolicy, WorkReason, worklist

__all__ = [
    "AocEdit",
    "AocType",
    "CLAIM_FIELDS",
    "Appeal",
    "AppealStatus",
    "build_corrected_claim",
    "build_void_claim",
    "post_corrected_charges",
    "WorkItem",
    "WorkPolicy",
    "WorkReason",
    "Worklist",
    "worklist",
    "ChargeSource",
    "ClaimMatch",
    "ClaimPlan",
    "ClaimStatus",
    "ClaimWorkflow",
    "CodeSets",
    "CodeSetsOn",
    "CodeStatus",
    "DEFAULT_DENIAL_TABLE",
    "DEFAULT_RULES",
    "DenialCategory",
    "DenialClassification",
    "DenialRule",
    "DenialTable",
    "ExceptionReason",
    "Finding",
    "FrequencyLimit",
    "HcpcsCode",
    "LINE_FIELDS",
    "LineAdjudication",
    "LineCheck",
    "LineDenial",
    "LineMatch",
    "MatchMethod",
    "ModifierRequirement",
    "MueIndicator",
    "MueLimit",
    "NcciEdits",
    "NextAction",
    "PAYMENT_REDUCTIONS",
    "PayerRules",
    "PaymentCheck",
    "PlanOutcome",
    "PostingResult",
    "PriorPayerAdjudication",
    "PtpEdit",
    "RemittanceException",
    "RequiredField",
    "RemittanceMatch",
    "ResponseEvent",
    "RemittanceFilePlan",
    "RemittancePlan",
    "ReportPeriod",
    "ReportRow",
    "Rule",
    "ScrubContext",
    "SecondaryClaim",
    "Severity",
    "TimelyFilingLimit",
    "Tolerance",
    "PatientShare",
    "Transition",
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
