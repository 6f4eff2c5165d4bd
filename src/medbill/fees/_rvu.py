"""The Medicare physician fee schedule: RVUs x GPCIs x conversion factor, with modifiers.

Payment amount (42 CFR 414.20 and 414.22; Medicare Claims Processing Manual, Pub. 100-04,
Chapter 12, s. 20):

    fee = (work RVU x work GPCI + PE RVU x PE GPCI + MP RVU x MP GPCI) x conversion factor

medbill's rounding convention (the one place it is written; docs/pricing.md shows it
worked from the CMS files):

1. The fee is computed from the unrounded RVU arithmetic and rounded half-up to the cent
   once.
2. A multiple procedure reduction that acts on a component (imaging TC/PC, cardiovascular
   and ophthalmology TC, therapy PE; :mod:`medbill.fees._mppr`) is taken from the same
   unrounded arithmetic, and the reduced fee is rounded half-up once.
3. Each percentage of the whole fee (bilateral, multiple surgery, split care, co-surgery,
   assistant, non-physician practitioner) is applied to the rounded amount and rounded
   half-up again, in that order.
4. Units multiply the per-unit amount last; then the lesser of the actual charge and
   that amount is the allowed amount (Social Security Act s. 1848(a)(1): Medicare pays
   80 % of the lesser of the actual charge and the fee schedule amount).

Releases: a schedule holds one or more CMS releases (RVU file + GPCI file), each in force
for a period of dates of service; each line is priced with the release in force on its
date of service (quarterly releases A/B/C/D included), never with another year's. A date
no release covers is a :class:`~medbill.PricingError` naming the date and the releases,
unless the caller passes ``nearest_release=True``.

The practice-expense RVU is the facility one where the place of service is a facility
setting (:attr:`medbill.codes.PlaceOfService.is_facility`, after Pub. 100-04 Ch. 12
s. 20.4.2); ``NA`` in the file's column for that setting means not payable there.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, cast

import attrs
import pendulum

from medbill._common import Period
from medbill._deprecation import renamed_parameters
from medbill._encounter import Claim, ClaimLine
from medbill._errors import PricingError, ValidationError
from medbill._money import ZERO, as_money, round_cents
from medbill._parties import ProviderKind
from medbill._trusted import trusted_positional
from medbill._validation import as_date
from medbill.codes import Modifier, PlaceOfService
from medbill.fees._anesthesia import AnesthesiaSchedule
from medbill.fees._demo_rows import DEMO_LABEL, DEMO_PERIOD, demo_rows
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
    NATIONAL_GPCI,
    ConversionFactor,
    Gpci,
    RvuRow,
    read_gpci,
    read_pprrvu,
)
from medbill.fees._trace import Trace, TraceStep

__all__ = ["MedicareFeeSchedule", "MedicareRelease"]

_ONE = Decimal(1)
_CACHE_LIMIT: Final = 200_000
_PRICED_LINE: Final = trusted_positional(
    PricedLine, "code", "allowed", "unit_fee", "service_date", "modifiers", "units", "payable",
    "status", "reason", "place_of_service", "locality", "line_id", "fee_schedule_amount",
    "charge", "trace",
)  # fmt: skip
_CONTEXT_LIMIT: Final = 4_096
_REDUCED_LIMIT: Final = 2_048
# distinct charges whose lesser-of outcome one finished amount keeps (a chargemaster bills
# a code at one price, so a few cover most lines)
_LESSER_LIMIT: Final = 16

# CMS release letters and the quarter each starts (RVUyyA January, B April, C July,
# D October); a revised release (AR, BR, ...) replaces its quarter's release from the
# start CMS gave it: RVU24AR from 2024-03-09 (Consolidated Appropriations Act, 2024).
_QUARTER_START: Final = {"a": 1, "b": 4, "c": 7, "d": 10}
_MONTH_LETTER: Final = {"jan": "a", "apr": "b", "jul": "c", "oct": "d"}
_REVISED_START: Final = {(2024, "a"): (3, 9)}
_RELEASE_NAME: Final = re.compile(r"rvu(\d{2})([a-d])(r?)(?![a-z])")
_RELEASE_MONTH: Final = re.compile(r"pprrvu(\d{2})_(jan|apr|jul|oct)")


@attrs.frozen(kw_only=True, eq=False)
class MedicareRelease:
    """One CMS release of the physician fee schedule (an RVU file and its GPCI file) and
    the dates of service it prices (``period``; ``None`` for a schedule built from rows
    without one, which prices any date).

    >>> from medbill.fees import MedicareFeeSchedule
    >>> [(r.label, str(r.period.start)) for r in MedicareFeeSchedule.demo().releases]
    [('CY2025 (demo rows)', '2025-01-01')]
    """

    label: str
    period: Period | None
    rows: Mapping[tuple[str, str], RvuRow] = attrs.field(repr=False)
    gpcis: Mapping[Locality, Gpci] = attrs.field(repr=False)

    def covers(self, day: pendulum.Date) -> bool:
        """Whether the release prices services rendered on ``day``."""
        return self.period is None or self.period.contains(day)

    def describe(self) -> str:
        """``RVU24B (2024-04-01 to 2024-06-30)``."""
        if self.period is None:
            return f"{self.label} (any date)"
        end = "open" if self.period.end is None else str(self.period.end)
        return f"{self.label} ({self.period.start} to {end})"


def _release_start(path: Path) -> tuple[str, pendulum.Date, bool] | None:
    """The label, first day and revised flag CMS's file name implies, if it says."""
    name = path.stem.lower()
    found = _RELEASE_NAME.search(name)
    if found is not None:
        year, letter, revised = 2000 + int(found[1]), found[2], bool(found[3])
    else:
        month = _RELEASE_MONTH.search(name)
        if month is None:
            return None
        year, letter, revised = 2000 + int(month[1]), _MONTH_LETTER[month[2]], False
    start = pendulum.date(year, _QUARTER_START[letter], 1)
    if revised and (year, letter) in _REVISED_START:
        start = pendulum.date(year, *_REVISED_START[(year, letter)])
    label = f"RVU{year % 100:02d}{letter.upper()}{'R' if revised else ''}"
    return label, start, revised


