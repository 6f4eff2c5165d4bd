"""Read 835 health care claim payment/advice transaction sets into :class:`Remittance`.

Follows the ASC X12 005010X221A1 implementation guide (and reads the 004010X091A1
files still in circulation): header (BPR, TRN, DTM*405), loop 1000A payer and 1000B
payee (N1), loop 2100 claims (CLP, CAS, NM1, MIA, MOA, DTM, AMT, QTY), loop 2110 service
lines (SVC, DTM, CAS, REF*6R, AMT, QTY, LQ) and the PLB provider-level adjustments.
Segments that carry nothing a remittance holds (N3, N4, PER, TS3, TS2, LX, ...) are
skipped; every value that is read is checked, and a bad one raises
:class:`~medbill.ParseError` naming the segment and element.
"""

from __future__ import annotations

import itertools
import operator
import os
import re
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

import pendulum

from medbill._common import Address, PersonName
from medbill._errors import ParseError, UnbalancedRemittanceError, ValidationError
from medbill._money import ZERO
from medbill._payment import (
    Adjustment,
    ClaimPayment,
    Imbalance,
    LinePayment,
    PayerClaimStatus,
    PayerContact,
    PaymentMethod,
    ProviderAdjustment,
    ProviderSummary,
    Remittance,
    claim_imbalances,
    claim_unbalanced,
)
from medbill.codes import AdjustmentGroup, Carc, Modifier, Npi, ProcedureCode, Rarc, RevenueCode
from medbill.x12._envelope import (
    KNOWN_TRANSACTION_SETS,
    Source,
    StreamedTransaction,
    count_value,
    stream_transactions,
)
from medbill.x12._limits import ELEMENT_LIMITS, over_long
from medbill.x12._tokenizer import Lenience, location, shown, shown_id, warn
from medbill.x12._trusted import in_making, trusted_builder, trusted_positional, trusted_setters

__all__ = [
    "RemittanceStream",
    "iter_835",
    "iter_835_file",
    "read_835",
    "read_835_file",
    "stream_835",
    "stream_835_file",
]

T = TypeVar("T")

_STATUS = {member.value: member for member in PayerClaimStatus}
_METHOD = {member.value: member for member in PaymentMethod}
_GROUP = {member.value: member for member in AdjustmentGroup}
_PADDED = 20
_PADDING = [[""] * (_PADDED - size) for size in range(_PADDED)]
# The highest element position each segment's reading indexes, plus one.
_NEEDS = {
    "DTM": 3, "REF": 3, "AMT": 3, "QTY": 3, "LQ": 3, "TRN": 3, "SVC": 8, "CLP": 10,
    "NM1": 10, "N1": 5, "PLB": 15, "BPR": 17, "N3": 3, "N4": 4, "PER": 9, "CUR": 3,
    "TS3": 6, "LX": 2,
}  # fmt: skip
_LINE_DATES = frozenset({"472", "150", "151"})
_HEADER = frozenset(
    {"BPR", "TRN", "CUR", "N1", "N2", "N3", "N4", "PER", "RDM", "NTE", "LX", "TS3", "TS2"}
)
# Every segment of an 835 transaction set (005010X221A1 and 004010X091A1), for telling a
# misplaced segment from a misspelled one.
_KNOWN = _HEADER | {
    "REF",
    "DTM",
    "CLP",
    "CAS",
    "NM1",
    "MIA",
    "MOA",
    "AMT",
    "QTY",
    "SVC",
    "LQ",
    "PLB",
}
_CLOSES_CLAIM = frozenset({"CLP", "PLB", "LX", "TS3", "TS2"})
# The elements the reader reads whose length no other check bounds (codes are bounded by
# their types, dates by _date, qualifiers by the values they are compared with, amounts
# by _amount's 18 digits), checked against the guide's maximum (ELEMENT_LIMITS): an
# over-long one is refused when strict and read as sent, with a warning, when lenient.
_LENGTH_CHECKED: dict[str, tuple[int, ...]] = {
    "TRN": (2,), "CUR": (2,), "N1": (2, 4), "N3": (1, 2), "N4": (1, 2, 3),
    "PER": (2, 4, 6, 8), "REF": (2,), "LX": (1,), "NM1": (3, 4, 5, 7, 9),
    "PLB": (1,), "CLP": (1, 6, 7, 8, 9), "SVC": (5, 7), "AMT": (1,), "QTY": (1, 2),
    "CAS": (4, 7, 10, 13, 16, 19), "TS3": (1, 2),
}  # fmt: skip


def _length_vector(segment_id: str) -> tuple[int, ...]:
    """Per position, the length above which an element may be over-long (a quick check).

    Type R elements count digits only (a sign and a decimal point are not counted), so
    :func:`~medbill.x12._limits.over_long` decides for a value the quick check flags.
    """
    checked = _LENGTH_CHECKED[segment_id]
    limits = ELEMENT_LIMITS[segment_id]
    vector = [1 << 30] * (max(checked) + 1)
    for position in checked:
        vector[position] = limits[position - 1]
    return tuple(vector)


_LENGTH_VECTORS = {segment_id: _length_vector(segment_id) for segment_id in _LENGTH_CHECKED}
_AMOUNT_DIGITS = 18  # TR3 maximum length of the money elements (type R, 1/18)
_EXACT_DIGITS = 28  # Decimal's default precision: longer amounts would round when summed
_STRICT = Lenience(True)
# X12 decimals (type R) that _amount reads without a problem, once at most 18 characters
# long: an optional minus sign, ASCII digits and at most one decimal point; money has at
# most two decimal places. Anything else goes through _amount's checks.
_PLAIN_MONEY = re.compile(r"-?(?:[0-9]+(?:\.[0-9]{0,2})?|\.[0-9]{1,2})").fullmatch
_PLAIN_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)").fullmatch
# The commonest shape (123.45), at most 18 characters: read by Decimal alone, by the
# fast loop without a call to _fresh_amount (the cache is bounded as there).
_CENTS = re.compile(r"-?[0-9]{1,14}\.[0-9]{2}").fullmatch
_MONEY_CACHE = 65_536
_CLAIM_DATES = frozenset({"036", "050", "232", "233"})
# Entities built from values checked while reading (see medbill.x12._trusted).
_ADJUSTMENT = trusted_positional(Adjustment, "group", "reason", "amount", "quantity")
# The service line and the claim being read are built when their SVC or CLP is read, in
# the making (see medbill.x12._trusted.in_making), and filled field by field as their
# segments come: by attribute stores in the fast loop, by the slot setters (which take
# them too) in the general reading. The adjustments, lines and remarks gather in lists,
# stored as tuples when the line or claim closes, which then becomes a LinePayment or
# ClaimPayment (its class is set).
_LINE_IN_MAKING, _NEW_LINE = in_making(LinePayment, "procedure", "charge", "paid", "modifiers")
_LINE = trusted_builder(_LINE_IN_MAKING)
_SET_LINE = trusted_setters(LinePayment)
_SET_CLAIM = trusted_setters(ClaimPayment)
_SET_SERVICE_DATE = _SET_LINE["service_date"]
_SET_SERVICE_DATE_END = _SET_LINE["service_date_end"]
_SET_LINE_ID = _SET_LINE["line_id"]
_SET_ALLOWED = _SET_LINE["allowed"]
_SET_UNITS_PAID = _SET_LINE["units_paid"]
_SET_RECEIVED_ON = _SET_CLAIM["received_on"]
_SET_STATEMENT_START = _SET_CLAIM["statement_start"]
_SET_STATEMENT_END = _SET_CLAIM["statement_end"]
_CLAIM_IN_MAKING, _NEW_CLAIM = in_making(
    ClaimPayment,
    "claim_id",
    "status",
    "charge",
    "paid",
    "patient_responsibility",
    "filing_indicator",
    "payer_claim_control_number",
    "facility_code",
    "frequency",
    "header_number",
)
_NAME_IN_MAKING, _NEW_NAME = in_making(PersonName, "family", "given", "middle", "suffix")
_PROVIDER_SUMMARY = trusted_builder(ProviderSummary)


