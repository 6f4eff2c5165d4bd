"""Modifier rules of the Medicare physician fee schedule that change a line's own fee.

Sources: Medicare Claims Processing Manual (Pub. 100-04), Chapter 12:
section 20.4.2 and 20.4.3 (professional/technical components, modifiers 26 and TC),
40.7 (bilateral surgery, modifier 50), 40.8 (co-surgeons, modifier 62; team surgery 66),
20.4.3 and 110 (assistant at surgery 80/81/82 at 16%; AS for non-physician practitioners
at 85% of 16%), 120 (non-physician practitioners at 85%). Split global surgery (54, 55,
56, section 40.2) is in :mod:`medbill.fees._global_surgery`.
The indicator meanings are those of the PPRRVU file's documentation (RVU25A README).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from medbill._errors import PricingError
from medbill._parties import ProviderKind
from medbill.fees._global_surgery import global_surgery_share
from medbill.fees._rvu_row import RvuRow

__all__ = [
    "ASSISTANT_AT_SURGERY",
    "ASSISTANT_MODIFIERS",
    "ASSISTANT_NOT_PAID",
    "COMPONENT_MODIFIERS",
    "CO_SURGERY_PAID",
    "AS_NON_PHYSICIAN_ASSISTANT",
    "BILATERAL",
    "CO_SURGEON",
    "NON_PHYSICIAN_PRACTITIONER",
    "PCTC_MEANINGS",
    "STATUS_MEANINGS",
    "post_adjustments",
]

CO_SURGEON: Final = Decimal("0.625")  # Ch. 12 s. 40.8: each co-surgeon 62.5%
ASSISTANT_AT_SURGERY: Final = Decimal("0.16")  # Ch. 12 s. 20.4.3: 16% of the surgeon's fee
AS_NON_PHYSICIAN_ASSISTANT: Final = Decimal("0.85")  # Ch. 12 s. 110: 85% of the 16%
NON_PHYSICIAN_PRACTITIONER: Final = Decimal("0.85")  # Ch. 12 s. 120
BILATERAL: Final = {"0": Decimal(1), "1": Decimal("1.5"), "2": Decimal(1), "3": Decimal(2)}
_BILATERAL_WHY: Final = {
    "0": "bilateral indicator 0: the 150% adjustment does not apply, 100%",
    "1": "bilateral indicator 1: 150% of the fee",
    "2": "bilateral indicator 2: the code is already bilateral, 100%",
    "3": "bilateral indicator 3: 100% for each side, 200%",
}

STATUS_MEANINGS: Final = {
    "A": "active code, paid separately under the fee schedule",
    "B": "bundled: payment is always included in another service",
    "C": "contractor priced: the MAC sets the amount",
    "D": "deleted code",
    "E": "excluded from the fee schedule by regulation",
    "F": "deleted or discontinued code",
    "G": "not valid for Medicare: Medicare uses another code",
    "H": "deleted modifier",
    "I": "not valid for Medicare: Medicare uses another code",
    "J": "anesthesia service: priced with base and time units",
    "M": "measurement code, for reporting only",
    "N": "non-covered service",
    "P": "bundled or excluded code",
    "R": "restricted coverage",
    "T": "injection: paid only if no other fee-schedule service is paid the same day",
    "X": "statutory exclusion",
}
PAYABLE_STATUSES: Final = frozenset("ART")

PCTC_MEANINGS: Final = {
    "0": "physician service: modifiers 26 and TC do not apply",
    "1": "diagnostic test with professional and technical components",
    "2": "professional component only code",
    "3": "technical component only code",
    "4": "global test only code",
    "5": "incident-to code",
    "6": "laboratory physician interpretation code",
    "7": "physical therapy service",
    "8": "physician interpretation code",
    "9": "concept does not apply",
}

COMPONENT_MODIFIERS: Final = ("26", "TC", "53")
"""Modifiers that pick a component row of the file, in order of precedence (53, discontinued,
has no row of its own and falls back to the code's)."""

ASSISTANT_MODIFIERS: Final = frozenset({"80", "81", "82"})
_ASSISTANT = ASSISTANT_MODIFIERS
CO_SURGERY_PAID: Final = frozenset({"1", "2"})
"""Co-surgery indicators under which modifier 62 pays each surgeon 62.5% (0: not permitted)."""
ASSISTANT_NOT_PAID: Final = {
    "1": "assistant at surgery not paid for {code} (assistant indicator 1)",
    "9": "assistant at surgery concept does not apply to {code} (indicator 9)",
}
"""Assistant-at-surgery indicators under which an assistant is not paid, and why."""

Step = tuple[str, str, Decimal]
"""A percentage adjustment: rule, explanation, factor."""


def bilateral_factor(row: RvuRow, code: str) -> tuple[Decimal, str]:
    """The modifier-50 factor of ``row`` and why; PricingError where 50 means nothing."""
    factor = BILATERAL.get(row.bilateral)
    if factor is None:
        raise PricingError(
            "modifiers",
            f"{code}-50",
            f"modifier 50 does not apply to {code} (bilateral indicator {row.bilateral})",
        )
    return factor, _BILATERAL_WHY[row.bilateral]


def post_adjustments(
    row: RvuRow,
    code: str,
    modifiers: frozenset[str],
    provider_kind: ProviderKind,
    care_days: int | None = None,
) -> tuple[tuple[Step, ...], str | None]:
    """Percentages applied after the multiple-procedure ranking, in this order:
    global split (54/55/56), co-surgery (62), assistant (80/81/82/AS), practitioner (85%).

    Returns the steps and, when a payment rule forbids the service, the reason it is not
    payable. A meaningless combination raises :class:`~medbill.PricingError`.
    """
    steps: list[Step] = []
    split = global_surgery_share(row, code, modifiers, care_days)
    if split is not None:
        steps.append(split)
    if "66" in modifiers:
        raise PricingError(
            "modifiers", f"{code}-66", "team surgery (66) is priced by the contractor by report"
        )
    if "62" in modifiers:
        if row.co_surgery in CO_SURGERY_PAID:
            steps.append(
                ("modifier 62", f"co-surgery indicator {row.co_surgery}: 62.5% each", CO_SURGEON)
            )
        elif row.co_surgery == "0":
            return (), f"co-surgeons not permitted for {code} (co-surgery indicator 0)"
        else:
            raise PricingError(
                "modifiers",
                f"{code}-62",
                f"modifier 62 does not apply to {code} (co-surgery indicator {row.co_surgery})",
            )
    assistants = sorted(_ASSISTANT & modifiers)
    is_as = "AS" in modifiers
    if assistants or is_as:
        label = "/".join([*assistants, *(["AS"] if is_as else [])])
        refusal = ASSISTANT_NOT_PAID.get(row.assistant)
        if refusal is not None:
            return (), refusal.format(code=code)
        note = " (indicator 0: payable with documentation)" if row.assistant == "0" else ""
        steps.append((f"modifier {label}", f"assistant at surgery 16%{note}", ASSISTANT_AT_SURGERY))
        if is_as:
            steps.append(
                (
                    "modifier AS",
                    "non-physician assistant: 85% of the 16%",
                    AS_NON_PHYSICIAN_ASSISTANT,
                )
            )
    if provider_kind is ProviderKind.NON_PHYSICIAN_PRACTITIONER and not is_as:
        steps.append(
            (
                "non-physician practitioner",
                "85% of the fee schedule amount",
                NON_PHYSICIAN_PRACTITIONER,
            )
        )
    return tuple(steps), None
