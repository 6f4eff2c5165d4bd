"""Denials: from the payer's reason and remark codes to a category and a next action.

The CARC (claim adjustment reason code, 835 CAS) says why an amount was not paid, its
group (CO, PR, OA, PI) who bears it, and RARCs (835 LQ/MOA/MIA) add detail. The table
below is medbill's reading of the X12 code lists (https://x12.org/codes); a practice adds
or overrides entries with :meth:`DenialTable.extended` for its payers' habits.

When several codes point different ways, the category that decides the next step wins,
in this order: timely filing, eligibility, duplicate, authorization, coding, bundling,
medical necessity, other, patient responsibility. Adjustments that are part of a normal
payment (CO-45 contractual, CO-253 sequestration, CO-59 multiple-procedure reduction,
...), capitation (CARC 24) and OA-23 (prior payer's adjudication) are not denials: which
ones they are is read from the one table of adjustment outcomes that posting uses
(``medbill._adjustment_outcomes``), so the books and the worklist agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from medbill._adjustment_outcomes import ADJUSTMENT_OUTCOMES, AdjustmentOutcome, adjustment_outcome
from medbill._enums import MedbillEnum
from medbill._errors import ValidationError
from medbill._payment import Adjustment
from medbill.codes import AdjustmentGroup, Carc, Rarc

__all__ = [
    "DEFAULT_DENIAL_TABLE",
    "DenialCategory",
    "DenialClassification",
    "DenialRule",
    "DenialTable",
    "NextAction",
    "classify_denial",
]


class DenialCategory(MedbillEnum):
    """Why a service was not paid, in the terms a billing office works denials by.

    >>> from medbill.claims import DenialCategory
    >>> DenialCategory("timely-filing").name
    'TIMELY_FILING'
    """

    ELIGIBILITY = "eligibility"
    AUTHORIZATION = "authorization"
    CODING = "coding"
    DUPLICATE = "duplicate"
    TIMELY_FILING = "timely-filing"
    MEDICAL_NECESSITY = "medical-necessity"
    BUNDLING = "bundling"
    PATIENT_RESPONSIBILITY = "patient-responsibility"
    OTHER = "other"


class NextAction(MedbillEnum):
    """What to do about a denial.

    >>> from medbill.claims import NextAction
    >>> NextAction.BILL_PATIENT.value
    'bill-patient'
    """

    CORRECT_AND_RESUBMIT = "correct-and-resubmit"
    APPEAL = "appeal"
    BILL_PATIENT = "bill-patient"
    WRITE_OFF = "write-off"


_PRECEDENCE = (
    DenialCategory.TIMELY_FILING,
    DenialCategory.ELIGIBILITY,
    DenialCategory.DUPLICATE,
    DenialCategory.AUTHORIZATION,
    DenialCategory.CODING,
    DenialCategory.BUNDLING,
    DenialCategory.MEDICAL_NECESSITY,
    DenialCategory.OTHER,
    DenialCategory.PATIENT_RESPONSIBILITY,
)


@attrs.frozen
class DenialRule:
    """The category and next action for one code.

    >>> from medbill.claims import DenialCategory, DenialRule, NextAction
    >>> DenialRule(DenialCategory.CODING, NextAction.CORRECT_AND_RESUBMIT).action.name
    'CORRECT_AND_RESUBMIT'
    """

    category: DenialCategory
    action: NextAction


def _rule(category: DenialCategory, action: NextAction) -> DenialRule:
    return DenialRule(category, action)


def _key(value: str) -> str:
    text = value.strip().upper()
    if "-" in text:
        group, code = text.split("-", 1)
        return f"{AdjustmentGroup.parse(group).value}-{Carc(code)}"
    return str(Carc(text))


def _carc_table(table: Mapping[str, DenialRule | None]) -> Mapping[str, DenialRule | None]:
    return {_key(k): v for k, v in table.items()}


def _remark(value: Rarc | str) -> str:
    # Not parsed with Rarc: its pattern refuses MA codes with a leading zero (MA01, MA04).
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("remark", value, "must be a remark code such as N130 or MA01")
    return value.strip().upper()


def _rarc_table(table: Mapping[str, DenialRule | None]) -> Mapping[str, DenialRule | None]:
    return {_remark(k): v for k, v in table.items()}


@attrs.frozen
class DenialTable:
    """Codes to rules. CARC keys are ``"50"`` (any group) or ``"PR-96"`` (that group only,
    looked up first); a ``None`` rule marks a code that is not a denial.

    >>> from medbill.claims import DEFAULT_DENIAL_TABLE, DenialCategory, DenialRule, NextAction
    >>> table = DEFAULT_DENIAL_TABLE.extended(
    ...     carc={"CO-16": DenialRule(DenialCategory.CODING, NextAction.APPEAL)})
    >>> table.rule_for_carc("CO", "16").action.name
    'APPEAL'
    >>> DEFAULT_DENIAL_TABLE.rule_for_carc("CO", "16").action.name
    'CORRECT_AND_RESUBMIT'
    """

    carc: Mapping[str, DenialRule | None] = attrs.field(converter=_carc_table)
    rarc: Mapping[str, DenialRule | None] = attrs.field(converter=_rarc_table)
    # days to appeal a denial; Medicare's redetermination window (42 CFR 405.942(a))
    appeal_days: int = attrs.field(default=120, kw_only=True)

    def extended(
        self,
        *,
        carc: Mapping[str, DenialRule | None] | None = None,
        rarc: Mapping[str, DenialRule | None] | None = None,
    ) -> DenialTable:
        """A new table with these entries added or replaced."""
        return attrs.evolve(
            self, carc={**self.carc, **(carc or {})}, rarc={**self.rarc, **(rarc or {})}
        )

    def rule_for_carc(self, group: AdjustmentGroup | str, carc: Carc | str) -> DenialRule | None:
        """The rule for ``group``-``carc``: group-specific entry, then any-group entry, then
        patient responsibility for a PR adjustment and "other, appeal" for the rest.
        """
        group_code = AdjustmentGroup.parse(group).value
        code = str(Carc(carc))
        specific = f"{group_code}-{code}"
        if specific in self.carc:
            return self.carc[specific]
        if code in self.carc:
            return self.carc[code]
        if group_code == AdjustmentGroup.PATIENT_RESPONSIBILITY.value:
            return _rule(DenialCategory.PATIENT_RESPONSIBILITY, NextAction.BILL_PATIENT)
        return _rule(DenialCategory.OTHER, NextAction.APPEAL)

    def rule_for_rarc(self, rarc: Rarc | str) -> DenialRule | None:
        """The rule for a remark code; ``None`` when the remark is informational or unknown."""
        return self.rarc.get(_remark(rarc))


_C = DenialCategory
_A = NextAction
_ELIGIBILITY = _rule(_C.ELIGIBILITY, _A.CORRECT_AND_RESUBMIT)
_AUTH = _rule(_C.AUTHORIZATION, _A.APPEAL)
_CODING = _rule(_C.CODING, _A.CORRECT_AND_RESUBMIT)
_DUPLICATE = _rule(_C.DUPLICATE, _A.WRITE_OFF)
_TIMELY = _rule(_C.TIMELY_FILING, _A.WRITE_OFF)
_NECESSITY = _rule(_C.MEDICAL_NECESSITY, _A.APPEAL)
_BUNDLED = _rule(_C.BUNDLING, _A.WRITE_OFF)
_PATIENT = _rule(_C.PATIENT_RESPONSIBILITY, _A.BILL_PATIENT)
_OTHER_APPEAL = _rule(_C.OTHER, _A.APPEAL)
_OTHER_WRITE_OFF = _rule(_C.OTHER, _A.WRITE_OFF)

# Not denials: the contractual write-offs of a normal payment, read from the one table of
# adjustment outcomes (medbill._adjustment_outcomes) that posting uses too. Bundling
# write-offs (97, 234, B15) stay denials of category "bundling" with the action "write-off".
_NOT_DENIALS = {
    key: None
    for key, (outcome, _source) in ADJUSTMENT_OUTCOMES.items()
    if outcome is AdjustmentOutcome.WRITE_OFF and key.split("-", 1)[1] not in ("97", "234", "B15")
}

DEFAULT_DENIAL_TABLE = DenialTable(
    carc={
        **_NOT_DENIALS,
        # patient responsibility
        "1": _PATIENT,
        "2": _PATIENT,
        "3": _PATIENT,
        "PR-96": _PATIENT,
        "PR-204": _PATIENT,
        "PR-49": _PATIENT,
        "PR-119": _PATIENT,
        "PR-242": _PATIENT,
        # eligibility and coordination of benefits: bill the right payer
        "22": _ELIGIBILITY,
        "26": _ELIGIBILITY,
        "27": _ELIGIBILITY,
        "31": _ELIGIBILITY,
        "109": _ELIGIBILITY,
        "204": _ELIGIBILITY,
        # authorization: ask for a retroactive authorization, appeal
        "15": _AUTH,
        "197": _AUTH,
        "198": _AUTH,
        # coding and billing errors: correct the claim and send it again
        "4": _CODING,
        "5": _CODING,
        "6": _CODING,
        "7": _CODING,
        "11": _CODING,
        "16": _CODING,
        "146": _CODING,
        "181": _CODING,
        "182": _CODING,
        # duplicates: the original claim carries the payment
        "18": _DUPLICATE,
        "B13": _DUPLICATE,
        # timely filing: write off unless there is proof of timely filing
        "29": _TIMELY,
        # medical necessity: appeal with the medical record
        "50": _NECESSITY,
        "151": _NECESSITY,
        "167": _NECESSITY,
        # bundling (NCCI and payer edits); 236 can be corrected with a distinct-service modifier
        "97": _BUNDLED,
        "234": _BUNDLED,
        "B15": _BUNDLED,
        "236": _rule(_C.BUNDLING, _A.CORRECT_AND_RESUBMIT),
        # other
        "CO-96": _OTHER_WRITE_OFF,
        "CO-49": _OTHER_WRITE_OFF,
        "119": _OTHER_WRITE_OFF,
        "129": _OTHER_APPEAL,
        "133": _OTHER_APPEAL,
        "170": _OTHER_APPEAL,
        "185": _OTHER_APPEAL,
        "B7": _OTHER_APPEAL,
        "226": _OTHER_APPEAL,
        "252": _OTHER_APPEAL,
        "A1": _OTHER_APPEAL,
        "227": _PATIENT,
    },
    rarc={
        "M15": _BUNDLED,
        "M80": _BUNDLED,
        "M86": _DUPLICATE,
        "N522": _DUPLICATE,
        "M20": _CODING,
        "M51": _CODING,
        "M76": _CODING,
        "N56": _CODING,
        "N290": _CODING,
        "MA04": _ELIGIBILITY,
        "N4": _ELIGIBILITY,
        "N479": _ELIGIBILITY,
        "N30": _ELIGIBILITY,
        "N362": _NECESSITY,
        "MA01": None,
        "MA18": None,
        "N130": None,
    },
)
"""medbill's default table; extend it with :meth:`DenialTable.extended`."""