def _release_periods(
    starts: Sequence[tuple[int, str, pendulum.Date, bool]],
) -> dict[int, Period | None]:
    """Each release runs from its start to the day before the next release of the same
    calendar year, or to December 31: a release never prices another year. A release a
    revision replaces from its own first day prices nothing (``None``)."""
    ordered = sorted(starts, key=lambda s: (s[2], s[3]))
    periods: dict[int, Period | None] = {}
    for position, (index, _, start, _) in enumerate(ordered):
        end = pendulum.date(start.year, 12, 31)
        for later in ordered[position + 1 :]:
            if later[2].year == start.year:
                end = later[2].subtract(days=1)
                break
        periods[index] = Period(start, end) if end >= start else None
    return periods


def _check_mapping(value: object, field: str, key: type, item: type) -> None:
    if not isinstance(value, Mapping):
        raise ValidationError(field, value, f"must be a mapping, not {type(value).__name__}")
    for k, v in value.items():
        if not isinstance(k, key) or not isinstance(v, item):
            raise ValidationError(
                f"{field}[{k!r}]", v, f"must map {key.__name__} to {item.__name__}"
            )


class _Base:
    """A cached, GPCI-adjusted fee of one row in one locality, setting and factor, with
    the unrounded amounts the component reductions start from."""

    __slots__ = ("exact", "fee", "pe", "steps")

    def __init__(
        self, fee: Decimal, exact: Decimal, pe: Decimal, steps: tuple[TraceStep, ...]
    ) -> None:
        self.fee = fee
        self.exact = exact
        self.pe = pe
        self.steps = steps


class _Done:
    """A payable line's finished amounts and its (lazy) trace, shared by every line that
    prices alike.

    It keeps only what the trace's words are written from: the line's cell and, for a
    line a multiple procedure ranking reduced, the cells of its group's lines in claim
    order (``ranked``) and its place among them. The ranking is run again when the trace
    is read (it depends on those cells alone), so a cached outcome holds no per-unit
    occurrences or step arguments: few objects stay alive for the garbage collector to
    walk. The object is its trace's builder (``__call__``)."""

    __slots__ = ("allowed", "cell", "lesser", "position", "ranked", "trace", "unit_fee")

    def __init__(
        self,
        cell: _Cell,
        allowed: Decimal,
        unit_fee: Decimal,
        ranked: tuple[_Cell, ...] | None = None,
        position: int = 0,
    ) -> None:
        self.cell = cell
        self.allowed = allowed
        self.unit_fee = unit_fee
        self.ranked = ranked
        self.position = position
        self.trace = Trace._lazy(self)
        # charge -> the trace after the lesser-of rule (see _lesser_cached)
        self.lesser: dict[Decimal, Trace] | None = None

    def __call__(self) -> list[TraceStep]:
        ranked = self.ranked
        occurrences = None if ranked is None else _occurrences(ranked)[self.position]
        steps = _walk(self.cell, occurrences, words=True)[2]
        return [] if steps is None else steps


class _LesserWords:
    """The builder of the trace of a line after the lesser-of rule: its finished
    amount's trace and one more step (one small object per cached outcome)."""

    __slots__ = ("charge", "done")

    def __init__(self, done: _Done, charge: Decimal) -> None:
        self.done = done
        self.charge = charge

    def __call__(self) -> tuple[TraceStep, ...]:
        done = self.done
        return (*done.trace.steps, _lesser_of(done.allowed, self.charge))


class _Cell:
    """What pricing knows of a line from its key alone (release, conversion factor, code,
    modifiers, units, locality, place of service, provider kind, days of care): built once,
    then shared, read-only, by every line with that key (the schedule is immutable, so
    the cache only ever skips repeated arithmetic)."""

    __slots__ = (
        "base",
        "code",
        "count",
        "endo_fee",
        "exact",
        "factor",
        "group",
        "mods",
        "not_payable",
        "pc",
        "plain",
        "post",
        "pre_steps",
        "reason",
        "release",
        "row",
        "status",
        "tc",
        "unit_fee",
        "units",
    )
    base: _Base
    code: str
    count: int | None  # the procedures the units count for (None: not whole)
    endo_fee: Decimal | None
    exact: Decimal
    factor: ConversionFactor
    group: str | None
    mods: tuple[str, ...]
    not_payable: Trace | None
    pc: Decimal
    # the line's amounts and trace when no claim rule touches it
    plain: _Done | None
    post: tuple[Step, ...]
    pre_steps: tuple[TraceStep, ...]
    reason: str | None
    release: MedicareRelease
    row: RvuRow
    status: str
    tc: Decimal
    unit_fee: Decimal
    units: Decimal

    def __init__(self, code: str, mods: tuple[str, ...], units: Decimal) -> None:
        self.code = code
        self.mods = mods
        self.units = units
        self.reason = None
        self.endo_fee = None
        self.pc = ZERO
        self.tc = ZERO
        self.group = None
        self.count = None
        self.post = ()
        self.pre_steps = ()
        self.plain = None
        self.not_payable = None


class _Context:
    """The line caches of one locality, provider kind, qualifying-APM flag and
    nearest-release flag (looked up once per claim). Lines that price alike (same
    release, conversion factor, code, modifiers, units, place of service, days of care)
    share one :class:`_Cell`: its preparation and, when no claim rule touches them, their
    finished amounts and trace. The schedule is immutable, so these caches only ever
    skip repeated arithmetic."""

    __slots__ = (
        "by_day",
        "cells",
        "days",
        "locality",
        "nearest_release",
        "provider_kind",
        "qualifying_apm",
    )

    def __init__(
        self,
        locality: Locality,
        provider_kind: ProviderKind,
        qualifying_apm: bool,
        nearest_release: bool,
    ) -> None:
        self.locality = locality
        self.provider_kind = provider_kind
        self.qualifying_apm = qualifying_apm
        self.nearest_release = nearest_release
        # date of service -> (release, conversion factor, their identity)
        self.days: dict[
            pendulum.Date, tuple[MedicareRelease, ConversionFactor | None, tuple[int, int]]
        ] = {}
        self.cells: dict[tuple[Any, ...], _Cell] = {}  # by release and factor
        self.by_day: dict[tuple[Any, ...], _Cell] = {}  # the same cells, by date of service


class _Work:
    """A line of :meth:`MedicareFeeSchedule.price_line` on its way through pricing
    (internal): its cell and what the call adds (date, charge). ``price_claim`` keeps the
    same per line in lists by index (no object per line)."""

    __slots__ = (
        "cell",
        "charge",
        "date",
        "done",
        "lesser_of",
        "line_id",
        "pos",
        "reason",
        "units",
    )

    def __init__(
        self,
        cell: _Cell,
        units: Decimal,
        date: pendulum.Date,
        pos: PlaceOfService,
        line_id: str | None,
        charge: Decimal | None,
    ) -> None:
        self.cell = cell
        self.units = units
        self.date = date
        self.pos = pos
        self.line_id = line_id
        self.charge = charge
        self.reason: str | None = cell.reason
        self.lesser_of = False
        self.done: _Done | None = None  # set by the claim rules when they reduce the line