class _Codes:
    """Caches of validated code objects: real files repeat a few codes many times."""

    __slots__ = (
        "addresses",
        "adjustments",
        "carc",
        "composites",
        "dates",
        "modifier",
        "money",
        "npi",
        "procedure",
        "quantity",
        "rarc",
        "revenue",
    )

    def __init__(self) -> None:
        # amounts already read: X12 decimals of at most 18 characters (never warned about)
        self.money: dict[str, Decimal] = {}
        self.quantity: dict[str, Decimal] = {}
        self.carc: dict[str, Carc] = {}
        self.rarc: dict[str, Rarc] = {}
        self.modifier: dict[str, Modifier] = {}
        self.procedure: dict[str, ProcedureCode] = {}
        self.revenue: dict[str, RevenueCode] = {}
        self.dates: dict[str, pendulum.Date] = {}
        # per transaction set: the payee's NPI and the payer's address (N3/N4), which a
        # payer's file repeats in every set (an Address is frozen: one serves them all)
        self.npi: dict[str, Npi] = {}
        self.addresses: dict[tuple[tuple[str, Any], ...], Address] = {}
        self.composites: dict[str, tuple[str, str, tuple[Modifier, ...]]] = {}
        # one-triplet CAS read before, by (CAS01, CAS02, CAS03): adjustments are frozen,
        # so one object serves every claim that repeats it (CR is never kept: a file may
        # mix 004010, where it is a group, with 005010, where it is refused)
        self.adjustments: dict[tuple[str, str, str], Adjustment] = {}


Where = tuple[int, str, int | None]
"""A position (segment number, segment id, element), turned into text only on error."""


def _loc(where: Where) -> str:
    return location(*where)


def _code(cache: dict[str, T], kind: Callable[[str], T], value: str, where: Where) -> T:
    found = cache.get(value)
    if found is None:
        try:
            found = kind(value)
        except ValidationError as error:
            raise ParseError(
                error.reason + f" (got {shown(value)})", location=location(*where, value)
            ) from None
        if len(cache) > 50_000:
            cache.clear()
        cache[value] = found
    return found


def _tolerant_code(
    cache: dict[str, T], kind: Callable[[str], T], value: str, where: Where, lenience: Lenience
) -> T | None:
    """A code, or ``None`` after a warning when lenient reading meets a malformed one."""
    if lenience.strict:
        return _code(cache, kind, value, where)
    try:
        return _code(cache, kind, value, where)
    except ParseError as error:
        lenience.report(error.detail, _loc(where), lenient="skipped")
        return None


def _amount(
    value: str,
    number: int,
    segment_id: str,
    position: int,
    *,
    money: bool = True,
    lenience: Lenience | None = None,
) -> Decimal:
    """An X12 decimal (type R): optional minus sign, digits, at most one decimal point.

    Money has at most two decimal places (medbill never rounds input; see medbill._money).
    Exponents, plus signs, blanks, underscores, NaN and non-ASCII digits are refused.
    """
    # strip() stops at the first character that is not a digit, "." or "-": anything
    # else anywhere in the value leaves something behind.
    if len(value) > _AMOUNT_DIGITS or value.strip("0123456789.-") or not value:
        _odd_amount(value, number, segment_id, position, lenience)
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ParseError(
            f"expected a number, found {shown(value)}",
            location=location(number, segment_id, position, value),
        ) from None
    if money:
        dot = value.find(".")
        if dot >= 0 and len(value) - dot > 3 and value[dot + 3 :].strip("0"):
            raise ParseError(
                f"an amount of money has at most 2 decimal places, found {shown(value)}",
                location=location(number, segment_id, position, value),
            )
    return amount


def _cached_amount(
    cache: dict[str, Decimal],
    value: str,
    number: int,
    segment_id: str,
    position: int,
    lenience: Lenience,
    *,
    money: bool = True,
) -> Decimal:
    """:func:`_amount`, remembered: payers repeat the same amounts many times."""
    found = cache.get(value)
    if found is None:
        return _fresh_amount(cache, value, number, segment_id, position, lenience, money=money)
    return found


def _fresh_amount(
    cache: dict[str, Decimal],
    value: str,
    number: int,
    segment_id: str,
    position: int,
    lenience: Lenience,
    *,
    money: bool = True,
) -> Decimal:
    """:func:`_cached_amount` of a value not in ``cache`` (the caller looked)."""
    if len(value) <= _AMOUNT_DIGITS and (
        (money and _CENTS(value)) or (_PLAIN_MONEY if money else _PLAIN_NUMBER)(value)
    ):
        # the common shape (``123.45``): what _amount accepts, read without its checks
        found = Decimal(value)
    else:
        found = _amount(value, number, segment_id, position, money=money, lenience=lenience)
        if len(value) > _AMOUNT_DIGITS:  # warned about (lenient): warned again next time
            return found
    if len(cache) > _MONEY_CACHE:  # bounded (about 13 MB at most): flat memory
        cache.clear()
    cache[value] = found
    return found


def _odd_amount(
    value: str, number: int, segment_id: str, position: int, lenience: Lenience | None
) -> None:
    """Refuse a value that is not an X12 decimal; report one over 18 digits."""
    where = location(number, segment_id, position, value)
    if not value:
        raise ParseError("expected an amount, found nothing", location=where)
    if value.strip("0123456789.-"):
        raise ParseError(f"expected a number, found {shown(value)}", location=where)
    digits = len(value) - value.count(".") - value.count("-")
    if digits > _EXACT_DIGITS:
        # beyond Decimal's 28 significant digits sums would round: never read
        raise ParseError(
            f"an amount of {digits} digits cannot be read exactly ({shown(value)})",
            location=where,
        )
    if digits > _AMOUNT_DIGITS:
        # X12.6: type R counts digits only (no sign or decimal point); TR3 maximum 18.
        (lenience or _STRICT).report(
            f"an amount has {digits} digits, more than the 18 the guide allows ({shown(value)})",
            where,
            lenient="read as sent",
        )


def _date(codes: _Codes, value: str, number: int, segment_id: str, position: int) -> pendulum.Date:
    found = codes.dates.get(value)
    if found is None:
        if len(value) != 8 or not (value.isascii() and value.isdigit()):
            raise ParseError(
                f"expected a date CCYYMMDD, found {shown(value)}",
                location=location(number, segment_id, position, value),
            )
        try:
            found = pendulum.date(int(value[:4]), int(value[4:6]), int(value[6:]))
        except ValueError:
            raise ParseError(
                f"{shown(value)} is not a calendar date",
                location=location(number, segment_id, position, value),
            ) from None
        codes.dates[value] = found
    return found


def _revenue(code: str) -> str:
    # NUBC revenue codes are 4 digits with a leading zero; payers often drop the zero.
    return "0" + code if len(code) == 3 and code.isdigit() else code


def _name(segment: list[str]) -> PersonName | None:
    family = segment[3] if len(segment) > 3 else ""
    given = segment[4] if len(segment) > 4 else ""
    if not family.strip() or not given.strip():
        return None  # organisations and one-word names do not fit a PersonName
    middle = segment[5] if len(segment) > 5 and segment[5].strip() else None
    suffix = segment[7] if len(segment) > 7 and segment[7].strip() else None
    # family and given are non-empty and the others None or non-empty: what PersonName checks
    making = _NEW_NAME(family, given, middle, suffix)
    making.__class__ = PersonName  # complete
    name: PersonName = making
    return name


def _el(segment: list[str], position: int) -> str:
    return segment[position] if position < len(segment) else ""


class _Claim:
    """One loop 2100 claim being read: its ClaimPayment, built at the CLP and filled as
    the claim's segments come, and the lists its tuples are made of at its end."""

    __slots__ = ("adjustments", "amounts", "lines", "payment", "quantities", "remarks")

    def __init__(self, payment: Any) -> None:
        self.payment = payment  # a ClaimPayment in the making (takes attribute stores)
        self.adjustments: list[Adjustment] = []
        self.lines: list[LinePayment] = []
        self.remarks: list[Rarc] = []
        self.amounts: list[tuple[str, Decimal]] | None = None
        self.quantities: list[tuple[str, Decimal]] | None = None


def _end_line(
    making: Any, adjustments: list[Adjustment], lists: dict[str, list[Any]] | None
) -> LinePayment:
    """The service line being read (in the making), its adjustments (and remarks,
    amounts, quantities gathered in ``lists``) stored as tuples: complete."""
    making.adjustments = tuple(adjustments)
    if lists is not None:
        for key, values in lists.items():
            _SET_LINE[key](making, tuple(values))
    making.__class__ = LinePayment  # complete: frozen from now on
    line: LinePayment = making
    return line


