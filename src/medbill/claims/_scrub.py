"""Scrubbing: clean-claim checks run before a claim is submitted.

A rule is any callable ``rule(claim, context) -> Iterable[Finding]``. :func:`scrub` runs the
built-in rules (:data:`DEFAULT_RULES`) and any ``extra_rules`` the caller adds: a
payer-specific rule is an ordinary function in the caller's code, medbill needs no change.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

import attrs
import pendulum

from medbill._common import PayerId
from medbill._deprecation import renamed_parameters
from medbill._encounter import Claim
from medbill._enums import MedbillEnum
from medbill._errors import ValidationError
from medbill._validation import as_date
from medbill.claims._code_sets import CodeSets
from medbill.claims._holidays import next_business_day
from medbill.claims._ncci import NcciEdits
from medbill.codes import Icd10CodeSet

if TYPE_CHECKING:
    from medbill.claims._payer_rules import PayerRules

__all__ = [
    "Finding",
    "Rule",
    "ScrubContext",
    "Severity",
    "TimelyFilingLimit",
    "scrub",
]


class Severity(MedbillEnum):
    """How serious a finding is: an error blocks submission, a warning does not.

    >>> from medbill.claims import Severity
    >>> Severity.ERROR.blocks_submission, Severity.WARNING.blocks_submission
    (True, False)
    """

    ERROR = "error"
    WARNING = "warning"

    @property
    def blocks_submission(self) -> bool:
        """Whether a finding of this severity stops the claim from being submitted."""
        return self is Severity.ERROR


@attrs.frozen(kw_only=True)
class Finding:
    """One problem a scrubbing rule found: rule code, severity, field path, message, fix hint.

    >>> from medbill.claims import Finding, Severity
    >>> finding = Finding(rule="conflicting-modifiers", severity=Severity.ERROR,
    ...                   path="lines[0].modifiers", message="26 and TC on one line",
    ...                   hint="bill the global service")
    >>> print(finding)
    error conflicting-modifiers at lines[0].modifiers: 26 and TC on one line (fix: bill the ...)
    >>> finding.blocks_submission
    True
    """

    rule: str
    severity: Severity
    path: str
    message: str
    hint: str = ""

    @property
    def blocks_submission(self) -> bool:
        """Whether this finding stops submission (its severity is an error)."""
        return self.severity.blocks_submission

    def __str__(self) -> str:
        hint = f" (fix: {self.hint})" if self.hint else ""
        return f"{self.severity.value} {self.rule} at {self.path}: {self.message}{hint}"


@attrs.frozen(kw_only=True)
class TimelyFilingLimit:
    """How long after the date of service a payer accepts a claim.

    The default is Medicare's: 12 months, that is one calendar year, after the date of
    service (42 CFR 424.44(a)(1); Medicare Claims Processing Manual, Pub. 100-04,
    chapter 1, section 70). A deadline on a weekend or federal holiday moves to the next
    business day. When fewer than ``warn_days`` days remain, scrubbing warns.

    >>> from medbill.claims import TimelyFilingLimit
    >>> TimelyFilingLimit(months=0, days=90).deadline(pendulum.date(2025, 3, 4))
    Date(2025, 6, 2)
    >>> TimelyFilingLimit().deadline(pendulum.date(2025, 1, 18))  # 2026-01-18 is a Sunday
    Date(2026, 1, 20)
    """

    months: int = 12
    days: int = 0
    warn_days: int = 30
    _deadlines: dict[pendulum.Date, pendulum.Date] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        for name in ("months", "days", "warn_days"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValidationError(name, value, "must be a whole number, not negative")

    @renamed_parameters("TimelyFilingLimit.deadline", date_of_service="service_date")
    def deadline(self, service_date: pendulum.Date) -> pendulum.Date:
        """The last day a claim for ``service_date`` may be filed."""
        found = self._deadlines.get(service_date)
        if found is None:
            found = next_business_day(service_date.add(months=self.months, days=self.days))
            self._deadlines[service_date] = found
        return found


_MEDICARE_FILING_LIMIT = TimelyFilingLimit()  # shared, so its deadlines are computed once


def _to_limits(
    value: Mapping[PayerId, TimelyFilingLimit] | None,
) -> Mapping[PayerId, TimelyFilingLimit]:
    return dict(value or {})


@attrs.frozen(kw_only=True)
class ScrubContext:
    """What the rules may consult besides the claim: the day, code tables, payer limits.

    ``ncci`` is an :class:`~medbill.claims.NcciEdits` (``None`` skips the NCCI rules);
    ``icd10`` an optional code set to check that diagnoses are billable; ``code_sets``
    the :class:`~medbill.claims.CodeSets` the date-of-service rules use; ``filing_limits``
    the timely-filing limit per payer id (others get ``default_filing_limit``);
    ``payer_rules`` the payer's own rules (:class:`~medbill.claims.PayerRules`) and
    ``history`` the patient's earlier claims (for global surgery periods).
    :func:`scrub` builds it and passes it to every rule.

    >>> from medbill.claims import ScrubContext, TimelyFilingLimit
    >>> context = ScrubContext(as_of=pendulum.date(2025, 3, 10),
    ...                        filing_limits={"acme": TimelyFilingLimit(months=0, days=90)})
    >>> context.filing_limit("acme").days, context.filing_limit("other").months
    (90, 12)
    """

    as_of: pendulum.Date
    ncci: NcciEdits | None = None
    icd10: Icd10CodeSet | None = None
    filing_limits: Mapping[PayerId, TimelyFilingLimit] = attrs.field(
        factory=dict, converter=_to_limits
    )
    default_filing_limit: TimelyFilingLimit = attrs.field(factory=lambda: _MEDICARE_FILING_LIMIT)
    code_sets: CodeSets | None = None
    payer_rules: PayerRules | None = None
    history: Sequence[Claim] = ()

    def filing_limit(self, payer_id: PayerId) -> TimelyFilingLimit:
        """The timely-filing limit for ``payer_id``."""
        rules = self.payer_rules
        if rules is not None and rules.filing_limit is not None and rules.payer_id == payer_id:
            return rules.filing_limit
        return self.filing_limits.get(payer_id, self.default_filing_limit)


class Rule(Protocol):
    """A scrubbing rule: any callable ``rule(claim, context)`` yielding :class:`Finding`.

    >>> from medbill.claims import Finding, Rule, Severity
    >>> def no_lab_only_claims(claim, context):
    ...     if all(str(line.procedure).startswith("8") for line in claim.lines):
    ...         yield Finding(rule="lab-only", severity=Severity.WARNING, path="lines",
    ...                       message="only lab services", hint="bill the lab's payer")
    >>> rule: Rule = no_lab_only_claims
    """

    def __call__(self, claim: Claim, context: ScrubContext, /) -> Iterable[Finding]:
        """The findings for ``claim``."""


_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1}


def scrub(
    claim: Claim,
    *,
    as_of: datetime.date,
    ncci: NcciEdits | None = None,
    icd10: Icd10CodeSet | None = None,
    filing_limits: Mapping[PayerId, TimelyFilingLimit] | None = None,
    rules: Sequence[Rule] | None = None,
    extra_rules: Sequence[Rule] = (),
    code_sets: CodeSets | None = None,
    payer_rules: Mapping[PayerId, PayerRules] | Sequence[PayerRules] | None = None,
    history: Sequence[Claim] = (),
) -> list[Finding]:
    """Run the clean-claim rules on ``claim`` as of ``as_of``; errors first, then warnings.

    ``rules`` replaces the built-in rules (:data:`~medbill.claims.DEFAULT_RULES`);
    ``extra_rules`` adds to them. ``code_sets`` turns on the date-of-service code rules;
    ``payer_rules`` (by payer id, or a list) adds the rules of the claim's payer and drops
    the built-in rules that payer relaxes; ``history`` holds the patient's earlier claims.

    >>> from medbill.claims import Finding, Severity, scrub
    >>> from medbill.testing import make_claim, make_claim_line
    >>> scrub(make_claim(), as_of=pendulum.date(2025, 3, 10))
    []
    >>> claim = make_claim(lines=[make_claim_line(procedure="71046", modifiers=["26", "TC"])])
    >>> for finding in scrub(claim, as_of=pendulum.date(2025, 3, 10)):
    ...     print(finding)
    error conflicting-modifiers at lines[0].modifiers: 26 and TC on one line (fix: ...)
    >>> def needs_prior_auth(claim, context):
    ...     if claim.prior_authorization is None:
    ...         yield Finding(rule="acme-auth", severity=Severity.WARNING,
    ...                       path="prior_authorization", hint="call Acme",
    ...                       message="Acme wants an authorization number")
    >>> [f.rule for f in scrub(claim, as_of=pendulum.date(2025, 3, 10), rules=[needs_prior_auth])]
    ['acme-auth']
    """
    from medbill.claims._rules import DEFAULT_RULES

    as_of = as_date(as_of, "as_of")  # a datetime.date is as good as a pendulum.Date
    payer = _payer_rules(claim, payer_rules)
    context = ScrubContext(
        as_of=as_of,
        ncci=ncci,
        icd10=icd10,
        filing_limits=filing_limits,
        code_sets=code_sets,
        payer_rules=payer,
        history=history,
    )
    found: list[Finding] = []
    for rule in (*(DEFAULT_RULES if rules is None else rules), *extra_rules):
        found.extend(rule(claim, context))
    if payer is not None and payer.relaxed:
        found = [f for f in found if f.rule not in payer.relaxed]
    if len(found) > 1:
        found.sort(key=_sort_key)
    return found


def _sort_key(finding: Finding) -> tuple[int, str, str]:
    return (_ORDER[finding.severity], finding.rule, finding.path)


def _payer_rules(
    claim: Claim, given: Mapping[PayerId, PayerRules] | Sequence[PayerRules] | None
) -> PayerRules | None:
    if not given or claim.coverage is None:
        return None
    payer_id = claim.coverage.payer.id
    if isinstance(given, Mapping):
        return given.get(payer_id)
    return next((r for r in given if r.payer_id == payer_id), None)