class MedicareFeeSchedule:
    """The Medicare physician fee schedule: one or more CMS releases (RVU file and GPCI
    file), each in force for its period, and effective-dated conversion factors.

    Build it with :meth:`from_cms_files` (the files as CMS publishes them, one release or
    several) or from rows. Conversion factors are effective-dated; the date of service
    picks one (default: :data:`MEDICARE_CONVERSION_FACTORS`, CY2020 to CY2026).

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill.fees import Locality, MedicareFeeSchedule, RvuRow, Gpci
    >>> schedule = MedicareFeeSchedule.demo()
    >>> line = schedule.price_line("99213", locality=Locality.parse("13202-01"),
    ...     place_of_service="11", service_date=pendulum.date(2025, 3, 4))
    >>> line.allowed
    Decimal('101.06')
    >>> print(line.trace)
    release: CY2025 (demo rows) (2025-01-01 to 2025-12-31)
    RVU: 99213: work 1.30, PE (non-facility) 1.35, MP 0.10
    GPCI: 13202-01 MANHATTAN: work 1.065, PE 1.166, MP 1.656
    conversion factor: 32.3465 (CY2025)
    fee: (1.30 x 1.065 + 1.35 x 1.166 + 0.10 x 1.656) x 32.3465 = 101.0569... -> 101.06
    """

    __slots__ = (
        "_anesthesia",
        "_bases",
        "_cached",
        "_contexts",
        "_factor_by_day",
        "_factors",
        "_reduced",
        "_refusals",
        "_release_by_day",
        "_releases",
        "_starts",
    )

    def __init__(
        self,
        rows: Mapping[tuple[str, str], RvuRow],
        gpcis: Mapping[Locality, Gpci],
        *,
        conversion_factors: Sequence[ConversionFactor] = MEDICARE_CONVERSION_FACTORS,
        anesthesia: AnesthesiaSchedule | None = None,
        period: Period | None = None,
        label: str = "rows",
    ) -> None:
        _check_mapping(rows, "rows", tuple, RvuRow)
        _check_mapping(gpcis, "gpcis", Locality, Gpci)
        if period is not None and not isinstance(period, Period):
            raise ValidationError("period", period, "must be a Period or None")
        if not isinstance(label, str):
            raise ValidationError("label", label, "must be a str")
        release = MedicareRelease(label=label, period=period, rows=dict(rows), gpcis=dict(gpcis))
        self._setup((release,), conversion_factors, anesthesia)

    def _setup(
        self,
        releases: Sequence[MedicareRelease],
        conversion_factors: Sequence[ConversionFactor],
        anesthesia: AnesthesiaSchedule | None,
    ) -> None:
        if isinstance(conversion_factors, ConversionFactor | str | bytes) or not isinstance(
            conversion_factors, Sequence
        ):
            raise ValidationError(
                "conversion_factors",
                conversion_factors,
                f"must be a sequence of ConversionFactor, not {type(conversion_factors).__name__}",
            )
        for index, factor in enumerate(conversion_factors):
            if not isinstance(factor, ConversionFactor):
                raise ValidationError(
                    f"conversion_factors[{index}]", factor, "must be a ConversionFactor"
                )
        if not conversion_factors:
            raise ValidationError("conversion_factors", (), "needs at least one factor")
        if anesthesia is not None and not isinstance(anesthesia, AnesthesiaSchedule):
            raise ValidationError("anesthesia", anesthesia, "must be an AnesthesiaSchedule")
        if not releases:
            raise ValidationError("releases", (), "needs at least one release")
        for index, release in enumerate(releases):
            if not isinstance(release, MedicareRelease):
                raise ValidationError(f"releases[{index}]", release, "must be a MedicareRelease")
        ordered = sorted(
            releases,
            key=lambda r: pendulum.date(1, 1, 1) if r.period is None else r.period.start,
        )
        for before, after in itertools.pairwise(ordered):
            if (
                before.period is None
                or after.period is None
                or (before.period.end is None or before.period.end >= after.period.start)
            ):
                raise ValidationError(
                    "releases",
                    f"{before.describe()}, {after.describe()}",
                    "overlap: each date of service must have one release",
                )
        self._releases = tuple(ordered)
        self._factors = tuple(conversion_factors)
        self._anesthesia = anesthesia
        self._bases: dict[tuple[Any, ...], _Base] = {}
        self._factor_by_day: dict[tuple[pendulum.Date, bool], ConversionFactor] = {}
        self._release_by_day: dict[tuple[pendulum.Date, bool], MedicareRelease] = {}
        # the line caches (see _Context and _Cell) and how many entries they hold
        self._contexts: dict[tuple[Any, ...], _Context] = {}
        # the outcome of the claim rules by the cells of the lines taking part
        self._reduced: dict[tuple[_Cell, ...], Any] = {}
        self._cached = 0
        self._starts = [
            pendulum.date(1, 1, 1) if r.period is None else r.period.start for r in self._releases
        ]
        self._refusals: dict[str, Trace] = {}

    @classmethod
    def from_releases(
        cls,
        releases: Sequence[MedicareRelease],
        *,
        conversion_factors: Sequence[ConversionFactor] = MEDICARE_CONVERSION_FACTORS,
        anesthesia: AnesthesiaSchedule | None = None,
    ) -> MedicareFeeSchedule:
        """A schedule of several releases whose periods do not overlap."""
        schedule = cls.__new__(cls)
        schedule._setup(tuple(releases), conversion_factors, anesthesia)
        return schedule

    @classmethod
    def from_cms_files(
        cls,
        rvu_path: str | Path | Sequence[tuple[Any, ...]],
        gpci_path: str | Path | None = None,
        *,
        conversion_factors: Sequence[ConversionFactor] = MEDICARE_CONVERSION_FACTORS,
        anesthesia: AnesthesiaSchedule | None = None,
    ) -> MedicareFeeSchedule:
        """Read PPRRVU relative value files and their GPCI files as CMS publishes them.

        One release: ``from_cms_files(rvu_path, gpci_path)``. Several:
        ``from_cms_files([(rvu, gpci), (rvu, gpci), ...])``; a triple ``(rvu, gpci,
        period)`` gives a release's :class:`~medbill.Period` explicitly. Otherwise the file
        name says which release it is (``PPRRVU25_JAN``, ``pprrvu_rvu24b_apr``: CY2025 A,
        CY2024 B) and the release prices from its quarter's first day to the day before
        the next loaded release of the same year, or to December 31. Rows that did not
        change between releases are read once and shared.

        ``anesthesia`` prices anesthesia codes (which the RVU file does not hold) in
        :meth:`price_claim`, from the lines' minutes.
        """
        if isinstance(rvu_path, str | Path):
            if gpci_path is None:
                raise ValidationError("gpci_path", None, "is needed with one rvu_path")
            files: list[tuple[Any, ...]] = [(rvu_path, gpci_path)]
        else:
            if gpci_path is not None:
                raise ValidationError("gpci_path", gpci_path, "goes with a single rvu_path")
            files = list(rvu_path)
        shared: dict[tuple[str, ...], RvuRow] = {}
        loaded: list[tuple[str, Period | None, dict[tuple[str, str], RvuRow], Any]] = []
        starts: list[tuple[int, str, pendulum.Date, bool]] = []
        for index, entry in enumerate(files):
            if not isinstance(entry, tuple) or len(entry) not in (2, 3):
                raise ValidationError(
                    f"releases[{index}]", entry, "must be (rvu, gpci) or (rvu, gpci, period)"
                )
            rvu, gpci = Path(entry[0]), Path(entry[1])
            period = entry[2] if len(entry) == 3 else None
            if period is not None and not isinstance(period, Period):
                raise ValidationError(f"releases[{index}].period", period, "must be a Period")
            inferred = _release_start(rvu)
            if period is None and inferred is None:
                raise ValidationError(
                    f"releases[{index}]",
                    str(rvu),
                    "the file name does not say which release it is: pass (rvu, gpci, period)",
                )
            label = inferred[0] if inferred is not None else rvu.stem
            if period is None and inferred is not None:
                starts.append((index, label, inferred[1], inferred[2]))
            loaded.append((label, period, read_pprrvu(rvu, shared=shared), read_gpci(gpci)))
        periods = _release_periods(starts)
        releases = []
        for index, (label, period, rows, gpcis) in enumerate(loaded):
            if period is None:
                period = periods[index]
                if period is None:
                    continue  # replaced from its first day by a revised release
            releases.append(MedicareRelease(label=label, period=period, rows=rows, gpcis=gpcis))
        return cls.from_releases(
            releases, conversion_factors=conversion_factors, anesthesia=anesthesia
        )

    @classmethod
    def demo(cls) -> MedicareFeeSchedule:
        """A tiny schedule of published CY2025 rows (RVUs and GPCIs) for examples, in force
        for CY2025: the one demo dataset, also :func:`medbill.testing.demo_medicare_schedule`
        (checked cell for cell against the CMS files by the tests).

        >>> MedicareFeeSchedule.demo()
        MedicareFeeSchedule(releases=1, rows=8, localities=3)
        """
        rows, gpcis = demo_rows()
        return cls(rows, gpcis, period=DEMO_PERIOD, label=DEMO_LABEL)

    def extended(
        self,
        *,
        rows: Iterable[RvuRow] = (),
        gpcis: Mapping[Locality, Gpci] | None = None,
        releases: Sequence[MedicareRelease] = (),
    ) -> MedicareFeeSchedule:
        """A new schedule with ``rows`` and ``gpcis`` added to (or replacing those of)
        every release, and ``releases`` added.

        >>> from decimal import Decimal
        >>> from medbill.fees import Gpci, Locality, RvuRow
        >>> bigger = MedicareFeeSchedule.demo().extended(
        ...     rows=[RvuRow(code="99214", work=Decimal("1.92"),
        ...                  pe_nonfacility=Decimal("1.82"), mp=Decimal("0.14"))])
        >>> bigger.row("99214").work
        Decimal('1.92')
        """
        added = list(rows)
        for index, row in enumerate(added):
            if not isinstance(row, RvuRow):
                raise ValidationError(f"rows[{index}]", row, "must be an RvuRow")
        more = {} if gpcis is None else gpcis
        _check_mapping(more, "gpcis", Locality, Gpci)
        updated = [
            MedicareRelease(
                label=r.label,
                period=r.period,
                rows={**r.rows, **{(x.code, x.modifier): x for x in added}},
                gpcis={**r.gpcis, **more},
            )
            for r in self._releases
        ]
        return MedicareFeeSchedule.from_releases(
            [*updated, *releases], conversion_factors=self._factors, anesthesia=self._anesthesia
        )

    def __repr__(self) -> str:
        latest = self._releases[-1]
        return (
            f"MedicareFeeSchedule(releases={len(self._releases)}, rows={len(latest.rows)}, "
            f"localities={len(latest.gpcis)})"
        )

    @property
    def releases(self) -> tuple[MedicareRelease, ...]:
        """The releases, by the first day they price."""
        return self._releases

    @property
    def conversion_factors(self) -> tuple[ConversionFactor, ...]:
        """The effective-dated conversion factors."""
        return self._factors

    @property
    def anesthesia(self) -> AnesthesiaSchedule | None:
        """The anesthesia schedule that prices anesthesia codes in :meth:`price_claim`."""
        return self._anesthesia

    @property
    def localities(self) -> tuple[Locality, ...]:
        """Every locality of the latest release's GPCI file, sorted."""
        return tuple(sorted(self._releases[-1].gpcis))

    @renamed_parameters("MedicareFeeSchedule.release", date_of_service="service_date")
    def release(
        self, service_date: pendulum.Date, *, nearest_release: bool = False
    ) -> MedicareRelease:
        """The release in force on ``service_date``; a date no release covers is a
        :class:`~medbill.PricingError` naming the date and the releases, unless
        ``nearest_release`` picks the closest release of the same calendar year, or, with
        none loaded for that year, the closest of all (the later one on a tie)."""
        key = (service_date, nearest_release)
        cached = self._release_by_day.get(key)
        if cached is not None:
            return cached
        if not isinstance(service_date, dt.date):
            raise ValidationError("service_date", service_date, "must be a pendulum.Date")
        # the latest release starting on or before the date, if it still runs then
        index = bisect.bisect_right(self._starts, service_date) - 1
        found = self._releases[index] if index >= 0 else None
        if found is not None and not found.covers(service_date):
            found = None
        if found is None:
            if not isinstance(service_date, pendulum.Date):
                raise ValidationError("service_date", service_date, "must be a pendulum.Date")
            if not nearest_release:
                raise PricingError(
                    "service_date",
                    str(service_date),
                    "no Medicare fee schedule release loaded covers that date (releases: "
                    + ", ".join(r.describe() for r in self._releases)
                    + "); load that year's release or ask for nearest_release=True",
                )
            same_year = [
                r
                for r in self._releases
                if r.period is not None and r.period.start.year == service_date.year
            ]
            found = min(
                reversed(same_year or list(self._releases)),
                key=lambda r: _distance(r, service_date),
            )
        self._release_by_day[key] = found
        return found

    @renamed_parameters("MedicareFeeSchedule.row", date_of_service="service_date")
    def row(
        self, code: str, modifier: str = "", *, service_date: pendulum.Date | None = None
    ) -> RvuRow:
        """The relative value file row of ``code`` (and a component modifier), from the
        release in force on ``service_date`` (default: the latest release)."""
        release = self._releases[-1] if service_date is None else self.release(service_date)
        found = release.rows.get((str(code).upper(), str(modifier).upper()))
        if found is None:
            raise PricingError(
                "code",
                str(code),
                f"not in the Medicare relative value file {release.label} "
                f"(modifier {modifier or 'none'})",
            )
        return found

    @renamed_parameters("MedicareFeeSchedule.gpci", date_of_service="service_date")
    def gpci(self, locality: Locality, *, service_date: pendulum.Date | None = None) -> Gpci:
        """The GPCIs of ``locality`` (1.000 each for :data:`Locality.NATIONAL` unless the
        file has it), from the release in force on ``service_date`` (default: latest)."""
        release = self._releases[-1] if service_date is None else self.release(service_date)
        return self._gpci(release, locality)

    @staticmethod
    def _gpci(release: MedicareRelease, locality: Locality) -> Gpci:
        found = release.gpcis.get(locality)
        if found is None:
            if locality == Locality.NATIONAL:
                return NATIONAL_GPCI
            if not isinstance(locality, Locality):
                raise ValidationError("locality", locality, "must be a Locality")
            raise PricingError("locality", str(locality), f"not in the GPCI file {release.label}")
        return found

    @renamed_parameters("MedicareFeeSchedule.conversion_factor", date_of_service="service_date")
    def conversion_factor(
        self, service_date: pendulum.Date, *, qualifying_apm: bool = False
    ) -> ConversionFactor:
        """The conversion factor in force on ``service_date``."""
        key = (service_date, qualifying_apm)
        cached = self._factor_by_day.get(key)
        if cached is not None:
            return cached
        for factor in self._factors:
            if factor.applies(service_date, qualifying_apm=qualifying_apm):
                self._factor_by_day[key] = factor
                return factor
        raise PricingError(
            "service_date", str(service_date), "no Medicare conversion factor in force"
        )

    # -- pricing ---------------------------------------------------------------------

    def _base(
        self,
        release: MedicareRelease,
        row: RvuRow,
        locality: Locality,
        facility: bool,
        factor: ConversionFactor,
    ) -> _Base:
        key = (id(release), row.code, row.modifier, locality, facility, factor.amount)
        cached = self._bases.get(key)
        if cached is not None:
            return cached
        g = self._gpci(release, locality)
        pe = row.pe_facility if facility else row.pe_nonfacility
        cf = factor.amount
        exact = (row.work * g.work + pe * g.pe + row.mp * g.mp) * cf
        fee = round_cents(exact)
        setting = "facility" if facility else "non-facility"
        mod = f"-{row.modifier}" if row.modifier else ""
        steps = (
            TraceStep("release", release.describe()),
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
        base = _Base(fee, exact, pe * g.pe * cf, steps)
        self._bases[key] = base
        return base

    def _context(
        self,
        locality: Locality,
        provider_kind: ProviderKind,
        qualifying_apm: bool,
        nearest_release: bool,
    ) -> _Context:
        """The line caches of one locality, provider kind and set of options."""
        key = (locality, provider_kind, qualifying_apm, nearest_release)
        context = self._contexts.get(key)
        if context is None:
            context = _Context(locality, provider_kind, qualifying_apm, nearest_release)
            if len(self._contexts) < _CONTEXT_LIMIT:
                self._contexts[key] = context
        return context

    def _cell(
        self,
        context: _Context,
        code: str,
        modifiers: tuple[str, ...],
        units: Decimal,
        place_of_service: PlaceOfService,
        service_date: pendulum.Date,
        care_days: int | None,
    ) -> _Cell:
        """The shared preparation of a line (see :class:`_Cell`), from the caches: by date
        of service, then by the release and conversion factor that date picks."""
        # one unit (most lines) keys as _ONE: hashing a fresh Decimal costs more than the
        # comparison (the line's own units are on its PricedLine, from its _Work)
        unit_key = _ONE if units == _ONE else units
        key = (service_date, code, modifiers, unit_key, place_of_service, care_days)
        cell = context.by_day.get(key)
        if cell is not None:
            return cell
        day = context.days.get(service_date)
        if day is None:
            release = self.release(service_date, nearest_release=context.nearest_release)
            try:
                factor: ConversionFactor | None = self.conversion_factor(
                    service_date, qualifying_apm=context.qualifying_apm
                )
            except PricingError:
                factor = None  # only a payable line needs one: it raises then
            day = (release, factor, (id(release), id(factor)))
            if self._cached < _CACHE_LIMIT:
                self._cached += 1
                context.days[service_date] = day
        release, factor, token = day
        shared = (token, code, modifiers, unit_key, place_of_service, care_days)
        cell = context.cells.get(shared)
        if cell is None:
            cell = self._prepare_new(
                code, modifiers, units, context.locality, place_of_service, service_date,
                context.provider_kind, context.qualifying_apm, release, factor, care_days,
            )  # fmt: skip
            if self._cached < _CACHE_LIMIT:
                self._cached += 1
                context.cells[shared] = cell
        if self._cached < _CACHE_LIMIT:
            self._cached += 1
            context.by_day[key] = cell
        return cell

    def _prepare_new(
        self,
        code: str,
        modifiers: Iterable[str],
        units: Decimal,
        locality: Locality,
        place_of_service: PlaceOfService,
        service_date: pendulum.Date,
        provider_kind: ProviderKind,
        qualifying_apm: bool,
        release: MedicareRelease,
        factor: ConversionFactor | None,
        care_days: int | None,
    ) -> _Cell:
        code = str(code).upper()
        mods = tuple(str(m) for m in modifiers)
        cell = _Cell(code, mods, units)
        cell.release = release
        rows = release.rows
        mod_set = frozenset(mods)
        if "26" in mod_set and "TC" in mod_set:
            raise PricingError(
                "modifiers",
                f"{code}-26-TC",
                "26 (professional) and TC (technical) exclude each other",
            )
        component = next((m for m in COMPONENT_MODIFIERS if m in mod_set), "") if mod_set else ""
        row = rows.get((code, component))
        if row is None:
            plain = rows.get((code, ""))
            if plain is None:
                raise PricingError(
                    "code",
                    code,
                    f"not in the Medicare relative value file {release.label} "
                    f"(modifier {component or 'none'})",
                )
            if component != "53":
                raise PricingError(
                    "modifiers",
                    f"{code}-{component}",
                    f"modifier {component} does not apply to {code}: PC/TC indicator "
                    f"{plain.pctc} ({PCTC_MEANINGS.get(plain.pctc, 'unknown')})",
                )
            row = plain
        cell.row = row
        cell.status = row.status
        if row.status not in PAYABLE_STATUSES:
            cell.reason = f"status {row.status}: {STATUS_MEANINGS.get(row.status, 'unknown')}"
            return cell
        facility = place_of_service.is_facility
        if row.facility_na if facility else row.nonfacility_na:
            setting = "facility" if facility else "non-facility"
            cell.reason = (
                f"PE RVU is NA in the {setting} setting (place of service {place_of_service})"
            )
            return cell
        if factor is None:  # raises the PricingError naming the date
            factor = self.conversion_factor(service_date, qualifying_apm=qualifying_apm)
        cell.factor = factor
        cell.base = base = self._base(release, row, locality, facility, factor)
        fee = base.fee
        cell.exact = base.exact
        if "50" in mod_set:
            pct, why = bilateral_factor(row, code)
            if pct != _ONE:
                why = f"{why}: {fee} x {pct} = {fee * pct}"
                fee = round_cents(fee * pct)
                cell.exact = fee
            cell.pre_steps = (TraceStep("modifier 50", why, fee),)
        cell.unit_fee = fee
        if row.mult_proc in ("4", "6", "7"):
            cell.pc, cell.tc = self._components(release, row, locality, facility, factor, base)
        elif row.mult_proc == "3" and row.endo_base:
            base_row = rows.get((row.endo_base, ""))
            if base_row is not None:
                cell.endo_fee = self._base(release, base_row, locality, facility, factor).fee
        if mod_set or provider_kind is ProviderKind.NON_PHYSICIAN_PRACTITIONER:
            cell.post, cell.reason = post_adjustments(row, code, mod_set, provider_kind, care_days)
        cell.group = MPPR_GROUPS.get(row.mult_proc)
        if units == units.to_integral_value():
            cell.count = int(units)
        return cell

    def _components(
        self,
        release: MedicareRelease,
        row: RvuRow,
        locality: Locality,
        facility: bool,
        factor: ConversionFactor,
        base: _Base,
    ) -> tuple[Decimal, Decimal]:
        """The unrounded professional and technical components of ``row``'s fee."""
        if row.modifier == "26":
            return base.exact, ZERO
        if row.modifier == "TC":
            return ZERO, base.exact
        pc_row = release.rows.get((row.code, "26"))
        tc_row = release.rows.get((row.code, "TC"))
        if pc_row is None or tc_row is None:
            # A professional-only (2) or technical-only (3) code is all one component; a
            # global-test-only code (4) has no component rows, so no portion is reduced.
            exact = base.exact
            return (exact if row.pctc == "2" else ZERO), (exact if row.pctc == "3" else ZERO)
        return (
            self._base(release, pc_row, locality, facility, factor).exact,
            self._base(release, tc_row, locality, facility, factor).exact,
        )

    def _refusal(self, reason: str) -> Trace:
        trace = self._refusals.get(reason)
        if trace is None:
            trace = Trace((TraceStep("not payable", reason),))
            if len(self._refusals) < _CACHE_LIMIT:
                self._refusals[reason] = trace
        return trace

    def _finish(self, work: _Work, locality: Locality) -> PricedLine:
        cell = work.cell
        reason = work.reason
        charge = work.charge
        fee_amount: Decimal | None = None
        if reason is not None:
            allowed = unit_fee = ZERO
            trace = self._refusal(reason)
        else:
            done = work.done
            if done is None:  # no claim rule touched the line: the cell's answer
                done = cell.plain
                if done is None:
                    done = cell.plain = _plain_done(cell)
            fee_amount = allowed = done.allowed
            unit_fee = done.unit_fee
            trace = done.trace
            if charge is not None and work.lesser_of:
                if charge < allowed:
                    allowed = charge
                trace = _lesser_cached(done, charge)
        # PricedLine(code=..., ...) without the constructor's per-field overhead: every
        # value is the schedule's own (see medbill._trusted).
        return _PRICED_LINE(
            cell.code, allowed, unit_fee, work.date, cell.mods, work.units, reason is None,
            cell.status, reason, work.pos, locality, work.line_id, fee_amount, charge, trace,
        )  # fmt: skip

    @renamed_parameters("MedicareFeeSchedule.price_line", date_of_service="service_date")
    def price_line(
        self,
        code: str,
        *,
        locality: Locality,
        place_of_service: PlaceOfService | str,
        service_date: dt.date,
        modifiers: Iterable[str] = (),
        units: Decimal | int = 1,
        provider_kind: ProviderKind = ProviderKind.PHYSICIAN,
        qualifying_apm: bool = False,
        charge: Decimal | None = None,
        care_days: int | None = None,
        nearest_release: bool = False,
    ) -> PricedLine:
        """Price one service on its own (no claim-level rules; see :meth:`price_claim`).

        With ``charge`` (the line's actual charge, all units) the allowed amount is the
        lesser of the charge and the fee schedule amount, and the trace says which won.
        ``care_days`` prorates modifier 55 by the days of post-operative care furnished.

        >>> import pendulum
        >>> from decimal import Decimal
        >>> from medbill.fees import Locality, MedicareFeeSchedule
        >>> schedule = MedicareFeeSchedule.demo()
        >>> alabama = Locality.parse("10112-00")
        >>> line = schedule.price_line("20610", locality=alabama, place_of_service="11",
        ...     service_date=pendulum.date(2025, 5, 1), modifiers=["50"])
        >>> line.allowed, line.unit_fee
        (Decimal('85.82'), Decimal('85.82'))
        >>> cheap = schedule.price_line("99213", locality=alabama, place_of_service="11",
        ...     service_date=pendulum.date(2025, 5, 1), charge=Decimal("75.00"))
        >>> cheap.allowed, cheap.fee_schedule_amount
        (Decimal('75.00'), Decimal('81.86'))
        >>> schedule.price_line("71046", locality=alabama, place_of_service="21",
        ...     service_date=pendulum.date(2025, 5, 1)).reason
        'PE RVU is NA in the facility setting (place of service 21)'
        """
        service_date = as_date(service_date, "service_date")
        units = _units(units)
        pos = PlaceOfService(place_of_service)
        mods = tuple(str(Modifier(m)) for m in modifiers)
        if charge is not None:
            charge = as_money(charge, "charge", signed=False)
        context = self._context(locality, provider_kind, qualifying_apm, nearest_release)
        cell = self._cell(context, code, mods, units, pos, service_date, care_days)
        work = _Work(cell, units, service_date, pos, None, charge)
        work.lesser_of = charge is not None
        return self._finish(work, locality)

    def price_claim(
        self,
        claim: Claim,
        *,
        locality: Locality,
        qualifying_apm: bool = False,
        lesser_of_charge: bool = True,
        nearest_release: bool = False,
    ) -> PricedClaim:
        """Price every line of ``claim``, applying the claim-level rules among lines of the
        same date of service: multiple surgery, imaging and therapy reductions (see
        :mod:`medbill.fees._mppr`), and status T (injections paid only when no other
        fee-schedule service is paid that day). Each line is priced with the release in
        force on its date of service.

        The allowed amount of each line is the lesser of its charge and the fee schedule
        amount after every rule (``lesser_of_charge=False`` keeps the fee schedule
        amount; each line's ``fee_schedule_amount`` has it either way).

        The place of service is the line's, else the claim's; the provider kind is the
        rendering provider's, else the billing provider's.
        """
        provider = claim.rendering_provider or claim.billing_provider
        kind = provider.kind
        anesthesia = self._anesthesia
        claim_pos = claim.place_of_service
        context = self._context(locality, kind, qualifying_apm, nearest_release)
        cell_of = self._cell
        lines = claim.lines
        # per line, by index: its cell (None: an anesthesia line, priced on its own), its
        # refusal and, when a claim rule reduced it, its finished amounts
        cells: list[_Cell | None] = []
        reasons: list[str | None] = []
        others: dict[int, PricedLine] = {}
        by_date: dict[pendulum.Date, list[int]] = {}
        for index, line in enumerate(lines):
            if anesthesia is not None and anesthesia.has(line.procedure):
                others[index] = _anesthesia_line(anesthesia, line, locality)
                cells.append(None)
                reasons.append(None)
                continue
            day = line.service_date
            try:
                cell = cell_of(
                    context, line.procedure, line.modifiers, line.units,
                    line.place_of_service or claim_pos, day, None,
                )  # fmt: skip
            except ValidationError as error:
                raise error.at(f"lines[{line.line_id}]") from None
            cells.append(cell)
            reasons.append(cell.reason)
            same_day = by_date.get(day)
            if same_day is None:
                by_date[day] = [index]
            else:
                same_day.append(index)
        dones: list[_Done | None] = [None] * len(cells)
        for same_day in by_date.values():
            if len(same_day) > 1 or cells[same_day[0]].units != _ONE:  # type: ignore[union-attr]
                self._cached += _claim_rules(same_day, cells, reasons, dones, self._reduced)
        # what _finish does for one _Work, inline for every line of the claim
        build = _PRICED_LINE
        refusal = self._refusal
        priced: list[PricedLine] = []
        for index, line in enumerate(lines):
            maybe = cells[index]
            if maybe is None:
                priced.append(others[index])
                continue
            cell = maybe
            reason = reasons[index]
            charge = line.charge
            if reason is not None:
                trace = refusal(reason)
                priced.append(
                    build(
                        cell.code, ZERO, ZERO, line.service_date, cell.mods, line.units, False,
                        cell.status, reason, line.place_of_service or claim_pos, locality,
                        line.line_id, None, charge, trace,
                    )
                )  # fmt: skip
                continue
            done = dones[index]
            if done is None:  # no claim rule touched the line: the cell's answer
                done = cell.plain
                if done is None:
                    done = cell.plain = _plain_done(cell)
            fee_amount = allowed = done.allowed
            trace = done.trace
            if lesser_of_charge and charge is not None:
                if charge < allowed:
                    allowed = charge
                memo = done.lesser
                hit = None if memo is None else memo.get(charge)
                trace = _lesser_cached(done, charge) if hit is None else hit
            priced.append(
                build(
                    cell.code, allowed, done.unit_fee, line.service_date, cell.mods, line.units,
                    True, cell.status, None, line.place_of_service or claim_pos, locality,
                    line.line_id, fee_amount, charge, trace,
                )
            )  # fmt: skip
        return PricedClaim(claim_id=claim.id, lines=tuple(priced))


def _walk(
    cell: _Cell, occurrences: list[Occurrence] | None, *, words: bool
) -> tuple[Decimal, Decimal, list[TraceStep] | None]:
    """The allowed amount (all units) and unit fee of a payable line, and with ``words``
    its steps: the one place the amounts after the multiple procedure ranking are
    computed, for the amounts (at once) and for the trace (when it is read)."""
    steps: list[TraceStep] | None = None
    if words:
        steps = [*cell.base.steps, *cell.pre_steps]
    post = cell.post
    if occurrences is None:
        amount = cell.unit_fee
        for rule, why, pct in post:
            exact = amount * pct
            before, amount = amount, round_cents(exact)
            if steps is not None:
                steps.append(TraceStep(rule, f"{why}: {before} x {pct} = {exact}", amount))
        units = cell.units
        allowed = amount
        if units != _ONE:
            allowed = round_cents(amount * units)
            if steps is not None:
                steps.append(TraceStep("units", f"{amount} x {units}", allowed))
        return allowed, amount, steps
    allowed = ZERO
    many = len(occurrences) > 1
    for number, occ in enumerate(occurrences, start=1):
        amount = occ.amount
        prefix = f"unit {number}: " if many and steps is not None else ""
        if steps is not None:
            for rule, template, args, value in occ.steps:
                steps.append(TraceStep(rule, prefix + template.format(*args), value))
        for rule, why, pct in post:
            exact = amount * pct
            before, amount = amount, round_cents(exact)
            if steps is not None:
                steps.append(TraceStep(rule, f"{prefix}{why}: {before} x {pct} = {exact}", amount))
        allowed += amount
    if many and steps is not None:
        steps.append(TraceStep("units", f"sum of {len(occurrences)} units", allowed))
    return allowed, cell.unit_fee, steps


def _plain_done(cell: _Cell) -> _Done:
    """The finished amounts of a line no claim rule touches."""
    allowed, unit_fee, _ = _walk(cell, None, words=False)
    return _Done(cell, allowed, unit_fee)


def _lesser_cached(done: _Done, charge: Decimal) -> Trace:
    """The trace of ``done`` after the lesser-of rule for ``charge`` (the allowed amount
    is the lesser of the two, which the caller takes), kept on ``done`` for the next
    line with the same charge. Charges are whole cents (the claim line's converter and
    ``as_money`` quantize them), so equal charges print alike and share the outcome; a
    trace is immutable, so lines may share one."""
    memo = done.lesser
    if memo is None:
        memo = done.lesser = {}
    hit = memo.get(charge)
    if hit is None:
        hit = Trace._lazy(_LesserWords(done, charge))
        if len(memo) < _LESSER_LIMIT:
            memo[charge] = hit
    return hit


def _lesser_of(fee_amount: Decimal, charge: Decimal) -> TraceStep:
    """Medicare's lesser-of step (SSA s. 1848(a)(1)); its amount is the allowed amount."""
    if charge < fee_amount:
        why = f"actual charge {charge} < fee schedule amount {fee_amount}: the charge wins"
        return TraceStep("lesser of charge", why, charge)
    why = (
        f"fee schedule amount {fee_amount} <= actual charge {charge}: the fee schedule amount wins"
    )
    return TraceStep("lesser of charge", why, fee_amount)


def _distance(release: MedicareRelease, day: pendulum.Date) -> int:
    period = release.period
    if period is None or period.contains(day):
        return 0
    if day < period.start:
        return (period.start - day).in_days()
    end = period.end if period.end is not None else day
    return (day - end).in_days()


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
        service_date=line.service_date,
        modifiers=[str(m) for m in line.modifiers],
        line_id=line.line_id,
    )


