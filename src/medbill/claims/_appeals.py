"""Appeals of denied claims: what was appealed, why, by when, and where it stands.

Medicare's first level, the redetermination, must be filed within 120 days of receiving
the initial determination (42 CFR 405.942(a)); the contractor decides within 60 days of
receiving the request (42 CFR 405.950). Commercial payers set their own windows in their
contracts; :class:`~medbill.claims.WorkPolicy` holds them per payer.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs
import pendulum

from medbill._common import ClaimId, to_claim_id
from medbill._enums import MedbillEnum
from medbill._errors import ValidationError
from medbill._validation import to_date, to_optional_date

__all__ = ["Appeal", "AppealStatus"]


class AppealStatus(MedbillEnum):
    """Where an appeal stands.

    >>> from medbill.claims import AppealStatus
    >>> AppealStatus("filed").is_open, AppealStatus.WON.is_open
    (True, False)
    """

    DRAFT = "draft"
    FILED = "filed"
    WON = "won"
    LOST = "lost"
    WITHDRAWN = "withdrawn"

    @property
    def is_open(self) -> bool:
        """Drafted or filed: someone still has to act or wait for the payer."""
        return self in (AppealStatus.DRAFT, AppealStatus.FILED)


def _lines(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _status(value: AppealStatus | str) -> AppealStatus:
    try:
        return AppealStatus(value)
    except ValueError:
        raise ValidationError(
            "status", value, f"must be one of {', '.join(s.value for s in AppealStatus)}"
        ) from None


@attrs.frozen(kw_only=True)
class Appeal:
    """An appeal of a claim's (or some lines') denial.

    ``deadline`` is the last day to file (the payer's appeal window); ``filed_on`` the day
    it was sent. Entities are immutable: :meth:`file` and :meth:`decide` return new ones.

    >>> import pendulum
    >>> from medbill.claims import Appeal
    >>> appeal = Appeal(claim_id="CLM-0001", lines=("1",), reason="CO-50: records attached",
    ...                 deadline=pendulum.date(2025, 8, 20))
    >>> appeal.file(pendulum.date(2025, 5, 2)).status.value
    'filed'
    """

    claim_id: ClaimId = attrs.field(converter=to_claim_id)
    reason: str
    deadline: pendulum.Date = attrs.field(converter=to_date)
    lines: tuple[str, ...] = attrs.field(default=(), converter=_lines)
    status: AppealStatus = attrs.field(default=AppealStatus.DRAFT, converter=_status)
    filed_on: pendulum.Date | None = attrs.field(default=None, converter=to_optional_date)
    decided_on: pendulum.Date | None = attrs.field(default=None, converter=to_optional_date)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise ValidationError("reason", self.reason, "must say why the denial is wrong")
        if self.status is AppealStatus.FILED and self.filed_on is None:
            raise ValidationError("filed_on", None, "is required once the appeal is filed")

    def file(self, on: pendulum.Date) -> Appeal:
        """The appeal, sent to the payer on ``on``."""
        return attrs.evolve(self, status=AppealStatus.FILED, filed_on=to_date(on))

    def decide(self, won: bool, on: pendulum.Date) -> Appeal:
        """The payer's decision."""
        status = AppealStatus.WON if won else AppealStatus.LOST
        return attrs.evolve(self, status=status, decided_on=to_date(on))
