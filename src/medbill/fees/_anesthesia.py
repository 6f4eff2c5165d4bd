"""Medicare anesthesia pricing: (base units + time units) x anesthesia conversion factor.

Medicare Claims Processing Manual (Pub. 100-04), Chapter 12, s. 50: the fee is the base
units of the code plus time units (anesthesia minutes / 15, rounded to one decimal place)
times the locality's anesthesia conversion factor. Medical direction modifiers: AA
(personally performed) and QZ (CRNA without medical direction) 100%; QK (medical
direction of 2 to 4 concurrent procedures), QX (CRNA with medical direction) and QY
(direction of one CRNA) 50%. medbill rounds the fee half-up to the cent, then each
percentage, as for the physician fee schedule.

Base units: a CSV file ``code,base_units`` (header required). Conversion factors: the
CMS ANES file layout ``contractor,locality,locality_name,anesthesia_conv_factor`` (or
a mapping built in Python).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Final

import pendulum

from medbill._deprecation import renamed_parameters
from medbill._errors import ParseError, PricingError, ValidationError
from medbill._files import open_text
from medbill._money import round_cents
from medbill.fees._locality import Locality
from medbill.fees._priced import PricedLine
from medbill.fees._trace import Trace, TraceStep

__all__ = ["ANESTHESIA_MODIFIERS", "AnesthesiaSchedule"]

ANESTHESIA_MODIFIERS: Final = {
    "AA": Decimal(1),
    "QZ": Decimal(1),
    "QK": Decimal("0.5"),
    "QX": Decimal("0.5"),
    "QY": Decimal("0.5"),
}
_TENTH: Final = Decimal("0.1")


class AnesthesiaSchedule:
    """Base units by code and anesthesia conversion factors by locality.

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill.fees import AnesthesiaSchedule, Locality
    >>> alabama = Locality.parse("10112-00")
    >>> schedule = AnesthesiaSchedule({"00142": Decimal(4)}, {alabama: Decimal("19.77")})
    >>> line = schedule.price("00142", locality=alabama, minutes=37,
    ...                       service_date=pendulum.date(2024, 5, 1), modifiers=["QK"])
    >>> line.allowed
    Decimal('64.26')
    >>> print(line.trace)
    base units: 00142: 4
    time units: 37 minutes / 15 = 2.5
    anesthesia conversion factor: 10112-00: 19.77
    fee: (4 + 2.5) x 19.77 = 128.505 -> 128.51
    modifier QK: 50% -> 64.26
    """

    __slots__ = ("_base_units", "_factors", "name")

    def __init__(
        self,
        base_units: Mapping[str, Decimal],
        conversion_factors: Mapping[Locality, Decimal],
        *,
        name: str = "anesthesia",
    ) -> None:
        self._base_units = {str(k).upper(): Decimal(v) for k, v in base_units.items()}
        self._factors = dict(conversion_factors)
        self.name = name

    @classmethod
    def from_files(
        cls, base_units_path: str | Path, conversion_factors_path: str | Path
    ) -> AnesthesiaSchedule:
        """Read base units (``code,base_units``) and the CMS ANES conversion factor file."""
        return cls(
            _read_base_units(Path(base_units_path)),
            _read_factors(Path(conversion_factors_path)),
        )

    def has(self, code: str) -> bool:
        """Whether the schedule holds base units for ``code``."""
        return str(code).upper() in self._base_units

    @renamed_parameters("AnesthesiaSchedule.price", date_of_service="service_date")
    def price(
        self,
        code: str,
        *,
        locality: Locality,
        minutes: int,
        service_date: pendulum.Date,
        modifiers: tuple[str, ...] | list[str] = (),
        line_id: str | None = None,
    ) -> PricedLine:
        """Price one anesthesia service of ``minutes`` anesthesia time."""
        code = str(code).upper()
        base = self._base_units.get(code)
        if base is None:
            raise PricingError("code", code, f"no anesthesia base units in {self.name!r}")
        factor = self._factors.get(locality)
        if factor is None:
            raise PricingError("locality", str(locality), "no anesthesia conversion factor")
        if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
            raise ValidationError("minutes", minutes, "must be a positive whole number")
        direction = [m for m in (str(x).upper() for x in modifiers) if m in ANESTHESIA_MODIFIERS]
        if len(direction) > 1:
            raise PricingError(
                "modifiers", "-".join(direction), "at most one anesthesia payment modifier"
            )
        time_units = (Decimal(minutes) / 15).quantize(_TENTH, rounding=ROUND_HALF_UP)
        exact = (base + time_units) * factor
        amount = round_cents(exact)
        steps = [
            TraceStep("base units", f"{code}: {base}"),
            TraceStep("time units", f"{minutes} minutes / 15 = {time_units}"),
            TraceStep("anesthesia conversion factor", f"{locality}: {factor}"),
            TraceStep("fee", f"({base} + {time_units}) x {factor} = {exact}", amount),
        ]
        if direction:
            pct = ANESTHESIA_MODIFIERS[direction[0]]
            if pct != 1:
                amount = round_cents(amount * pct)
            steps.append(TraceStep(f"modifier {direction[0]}", f"{pct:%}", amount))
        return PricedLine(
            code=code,
            allowed=amount,
            unit_fee=amount,
            service_date=service_date,
            modifiers=tuple(str(m).upper() for m in modifiers),
            status="J",
            locality=locality,
            line_id=line_id,
            trace=Trace(tuple(steps)),
        )


def _read_base_units(path: Path) -> dict[str, Decimal]:
    result: dict[str, Decimal] = {}
    with open_text(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = [h.strip().lower() for h in next(reader, [])]
        if header[:2] != ["code", "base_units"]:
            raise ParseError("header must be code,base_units", location=f"{path}, line 1")
        for row in reader:
            if not row:
                continue
            try:
                result[row[0].strip().upper()] = Decimal(row[1].strip())
            except (IndexError, ArithmeticError):
                raise ParseError(
                    "expected a code and a number of base units",
                    location=f"{path}, line {reader.line_num}",
                ) from None
    return result


def _read_factors(path: Path) -> dict[Locality, Decimal]:
    result: dict[Locality, Decimal] = {}
    with open_text(path, newline="", encoding="latin-1") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        for row in reader:
            if not row or not row[0].strip().isdigit():
                continue
            try:
                result[Locality(row[0].strip(), row[1].strip())] = Decimal(row[-1].strip())
            except (IndexError, ArithmeticError, ValidationError):
                raise ParseError(
                    "expected contractor, locality, name and conversion factor",
                    location=f"{path}, line {reader.line_num}",
                ) from None
    return result