def _units(units: Decimal | int) -> Decimal:
    value = Decimal(units) if isinstance(units, int) and not isinstance(units, bool) else units
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        raise ValidationError("units", units, "must be a positive Decimal or int")
    return value


def _claim_rules(
    same_day: list[int],
    cells: list[_Cell | None],
    reasons: list[str | None],
    dones: list[_Done | None],
    reduced: dict[tuple[_Cell, ...], Any],
) -> int:
    """Apply status T and the multiple procedure rankings to the lines of one date of
    service (``same_day``: their indexes in ``cells``, ``reasons`` and ``dones``, which
    the rules update). Each group's ranking depends only on its lines that take part, in
    claim order: its outcome is kept in ``reduced`` by those lines' cells; returns how
    many outcomes it adds."""
    payable = [i for i in same_day if reasons[i] is None]
    if any(cells[i].status != "T" for i in payable):  # type: ignore[union-attr]
        for index in payable:
            if cells[index].status == "T":  # type: ignore[union-attr]
                reasons[index] = (
                    "status T: injection not paid when another fee-schedule "
                    "service is paid the same day"
                )
    # only a group with two procedures or more is ranked; the others keep their own fee
    sizes: dict[str, int] = {}
    for index in same_day:
        if reasons[index] is None:
            cell = cells[index]
            group = cell.group  # type: ignore[union-attr]
            if group is not None:
                count = cell.count  # type: ignore[union-attr]
                if count is None:
                    count = whole_units(cell.units, cell.code)  # type: ignore[union-attr]
                sizes[group] = sizes.get(group, 0) + count
    ranked = [group for group, size in sizes.items() if size > 1]
    if not ranked:
        return 0
    # The groups are ranked independently (apply_reductions reduces each on its own, and
    # the endoscopy families are all surgery), so each group's outcome is kept by its own
    # lines' cells, in claim order: far fewer combinations than whole claims.
    added = 0
    for group in ranked:
        taking_part: list[int] = []
        group_cells: list[_Cell] = []
        for index in same_day:
            cell = cells[index]
            if reasons[index] is None and cell.group == group:  # type: ignore[union-attr]
                taking_part.append(index)
                group_cells.append(cell)  # type: ignore[arg-type]
        key = tuple(group_cells)
        outcome: tuple[_Done, ...] | None = reduced.get(key)
        if outcome is None:
            outcome = _rank(key)
            # kept small: a large cache of these containers costs more in garbage
            # collection than the ranking it saves
            if len(reduced) < _REDUCED_LIMIT:
                reduced[key] = outcome
                added += 1
        for index, done in zip(taking_part, outcome, strict=True):
            dones[index] = done
    return added


