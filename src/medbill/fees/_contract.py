"""Payer contracts: terms that give the expected allowed amount of each claim line.

Precedence (the first term that prices a line wins; the lesser-of rule then applies):

1. **Carve-outs** (:class:`CarveOut`): services paid outside the main method (drugs,
   implants), at a fixed amount per unit or a percentage of the billed charge. Carve-outs
   are exempt from the lesser-of rule.
2. **Fixed rates** (:class:`FixedRate`): an amount per unit for a code or a code range;
   an exact code wins over a range, a narrower range over a wider one.
3. **Fee schedule** (:class:`FeeScheduleTerm`): a payer's flat schedule, optionally at a
   percentage of it.
4. **Percentage of Medicare** (:class:`PercentOfMedicare`): e.g. 140% of the Medicare
   physician fee schedule for a locality (and a fixed year if the contract names one),
   with Medicare's claim-level rules (multiple procedures) applied first.
5. **Percentage of billed charges** (:class:`PercentOfBilled`): the catch-all.

Then, when the contract says ``lesser_of_billed``, the expected allowed amount is the
lesser of the billed charge and the contracted amount.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import attrs
import pendulum

from medbill._common import Period
from medbill._deprecation import folded_modifier, renamed_fields, renamed_parameters
from medbill._encounter import Claim, ClaimLine
from medbill._errors import PricingError, ValidationError
from medbill._money import ZERO, as_money, as_rate, round_cents
from medbill._parties import Coverage
from medbill._trusted import trusted_positional
from medbill._validation import to_one_modifier_text
from medbill.fees._locality import Locality
from medbill.fees._priced import PricedClaim
from medbill.fees._rvu import MedicareFeeSchedule
from medbill.fees._schedule import FeeSchedule
from medbill.fees._trace import Trace, TraceStep

__all__ = [
    "CarveOut",
    "CodeRange",
    "Contract",
    "ContractPricing",
    "ExpectedLine",
    "FeeScheduleTerm",
    "FixedRate",
    "PercentOfBilled",
    "PercentOfMedicare",
]


def _code_text(value: object) -> str:
    text = str(value).strip().upper() if isinstance(value, str) else ""
    if len(text) != 5 or not text.isalnum():
        raise ValidationError("codes", value, "must be a 5-character procedure code")
    return text


@attrs.frozen
class CodeRange:
    """Procedure codes from ``first`` to ``last`` (both included, same shape).

    >>> CodeRange.parse("80000-89999").contains("85025")
    True
    >>> CodeRange.parse("99213").contains("99214")
    False
    """

    first: str = attrs.field(converter=_code_text)
    last: str = attrs.field(converter=_code_text)

    def __attrs_post_init__(self) -> None:
        if self.last < self.first:
            raise ValidationError(
                "codes", f"{self.first}-{self.last}", "range ends before it starts"
            )

    @classmethod
    def parse(cls, text: str) -> CodeRange:
        """``"99213"`` (one code) or ``"80000-89999"`` (a range)."""
        if not isinstance(text, str):
            raise ValidationError("codes", text, "must be a code or a range such as 80000-89999")
        first, _, last = text.partition("-")
        return cls(first, last or first)

    def contains(self, code: str) -> bool:
        """Whether ``code`` is in the range (same shape: digits with digits, letter first)."""
        code = str(code)
        return (
            self.first <= code <= self.last
            and code[0].isdigit() == self.first[0].isdigit()
            and code[-1].isdigit() == self.first[-1].isdigit()
        )

    @property
    def width(self) -> int:
        """How many codes the range spans (an exact code is 1)."""
        if self.first == self.last:
            return 1
        if self.first.isdigit() and self.last.isdigit():
            return int(self.last) - int(self.first) + 1
        return 10**6

    def __str__(self) -> str:
        return self.first if self.first == self.last else f"{self.first}-{self.last}"


def _ranges(values: Sequence[str | CodeRange]) -> tuple[CodeRange, ...]:
    if isinstance(values, str):
        values = [values]
    if isinstance(values, bytes) or not isinstance(values, Iterable):
        raise ValidationError("codes", values, "must be a list of codes or ranges")
    values = list(values)
    for value in values:
        if not isinstance(value, str | CodeRange):
            raise ValidationError("codes", value, 'must be a code or range such as "99213"')
    ranges = tuple(v if isinstance(v, CodeRange) else CodeRange.parse(v) for v in values)
    if not ranges:
        raise ValidationError("codes", list(values), "needs at least one code or range")
    return ranges


def _match(ranges: Sequence[CodeRange], code: str) -> CodeRange | None:
    hits = [r for r in ranges if r.contains(code)]
    return min(hits, key=lambda r: r.width) if hits else None


def _rate(value: object) -> Decimal:
    rate = as_rate(value, "rate")
    if rate < 0:
        raise ValidationError("rate", value, "must not be negative")
    return rate


def _money(value: object) -> Decimal:
    return as_money(value, "amount", signed=False)


def _optional_money(value: object) -> Decimal | None:
    return None if value is None else _money(value)


def _optional_rate(value: object) -> Decimal | None:
    return None if value is None else _rate(value)


@renamed_fields(percent_of_billed="billed_rate")
@attrs.frozen(kw_only=True)
class CarveOut:
    """Codes paid outside the main method: ``amount`` per unit or ``billed_rate``.

    >>> CarveOut(codes=["J0000-J9999"], billed_rate="0.60").billed_rate
    Decimal('0.60')
    """

    codes: tuple[CodeRange, ...] = attrs.field(converter=_ranges)
    amount: Decimal | None = attrs.field(default=None, converter=_optional_money)
    billed_rate: Decimal | None = attrs.field(default=None, converter=_optional_rate)

    def __attrs_post_init__(self) -> None:
        if (self.amount is None) == (self.billed_rate is None):
            raise ValidationError(
                "carve_out",
                [str(c) for c in self.codes],
                "needs exactly one of amount or billed_rate",
            )


@folded_modifier
@attrs.frozen(kw_only=True)
class FixedRate:
    """A contracted amount per unit for codes or code ranges (optionally one modifier).

    ``modifiers`` is a list of at most one modifier: the rate then prices only lines that
    carry it. ``modifier=`` (one string) is deprecated since 0.2.0; ``modifier`` reads the
    one modifier, or ``None``.

    >>> FixedRate(codes=["99213"], amount="95.00").amount
    Decimal('95.00')
    >>> FixedRate(codes=["97110"], amount="29.99", modifiers=["59"]).modifier
    '59'
    """

    codes: tuple[CodeRange, ...] = attrs.field(converter=_ranges)
    amount: Decimal = attrs.field(converter=_money)
    modifiers: tuple[str, ...] = attrs.field(default=(), converter=to_one_modifier_text)
    modifier: str | None = attrs.field(init=False, eq=False, repr=False)
    """The rate's one modifier (``modifiers[0]``), or ``None``."""

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "modifier", self.modifiers[0] if self.modifiers else None)


