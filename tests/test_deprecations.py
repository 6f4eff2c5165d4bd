"""Every deprecated name still works for a minor release, and warns naming its replacement.

CHANGELOG.md lists each one under "Deprecated" (0.2.0); docs/compatibility.md has the policy.
"""

from __future__ import annotations

from decimal import Decimal

import pendulum
import pytest

from medbill import ValidationError
from medbill.fees import FeeSchedule

JAN = pendulum.date(2025, 1, 15)
CHARGEMASTER = FeeSchedule.from_csv_text(
    "code,modifier,amount,valid_from,valid_to\n"
    "71046,,95.00,2025-01-01,\n71046,26,30.00,2025-01-01,\n71046,TC,65.00,2025-01-01,\n",
    name="cm",
)


@pytest.mark.parametrize("method", ["amount", "entry", "has"])
def test_fee_schedule_modifier_is_deprecated_for_modifiers(method: str) -> None:
    lookup = getattr(CHARGEMASTER, method)
    with pytest.warns(DeprecationWarning, match=r"FeeSchedule\.\w+: modifier= .* use modifiers="):
        old = lookup("71046", date_of_service=JAN, modifier="26")
    assert old == lookup("71046", date_of_service=JAN, modifiers=["26"])


def test_fee_schedule_modifiers_take_the_first_with_an_entry() -> None:
    # 59 has no entry of its own: the next modifier, TC, has one (65.00)
    assert CHARGEMASTER.amount("71046", date_of_service=JAN, modifiers=["59", "TC"]) == Decimal(
        "65.00"
    )
    assert CHARGEMASTER.amount("71046", date_of_service=JAN, modifiers=["59"]) == Decimal("95.00")
    with pytest.raises(ValidationError, match="modifiers: must be a list of modifiers"):
        CHARGEMASTER.amount("71046", date_of_service=JAN, modifiers="26")
