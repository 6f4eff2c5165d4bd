"""Good faith estimates for uninsured and self-pay patients (No Surprises Act).

45 CFR 149.610 requires a good faith estimate of expected charges, itemised per provider
and service; under 45 CFR 149.620 a final bill is eligible for the patient-provider
dispute resolution process when it is at least $400 more than the estimate for that
provider ("substantially in excess"). 45 CFR 149.610(c)(1)(v) requires the NPI and TIN of
the convening provider and every co-provider on the estimate: each item carries its
provider's ``npi`` and ``tax_id``, and :attr:`GoodFaithEstimate.missing_identifiers` lists
the providers still without them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Final

import attrs
import pendulum

from medbill._errors import ValidationError
from medbill._money import ZERO, as_money
from medbill._validation import to_digits, to_optional_npi
from medbill.codes import Npi

__all__ = ["DISPUTE_THRESHOLD", "GfeItem", "GoodFaithEstimate"]

DISPUTE_THRESHOLD: Final = Decimal("400.00")  # 45 CFR 149.620(b)(1)(ii)


def _money(value: object) -> Decimal:
    return as_money(value, "expected_charge", signed=False)


def _quantity(value: object) -> Decimal:
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if number <= 0:
        raise ValidationError("quantity", value, "must be positive")
    return number


@attrs.frozen(kw_only=True)
class GfeItem:
    """One expected service: the provider (NPI or name), code, quantity and charge each;
    the provider's ``npi`` and ``tax_id`` (TIN, nine digits) as 45 CFR 149.610(c)(1)(v)
    requires.

    >>> from decimal import Decimal
    >>> GfeItem(provider="1234567893", code="97110", expected_charge=Decimal("45.00"),
    ...         quantity=2, npi="1234567893", tax_id="12-3456789").total
    Decimal('90.00')
    """

    provider: str
    code: str
    expected_charge: Decimal = attrs.field(converter=_money)
    quantity: Decimal = attrs.field(default=Decimal(1), converter=_quantity)
    diagnosis: str | None = None
    npi: Npi | None = attrs.field(default=None, converter=to_optional_npi)
    tax_id: str | None = attrs.field(default=None, converter=to_digits)

    def __attrs_post_init__(self) -> None:
        if self.tax_id is not None and not (len(self.tax_id) == 9 and self.tax_id.isdigit()):
            raise ValidationError("tax_id", self.tax_id, "must be a nine-digit TIN")

    @property
    def total(self) -> Decimal:
        """Charge times quantity."""
        return self.expected_charge * self.quantity


def _items(values: Iterable[GfeItem]) -> tuple[GfeItem, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class GoodFaithEstimate:
    """A good faith estimate: items per provider, totals, and the dispute test.

    >>> import pendulum
    >>> from decimal import Decimal
    >>> gfe = GoodFaithEstimate(issued_on=pendulum.date(2025, 3, 1),
    ...     scheduled_for=pendulum.date(2025, 3, 20), items=[
    ...     GfeItem(provider="1234567893", code="99213", expected_charge=Decimal("150.00")),
    ...     GfeItem(provider="1245319599", code="71046", expected_charge=Decimal("90.00"))])
    >>> gfe.total
    Decimal('240.00')
    >>> gfe.dispute_eligible({"1234567893": Decimal("550.00"),
    ...                       "1245319599": Decimal("489.99")})
    {'1234567893': True, '1245319599': False}
    """

    issued_on: pendulum.Date
    scheduled_for: pendulum.Date | None = None
    items: tuple[GfeItem, ...] = attrs.field(converter=_items)

    @property
    def by_provider(self) -> dict[str, Decimal]:
        """Expected total per provider, in order of first appearance."""
        totals: dict[str, Decimal] = {}
        for item in self.items:
            totals[item.provider] = totals.get(item.provider, ZERO) + item.total
        return totals

    @property
    def missing_identifiers(self) -> tuple[str, ...]:
        """Providers with an item lacking the NPI or TIN 45 CFR 149.610(c)(1)(v) requires.

        >>> import pendulum
        >>> from decimal import Decimal
        >>> GoodFaithEstimate(issued_on=pendulum.date(2025, 3, 1), items=[
        ...     GfeItem(provider="Dr. Lee", code="99213", expected_charge=Decimal("150.00"),
        ...             npi="1234567893")]).missing_identifiers
        ('Dr. Lee',)
        """
        missing: list[str] = []
        for item in self.items:
            if (item.npi is None or item.tax_id is None) and item.provider not in missing:
                missing.append(item.provider)
        return tuple(missing)

    @property
    def total(self) -> Decimal:
        """Expected total of every item."""
        return sum((item.total for item in self.items), ZERO)

    def dispute_eligible(self, billed: Mapping[str, Decimal]) -> dict[str, bool]:
        """For each provider billed: whether the bill is at least $400 over its estimate.

        A provider absent from the estimate is compared with an estimate of zero.
        """
        expected = self.by_provider
        return {
            provider: amount - expected.get(provider, ZERO) >= DISPUTE_THRESHOLD
            for provider, amount in billed.items()
        }