@renamed_fields(percent="rate")
@attrs.frozen(kw_only=True)
class FeeScheduleTerm:
    """The payer's flat :class:`FeeSchedule`, at ``rate`` of it (default 100%).

    >>> import pendulum
    >>> from medbill.fees import FeeEntry, FeeSchedule
    >>> payer_fees = FeeSchedule([FeeEntry(code="99213", amount="88.00",
    ...                                    valid_from=pendulum.date(2025, 1, 1))])
    >>> FeeScheduleTerm(schedule=payer_fees, rate="0.95").rate
    Decimal('0.95')
    """

    schedule: FeeSchedule
    rate: Decimal = attrs.field(default=Decimal(1), converter=_rate)


@renamed_fields(percent="rate")
@attrs.frozen(kw_only=True)
class PercentOfMedicare:
    """``rate`` (a fraction: ``"1.40"`` is 140 %) of the Medicare fee schedule amount
    in ``locality``; ``year`` prices every service as if rendered on the same day of that
    year with that year's release (e.g. "140% of 2024 Medicare"; a schedule without a
    release for that day is a :class:`~medbill.PricingError`, never another year's
    rates); ``None`` uses the date of service. ``lesser_of_charge`` (default ``False``:
    contracts usually pay a percentage of the fee schedule amount itself) applies
    Medicare's lesser of the charge and the fee schedule amount before the percentage;
    the contract's own ``lesser_of_billed`` applies after it either way.

    >>> from medbill.fees import Locality, MedicareFeeSchedule
    >>> term = PercentOfMedicare(schedule=MedicareFeeSchedule.demo(), rate="1.40",
    ...                          locality=Locality.parse("10112-00"), year=2024)
    >>> term.rate, term.year
    (Decimal('1.40'), 2024)
    """

    schedule: MedicareFeeSchedule = attrs.field()
    rate: Decimal = attrs.field(converter=_rate)
    locality: Locality = attrs.field()
    year: int | None = None
    lesser_of_charge: bool = False

    @schedule.validator
    def _schedule_type(self, _: attrs.Attribute[MedicareFeeSchedule], value: object) -> None:
        if not isinstance(value, MedicareFeeSchedule):
            raise ValidationError("schedule", value, "must be a MedicareFeeSchedule")

    @locality.validator
    def _locality_type(self, _: attrs.Attribute[Locality], value: object) -> None:
        if not isinstance(value, Locality):
            raise ValidationError("locality", value, "must be a Locality")

    def __attrs_post_init__(self) -> None:
        year = self.year
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            raise ValidationError("year", year, "must be a calendar year such as 2024")
        if not isinstance(self.lesser_of_charge, bool):
            raise ValidationError("lesser_of_charge", self.lesser_of_charge, "must be a bool")