def _build(kind: Callable[..., T], fields: dict[str, Any], where: str) -> T:
    try:
        return kind(**fields)
    except ValidationError as error:
        raise ParseError(str(error), location=where) from None


class _TransactionReader:
    """Reads one 835 transaction set; keeps the state of the loop being read.

    Two loops read the segments. The general one (:meth:`_general_claims`) reads each
    segment with :meth:`_segment`, which checks everything; the fast one
    (:meth:`claims`) reads the common shapes of the common segments itself, with the same
    checks written out for those shapes, and hands every other segment to
    :meth:`_segment`. Both keep the loop state in the same form (the claim being read,
    its open service line as a dict, that line's adjustments), so the hand-over is
    exact; ``fast = False`` makes the reader use the general loop only (the tests read
    every sample both ways and compare records, errors and warnings).
    """

    fast = True

    def __init__(self, raw: StreamedTransaction, codes: _Codes, lenience: Lenience) -> None:
        self.raw = raw
        self.header: dict[str, Any] = {}
        self.provider_adjustments: list[ProviderAdjustment] = []
        self.codes = codes
        self.lenience = lenience
        self.component = raw.delimiters.component
        self.repetition = raw.delimiters.repetition
        self.version_4010 = (raw.implementation or raw.gs[8]).startswith("004010")
        self.seen: set[str] = set()  # single-use segments read in the current claim
        self.seen_header: set[str] = set()  # those of the header ("#BPR", "#N1*PR", ...)
        # The state of the loop: whether the first claim has been met, the claim and the
        # service line being read, the N1 loop being read (PR or PE) and the LX01 of the
        # header loop (2000) being read.
        self.started = False
        self.claim: _Claim | None = None
        self.line: LinePayment | None = None
        self.line_adjustments: list[Adjustment] = []
        self.line_lists: dict[str, list[Any]] | None = None  # see _line_list
        self.entity = ""
        self.header_number: int | None = None
        groups = dict(_GROUP)
        if not self.version_4010:
            del groups["CR"]  # CR is a 004010X091A1 group only
        self.groups = groups

    def once(self, key: str, number: int, segment_id: str) -> bool:
        """Whether a single-use segment (``key``) is read for the first time in its loop.

        A repeated one is refused when strict; lenient reading keeps the first.
        """
        seen = self.seen_header if key[0] == "#" else self.seen
        if key in seen:
            self.lenience.report(
                f"{key.lstrip('#')} appears twice; the implementation guide allows it once",
                location(number, segment_id),
                lenient="the first one is kept",
            )
            return False
        seen.add(key)
        return True

    def claims(self) -> Iterator[ClaimPayment | None]:
        """The claims of the transaction set as they are read, in file order.

        ``None`` comes once, before the first claim (or at the end, without claims): the
        header (BPR, TRN, N1 loops) is read by then. The claims are not kept; the header
        fields gather in ``header`` and the PLB adjustments in ``provider_adjustments``.
        The iteration ends once the SE has been checked.

        This is the fast loop: it reads the common shapes of CAS, DTM, SVC, REF, AMT,
        CLP and NM1*QC itself, keeping the loop state in local variables, and hands any
        other segment (or shape) to :meth:`_segment`, the general reading. A shape is
        read here only when the general reading would neither warn nor raise on it, or
        through the same helper the general reading calls, so the result is the same.
        Longer than a screen on purpose: this loop is where the reader spends its time
        (see benchmarks/x12.py).
        """
        if not self.fast:
            yield from self._general_claims()
            return
        raw = self.raw
        codes = self.codes
        money = codes.money
        dates = codes.dates
        carcs = codes.carc
        composites = codes.composites
        procedures = codes.procedure
        quantities = codes.quantity
        known_adjustments = codes.adjustments
        groups = self.groups
        lenience = self.lenience
        seen = self.seen
        read_adjustments = self._adjustments
        required = self._required_amount
        cents = _CENTS
        new_amount = Decimal
        new_line = _NEW_LINE
        claim: _Claim | None = None
        line: Any = None  # a LinePayment in the making (takes attribute stores), or None
        line_adjustments: list[Adjustment] = []
        number = raw.first_number - 1
        for segment in itertools.chain.from_iterable(raw.batches):
            number += 1
            segment_id = segment[0]
            size = len(segment)
            if claim is not None:
                if segment_id == "CAS":
                    found = line_adjustments if line is not None else claim.adjustments
                    if size == 4:
                        # one triplet without a quantity (CAS04, the only element of
                        # it with a length to check, is absent), a known group and a
                        # CARC met before: what _adjustments does
                        key = (segment[1], segment[2], segment[3])
                        adjustment = known_adjustments.get(key)
                        if adjustment is not None:
                            found.append(adjustment)
                            continue
                        group = groups.get(segment[1])
                        carc = carcs.get(segment[2])
                        if group is not None and carc is not None:
                            text = segment[3]
                            amount = money.get(text)
                            if amount is None:
                                if cents(text):
                                    if len(money) > _MONEY_CACHE:
                                        money.clear()
                                    amount = money[text] = new_amount(text)
                                else:
                                    amount = _fresh_amount(money, text, number, "CAS", 3, lenience)
                            adjustment = _ADJUSTMENT(group, carc, amount, None)
                            # an amount of at most 18 characters is never warned about
                            if len(segment[3]) <= _AMOUNT_DIGITS and segment[1] != "CR":
                                if len(known_adjustments) >= 32_768:  # bounded: flat memory
                                    known_adjustments.clear()
                                known_adjustments[key] = adjustment
                            found.append(adjustment)
                            continue
                    read_adjustments(segment, number, found)
                    continue
                if segment_id == "DTM":
                    day = dates.get(segment[2]) if size >= 3 else None
                    if day is not None:  # a date read before (DTM has no length check)
                        qualifier = segment[1]
                        if line is not None:
                            if qualifier == "472" or qualifier == "150":
                                line.service_date = day
                                continue
                            if qualifier == "151":
                                line.service_date_end = day
                                continue
                        elif qualifier == "050":
                            claim.payment.received_on = day
                            continue
                        elif qualifier == "232":
                            claim.payment.statement_start = day
                            continue
                        elif qualifier == "233":
                            claim.payment.statement_end = day
                            continue
                        elif qualifier == "036":
                            continue
                elif segment_id == "SVC":
                    # SVC01 a composite read before whose HC code is a known procedure,
                    # no SVC04 (revenue code) or SVC06/07 (the submitted procedure and
                    # units), SVC05 within its 15 characters
                    read = composites.get(segment[1]) if 4 <= size <= 6 else None
                    if (
                        read is not None
                        and read[0] == "HC"
                        and (size == 4 or not segment[4])
                        and (size < 6 or len(segment[5]) <= 15)
                    ):
                        procedure = procedures.get(read[1])
                        if procedure is not None:
                            if line is not None:
                                if self.line_lists is not None:
                                    _end_line(line, line_adjustments, self.line_lists)
                                    self.line_lists = None
                                else:
                                    line.adjustments = tuple(line_adjustments)
                                    line.__class__ = LinePayment
                                claim.lines.append(line)
                            text = segment[2]
                            charge = money.get(text)
                            if charge is None:
                                if cents(text):
                                    if len(money) > _MONEY_CACHE:
                                        money.clear()
                                    charge = money[text] = new_amount(text)
                                else:
                                    charge = required(segment, number, 2)
                            text = segment[3]
                            paid = money.get(text)
                            if paid is None:
                                if cents(text):
                                    if len(money) > _MONEY_CACHE:
                                        money.clear()
                                    paid = money[text] = new_amount(text)
                                else:
                                    paid = required(segment, number, 3)
                            line = new_line(procedure, charge, paid, read[2])
                            line_adjustments = []
                            if size == 6 and segment[5]:
                                units = quantities.get(segment[5])
                                if units is None:
                                    units = _fresh_amount(
                                        quantities,
                                        segment[5],
                                        number,
                                        "SVC",
                                        5,
                                        lenience,
                                        money=False,
                                    )
                                line.units_paid = units
                            continue
                elif segment_id == "REF":
                    if size >= 3 and len(segment[2]) <= 50:
                        # the claim's REFs carry nothing a claim payment holds
                        if line is not None and segment[1] == "6R":
                            line.line_id = segment[2]
                        continue
                elif segment_id == "AMT":
                    if size >= 3 and len(segment[1]) <= 3 and line is not None:
                        value = segment[2]
                        amount = money.get(value)
                        if amount is None:
                            if cents(value):
                                if len(money) > _MONEY_CACHE:
                                    money.clear()
                                amount = money[value] = new_amount(value)
                            else:
                                amount = _fresh_amount(money, value, number, "AMT", 2, lenience)
                        if segment[1] == "B6":
                            line.allowed = amount
                        else:
                            self._line_list("amounts").append((segment[1], amount))
                        continue
                elif segment_id == "NM1" and (
                    line is None
                    and size >= 10
                    and segment[1] == "QC"
                    and "NM1*QC" not in seen
                    and len(segment[3]) <= 60
                    and len(segment[4]) <= 35
                    and len(segment[5]) <= 25
                    and len(segment[7]) <= 10
                    and len(segment[9]) <= 80
                ):
                    seen.add("NM1*QC")
                    payment = claim.payment
                    payment.patient_name = _name(segment)
                    payment.member_id = segment[9] or None
                    continue
            if (
                segment_id == "CLP"
                and size >= 10
                and len(segment[1]) <= 38
                and len(segment[6]) <= 2
                and len(segment[7]) <= 50
                and len(segment[8]) <= 2
                and len(segment[9]) <= 1
            ):
                # within the guide's lengths, so the general reading would pad nothing
                # and report nothing before the claim being read is closed
                if claim is not None:
                    if line is not None:
                        claim.lines.append(_end_line(line, line_adjustments, self.line_lists))
                        self.line_lists = None
                        line = None
                    done = self._claim(claim)
                    claim = None
                    yield done
                elif not self.started:
                    self.started = True
                    yield None
                claim = self._clp(segment, number)
                continue
            # Any other segment or shape: the general reading, with the same state.
            self.claim, self.line, self.line_adjustments = claim, line, line_adjustments
            yield from self._segment(segment, number)
            claim, line, line_adjustments = self.claim, self.line, self.line_adjustments
        self.claim, self.line, self.line_adjustments = claim, line, line_adjustments
        yield from self._finish()

    def _general_claims(self) -> Iterator[ClaimPayment | None]:
        """:meth:`claims` read by the general reading alone, segment by segment."""
        number = self.raw.first_number - 1
        for segment in itertools.chain.from_iterable(self.raw.batches):
            number += 1
            yield from self._segment(segment, number)
        yield from self._finish()

    def _finish(self) -> Iterator[ClaimPayment | None]:
        """At the SE: the claim being read, and ``None`` when there was no claim."""
        done = self._close()
        if done is not None:
            yield done
        if not self.started:
            yield None

    def _close_line(self) -> None:
        """Close the service line being read (if any): it joins its claim's lines."""
        if self.line is not None and self.claim is not None:
            self.claim.lines.append(_end_line(self.line, self.line_adjustments, self.line_lists))
        self.line = None
        self.line_lists = None

    def _line_list(self, key: str) -> list[Any]:
        """The list the open service line's ``key`` (remarks, amounts, quantities) gathers in."""
        lists = self.line_lists
        if lists is None:
            lists = self.line_lists = {}
        return lists.setdefault(key, [])

    def _close(self) -> ClaimPayment | None:
        """Close the service line and the claim being read; the claim, if any."""
        claim = self.claim
        if claim is None:
            return None
        self._close_line()
        self.claim = None
        return self._claim(claim)

    def _segment(self, segment: list[str], number: int) -> Iterator[ClaimPayment | None]:
        """Read one segment (the general reading): yields the claim it closes, if any,
        and ``None`` before the first claim is opened."""
        segment_id = segment[0]
        if segment_id == "CAS":  # not padded: its length says how many triplets
            if self.line is not None:
                found = self.line_adjustments
            elif self.claim is not None:
                found = self.claim.adjustments
            else:
                raise ParseError("CAS outside a claim", location=location(number, "CAS"))
            self._adjustments(segment, number, found)
            return
        vector = _LENGTH_VECTORS.get(segment_id)
        if vector is not None and any(map(operator.lt, vector, map(len, segment))):
            self._lengths(segment, number)
        # pad short segments so that the elements read below can be indexed directly
        size = len(segment)
        if size < _NEEDS.get(segment_id, 0):
            segment.extend(_PADDING[size])
        if segment_id in _CLOSES_CLAIM:  # CLP, PLB, LX, TS3, TS2 end the claim being read
            done = self._close()
            if done is not None:
                yield done
            if segment_id == "CLP":
                if not self.started:
                    self.started = True
                    yield None
                self.claim = self._clp(segment, number)
            elif segment_id == "PLB":
                self.provider_adjustments.extend(self._plb(segment, number))
            else:  # a header loop (2000) opens
                self.entity = self._header(segment, number, self.header, self.entity)
                if segment_id == "LX":
                    self.header_number = int(segment[1]) if segment[1].isdigit() else None
            return
        self._inside(segment, number)

    def _inside(self, segment: list[str], number: int) -> None:
        """Read a segment that does not close the claim (padded, its lengths checked)."""
        segment_id = segment[0]
        codes = self.codes
        claim = self.claim
        line = self.line
        if segment_id == "DTM":
            qualifier = segment[1]
            if line is not None:
                if qualifier not in _LINE_DATES:
                    raise ParseError(
                        f"unknown service date qualifier {qualifier!r}: expected 472, 150 or 151",
                        location=location(number, "DTM", 1),
                    )
                day = _date(codes, segment[2], number, "DTM", 2)
                if qualifier == "151":
                    _SET_SERVICE_DATE_END(line, day)
                else:
                    _SET_SERVICE_DATE(line, day)
            elif claim is not None:
                if qualifier not in _CLAIM_DATES:
                    raise ParseError(
                        f"unknown claim date qualifier {qualifier!r}: "
                        "expected 036, 050, 232 or 233",
                        location=location(number, "DTM", 1),
                    )
                day = _date(codes, segment[2], number, "DTM", 2)
                if qualifier == "050":
                    _SET_RECEIVED_ON(claim.payment, day)
                elif qualifier == "232":
                    _SET_STATEMENT_START(claim.payment, day)
                elif qualifier == "233":
                    _SET_STATEMENT_END(claim.payment, day)
            elif qualifier == "405":
                self.header["production_date"] = _date(codes, segment[2], number, "DTM", 2)
        elif segment_id == "SVC":
            if claim is None:
                raise ParseError("SVC outside a claim", location=location(number, "SVC"))
            self._close_line()
            self.line = _LINE(self._line(segment, number))
            self.line_adjustments = []
        elif segment_id == "REF":
            qualifier = segment[1]
            if line is not None:
                if qualifier == "6R":
                    _SET_LINE_ID(line, segment[2])
            elif claim is None and qualifier == "2U" and self.entity == "PR":
                self.header["payer_id"] = segment[2]
            elif claim is None and qualifier == "TJ" and self.entity == "PE":
                self.header["payee_tax_id"] = segment[2]
        elif segment_id == "AMT" or segment_id == "QTY":
            money = segment_id == "AMT"
            amount = _cached_amount(
                codes.money if money else codes.quantity,
                segment[2],
                number,
                segment_id,
                2,
                self.lenience,
                money=money,
            )
            pair = (segment[1], amount)
            if line is not None:
                if not money:
                    self._line_list("quantities").append(pair)
                elif pair[0] == "B6":
                    _SET_ALLOWED(line, amount)
                else:
                    self._line_list("amounts").append(pair)
            elif claim is not None:
                if money:
                    if claim.amounts is None:
                        claim.amounts = []
                    claim.amounts.append(pair)
                else:
                    if claim.quantities is None:
                        claim.quantities = []
                    claim.quantities.append(pair)
        elif segment_id == "NM1":
            if claim is None or line is not None:
                self._unknown(segment_id, number)
            elif self.once("NM1*" + segment[1], number, "NM1"):
                self._nm1(segment, number, claim.payment)
        elif segment_id == "LQ":
            if line is None:
                raise ParseError("LQ outside a service line", location=location(number, "LQ"))
            qualifier = segment[1]
            if qualifier == "HE":
                remark = _tolerant_code(
                    codes.rarc, Rarc, segment[2], (number, "LQ", 2), self.lenience
                )
                if remark is not None:
                    self._line_list("remarks").append(remark)
            elif qualifier != "RX":  # RX: NCPDP reject/payment codes, not RARCs
                raise ParseError(
                    f"unknown remark qualifier {qualifier!r}: expected HE or RX",
                    location=location(number, "LQ", 1),
                )
        elif segment_id == "MOA" or segment_id == "MIA":
            if claim is None or line is not None:
                self._unknown(segment_id, number)
            elif self.once(segment_id, number, segment_id):
                positions = (3, 4, 5, 6, 7) if segment_id == "MOA" else (5, 20, 21, 22, 23)
                for position in positions:
                    value = _el(segment, position)
                    if value:
                        remark = _tolerant_code(
                            codes.rarc, Rarc, value, (number, segment_id, position), self.lenience
                        )
                        if remark is not None:
                            claim.remarks.append(remark)
        elif claim is None and segment_id in _HEADER:
            # header and 1000A/1000B segments: rare, read by their own method
            self.entity = self._header(segment, number, self.header, self.entity)
        else:
            self._unknown(segment_id, number)

    def remittance(
        self,
        claims: tuple[ClaimPayment, ...] | list[ClaimPayment],
        provider_adjustments: list[ProviderAdjustment],
    ) -> Remittance | None:
        """The remittance of the header read so far with ``claims``, or ``None`` when
        lenient reading skips the transaction set (it lacks TRN, N1*PR or BPR)."""
        raw = self.raw
        header = dict(self.header)
        st = location(raw.first_number - 1, "ST")
        for field, segment_id in (
            ("id", "TRN"),
            ("payer_name", "N1*PR"),
            ("payment_amount", "BPR"),
        ):
            if field not in header:
                self.lenience.report(
                    f"transaction set {shown(raw.control_number)} has no {segment_id} segment",
                    st,
                    lenient="the transaction set is skipped",
                )
                return None
        address = header.pop("_address", None)
        header.pop("_lx", None)
        if address is not None:
            header["payer_address"] = self._address(address, st)
        header["control_number"] = raw.control_number
        if "paid_on" not in header:
            if "production_date" not in header:
                raise ParseError(
                    f"transaction set {raw.control_number} has neither a payment date (BPR16) "
                    "nor a production date (DTM*405)",
                    location=st,
                )
            header["paid_on"] = header["production_date"]
        header["claim_payments"] = claims
        header["provider_adjustments"] = provider_adjustments
        return _build(Remittance, header, st)

    def read(self) -> Remittance | None:
        """The remittance of the whole transaction set (its claims held in memory)."""
        claims = [claim for claim in self.claims() if claim is not None]
        return self.remittance(claims, self.provider_adjustments)

    def _lengths(self, segment: list[str], number: int) -> None:
        """Report each element longer than the guide allows (refused when strict)."""
        segment_id = segment[0]
        for position in _LENGTH_CHECKED[segment_id]:
            if position >= len(segment):
                break
            value = segment[position]
            limit = over_long(segment_id, position, value)
            if limit is not None:
                self.lenience.report(
                    f"{segment_id}{position:02d} is longer than the {limit} characters the "
                    f"guide allows ({len(value)}: {shown(value)})",
                    location(number, segment_id, position, value[:80]),
                    lenient="read as sent",
                )

    def _unknown(self, segment_id: str, number: int) -> None:
        where = location(number, segment_id)
        if segment_id in _KNOWN:
            message = f"segment {shown_id(segment_id)} is out of place in an 835 here"
        else:
            message = f"unknown segment {shown_id(segment_id)} in an 835 (misspelled?)"
        self.lenience.report(message, where, lenient="skipped")

    def _header(
        self,
        segment: list[str],
        number: int,
        header: dict[str, Any],
        entity: str,
    ) -> str:
        """Read a header, 1000A/1000B or LX/TS3 segment; returns the N1 loop now open."""
        segment_id = segment[0]
        if segment_id == "BPR":
            if self.once("#BPR", number, "BPR"):
                self._bpr(segment, number, header)
        elif segment_id == "TRN":
            if self.once("#TRN", number, "TRN"):
                header["id"] = segment[2]
        elif segment_id == "CUR":
            if self.once("#CUR", number, "CUR"):
                header["currency"] = segment[2] or None
        elif segment_id == "N1":
            entity = segment[1]
            if entity not in ("PR", "PE"):
                self._unknown("N1", number)
            elif self.once("#N1*" + entity, number, "N1"):
                self._n1(segment, number, header)
            else:
                entity = "duplicate " + entity
        elif segment_id in ("N3", "N4"):
            if entity == "PR" and self.once("#PR " + segment_id, number, segment_id):
                lines = header.setdefault("_address", {})
                if segment_id == "N3":
                    lines["line1"], lines["line2"] = segment[1], segment[2] or None
                else:
                    lines["city"], lines["state"], lines["postal_code"] = segment[1:4]
        elif segment_id == "PER":
            if entity == "PR":
                numbers = [
                    (segment[position], segment[position + 1])
                    for position in (3, 5, 7)
                    if segment[position] and segment[position + 1]
                ]
                header.setdefault("payer_contacts", []).append(
                    PayerContact(function=segment[1], name=segment[2] or None, numbers=numbers)
                )
        elif segment_id == "TS3":
            self._ts3(segment, number, header)
        elif segment_id == "LX":
            header["_lx"] = count_value(segment[1], number, "LX", 1)
        # RDM, NTE (004010), N2 and TS2 carry nothing a remittance holds; N3/N4/PER of
        # the payee loop neither.
        return entity

    def _address(self, parts: dict[str, Any], where: str) -> Address | None:
        """The payer's address (1000A N3/N4); one the guide would refuse is reported."""
        key = tuple(parts.items())
        addresses = self.codes.addresses
        found = addresses.get(key)
        if found is not None:
            return found
        try:
            found = Address(**{"line1": "", "city": "", "state": "", "postal_code": ""} | parts)
        except ValidationError as error:
            self.lenience.report(
                f"the payer address (N3/N4) is incomplete: {error.field}",
                where,
                lenient="payer_address is left empty",
            )
            return None
        if len(addresses) > 1_000:  # bounded: flat memory
            addresses.clear()
        addresses[key] = found
        return found

    def _ts3(self, segment: list[str], number: int, header: dict[str, Any]) -> None:
        """The provider summary (TS3): informational, so a bad value is only reported."""
        summary: dict[str, Any] = {
            "header_number": header.get("_lx", 0),
            "provider_id": segment[1],
            "facility_code": segment[2],
        }
        for position, name, read in (
            (3, "fiscal_period_end", lambda v: _date(self.codes, v, number, "TS3", 3)),
            (4, "claim_count", lambda v: count_value(v, number, "TS3", 4)),
            (5, "total_charge", lambda v: _amount(v, number, "TS3", 5, lenience=self.lenience)),
        ):
            value = segment[position]
            if not value:
                continue
            try:
                summary[name] = read(value)
            except ParseError as error:
                warn(error.detail + "; left out of the provider summary", error.location)
        header.setdefault("provider_summaries", []).append(_PROVIDER_SUMMARY(summary))

    def _n1(self, segment: list[str], number: int, header: dict[str, Any]) -> None:
        if segment[1] == "PR":
            header["payer_name"] = segment[2]
            if segment[3] == "XV" and "payer_id" not in header:
                header["payer_id"] = segment[4]
            return
        header["payee_name"] = segment[2] or None
        qualifier, value = segment[3], segment[4]
        if qualifier == "XX":
            try:
                header["payee_npi"] = _code(self.codes.npi, Npi, value, (number, "N1", 4))
            except ParseError as error:
                # The payer's file is the authority on what was paid: a payee NPI that
                # fails its check digit is read in both modes, kept as sent, and reported.
                warn(error.detail + "; kept as sent in payee_npi_as_sent", error.location)
                header["payee_npi_as_sent"] = value
        elif qualifier == "FI":
            header["payee_tax_id"] = value

    def _bpr(self, segment: list[str], number: int, header: dict[str, Any]) -> None:
        header["payment_amount"] = _amount(segment[2], number, "BPR", 2, lenience=self.lenience)
        flag = segment[3]
        if flag not in ("C", "D"):
            raise ParseError(
                f"unknown credit/debit flag {flag!r}: expected C or D",
                location=location(number, "BPR", 3),
            )
        header["credit"] = flag == "C"
        method = _METHOD.get(segment[4])
        if method is None:
            raise ParseError(
                f"unknown payment method {segment[4]!r}: expected ACH, BOP, CHK, FWT or NON",
                location=location(number, "BPR", 4),
            )
        header["method"] = method
        if segment[16]:
            try:
                header["paid_on"] = _date(self.codes, segment[16], number, "BPR", 16)
            except ParseError as error:
                self.lenience.report(
                    error.detail, error.location, lenient="the production date is used"
                )

    def _clp(self, segment: list[str], number: int) -> _Claim:
        """Open the claim of a CLP (padded to CLP09 or longer)."""
        status = _STATUS.get(segment[2])
        if status is None:
            raise ParseError(
                f"unknown claim status code {segment[2]!r}: expected one of " + ", ".join(_STATUS),
                location=location(number, "CLP", 2),
            )
        responsibility = segment[5]
        if not segment[1].strip():
            raise ParseError(
                "the patient control number (CLP01) is empty", location=location(number, "CLP", 1)
            )
        money = self.codes.money
        text = segment[3]
        charge = money.get(text)
        if charge is None:
            if _CENTS(text) and len(money) <= _MONEY_CACHE:
                charge = money[text] = Decimal(text)
            else:
                charge = self._required_amount(segment, number, 3)
        text = segment[4]
        paid = money.get(text)
        if paid is None:
            if _CENTS(text) and len(money) <= _MONEY_CACHE:
                paid = money[text] = Decimal(text)
            else:
                paid = self._required_amount(segment, number, 4)
        responsibility_amount = money.get(responsibility) if responsibility else ZERO
        if responsibility_amount is None:
            if _CENTS(responsibility) and len(money) <= _MONEY_CACHE:
                responsibility_amount = money[responsibility] = Decimal(responsibility)
            else:
                responsibility_amount = _fresh_amount(
                    money, responsibility, number, "CLP", 5, self.lenience
                )
        if self.seen:
            self.seen.clear()
        return _Claim(
            _NEW_CLAIM(
                segment[1],  # a ClaimId (NewType: the str itself)
                status,
                charge,
                paid,
                responsibility_amount,
                segment[6] or None,
                segment[7] or None,
                segment[8] or None,
                segment[9] or None,
                self.header_number,
            )
        )

    def _required_amount(self, segment: list[str], number: int, position: int) -> Decimal:
        value = segment[position]
        found = self.codes.money.get(value)
        if found is not None:
            return found
        if value:
            return _fresh_amount(
                self.codes.money, value, number, segment[0], position, self.lenience
            )
        if not self.lenience.strict:
            self.lenience.report(
                "the amount is missing; 0 is used", location(number, segment[0], position)
            )
            return ZERO
        return _amount(value, number, segment[0], position, lenience=self.lenience)

    def _nm1(self, segment: list[str], number: int, payment: ClaimPayment) -> None:
        role = segment[1]
        setters = _SET_CLAIM
        if role == "QC":
            setters["patient_name"](payment, _name(segment))
            setters["member_id"](payment, segment[9] or None)
        elif role == "IL":
            setters["insured_name"](payment, _name(segment))
            setters["insured_id"](payment, segment[9] or None)
        elif role == "74":
            corrected = _name(segment)
            setters["corrected_name"](payment, corrected)
            setters["corrected_id"](payment, segment[9] or None)
            if corrected is None:
                # a correction of one part of the name (the first name alone, NM104
                # without NM103) does not fit a PersonName: kept as sent
                setters["corrected_family_name"](payment, segment[3] or None)
                setters["corrected_given_name"](payment, segment[4] or None)
        elif role not in ("82", "TT", "PR", "GB"):
            raise ParseError(
                f"unknown claim party {shown(role)}: expected QC, IL, 74, 82, TT, PR or GB",
                location=location(number, "NM1", 1, role),
            )

    def _claim(self, claim: _Claim) -> ClaimPayment:
        """The claim being read, its lists stored as tuples: complete."""
        making = claim.payment
        making.adjustments = tuple(claim.adjustments)
        making.lines = tuple(claim.lines)
        making.remarks = tuple(claim.remarks)
        if claim.amounts is not None:
            making.amounts = tuple(claim.amounts)
        if claim.quantities is not None:
            making.quantities = tuple(claim.quantities)
        making.__class__ = ClaimPayment  # complete: frozen from now on
        payment: ClaimPayment = making
        return payment

    def _adjustments(self, segment: list[str], number: int, found: list[Adjustment]) -> None:
        """Append the adjustments of a CAS: up to six reason/amount/quantity triplets."""
        size = len(segment)
        group = _GROUP.get(segment[1]) if size > 1 else None
        if group is AdjustmentGroup.CORRECTION_REVERSAL and not self.version_4010:
            group = None  # CR is a 004010X091A1 group only
        if group is None:
            self.lenience.report(
                f"unknown adjustment group {shown(_el(segment, 1))}: expected CO, OA, PI or PR"
                + (" (or CR)" if self.version_4010 else ""),
                location(number, "CAS", 1, _el(segment, 1)),
                lenient="the segment is skipped",
            )
            return
        if size > 20:
            self.lenience.report(
                f"CAS has {size - 1} elements, at most 19 (six triplets)",
                location(number, "CAS", 20, segment[20]),
                lenient="the extra elements are read as further triplets",
            )
        if any(map(operator.lt, _LENGTH_VECTORS["CAS"], map(len, segment))):
            self._lengths(segment, number)
        before = len(found)
        carcs = self.codes.carc
        lenience = self.lenience
        for position in range(2, size, 3):
            reason = segment[position]
            amount_text = segment[position + 1] if position + 1 < size else ""
            quantity = segment[position + 2] if position + 2 < size else ""
            if not reason:
                if amount_text or quantity:
                    # CAS03/06/... are required with their reason (005010X221A1 CAS syntax
                    # P0203: reason and amount go together): an amount without its reason.
                    lenience.report(
                        f"an adjustment amount {shown(amount_text or quantity)} has no reason "
                        f"code (CAS{position:02d})",
                        location(number, "CAS", position, amount_text),
                        lenient="the amount is not read; the claim will not balance",
                    )
                continue
            amount = _cached_amount(
                self.codes.money, amount_text, number, "CAS", position + 1, lenience
            )
            carc = carcs.get(reason) or _tolerant_code(
                carcs, Carc, reason, (number, "CAS", position), lenience
            )
            if carc is None:
                continue
            found.append(
                _ADJUSTMENT(
                    group,
                    carc,
                    amount,
                    _amount(quantity, number, "CAS", position + 2, money=False, lenience=lenience)
                    if quantity
                    else None,
                )
            )
        if len(found) == before and lenience.strict:
            raise ParseError("CAS holds no adjustment", location=location(number, "CAS", 2))

    def _procedure(
        self, composite: str, number: int, position: int
    ) -> tuple[str, str, tuple[Modifier, ...]]:
        cached = self.codes.composites.get(composite)
        if cached is not None:
            return cached
        read = self._read_procedure(composite, number, position)
        if self.lenience.strict:  # lenient reading warns each time, so it does not cache
            if len(self.codes.composites) > 50_000:
                self.codes.composites.clear()
            self.codes.composites[composite] = read
        return read

    def _read_procedure(
        self, composite: str, number: int, position: int
    ) -> tuple[str, str, tuple[Modifier, ...]]:
        where: Where = (number, "SVC", position)
        component = self.component
        if component not in composite and not self.lenience.strict:
            for candidate in ":>^|\\":
                if candidate in composite:
                    self.lenience.report(
                        f"{composite!r} separates components with {candidate!r}, "
                        f"the ISA declares {component!r}",
                        _loc(where),
                    )
                    component = candidate
                    break
        parts = composite.split(component)
        qualifier = parts[0]
        if len(parts) < 2 or not parts[1]:
            if self.lenience.strict:
                raise ParseError(
                    f"expected qualifier{self.component}code, found {composite!r}",
                    location=_loc(where),
                )
            self.lenience.report(f"{composite!r} has no procedure code", _loc(where))
            return qualifier, "", ()
        if len(parts[1]) > 48 or len(qualifier) > 2:  # C003-01 1/2, C003-02 1/48
            self.lenience.report(
                f"SVC{position:02d} holds a product/service qualifier or code longer than "
                f"the guide allows (2 and 48 characters: {shown(composite)})",
                location(number, "SVC", position, composite[:80]),
                lenient="read as sent",
            )
        modifiers = tuple(
            m
            for m in (
                _tolerant_code(self.codes.modifier, Modifier, m, where, self.lenience)
                for m in parts[2:6]
                if m
            )
            if m is not None
        )
        return qualifier, parts[1], modifiers

    def _line(self, segment: list[str], number: int) -> dict[str, Any]:
        codes = self.codes
        composite = segment[1]
        read = codes.composites.get(composite)
        qualifier, code, modifiers = read or self._procedure(composite, number, 1)
        money = codes.money
        charge, paid = segment[2], segment[3]
        fields: dict[str, Any] = {
            "charge": money.get(charge) or self._required_amount(segment, number, 2),
            "paid": money.get(paid) or self._required_amount(segment, number, 3),
            "modifiers": modifiers,
            "procedure": None,
        }
        if qualifier == "HC" and code:
            procedure = codes.procedure.get(code) or _tolerant_code(
                codes.procedure, ProcedureCode, code, (number, "SVC", 1), self.lenience
            )
            if procedure is None:
                fields["code_qualifier"] = qualifier
                fields["other_code"] = code
            fields["procedure"] = procedure
        elif qualifier == "NU":
            revenue_code = _tolerant_code(
                codes.revenue, RevenueCode, _revenue(code), (number, "SVC", 1), self.lenience
            )
            if revenue_code is None:
                fields["code_qualifier"] = qualifier
                fields["other_code"] = code
            fields["revenue_code"] = revenue_code
        elif not code or qualifier in ("AD", "ER", "HP", "IV", "N4", "N6", "WK", "UI", "ZZ", "NH"):
            fields["code_qualifier"] = qualifier
            fields["other_code"] = code
        else:
            self.lenience.report(
                f"unknown product/service qualifier {qualifier!r}: expected HC, NU, AD, ER, "
                "HP, IV, N4, N6, WK, UI or ZZ",
                location(number, "SVC", 1),
            )
            fields["code_qualifier"] = qualifier
            fields["other_code"] = code
        revenue = segment[4]
        if revenue:
            fields["revenue_code"] = _tolerant_code(
                codes.revenue,
                RevenueCode,
                _revenue(revenue),
                (number, "SVC", 4),
                self.lenience,
            )
        units = segment[5]
        if units:
            fields["units_paid"] = _cached_amount(
                codes.quantity, units, number, "SVC", 5, self.lenience, money=False
            )
        original = segment[6]
        if original:
            original_qualifier, original_code, original_modifiers = self._procedure(
                original, number, 6
            )
            if original_qualifier == "HC" and original_code:
                fields["submitted_procedure"] = _tolerant_code(
                    codes.procedure,
                    ProcedureCode,
                    original_code,
                    (number, "SVC", 6),
                    self.lenience,
                )
            fields["submitted_modifiers"] = original_modifiers
        billed = segment[7]
        if billed:
            fields["units_billed"] = _amount(
                billed, number, "SVC", 7, money=False, lenience=self.lenience
            )
        return fields

    def _plb(self, segment: list[str], number: int) -> list[ProviderAdjustment]:
        provider = segment[1]
        period_end = _date(self.codes, segment[2], number, "PLB", 2)
        found: list[ProviderAdjustment] = []
        lenience = self.lenience
        for position in range(3, len(segment), 2):
            composite = segment[position]
            amount_text = segment[position + 1] if position + 1 < len(segment) else ""
            if not composite:
                if amount_text:
                    # PLB syntax P0304..P1314: an adjustment amount needs its reason
                    lenience.report(
                        f"a provider adjustment amount {shown(amount_text)} has no reason "
                        f"(PLB{position:02d})",
                        location(number, "PLB", position, amount_text),
                        lenient="the amount is not read; the remittance will not balance",
                    )
                continue
            if position > 13:
                lenience.report(
                    "PLB holds at most six adjustments (PLB03..PLB14)",
                    location(number, "PLB", position, composite),
                    lenient="read as sent",
                )
            reason, _, reference = composite.partition(self.component)
            if len(reference) > 50:  # C042-02 reference identification 1/50
                lenience.report(
                    f"the PLB reference is longer than the 50 characters the guide allows "
                    f"({len(reference)}: {shown(reference)})",
                    location(number, "PLB", position, composite[:80]),
                    lenient="read as sent",
                )
            amount = self._required_amount([*segment, ""], number, position + 1)
            if len(reason) != 2 and not lenience.strict:
                lenience.report(
                    f"PLB reason {shown(reason)} is not a 2-character code",
                    location(number, "PLB", position, reason),
                    lenient=f"the amount {shown(amount_text)} is not read",
                )
                continue
            found.append(
                _build(
                    ProviderAdjustment,
                    {
                        "provider_id": provider,
                        "fiscal_period_end": period_end,
                        "reason": reason,
                        "amount": amount,
                        "reference": reference or None,
                    },
                    location(number, "PLB", position),
                )
            )
        return found