@attrs.frozen(kw_only=True)
class DenialClassification:
    """The category and next action of a denial, with every code that pointed somewhere.

    ``reasons`` lists the codes (``"CO-50"``, ``"N115"``) and the category each gave.

    >>> from decimal import Decimal
    >>> from medbill import Adjustment
    >>> from medbill.claims import classify_denial
    >>> classify_denial([Adjustment(group="CO", reason="18", amount=Decimal("99.00"))]).reasons
    (('CO-18', <DenialCategory.DUPLICATE: 'duplicate'>),)
    """

    category: DenialCategory
    action: NextAction
    reasons: tuple[tuple[str, DenialCategory], ...]


def classify_denial(
    adjustments: Iterable[Adjustment],
    remarks: Iterable[Rarc | str] = (),
    *,
    table: DenialTable = DEFAULT_DENIAL_TABLE,
) -> DenialClassification | None:
    """Classify the adjustments and remarks of a claim or line; ``None`` if nothing was denied.

    >>> from decimal import Decimal
    >>> from medbill import Adjustment
    >>> from medbill.claims import classify_denial
    >>> result = classify_denial([Adjustment(group="CO", reason="50", amount=Decimal("80.00"))],
    ...                          ["N115"])
    >>> result.category.value, result.action.value
    ('medical-necessity', 'appeal')
    >>> classify_denial([Adjustment(group="CO", reason="45", amount=Decimal("32.10"))]) is None
    True
    >>> classify_denial([Adjustment(group="PR", reason="1", amount=Decimal("50.00"))]).action.name
    'BILL_PATIENT'
    """
    reasons: list[tuple[str, DenialCategory, NextAction]] = []
    for index, adjustment in enumerate(adjustments):
        if not isinstance(adjustment, Adjustment):
            raise ValidationError(f"adjustments[{index}]", adjustment, "must be an Adjustment")
        if adjustment.amount <= 0:
            continue  # a negative adjustment undoes an earlier one
        outcome = adjustment_outcome(adjustment.group, adjustment.reason)
        if outcome in (AdjustmentOutcome.CAPITATION, AdjustmentOutcome.PRIOR_PAYER):
            continue  # capitation (CARC 24) and the prior payer's impact (OA-23) are not denials
        rule = table.rule_for_carc(adjustment.group, adjustment.reason)
        if rule is not None:
            label = f"{adjustment.group.value}-{adjustment.reason}"
            reasons.append((label, rule.category, rule.action))
    for remark in remarks:
        rule = table.rule_for_rarc(remark)
        if rule is not None:
            reasons.append((_remark(remark), rule.category, rule.action))
    if not reasons:
        return None
    best = min(reasons, key=lambda r: _PRECEDENCE.index(r[1]))
    return DenialClassification(
        category=best[1],
        action=best[2],
        reasons=tuple((label, category) for label, category, _ in reasons),
    )