def _occurrences(cells: tuple[_Cell, ...]) -> list[list[Occurrence]]:
    """The occurrences of each line (``cells``: the lines of one ranking group taking
    part, in claim order) after the group's multiple procedure ranking."""
    group = cast(str, cells[0].group)  # only grouped lines are ranked (the caller's filter)
    families = (
        {c.row.endo_base for c in cells if c.row.mult_proc == "3"} if group == "surgery" else set()
    )
    therapy = group == "therapy"
    each: list[list[Occurrence]] = []
    every: list[Occurrence] = []
    for index, cell in enumerate(cells):
        pe = cell.base.pe if therapy else ZERO
        row = cell.row
        family, base_fee = None, ZERO
        if row.mult_proc == "3" and cell.endo_fee is not None:
            family, base_fee = row.endo_base, cell.endo_fee
        elif group == "surgery" and cell.code in families and not row.modifier:
            family, base_fee = cell.code, cell.base.fee  # the base endoscopy itself
        occurrences = [
            Occurrence(index, cell.unit_fee, cell.pc, cell.tc, pe, family, base_fee, cell.exact)
            for _ in range(cell.count or 0)  # whole: the sizes raised otherwise
        ]
        every.extend(occurrences)
        each.append(occurrences)
    apply_reductions({group: every})
    return each


def _rank(cells: tuple[_Cell, ...]) -> tuple[_Done, ...]:
    """The finished amounts of the lines (``cells``, in claim order, of one ranking
    group) that take part in the group's multiple procedure ranking."""
    done: list[_Done] = []
    for position, (cell, occurrences) in enumerate(zip(cells, _occurrences(cells), strict=True)):
        allowed, unit_fee, _ = _walk(cell, occurrences, words=False)
        done.append(_Done(cell, allowed, unit_fee, cells, position))
    return tuple(done)