def _check_balanced(remittance: Remittance, control_number: str) -> None:
    problems = remittance.imbalances()
    if problems:
        raise UnbalancedRemittanceError(
            f"{remittance.id} (transaction set {control_number})", problems
        )


def _readers(source: Source, lenience: Lenience) -> Iterator[_TransactionReader]:
    """A reader for each 835 transaction set of ``source``, as the sets stream."""
    codes = _Codes()
    for raw in stream_transactions(source, lenience):
        if raw.id != "835":
            if raw.id in KNOWN_TRANSACTION_SETS or raw.gs[1] != "HP":
                continue  # an interchange may bundle other transaction sets (278, 999, ...)
            # lenient: an unknown ST01 in a remittance group (HP) is read as an 835
            warn(
                f"transaction set {shown(raw.control_number)} with ST01 {shown(raw.id)} "
                "is read as an 835 (its group is HP)",
                location(raw.first_number - 1, "ST", 1, raw.id),
            )
        yield _TransactionReader(raw, codes, lenience)


def iter_835(
    source: Source, *, strict: bool = True, require_balanced: bool = False
) -> Iterator[Remittance]:
    """Stream the remittances of an 835 file, one per transaction set, in file order.

    ``source`` is X12 text, a path or an open text file; a file is read in chunks, so
    memory stays flat however many transaction sets it holds (one transaction set's
    remittance is held whole: :func:`stream_835` streams the claims of a transaction
    set of any size). Each remittance is yielded once its
    transaction set has been read and its SE checked; the envelopes after it are checked
    as iteration goes on, so a damaged file raises :class:`~medbill.ParseError` before
    the iteration ends. With ``require_balanced=True`` a transaction set that breaks an
    835 balancing rule raises, naming the claim or line and the difference. Transaction
    sets other than 835 in the same interchange are skipped.

    ``strict=False`` reads files that bend the standard, as many real and sample files
    do: wrong SE/GE/IEA counts or control numbers, a transaction set without envelope,
    a malformed CARC/RARC/modifier or NPI (skipped), a CAS with an unknown group such
    as 004010's ``CR`` (skipped), an unknown SVC qualifier (kept as ``other_code``), an
    unreadable BPR16 date (the DTM*405 date is used), a missing amount (0), a composite
    with the wrong component separator, an 835 without TRN, N1*PR or BPR (skipped).
    Each departure is reported as an :class:`~medbill.x12.X12Warning` naming the segment
    and element; it is never silent.

    A patient, insured or corrected name without a first name (NM104) does not fit a
    :class:`~medbill.PersonName` and is left out; its identifier (NM109) is kept.

    >>> from medbill.x12 import iter_835
    >>> from medbill.x12 import SAMPLE_835
    >>> [(era.id, era.payment_amount) for era in iter_835(SAMPLE_835)]
    [('EFT-0001', Decimal('210.00'))]
    """
    for reader in _readers(source, Lenience(strict)):
        remittance = reader.read()
        if remittance is None:
            continue
        if require_balanced:
            _check_balanced(remittance, reader.raw.control_number)
        yield remittance