@renamed_fields(percent="rate")
@attrs.frozen(kw_only=True)
class PercentOfBilled:
    """``rate`` (a fraction: ``"0.50"`` is 50 %) of the billed charge: the catch-all term.

    >>> PercentOfBilled(rate="0.5").rate
    Decimal('0.5')
    """

    rate: Decimal = attrs.field(converter=_rate)


Term = CarveOut | FixedRate | FeeScheduleTerm | PercentOfMedicare | PercentOfBilled
"""Any contract term (exported as ``medbill.fees.ContractTerm``)."""


@attrs.frozen(kw_only=True)
class ExpectedLine:
    """The expected allowed amount of one claim line and the term that produced it.

    ``allowed`` is the amount; ``term`` names the term that applied (``"fixed rate
    99213"``, ``"140% of Medicare"``, ``"carve-out J0000-J9999"``, ``"50% of billed"``,
    ``"fee schedule <name>"``, with ``", lesser of billed"`` appended when the billed
    charge was lower); ``trace`` explains every step.

    >>> from decimal import Decimal
    >>> line = ExpectedLine(line_id="1", code="99213", billed=Decimal("150.00"),
    ...     allowed=Decimal("95.00"), term="fixed rate 99213", trace=Trace())
    >>> line.explain().splitlines()[0]
    'line 1 99213: expected allowed 95.00 (fixed rate 99213)'
    """

    line_id: str
    code: str
    billed: Decimal
    allowed: Decimal
    term: str
    trace: Trace

    def explain(self) -> str:
        """The line, its amount and the trace, as text."""
        head = f"line {self.line_id} {self.code}: expected allowed {self.allowed} ({self.term})"
        return f"{head}\n{self.trace}"


# ExpectedLine(line_id=..., ...) without the constructor's per-field cost, for the lines
# the contract prices itself (every value is already checked: see medbill._trusted)
_EXPECTED_LINE: Final = trusted_positional(
    ExpectedLine, "line_id", "code", "billed", "allowed", "term", "trace"
)


@attrs.frozen(kw_only=True)
class ContractPricing:
    """Expected allowed amounts of a claim under a contract, line by line.

    >>> from decimal import Decimal
    >>> pricing = ContractPricing(claim_id="c-1", contract="Acme PPO", lines=(
    ...     ExpectedLine(line_id="1", code="99213", billed=Decimal("150.00"),
    ...                  allowed=Decimal("95.00"), term="fixed rate 99213", trace=Trace()),))
    >>> pricing.total, pricing.line("1").term
    (Decimal('95.00'), 'fixed rate 99213')
    """

    claim_id: str
    contract: str
    lines: tuple[ExpectedLine, ...]

    @property
    def total(self) -> Decimal:
        """Sum of the lines' expected allowed amounts."""
        return sum((line.allowed for line in self.lines), ZERO)

    def line(self, line_id: str) -> ExpectedLine:
        """The expected line with ``line_id``."""
        for candidate in self.lines:
            if candidate.line_id == line_id:
                return candidate
        raise ValidationError("line_id", line_id, "no such line")


