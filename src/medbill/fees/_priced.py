"""Results of pricing: one line, one claim."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

import attrs
import pendulum

from medbill._deprecation import renamed_fields
from medbill._errors import ValidationError
from medbill._money import ZERO, round_cents
from medbill.codes import PlaceOfService
from medbill.fees._locality import Locality
from medbill.fees._trace import Trace

__all__ = ["LIMITING_CHARGE", "NON_PARTICIPATING", "PricedClaim", "PricedLine"]

# Social Security Act s. 1848(a)(3) and (g)(2)(C); Medicare Claims Processing Manual
# Ch. 12, s. 30.3: a non-participating physician is paid 95% of the fee schedule amount
# and may charge the patient at most 115% of that (the limiting charge).
NON_PARTICIPATING: Final = Decimal("0.95")
_EMPTY: Final = Trace()
LIMITING_CHARGE: Final = Decimal("1.15")


@renamed_fields(date_of_service="service_date")
@attrs.frozen(kw_only=True)
class PricedLine:
    """The priced service: the allowed amount, whether it is payable, and why.

    ``allowed`` is the amount for all units after every modifier and claim-level rule and,
    when the line's actual ``charge`` is known, the lesser of the two (Medicare's
    lesser-of rule); ``fee_schedule_amount`` is the amount before that comparison. A line
    that is not payable has ``payable=False``, ``allowed`` zero and the ``reason``.
    ``trace`` explains every step and renders as text.

    >>> from decimal import Decimal
    >>> import pendulum
    >>> line = PricedLine(code="99213", allowed=Decimal("100.00"), unit_fee=Decimal("100.00"),
    ...                   service_date=pendulum.date(2025, 3, 4))
    >>> line.non_participating, line.limiting_charge
    (Decimal('95.00'), Decimal('109.25'))
    """

    code: str
    allowed: Decimal
    unit_fee: Decimal
    service_date: pendulum.Date
    modifiers: tuple[str, ...] = ()
    units: Decimal = Decimal(1)
    payable: bool = True
    status: str = "A"
    reason: str | None = None
    place_of_service: PlaceOfService | None = None
    locality: Locality | None = None
    line_id: str | None = None
    fee_schedule_amount: Decimal | None = None
    charge: Decimal | None = None
    trace: Trace = _EMPTY

    @property
    def non_participating(self) -> Decimal:
        """95% of ``allowed``, rounded half-up: what a non-participating physician is paid."""
        return round_cents(self.allowed * NON_PARTICIPATING)

    @property
    def limiting_charge(self) -> Decimal:
        """115% of the non-participating amount, rounded: the most the patient may be billed."""
        return round_cents(self.non_participating * LIMITING_CHARGE)

    def explain(self) -> str:
        """The trace as readable text, headed by the code and the result."""
        mods = "-" + "-".join(self.modifiers) if self.modifiers else ""
        head = f"{self.code}{mods} x {self.units}: "
        head += f"allowed {self.allowed}" if self.payable else f"not payable ({self.reason})"
        return f"{head}\n{self.trace}" if len(self.trace) else head


@attrs.frozen(kw_only=True)
class PricedClaim:
    """A priced claim: one :class:`PricedLine` per claim line, in claim order.

    >>> from decimal import Decimal
    >>> import pendulum
    >>> day = pendulum.date(2025, 3, 4)
    >>> claim = PricedClaim(claim_id="c-1", lines=(
    ...     PricedLine(code="99213", allowed=Decimal("90.00"), unit_fee=Decimal("90.00"),
    ...                service_date=day, line_id="1"),
    ...     PricedLine(code="71046", allowed=Decimal("30.10"), unit_fee=Decimal("30.10"),
    ...                service_date=day, line_id="2")))
    >>> claim.total
    Decimal('120.10')
    >>> claim.line("2").code
    '71046'
    """

    claim_id: str | None
    lines: tuple[PricedLine, ...]

    @property
    def total(self) -> Decimal:
        """Sum of the lines' allowed amounts."""
        return sum((line.allowed for line in self.lines), ZERO)

    def line(self, line_id: str) -> PricedLine:
        """The priced line with ``line_id``."""
        for candidate in self.lines:
            if candidate.line_id == line_id:
                return candidate
        raise ValidationError("line_id", line_id, "no such priced line")

    def explain(self) -> str:
        """Every line's explanation, then the total."""
        body = "\n\n".join(line.explain() for line in self.lines)
        return f"{body}\n\ntotal allowed {self.total}"