class RemittanceStream:
    """One 835 transaction set read as it streams: its header, then its claims one by one.

    ``header`` is the :class:`~medbill.Remittance` as its header reads (payment, trace
    number, payer and payee, dates), without claims or provider adjustments. Iterating
    the stream yields each :class:`~medbill.ClaimPayment` as it is read, checked as
    :func:`read_835` checks it; the claims are not kept, so a transaction set of any size
    is read in flat memory. The stream can be iterated once.

    The trailer of the transaction set (the PLB adjustments, the SE count, the balance
    of BPR02 against the claims and PLB) can only be checked at its end. Once iteration
    ends without an error, ``complete`` is true and the set's verdict is known:
    ``imbalances()`` (each claim's, and the remittance's BPR02 = ΣCLP04 − ΣPLB),
    ``provider_adjustments``, ``provider_summaries``, ``claim_count`` and
    ``claims_paid``. When strict reading (or ``require_balanced=True``) meets an error
    at the trailer, iteration raises after claims were already yielded: **claims
    yielded from a transaction set that raised must be discarded**. To post a file
    whole or not at all, post each claim inside one transaction that is committed only
    after the whole file has been read, or gather the postings per transaction set and
    commit them once its stream is ``complete`` (and, for the file, once the iteration
    over the streams has ended).

    >>> from medbill.x12 import SAMPLE_835, stream_835
    >>> for stream in stream_835(SAMPLE_835):
    ...     print(stream.header.id, stream.header.payment_amount)
    ...     for claim in stream:
    ...         print(claim.claim_id, claim.paid)
    ...     print(stream.complete, stream.claim_count, stream.claims_paid, stream.imbalances())
    EFT-0001 210.00
    C-1 210.00
    True 1 210.00 ()
    """

    __slots__ = (
        "_claims",
        "_imbalances",
        "_passed",
        "_reader",
        "_require_balanced",
        "claim_count",
        "claims_paid",
        "complete",
        "header",
        "provider_adjustments",
        "provider_summaries",
    )

    def __init__(
        self,
        header: Remittance,
        reader: _TransactionReader,
        claims: Iterator[ClaimPayment | None],
        *,
        require_balanced: bool,
    ) -> None:
        self.header = header
        self._reader = reader
        self._claims = claims
        self._require_balanced = require_balanced
        self._imbalances: list[Imbalance] = []
        self._passed = False  # the next transaction set was asked for
        self.complete = False
        self.claim_count = 0
        self.claims_paid = ZERO
        self.provider_adjustments: tuple[ProviderAdjustment, ...] = ()
        self.provider_summaries: tuple[ProviderSummary, ...] = ()

    def __iter__(self) -> Iterator[ClaimPayment]:
        """The claims of the transaction set, in file order, as they are read."""
        self._check_current()
        imbalances = self._imbalances
        count = 0
        paid = ZERO
        try:
            for claim in self._claims:
                if claim is None:
                    continue
                count += 1
                paid += claim.paid
                if claim_unbalanced(claim):
                    imbalances.extend(claim_imbalances(claim))
                yield claim
        finally:
            self.claim_count = count
            self.claims_paid = paid
        self._check_current()
        reader = self._reader
        self.provider_adjustments = tuple(reader.provider_adjustments)
        self.provider_summaries = tuple(reader.header.get("provider_summaries", ()))
        header = self.header
        total = paid - sum((p.amount for p in self.provider_adjustments), ZERO)
        if total != header.signed_payment:
            imbalances.append(
                Imbalance(
                    f"remittance {header.id}",
                    "claim payments - provider adjustments - payment amount",
                    total - header.signed_payment,
                )
            )
        if self._require_balanced and imbalances:
            raise UnbalancedRemittanceError(
                f"{header.id} (transaction set {reader.raw.control_number})", imbalances
            )
        self.complete = True

    def _check_current(self) -> None:
        if self._passed:
            raise ValidationError(
                "stream",
                self.header.id,
                "the next transaction set was read before this one's claims were: "
                "iterate each stream's claims before asking for the next stream",
            )

    def imbalances(self) -> tuple[Imbalance, ...]:
        """Every broken 835 balancing rule of the set (as :meth:`~medbill.Remittance.imbalances`).

        Known once the stream is ``complete``; before, a :class:`~medbill.ValidationError`.
        """
        if not self.complete:
            raise ValidationError(
                "stream",
                self.header.id,
                "the transaction set is not read to its end: iterate its claims first",
            )
        return tuple(self._imbalances)