def _terms(values: Iterable[Term]) -> tuple[Term, ...]:
    return tuple(values)


_MEMO_LIMIT: Final = 100_000
_ONE: Final = Decimal(1)


@attrs.frozen
class _Rule:
    """How a carve-out, a fixed rate or the catch-all prices a line of one code,
    modifiers and units: a fixed ``amount`` (its steps written) or a ``percent`` of the
    billed charge (its step written from ``words`` with the charge)."""

    term: str
    exempt: bool  # from the lesser-of rule (carve-outs)
    amount: Decimal | None
    percent: Decimal | None
    steps: tuple[TraceStep, ...]
    rule: str
    words: str
    _traces: dict[int, Trace] = attrs.field(factory=dict, eq=False, repr=False)

    def trace(self, head: TraceStep) -> Trace:
        """The trace of a fixed amount under the contract ``head`` (shared)."""
        found = self._traces.get(id(head))
        if found is None:
            found = self._traces[id(head)] = Trace((head, *self.steps))
        return found


def _rule_steps(rule: _Rule, billed: Decimal, amount: Decimal) -> tuple[TraceStep, ...]:
    if rule.amount is not None:
        return rule.steps
    return (TraceStep(rule.rule, rule.words.format(billed), amount),)


def _rule_words(
    head: TraceStep, rule: _Rule, billed: Decimal, amount: Decimal, lesser: bool
) -> tuple[TraceStep, ...]:
    """The trace of a line a rule priced at ``amount``, then the lesser of billed."""
    steps = (head, *_rule_steps(rule, billed, amount))
    if lesser:
        why = f"billed {billed} < contracted {amount}"
        steps = (*steps, TraceStep("lesser of billed", why, billed))
    return steps


def _same_day(day: pendulum.Date, year: int) -> pendulum.Date:
    if day.month == 2 and day.day == 29:
        return pendulum.date(year, 2, 28)
    return pendulum.date(year, day.month, day.day)


