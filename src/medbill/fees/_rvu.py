"""The Medicare physician fee schedule: RVUs x GPCIs x conversion factor, with modifiers.

Payment amount (42 CFR 414.20 and 414.22; Medicare Claims Processing Manual, Pub. 100-04,
Chapter 12, s. 20):

    fee = (work RVU x work GPCI + PE RVU x PE GPCI + MP RVU x MP GPCI) x conversion factor

medbill's rounding convention: the fee is rounded half-up to the cent once; each
percentage adjustment (bilateral, multiple procedure, split care, co-surgery, assistant,
non-physician practitioner) is then applied to the rounded amount and rounded half-up
again; units multiply the final per-unit amount last.

The practice-expense RVU is the facility one where the place of service is a facility
setting (:attr:`medbill.codes.PlaceOfService.is_facility`, after Pub. 100-04 Ch. 12
s. 20.4.2); ``NA`` in the file's column for that setting means not payable there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pendulum

from medbill._encounter import Claim, ClaimLine
from medbill._errors import PricingError, ValidationError
from medbill._money import ZERO, round_cents
from medbill._parties import ProviderKind
from medbill.codes import Modifier, PlaceOfService
from medbill.fees._anesthesia import AnesthesiaSchedule
from medbill.fees._locality import Locality
from medbill.fees._modifiers import (
    COMPONENT_MODIFIERS,
    PAYABLE_STATUSES,
    PCTC_MEANINGS,
    STATUS_MEANINGS,
    Step,
    bilateral_factor,
    post_adjustments,
)
from medbill.fees._mppr import MPPR_GROUPS, Occurrence, apply_reductions, whole_units
from medbill.fees._priced import PricedClaim, PricedLine
from medbill.fees._rvu_row import (
    MEDICARE_CONVERSION_FACTORS,
    ConversionFactor,
    Gpci,
    RvuRow,
    read_gpci,
    read_pprrvu,
)
from medbill.fees._trace import Trace, TraceStep

__all__ = ["MedicareFeeSchedule"]

_COMPONENTS = COMPONENT_MODIFIERS
_MPPR_GROUP = MPPR_GROUPS
_ONE = Decimal(1)


class _Base:
    """A cached, GPCI-adjusted fee of one row in one locality, setting and factor."""

    __slots__ = ("fee", "pe", "steps")

    def __init__(self, fee: Decimal, pe: Decimal, steps: tuple[TraceStep, ...]) -> None:
        self.fee = fee
        self.pe = pe
        self.steps = steps


class _Work:
    """A line on its way through pricing (internal, mutable, one per line)."""

    __slots__ = (
        "base",
        "code",
        "date",
        "endo_fee",
        "facility",
        "factor",
        "line_id",
        "mods",
        "occurrences",
        "pc",
        "pos",
        "post",
        "pre_steps",
        "provider_kind",
        "reason",
        "row",
        "status",
        "tc",
        "unit_fee",
        "units",
    )
    base: _Base
    code: str
    endo_fee: Decimal | None
    date: pendulum.Date
    facility: bool
    factor: ConversionFactor
    line_id: str | None
    mods: tuple[str, ...]
    occurrences: list[Occurrence] | None
    pc: Decimal
    pos: PlaceOfService
    post: tuple[Step, ...]
    pre_steps: list[TraceStep]
    provider_kind: ProviderKind
    reason: str | None
    row: RvuRow
    status: str
    tc: Decimal
    unit_fee: Decimal
    units: Decimal

    def __init__(self) -> None:
        self.reason = None
        self.endo_fee = None
        self.occurrences = None
        self.pc = ZERO
        self.tc = ZERO


class MedicareFeeSchedule:
    """The Medicare physician fee schedule of one RVU file and one GPCI file.

    Build it with :meth:`from_cms_files` (the files as CMS publishes them) or from rows.
    Conversion factors are effective-dated; the date of service picks one (default:
    :data:`MEDICARE_CONVERSION_FACTORS`, CY2020 to CY2026).

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill.fees import Locality, MedicareFeeSchedule, RvuRow, Gpci
    >>> schedule = MedicareFeeSchedule.demo()
    >>> line = schedule.price_line("99213", locality=Locality.parse("13202-01"),
    ...     place_of_service="11", date_of_service=pendulum.date(2025, 3, 4))
    >>> line.allowed
    Decimal('101.06')
    >>> print(line.trace)
    RVU: 99213: work 1.30, PE (non-facility) 1.35, MP 0.10
    GPCI: 13202-01 MANHATTAN: work 1.065, PE 1.166, MP 1.656
    conversion factor: 32.3465 (CY2025)
    fee: (1.30 x 1.065 + 1.35 x 1.166 + 0.10 x 1.656) x 32.3465 = 101.0569... -> 101.06
    """

    __slots__ = ("_anesthesia", "_bases", "_factor_by_day", "_factors", "_gpcis", "_rows")

    def __init__(
        self,
        rows: Mapping[tuple[str, str], RvuRow],
        gpcis: Mapping[Locality, Gpci],
        *,
        conversion_factors: Sequence[ConversionFactor] = MEDICARE_CONVERSION_FACTORS,
        anesthesia: AnesthesiaSchedule | None = None,
    ) -> None:
        self._anesthesia = anesthesia
        self._rows = dict(rows)
        self._gpcis = dict(gpcis)
        self._factors = tuple(conversion_factors)
        if not self._factors:
            raise ValidationError("conversion_factors", (), "needs at least one factor")
        self._bases: dict[tuple[Any, ...], _Base] = {}
        self._factor_by_day: dict[tuple[pendulum.Date, bool], ConversionFactor] = {}

    @classmethod
    def from_cms_files(
        cls,
        rvu_path: str | Path,
        gpci_path: str | Path,
        *,
        conversion_factors: Sequence[ConversionFactor] = MEDICARE_CONVERSION_FACTORS,
        anesthesia: AnesthesiaSchedule | None = None,
    ) -> MedicareFeeSchedule:
        """Read the PPRRVU relative value file and the GPCI file as CMS publishes them.

        ``anesthesia`` prices anesthesia codes (which the RVU file does not hold) in
        :meth:`price_claim`, from the lines' minutes.
        """
        return cls(
            read_pprrvu(rvu_path),
            read_gpci(gpci_path),
            conversion_factors=conversion_factors,
            anesthesia=anesthesia,
        )

    @classmethod
    def demo(cls) -> MedicareFeeSchedule:
        """A tiny schedule with a few published CY2025 rows (RVUs only) for examples."""
        d = Decimal
        rows = [
            RvuRow(
                "99213",
                "",
                "A",
                d("1.30"),
                d("1.35"),
                False,
                d("0.57"),
                False,
                d("0.10"),
                "0",
                "XXX",
                d(0),
                d(0),
                d(0),
                "0",
                "0",
                "0",
                "0",
                "0",
                "",
                "99",
            ),
            RvuRow(
                "20610",
                "",
                "A",
                d("0.79"),
                d("1.04"),
                False,
                d("0.44"),
                False,
                d("0.13"),
                "0",
                "000",
                d(0),
                d(0),
                d(0),
                "2",
                "1",
                "1",
                "0",
                "0",
                "",
                "99",
            ),
            RvuRow(
                "71046",
                "",
                "A",
                d("0.22"),
                d("0.77"),
                False,
                d("0.77"),
                True,
                d("0.02"),
                "1",
                "XXX",
                d(0),
                d(0),
                d(0),
                "0",
                "0",
                "0",
                "0",
                "0",
                "",
                "99",
            ),
            RvuRow(
                "71046",
                "26",
                "A",
                d("0.22"),
                d("0.08"),
                False,
                d("0.08"),
                False,
                d("0.01"),
                "1",
                "XXX",
                d(0),
                d(0),
                d(0),
                "0",
                "0",
                "0",
                "0",
                "0",
                "",
                "99",
            ),
            RvuRow(
                "71046",
                "TC",
                "A",
                d("0"),
                d("0.69"),
                False,
                d("0.69"),
                True,
                d("0.01"),
                "1",
                "XXX",
                d(0),
                d(0),
                d(0),
                "0",
                "0",
                "0",
                "0",
                "0",
                "",
                "99",
            ),
        ]
        gpcis = {
            Locality("13202", "01"): Gpci(d("1.065"), d("1.166"), d("1.656"), "MANHATTAN", "NY"),
            Locality("10112", "00"): Gpci(d("1"), d("0.869"), d("0.575"), "ALABAMA", "AL"),
        }
        return cls({(r.code, r.modifier): r for r in rows}, gpcis)

    def __repr__(self) -> str:
        return f"MedicareFeeSchedule(rows={len(self._rows)}, localities={len(self._gpcis)})"

    @property
    def rows(self) -> tuple[RvuRow, ...]:
        """Every row of the relative value file, in file order."""
        return tuple(self._rows.values())

    @property
    def conversion_factors(self) -> tuple[ConversionFactor, ...]:
        """The effective-dated conversion factors, in the order given."""
        return self._factors

    @property
    def anesthesia(self) -> AnesthesiaSchedule | None:
        """The anesthesia schedule that prices anesthesia codes in :meth:`price_claim`."""
        return self._anesthesia

    @property
    def localities(self) -> tuple[Locality, ...]:
        """Every locality of the GPCI file, sorted."""
        return tuple(sorted(self._gpcis))

    def row(self, code: str, modifier: str = "") -> RvuRow:
        """The relative value file row of ``code`` (and a component modifier)."""
        found = self._rows.get((str(code).upper(), str(modifier).upper()))
        if found is None:
            raise PricingError(
                "code",
                str(code),
                f"not in the Medicare relative value file (modifier {modifier or 'none'})",
            )
        return found

    def gpci(self, locality: Locality) -> Gpci:
        """The GPCIs of ``locality``."""
        found = self._gpcis.get(locality)
        if found is None:
            raise PricingError("locality", str(locality), "not in the GPCI file")
        return found

    def conversion_factor(
        self, date_of_service: pendulum.Date, *, qualifying_apm: bool = False
    ) -> ConversionFactor:
        """The conversion factor in force on ``date_of_service``."""
        key = (date_of_service, qualifying_apm)
        cached = self._factor_by_day.get(key)
        if cached is not None:
            return cached
        for factor in self._factors:
            if factor.applies(date_of_service, qualifying_apm=qualifying_apm):
                self._factor_by_day[key] = factor
                return factor
        raise PricingError(
            "date_of_service", str(date_of_service), "no Medicare conversion factor in force"
        )

    # -- pricing ---------------------------------------------------------------------

    def _base(
        self, row: RvuRow, locality: Locality, facility: bool, factor: ConversionFactor
    ) -> _Base:
        key = (row.code, row.modifier, locality, facility, factor.amount)
        cached = self._bases.get(key)
        if cached is not None:
            return cached
        g = self.gpci(locality)
        pe = row.pe_facility if facility else row.pe_nonfacility
        cf = factor.amount
        exact = (row.work * g.work + pe * g.pe + row.mp * g.mp) * cf
        fee = round_cents(exact)
        setting = "facility" if facility else "non-facility"
        mod = f"-{row.modifier}" if row.modifier else ""
        steps = (
            TraceStep(
                "RVU",
                f"{row.code}{mod}: work {row.work:.2f}, PE ({setting}) {pe:.2f}, MP {row.mp:.2f}",
            ),
            TraceStep("GPCI", f"{locality} {g.name}: work {g.work}, PE {g.pe}, MP {g.mp}"),
            TraceStep("conversion factor", f"{cf} ({factor.label})"),
            TraceStep(
                "fee",
                f"({row.work:.2f} x {g.work} + {pe:.2f} x {g.pe} + "
                f"{row.mp:.2f} x {g.mp}) x {cf} = {exact:.4f}...",
                fee,
            ),
        )
        base = _Base(fee, round_cents(pe * g.pe * cf), steps)
        self._bases[key] = base
        return base

    def _prepare(
        self,
        code: str,
        *,
        locality: Locality,
        place_of_service: PlaceOfService,
        date_of_service: pendulum.Date,
        modifiers: Iterable[str],
        units: Decimal,
        provider_kind: ProviderKind,
        qualifying_apm: bool,
        line_id: str | None,
    ) -> _Work:
        work = _Work()
        work.code = code = str(code).upper()
        work.mods = mods = tuple(str(m) for m in modifiers)
        work.units = units
        work.date = date_of_service
        work.pos = place_of_service
        work.line_id = line_id
        work.provider_kind = provider_kind
        work.pre_steps = []
        work.post = ()
        mod_set = frozenset(mods)
        if "26" in mod_set and "TC" in mod_set:
            raise PricingError(
                "modifiers",
                f"{code}-26-TC",
                "26 (professional) and TC (technical) exclude each other",
            )
        component = next((m for m in _COMPONENTS if m in mod_set), "")
        row = self._rows.get((code, component))
        if row is None:
            plain = self.row(code)  # raises for an unknown code
            if component != "53":
                raise PricingError(
                    "modifiers",
                    f"{code}-{component}",
                    f"modifier {component} does not apply to {code}: PC/TC indicator "
                    f"{plain.pctc} ({PCTC_MEANINGS.get(plain.pctc, 'unknown')})",
                )
            row = plain
        work.row = row
        work.status = row.status
        if row.status not in PAYABLE_STATUSES:
            work.reason = f"status {row.status}: {STATUS_MEANINGS.get(row.status, 'unknown')}"
            return work
        work.facility = facility = place_of_service.is_facility
        if row.facility_na if facility else row.nonfacility_na:
            setting = "facility" if facility else "non-facility"
            work.reason = (
                f"PE RVU is NA in the {setting} setting (place of service {place_of_service})"
            )
            return work
        work.factor = factor = self.conversion_factor(
            date_of_service, qualifying_apm=qualifying_apm
        )
        work.base = base = self._base(row, locality, facility, factor)
        fee = base.fee
        if "50" in mod_set:
            pct, why = bilateral_factor(row, code)
            if pct != _ONE:
                why = f"{why}: {fee} x {pct} = {fee * pct}"
                fee = round_cents(fee * pct)
            work.pre_steps.append(TraceStep("modifier 50", why, fee))
        work.unit_fee = fee
        if row.mult_proc in ("4", "6", "7"):
            work.pc, work.tc = self._components(row, locality, facility, factor, fee)
        elif row.mult_proc == "3" and row.endo_base:
            base_row = self._rows.get((row.endo_base, ""))
            if base_row is not None:
                work.endo_fee = self._base(base_row, locality, facility, factor).fee
        work.post, work.reason = post_adjustments(row, code, mod_set, provider_kind)
        return work

    def _components(
        self,
        row: RvuRow,
        locality: Locality,
        facility: bool,
        factor: ConversionFactor,
        fee: Decimal,
    ) -> tuple[Decimal, Decimal]:
        if row.modifier == "26":
            return fee, ZERO
        if row.modifier == "TC":
            return ZERO, fee
        pc_row = self._rows.get((row.code, "26"))
        tc_row = self._rows.get((row.code, "TC"))
        if pc_row is None or tc_row is None:
            # A professional-only (2) or technical-only (3) code is all one component; a
            # global-test-only code (4) has no component rows, so no portion is reduced.
            return (fee if row.pctc == "2" else ZERO), (fee if row.pctc == "3" else ZERO)
        return (
            self._base(pc_row, locality, facility, factor).fee,
            self._base(tc_row, locality, facility, factor).fee,
        )

    def _finish(self, work: _Work, locality: Locality) -> PricedLine:
        mods = work.mods
        if work.reason is not None:
            return PricedLine(
                code=work.code,
                modifiers=mods,
                units=work.units,
                allowed=ZERO,
                unit_fee=ZERO,
                date_of_service=work.date,
                payable=False,
                status=work.status,
                reason=work.reason,
                place_of_service=work.pos,
                locality=locality,
                line_id=work.line_id,
                trace=Trace((TraceStep("not payable", work.reason),)),
            )
        steps = list(work.base.steps)
        steps.extend(work.pre_steps)
        post = work.post
        if work.occurrences is None:
            amount = work.unit_fee
            for rule, why, pct in post:
                exact = amount * pct
                why = f"{why}: {amount} x {pct} = {exact}"
                amount = round_cents(exact)
                steps.append(TraceStep(rule, why, amount))
            units = work.units
            allowed = amount
            if units != _ONE:
                allowed = round_cents(amount * units)
                steps.append(TraceStep("units", f"{amount} x {units}", allowed))
            unit_fee = amount
        else:
            allowed = ZERO
            unit_fee = work.unit_fee
            for number, occ in enumerate(work.occurrences, start=1):
                amount = occ.amount
                prefix = f"unit {number}: " if len(work.occurrences) > 1 else ""
                for rule, why, value in occ.steps:
                    steps.append(TraceStep(rule, prefix + why, value))
                for rule, why, pct in post:
                    exact = amount * pct
                    why = f"{prefix}{why}: {amount} x {pct} = {exact}"
                    amount = round_cents(exact)
                    steps.append(TraceStep(rule, why, amount))
                allowed += amount
            if len(work.occurrences) > 1:
                steps.append(TraceStep("units", f"sum of {len(work.occurrences)} units", allowed))
        return PricedLine(
            code=work.code,
            modifiers=mods,
            units=work.units,
            allowed=allowed,
            unit_fee=unit_fee,
            date_of_service=work.date,
            status=work.status,
            place_of_service=work.pos,
            locality=locality,
            line_id=work.line_id,
            trace=Trace(tuple(steps)),
        )

    def price_line(
        self,
        code: str,
        *,
        locality: Locality,
        place_of_service: PlaceOfService | str,
        date_of_service: pendulum.Date,
        modifiers: Iterable[str] = (),
        units: Decimal | int = 1,
        provider_kind: ProviderKind = ProviderKind.PHYSICIAN,
        qualifying_apm: bool = False,
    ) -> PricedLine:
        """Price one service on its own (no claim-level rules; see :meth:`price_claim`).

        >>> import pendulum
        >>> from medbill.fees import Locality, MedicareFeeSchedule
        >>> schedule = MedicareFeeSchedule.demo()
        >>> alabama = Locality.parse("10112-00")
        >>> line = schedule.price_line("20610", locality=alabama, place_of_service="11",
        ...     date_of_service=pendulum.date(2025, 5, 1), modifiers=["50"])
        >>> line.allowed, line.unit_fee
        (Decimal('85.82'), Decimal('85.82'))
        >>> schedule.price_line("71046", locality=alabama, place_of_service="21",
        ...     date_of_service=pendulum.date(2025, 5, 1)).reason
        'PE RVU is NA in the facility setting (place of service 21)'
        """
        units = _units(units)
        pos = PlaceOfService(place_of_service)
        mods = tuple(str(Modifier(m)) for m in modifiers)
        work = self._prepare(
            code,
            locality=locality,
            place_of_service=pos,
            date_of_service=date_of_service,
            modifiers=mods,
            units=units,
            provider_kind=provider_kind,
            qualifying_apm=qualifying_apm,
            line_id=None,
        )
        return self._finish(work, locality)

    def price_claim(
        self, claim: Claim, *, locality: Locality, qualifying_apm: bool = False
    ) -> PricedClaim:
        """Price every line of ``claim``, applying the claim-level rules among lines of the
        same date of service: multiple surgery, imaging and therapy reductions (see
        :mod:`medbill.fees._mppr`), and status T (injections paid only when no other
        fee-schedule service is paid that day).

        The place of service is the line's, else the claim's; the provider kind is the
        rendering provider's, else the billing provider's.
        """
        provider = claim.rendering_provider or claim.billing_provider
        kind = provider.kind
        works: list[_Work | PricedLine] = [
            _anesthesia_line(self._anesthesia, line, locality)
            if self._anesthesia is not None and self._anesthesia.has(line.procedure)
            else self._prepare_line(line, claim, locality, kind, qualifying_apm)
            for line in claim.lines
        ]
        by_date: dict[pendulum.Date, list[_Work]] = {}
        for work in works:
            if isinstance(work, _Work):
                by_date.setdefault(work.date, []).append(work)
        for same_day in by_date.values():
            if len(same_day) > 1 or any(w.units != _ONE for w in same_day):
                _claim_rules(same_day)
        return PricedClaim(
            claim_id=claim.id,
            lines=tuple(self._finish(w, locality) if isinstance(w, _Work) else w for w in works),
        )

    def _prepare_line(
        self,
        line: ClaimLine,
        claim: Claim,
        locality: Locality,
        kind: ProviderKind,
        qualifying_apm: bool,
    ) -> _Work:
        try:
            return self._prepare(
                line.procedure,
                locality=locality,
                place_of_service=line.place_of_service or claim.place_of_service,
                date_of_service=line.service_date,
                modifiers=line.modifiers,
                units=line.units,
                provider_kind=kind,
                qualifying_apm=qualifying_apm,
                line_id=line.line_id,
            )
        except ValidationError as error:
            raise error.at(f"lines[{line.line_id}]") from None


def _anesthesia_line(
    schedule: AnesthesiaSchedule, line: ClaimLine, locality: Locality
) -> PricedLine:
    if line.minutes is None:
        raise PricingError(
            f"lines[{line.line_id}].minutes", None, "anesthesia lines need their minutes"
        )
    return schedule.price(
        line.procedure,
        locality=locality,
        minutes=line.minutes,
        date_of_service=line.service_date,
        modifiers=[str(m) for m in line.modifiers],
        line_id=line.line_id,
    )


def _units(units: Decimal | int) -> Decimal:
    value = Decimal(units) if isinstance(units, int) and not isinstance(units, bool) else units
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        raise ValidationError("units", units, "must be a positive Decimal or int")
    return value


def _claim_rules(same_day: list[_Work]) -> None:
    payable = [w for w in same_day if w.reason is None]
    others = [w for w in payable if w.status != "T"]
    if others:
        for work in payable:
            if work.status == "T":
                work.reason = (
                    "status T: injection not paid when another fee-schedule "
                    "service is paid the same day"
                )
    groups: dict[str, list[Occurrence]] = {}
    families = {w.row.endo_base for w in same_day if w.reason is None and w.row.mult_proc == "3"}
    for index, work in enumerate(same_day):
        if work.reason is not None:
            continue
        group = _MPPR_GROUP.get(work.row.mult_proc)
        if group is None:
            continue
        count = whole_units(work.units, work.code)
        pe = work.base.pe if group == "therapy" else ZERO
        family, base_fee = None, ZERO
        if work.row.mult_proc == "3" and work.endo_fee is not None:
            family, base_fee = work.row.endo_base, work.endo_fee
        elif group == "surgery" and work.code in families and not work.row.modifier:
            family, base_fee = work.code, work.base.fee  # the base endoscopy itself
        work.occurrences = [
            Occurrence(index, work.unit_fee, work.pc, work.tc, pe, family, base_fee)
            for _ in range(count)
        ]
        groups.setdefault(group, []).extend(work.occurrences)
    if any(len(g) > 1 for g in groups.values()):
        apply_reductions(groups)
    else:
        for work in same_day:
            work.occurrences = None