def stream_835(
    source: Source, *, strict: bool = True, require_balanced: bool = False
) -> Iterator[RemittanceStream]:
    """Stream an 835 file claim by claim: a :class:`RemittanceStream` per transaction set.

    Memory stays flat however many claims a transaction set holds: neither the
    segments nor the claims of a set are kept (the input text, when given as ``str``
    or ``bytes``, is held by the caller; a ``Path`` is read in chunks). Reading is the
    same as :func:`iter_835`'s, with the same ``strict`` and ``require_balanced``; each
    stream's header is read before it is yielded. Iterate each stream's claims before
    asking for the next stream: one left unread is read past (its claims checked, not
    yielded) and then refuses to be iterated with a :class:`~medbill.ValidationError`.
    See :class:`RemittanceStream` for when a transaction set's verdict is known and
    what to do with claims yielded before an error.

    >>> from medbill.x12 import SAMPLE_835, stream_835
    >>> [(stream.header.id, [claim.claim_id for claim in stream]) for stream in stream_835(SAMPLE_835)]
    [('EFT-0001', ['C-1'])]
    """
    for reader in _readers(source, Lenience(strict)):
        claims = reader.claims()
        next(claims)  # the header is read
        header = reader.remittance((), [])
        if header is None:  # lenient: skipped (no TRN, N1*PR or BPR), but read and checked
            for _ in claims:
                pass
            continue
        stream = RemittanceStream(header, reader, claims, require_balanced=require_balanced)
        yield stream
        if not stream.complete:
            # Left unread (or half read): its claims are read and checked, not yielded,
            # and the stream refuses to go on, since its segments are gone.
            stream._passed = True
            for _ in claims:
                pass


