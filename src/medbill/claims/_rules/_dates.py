"""Date rules: no future services, coverage in force, timely filing."""

from __future__ import annotations

from collections.abc import Iterator

from medbill._encounter import Claim
from medbill.claims._scrub import Finding, ScrubContext, Severity

__all__ = ["coverage_active", "future_date_of_service", "timely_filing"]


def future_date_of_service(claim: Claim, context: ScrubContext) -> Iterator[Finding]:
    """Rule ``future-date-of-service``: a service cannot be billed before it happens."""
    for index, line in enumerate(claim.lines):
        last = line.last_service_date
        if last > context.as_of:
            yield Finding(
                rule="future-date-of-service",
                severity=Severity.ERROR,
                path=f"lines[{index}].service_date",
                message=f"date of service {last} is after {context.as_of}",
                hint="bill the service once it has been performed",
            )


def coverage_active(claim: Claim, context: ScrubContext) -> Iterator[Finding]:
    """Rule ``coverage-inactive``: the coverage is in force on every date of service."""
    coverage = claim.coverage
    if coverage is None:
        return
    for index, line in enumerate(claim.lines):
        days = [line.service_date]
        if line.service_period is not None:
            days.append(line.last_service_date)
        for day in days:
            if not coverage.is_active_on(day):
                period = coverage.effective
                yield Finding(
                    rule="coverage-inactive",
                    severity=Severity.ERROR,
                    path=f"lines[{index}].service_date",
                    message=f"coverage {coverage.id} ({period.start} to "
                    f"{period.end or 'open'}) is not in force on {day}",
                    hint="verify eligibility (270/271) and bill the coverage in force",
                )
                break


def timely_filing(claim: Claim, context: ScrubContext) -> Iterator[Finding]:
    """Rule ``timely-filing``: filed by the payer's deadline (default Medicare, 12 months).

    Professional claims count from each line's "from" date of service (Medicare Claims
    Processing Manual, Pub. 100-04, chapter 1, section 70). An error once the deadline
    has passed, a warning when fewer than the limit's ``warn_days`` remain.
    """
    if claim.coverage is None:
        return
    limit = context.filing_limit(claim.coverage.payer.id)
    for index, line in enumerate(claim.lines):
        deadline = limit.deadline(line.service_date)
        path = f"lines[{index}].service_date"
        if context.as_of > deadline:
            yield Finding(
                rule="timely-filing",
                severity=Severity.ERROR,
                path=path,
                message=f"the filing deadline for {line.service_date} was {deadline}",
                hint="appeal only with proof of timely filing; otherwise write off",
            )
        elif deadline.toordinal() - context.as_of.toordinal() < limit.warn_days:
            yield Finding(
                rule="timely-filing",
                severity=Severity.WARNING,
                path=path,
                message=f"the filing deadline for {line.service_date} is {deadline}",
                hint="submit now",
            )
