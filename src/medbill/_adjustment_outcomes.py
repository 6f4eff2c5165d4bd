"""Where a payer's adjustment (835 CAS group + CARC) leaves the money: the one table.

Posting (the ledger's payer-payment recipe, :func:`medbill.claims.plan_remittance`) and
denial work (:func:`medbill.claims.classify_denial`) read the same table, so a line the
books leave open as a denial is a line the worklist says to work, and a true write-off is
never classified as a denial.

Outcomes:

* ``WRITE_OFF``: a contractual reduction the provider accepted by contract (group CO or
  PI): booked to contractual adjustments and not billed to anyone.
* ``LEFT_IN_AR``: a denial the provider can fix (correct and resubmit, appeal, obtain an
  authorization, bill another payer): the amount stays in that payer's insurance A/R as
  denied, with the denial classification and its next action.
* ``PATIENT``: group PR, the patient's share (deductible, coinsurance, copay, non-covered
  with a waiver): moved to the patient, or to the next payer when there is one.
* ``CAPITATION``: CARC 24, covered by a capitation agreement: its own account, not a denial.
* ``PRIOR_PAYER``: OA-23, the impact of the prior payer's adjudication: it repeats what the
  prior payer's own remittance posted, so it moves nothing.
* ``DUPLICATE``: CARC 18, a duplicate claim or service: the original carries the payment.
* ``OTHER``: any other OA adjustment, held in ``other_adjustment`` for follow-up.

Group rules (X12 CAS01, 005010X221A1 section 1.10.2.3 "Claim adjustment group codes"):
CO and PI are the provider's liability, PR the patient's, OA neither. A CARC not in the
table takes its group's outcome (CO/PI: ``WRITE_OFF``, PR: ``PATIENT``, OA: ``OTHER``).
CARC definitions: https://x12.org/codes/claim-adjustment-reason-codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from medbill._enums import MedbillEnum
from medbill.codes import AdjustmentGroup, Carc

__all__ = ["ADJUSTMENT_OUTCOMES", "AdjustmentOutcome", "adjustment_outcome"]


class AdjustmentOutcome(MedbillEnum):
    """Where one CAS adjustment leaves its amount (see the module notes)."""

    WRITE_OFF = "write-off"
    LEFT_IN_AR = "left-in-ar"
    PATIENT = "patient"
    CAPITATION = "capitation"
    PRIOR_PAYER = "prior-payer"
    DUPLICATE = "duplicate"
    OTHER = "other"


_W = AdjustmentOutcome.WRITE_OFF
_AR = AdjustmentOutcome.LEFT_IN_AR

ADJUSTMENT_OUTCOMES: Final[Mapping[str, tuple[AdjustmentOutcome, str]]] = MappingProxyType(
    {
        # -- contractual write-offs (group CO/PI) --------------------------------------
        "CO-45": (_W, "CARC 45: charge exceeds the fee schedule/contracted amount"),
        "PI-45": (_W, "CARC 45 with group PI: payer-initiated contractual reduction"),
        "CO-253": (_W, "CARC 253: sequestration, reduction of federal payment (CMS MLN)"),
        "CO-59": (_W, "CARC 59: multiple/concurrent procedure rules (payer bundled/reduced)"),
        "CO-97": (_W, "CARC 97: included in the payment of another service the payer paid"),
        "CO-234": (_W, "CARC 234: procedure not paid separately (bundled by the payer)"),
        "CO-B15": (_W, "CARC B15: payment included in the allowance for another service"),
        "CO-42": (_W, "CARC 42: charges exceed the fee maximum"),
        "CO-94": (_W, "CARC 94: processed in excess of charges"),
        "CO-131": (_W, "CARC 131: claim-specific negotiated discount"),
        "CO-144": (_W, "CARC 144: incentive adjustment (e.g. preferred product/service)"),
        "CO-237": (_W, "CARC 237: legislated/regulatory penalty (e.g. MIPS/eRx)"),
        # -- denials left in insurance A/R to be worked --------------------------------
        "CO-16": (_AR, "CARC 16: claim lacks information or has errors: correct, resubmit"),
        "CO-197": (_AR, "CARC 197: precertification/authorization absent: obtain, appeal"),
        "CO-198": (_AR, "CARC 198: precertification/authorization exceeded"),
        "CO-15": (_AR, "CARC 15: authorization number missing or invalid"),
        "CO-50": (_AR, "CARC 50: not deemed a medical necessity: appeal with records"),
        "CO-151": (_AR, "CARC 151: payer deems the information does not support the service"),
        "CO-167": (_AR, "CARC 167: diagnosis not covered: correct the coding or appeal"),
        "CO-29": (_AR, "CARC 29: time limit for filing expired: appeal with proof of timely"),
        "CO-4": (_AR, "CARC 4: procedure code inconsistent with the modifier"),
        "CO-5": (_AR, "CARC 5: procedure code/type of bill inconsistent with place of service"),
        "CO-6": (_AR, "CARC 6: procedure inconsistent with the patient's age"),
        "CO-7": (_AR, "CARC 7: procedure inconsistent with the patient's gender"),
        "CO-11": (_AR, "CARC 11: diagnosis inconsistent with the procedure"),
        "CO-146": (_AR, "CARC 146: diagnosis invalid for the date of service"),
        "CO-181": (_AR, "CARC 181: procedure code invalid on the date of service"),
        "CO-182": (_AR, "CARC 182: procedure modifier invalid on the date of service"),
        "CO-22": (_AR, "CARC 22: may be covered by another payer (COB): bill that payer"),
        "CO-109": (_AR, "CARC 109: not covered by this payer: bill the correct payer"),
        "CO-27": (_AR, "CARC 27: expenses incurred after coverage terminated"),
        "CO-26": (_AR, "CARC 26: expenses incurred before coverage"),
        "CO-31": (_AR, "CARC 31: patient cannot be identified as our insured"),
        "CO-252": (_AR, "CARC 252: an attachment/other documentation is required"),
        "CO-226": (_AR, "CARC 226: information requested was not provided"),
        "CO-236": (_AR, "CARC 236: procedure combination not compatible (NCCI): modifier"),
        "CO-B7": (_AR, "CARC B7: provider not certified for this procedure on this date"),
        "CO-A1": (_AR, "CARC A1: claim/service denied: see the remark codes"),
        # -- capitation, prior payer, duplicates ----------------------------------------
        "CO-24": (AdjustmentOutcome.CAPITATION, "CARC 24: covered by a capitation agreement"),
        "OA-24": (AdjustmentOutcome.CAPITATION, "CARC 24: covered by a capitation agreement"),
        "OA-23": (AdjustmentOutcome.PRIOR_PAYER, "CARC 23: impact of prior payer adjudication"),
        "CO-18": (AdjustmentOutcome.DUPLICATE, "CARC 18: exact duplicate claim/service"),
        "OA-18": (AdjustmentOutcome.DUPLICATE, "CARC 18: exact duplicate claim/service"),
    }
)
"""``"GROUP-CARC"`` → (outcome, source). A key not here takes its group's outcome."""