def stream_835_file(
    path: str | os.PathLike[str], *, strict: bool = True, require_balanced: bool = False
) -> Iterator[RemittanceStream]:
    """Stream the 835 file at ``path`` claim by claim (see :func:`stream_835`).

    The file is read in chunks, so memory stays flat whatever its size.

    >>> import pathlib, tempfile
    >>> from medbill.x12 import SAMPLE_835
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder, "era.835")
    ...     _ = path.write_text(SAMPLE_835)
    ...     [sum(1 for _ in stream) for stream in stream_835_file(path)]
    [1]
    """
    return stream_835(Path(path), strict=strict, require_balanced=require_balanced)


def read_835(
    source: Source, *, strict: bool = True, require_balanced: bool = False
) -> list[Remittance]:
    """Read every remittance of an 835 file (several transaction sets and interchanges).

    Returns all or nothing: a malformed file raises :class:`~medbill.ParseError` with the
    segment number, segment id and element position. Balancing is reported by
    :meth:`~medbill.Remittance.imbalances`; ``require_balanced=True`` raises instead.
    ``strict`` is explained at :func:`iter_835`.

    >>> from medbill.x12 import read_835
    >>> from medbill.x12 import SAMPLE_835
    >>> [era] = read_835(SAMPLE_835)
    >>> claim = era.claim_payments[0]
    >>> claim.claim_id, claim.paid, [str(a.reason) for a in claim.lines[0].adjustments]
    ('C-1', Decimal('210.00'), ['45', '2'])
    >>> era.imbalances()
    ()
    """
    return list(iter_835(source, strict=strict, require_balanced=require_balanced))