@attrs.frozen(kw_only=True)
class Contract:
    """A payer's contract (optionally for one plan), effective-dated, made of terms.

    See the module documentation for the precedence of terms.

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill import Period
    >>> from medbill.fees import Contract, FixedRate, PercentOfBilled
    >>> contract = Contract(
    ...     payer_id="aetna", name="Aetna PPO 2025",
    ...     effective=Period(pendulum.date(2025, 1, 1), pendulum.date(2025, 12, 31)),
    ...     terms=[FixedRate(codes=["99213"], amount="95.00"),
    ...            PercentOfBilled(rate="0.50")],
    ...     lesser_of_billed=True)
    >>> line = contract.expected_line(code="99213", billed=Decimal("80.00"),
    ...     service_date=pendulum.date(2025, 3, 4))
    >>> line.allowed, line.term
    (Decimal('80.00'), 'fixed rate 99213, lesser of billed')
    """

    payer_id: str
    name: str
    effective: Period
    terms: tuple[Term, ...] = attrs.field(converter=_terms)
    plan: str | None = None
    lesser_of_billed: bool = False
    _by_kind: dict[type[Any], tuple[Any, ...]] = attrs.field(
        init=False, repr=False, eq=False, factory=dict
    )
    # fixed-rate results by (code, modifiers, units): terms are immutable, so a rate
    # looked up once is the rate for good (the contract's hot path in the payment check)
    _fixed_memo: dict[tuple[Any, ...], Any] = attrs.field(
        init=False, repr=False, eq=False, factory=dict
    )

    def __attrs_post_init__(self) -> None:
        for field in ("payer_id", "name"):
            value = getattr(self, field)
            if not isinstance(value, str) or not value.strip():
                raise ValidationError(field, value, "must be a non-empty string")
        if not isinstance(self.effective, Period):
            raise ValidationError("effective", self.effective, "must be a Period")
        if not self.terms:
            raise ValidationError("terms", [], "a contract needs at least one term")
        for index, term in enumerate(self.terms):
            if not isinstance(term, Term):
                raise ValidationError(f"terms[{index}]", term, "is not a contract term")
        for kind in (CarveOut, FixedRate, FeeScheduleTerm, PercentOfMedicare, PercentOfBilled):
            self._by_kind[kind] = tuple(t for t in self.terms if isinstance(t, kind))

    @renamed_parameters("Contract.applies_to", date_of_service="service_date")
    def applies_to(self, coverage: Coverage, service_date: pendulum.Date) -> bool:
        """Whether the contract governs a service for ``coverage`` on ``service_date``:
        same payer, same plan (when the contract names one), in force on that date."""
        return (
            coverage.payer.id == self.payer_id
            and (self.plan is None or coverage.plan_name == self.plan)
            and self.effective.contains(service_date)
        )

    def _of(self, kind: type[Any]) -> tuple[Any, ...]:
        return self._by_kind[kind]

    def _head(self) -> TraceStep:
        head = self._fixed_memo.get(("head",))
        if head is None:
            head = self._fixed_memo[("head",)] = TraceStep(
                "contract", f"{self.name} ({self.payer_id})"
            )
        return head

    def _rule(
        self, code: str, mods: tuple[str, ...], units: Decimal, *, catch_all: bool
    ) -> _Rule | None:
        """The term that prices a line whatever its billed charge and date: a carve-out or
        a fixed rate (and, with ``catch_all``, the percentage of billed when the contract
        has no date-dependent term). Kept by code, modifiers and units (terms are
        immutable): the contract's hot path in the payment check."""
        key = (code, mods, units, catch_all)
        memo = self._fixed_memo
        if key in memo:
            return memo[key]  # type: ignore[no-any-return]
        found: _Rule | None = None
        for carve in self._of(CarveOut):
            hit = _match(carve.codes, code)
            if hit is not None:
                if carve.amount is not None:
                    amount = round_cents(carve.amount * units)
                    why = f"{hit}: {carve.amount} x {units} units"
                    step = TraceStep("carve-out", why, amount)
                    found = _Rule(f"carve-out {hit}", True, amount, None, (step,), "", "")
                else:
                    pct = carve.billed_rate
                    found = _Rule(f"carve-out {hit}", True, None, pct, (), "carve-out",
                                  f"{hit}: {pct:%} of billed {{}}")  # fmt: skip
                break
        if found is None:
            best: tuple[int, FixedRate, CodeRange] | None = None
            for rate in self._of(FixedRate):
                if rate.modifier is not None and rate.modifier.upper() not in mods:
                    continue
                hit = _match(rate.codes, code)
                if hit is not None and (best is None or hit.width < best[0]):
                    best = (hit.width, rate, hit)
            if best is not None:
                _, rate, hit = best
                amount = round_cents(rate.amount * units)
                mod = f"-{rate.modifier}" if rate.modifier else ""
                why = f"{hit}{mod}: {rate.amount} x {units} units"
                step = TraceStep("fixed rate", why, amount)
                found = _Rule(f"fixed rate {hit}{mod}", False, amount, None, (step,), "", "")
        if found is None and catch_all and not self._dated():
            for term in self._of(PercentOfBilled):
                pct = term.rate
                found = _Rule(f"{pct:%} of billed", False, None, pct, (), "percent of billed",
                              f"{pct:%} of {{}}")  # fmt: skip
                break
        if len(memo) < _MEMO_LIMIT:
            memo[key] = found
        return found

    def _dated(self) -> bool:
        """Whether a term's answer depends on the date of service (a fee schedule or
        Medicare term)."""
        return bool(self._of(FeeScheduleTerm) or self._of(PercentOfMedicare))

    @classmethod
    def from_toml(
        cls,
        path: str | Path,
        *,
        schedules: Mapping[str, FeeSchedule | MedicareFeeSchedule] | None = None,
    ) -> Contract:
        """Load a contract file (layout in the Pricing guide); ``schedules`` resolves the
        schedule names the file mentions. Errors name the file, line and key."""
        from medbill.fees._contract_toml import load_contract

        return load_contract(Path(path), schedules or {})

    @renamed_parameters("Contract.expected_line", date_of_service="service_date")
    def expected_line(
        self,
        *,
        code: str,
        billed: Decimal,
        service_date: pendulum.Date,
        modifiers: Sequence[str] = (),
        units: Decimal = Decimal(1),
        line_id: str = "1",
        place_of_service: str = "11",
    ) -> ExpectedLine:
        """The expected allowed amount of one service (see :meth:`expected_allowed`)."""
        billed = as_money(billed, "billed", signed=False)  # never a float, never negative
        units = as_rate(units, "units")
        return self._expected(
            code, billed, service_date, modifiers, units, line_id, {}, place_of_service
        )

    def _expected(
        self,
        code: str,
        billed: Decimal,
        service_date: pendulum.Date,
        modifiers: Sequence[str],
        units: Decimal,
        line_id: str,
        medicare: Mapping[int, PricedClaim],
        place_of_service: str,
    ) -> ExpectedLine:
        if not self.effective.contains(service_date):
            raise PricingError(
                "service_date",
                str(service_date),
                f"contract {self.name!r} is not in force on that date",
            )
        code = str(code).upper()
        mods = tuple(str(m).upper() for m in modifiers) if modifiers else ()
        rule = self._rule(code, mods, units, catch_all=True)
        if rule is not None:
            return self._ruled(rule, line_id, code, billed)
        found = self._price(
            code, mods, billed, units, service_date, line_id, medicare, place_of_service
        )
        if found is None:
            raise PricingError(
                "code", code, f"no term of contract {self.name!r} prices line {line_id}"
            )
        amount, term, steps, exempt = found
        head = self._head()
        tail: tuple[TraceStep, ...] = ()
        if self.lesser_of_billed and not exempt and billed < amount:
            why = f"billed {billed} < contracted {amount}"
            tail = (TraceStep("lesser of billed", why, billed),)
            amount = billed
            term += ", lesser of billed"
        if callable(steps):  # a Medicare trace: its words are written when read
            words = steps
            trace = Trace._lazy(lambda: (head, *words(), *tail))
        else:
            trace = Trace((head, *steps, *tail))
        return ExpectedLine(
            line_id=line_id, code=code, billed=billed, allowed=amount, term=term, trace=trace
        )

    def _ruled(self, rule: _Rule, line_id: str, code: str, billed: Decimal) -> ExpectedLine:
        """The expected line of a line a :class:`_Rule` prices (amounts now, words when
        the trace is read)."""
        amount = rule.amount
        if amount is None:  # a percentage of the billed charge
            amount = round_cents(billed * rule.percent)  # type: ignore[operator]
        term = rule.term
        lesser = self.lesser_of_billed and not rule.exempt and billed < amount
        if lesser:
            contracted, amount = amount, billed
            term += ", lesser of billed"
            words = functools.partial(_rule_words, self._head(), rule, billed, contracted, True)
            trace = Trace._lazy(words)
        elif rule.amount is not None:
            trace = rule.trace(self._head())
        else:
            trace = Trace._lazy(
                functools.partial(_rule_words, self._head(), rule, billed, amount, False)
            )
        return _EXPECTED_LINE(line_id, code, billed, amount, term, trace)

    def _price(
        self,
        code: str,
        mods: tuple[str, ...],
        billed: Decimal,
        units: Decimal,
        day: pendulum.Date,
        line_id: str,
        medicare: Mapping[int, PricedClaim],
        place_of_service: str,
    ) -> (
        tuple[Decimal, str, tuple[TraceStep, ...] | Callable[[], tuple[TraceStep, ...]], bool]
        | None
    ):
        # carve-outs and fixed rates come first (the precedence of the module docs); the
        # expected-line paths ask _rule for them before they get here
        rule = self._rule(code, mods, units, catch_all=False)
        if rule is not None:
            amount = rule.amount
            if amount is None:
                amount = round_cents(billed * rule.percent)  # type: ignore[operator]
            return amount, rule.term, tuple(_rule_steps(rule, billed, amount)), rule.exempt
        for term in self._of(FeeScheduleTerm):
            first = mods[:1]  # a fee schedule term prices by the first modifier only
            if not term.schedule.has(code, service_date=day, modifiers=first):
                continue
            fee = term.schedule.amount(code, service_date=day, modifiers=first)
            amount = round_cents(fee * units * term.rate)
            step = TraceStep(
                "fee schedule",
                f"{term.schedule.name} {code}: {fee} x {units} units x {term.rate:%}",
                amount,
            )
            return amount, f"fee schedule {term.schedule.name}", (step,), False
        for term in self._of(PercentOfMedicare):
            found = self._medicare(
                term,
                code,
                mods,
                units,
                billed,
                day,
                line_id,
                medicare.get(id(term)),
                place_of_service,
            )
            if found is None:
                continue
            base, medicare_trace = found
            amount = round_cents(base * term.rate)
            year = f" {term.year}" if term.year else ""

            def words(
                medicare_trace: Trace = medicare_trace,
                term: PercentOfMedicare = term,
                base: Decimal = base,
                amount: Decimal = amount,
                year: str = year,
            ) -> tuple[TraceStep, ...]:
                return (
                    *medicare_trace.steps,
                    TraceStep("Medicare" + year, f"fee schedule amount in {term.locality}", base),
                    TraceStep("percent of Medicare", f"{term.rate:%} of {base}", amount),
                )

            return amount, f"{term.rate:%} of Medicare{year}", words, False
        for term in self._of(PercentOfBilled):
            amount = round_cents(billed * term.rate)
            step = TraceStep("percent of billed", f"{term.rate:%} of {billed}", amount)
            return amount, f"{term.rate:%} of billed", (step,), False
        return None

    @staticmethod
    def _medicare(
        term: PercentOfMedicare,
        code: str,
        mods: tuple[str, ...],
        units: Decimal,
        billed: Decimal,
        day: pendulum.Date,
        line_id: str,
        medicare: PricedClaim | None,
        place_of_service: str,
    ) -> tuple[Decimal, Trace] | None:
        if medicare is not None:
            priced = next((p for p in medicare.lines if p.line_id == line_id), None)
            if priced is None or not priced.payable:
                return None
            return priced.allowed, priced.trace
        when = _same_day(day, term.year) if term.year else day
        term.schedule.release(when)  # a year not loaded fails: never another year's rates
        try:
            priced_line = term.schedule.price_line(
                code,
                locality=term.locality,
                place_of_service=place_of_service,
                service_date=when,
                modifiers=mods,
                units=units,
                charge=billed if term.lesser_of_charge else None,
            )
        except PricingError:
            return None
        return (priced_line.allowed, priced_line.trace) if priced_line.payable else None

    def expected_allowed(self, claim: Claim) -> ContractPricing:
        """The expected allowed amount of every line of ``claim`` with the term applied.

        A percentage-of-Medicare term prices the whole claim with Medicare's claim-level
        rules first (place of service and provider from the claim; with a fixed ``year``,
        on the same days of that year). A line no term prices
        raises :class:`~medbill.PricingError` naming the line.
        """
        medicare: dict[int, PricedClaim] = {}
        for term in self._of(PercentOfMedicare):
            priced_as = claim
            if term.year is not None:  # the same days of the contract's Medicare year
                priced_as = attrs.evolve(
                    claim,
                    lines=[
                        attrs.evolve(
                            line,
                            service_date=_same_day(line.service_date, term.year),
                            service_period=None,
                        )
                        for line in claim.lines
                    ],
                )
            # if a line makes the whole claim unpriceable, each line is priced alone
            with contextlib.suppress(PricingError):
                medicare[id(term)] = term.schedule.price_claim(
                    priced_as, locality=term.locality, lesser_of_charge=term.lesser_of_charge
                )
        lines = []
        in_force: pendulum.Date | None = None  # the last date found in force
        for line in claim.lines:
            # the common case: a carve-out, a fixed rate or the catch-all (see _rule) on a
            # date the contract is in force (claim codes and modifiers are canonical)
            day = line.service_date
            if day == in_force or self.effective.contains(day):
                in_force = day
                code = str.__str__(line.procedure)
                units = line.units
                rule = self._rule(
                    code, line.modifiers, _ONE if units == _ONE else units, catch_all=True
                )
                if rule is not None:
                    lines.append(self._ruled(rule, line.line_id, code, line.charge))
                    continue
            try:
                pos = str(line.place_of_service or claim.place_of_service)
                lines.append(self._line(line, medicare, pos))
            except ValidationError as error:
                raise error.at(f"lines[{line.line_id}]") from None
        return ContractPricing(claim_id=claim.id, contract=self.name, lines=tuple(lines))

    def _line(
        self, line: ClaimLine, medicare: Mapping[int, PricedClaim], place_of_service: str
    ) -> ExpectedLine:
        return self._expected(
            line.procedure,
            line.charge,
            line.service_date,
            line.modifiers,
            line.units,
            line.line_id,
            medicare,
            place_of_service,
        )