_BY_GROUP: Final = {
    AdjustmentGroup.CONTRACTUAL_OBLIGATION: _W,
    AdjustmentGroup.PAYER_INITIATED_REDUCTION: _W,
    AdjustmentGroup.PATIENT_RESPONSIBILITY: AdjustmentOutcome.PATIENT,
    AdjustmentGroup.OTHER_ADJUSTMENT: AdjustmentOutcome.OTHER,
}


def adjustment_outcome(group: AdjustmentGroup, reason: Carc) -> AdjustmentOutcome:
    """The outcome of ``group``-``reason``: the table's, else the group's (PR always patient).

    >>> from medbill.codes import AdjustmentGroup, Carc
    >>> adjustment_outcome(AdjustmentGroup.CONTRACTUAL_OBLIGATION, Carc("16")).value
    'left-in-ar'
    >>> adjustment_outcome(AdjustmentGroup.PATIENT_RESPONSIBILITY, Carc("204")).value
    'patient'
    """
    if group is AdjustmentGroup.PATIENT_RESPONSIBILITY:
        return AdjustmentOutcome.PATIENT
    code = str(reason)
    known = _SEEN.get((group, code))
    if known is not None:
        return known
    found = ADJUSTMENT_OUTCOMES.get(f"{group.value}-{code}")
    outcome = _BY_GROUP[group] if found is None else found[0]
    if len(_SEEN) < 4096:  # group x CARC: a few hundred combinations in practice
        _SEEN[(group, code)] = outcome
    return outcome


_SEEN: dict[tuple[AdjustmentGroup, str], AdjustmentOutcome] = {}