def iter_835_file(
    path: str | os.PathLike[str], *, strict: bool = True, require_balanced: bool = False
) -> Iterator[Remittance]:
    """Stream the remittances of the 835 file at ``path`` (see :func:`iter_835`).

    The file is read in chunks as UTF-8 (a byte order mark is skipped); a missing file
    or a folder is a :class:`~medbill.ParseError`.

    >>> import pathlib, tempfile
    >>> from medbill.x12 import SAMPLE_835
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder, "era.835")
    ...     _ = path.write_text(SAMPLE_835)
    ...     [era.id for era in iter_835_file(path)]
    ['EFT-0001']
    """
    return iter_835(Path(path), strict=strict, require_balanced=require_balanced)


def read_835_file(
    path: str | os.PathLike[str], *, strict: bool = True, require_balanced: bool = False
) -> list[Remittance]:
    """Every remittance of the 835 file at ``path`` (see :func:`read_835`).

    >>> import pathlib, tempfile
    >>> from medbill.x12 import SAMPLE_835
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder, "era.835")
    ...     _ = path.write_text(SAMPLE_835)
    ...     [era.payment_amount for era in read_835_file(str(path))]
    [Decimal('210.00')]
    """
    return list(iter_835_file(path, strict=strict, require_balanced=require_balanced))
