"""Reading a contract from a TOML file a billing office can write (layout in docs/pricing.md).

Amounts and percentages are quoted strings (``"95.00"``, ``"1.40"``) so that no float
ever touches money; dates are TOML dates. Every error names the file, the line and the key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pendulum

from medbill._common import Period
from medbill._deprecation import warn_renamed
from medbill._errors import ParseError, ValidationError
from medbill._files import read_text
from medbill.fees._contract import (
    CarveOut,
    Contract,
    FeeScheduleTerm,
    FixedRate,
    PercentOfBilled,
    PercentOfMedicare,
    Term,
)
from medbill.fees._locality import Locality
from medbill.fees._rvu import MedicareFeeSchedule
from medbill.fees._schedule import FeeSchedule

__all__ = ["load_contract"]

_TOP = {
    "payer",
    "name",
    "plan",
    "effective_from",
    "effective_to",
    "lesser_of_billed",
    "carve_out",
    "fixed_rate",
    "fee_schedule",
    "percent_of_medicare",
    "percent_of_billed",
}
_TABLE_KEYS = {
    "carve_out": {"codes", "amount", "billed_rate"},
    "fixed_rate": {"codes", "amount", "modifiers"},
    "fee_schedule": {"schedule", "rate"},
    "percent_of_medicare": {"schedule", "rate", "locality", "year"},
    "percent_of_billed": {"rate"},
}
# Keys of medbill 0.1 contracts, still read (with a DeprecationWarning) in 0.2.x.
_OLD_KEYS = {
    "carve_out": {"percent_of_billed": "billed_rate"},
    "fixed_rate": {"modifier": "modifiers"},  # one string -> a list of (at most) one
    "fee_schedule": {"percent": "rate"},
    "percent_of_medicare": {"percent": "rate"},
    "percent_of_billed": {"percent": "rate"},
}


class _Locator:
    """Finds the line of a key (in the n-th ``[table]``/``[[table]]``) in the source text."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def line_of(self, key: str, table: str | None = None, index: int = 0) -> int:
        start, seen = 0, -1
        if table is not None:
            header = re.compile(rf"^\s*\[\[?\s*{re.escape(table)}\s*\]\]?\s*(#.*)?$")
            for number, text in enumerate(self.lines):
                if header.match(text):
                    seen += 1
                    if seen == index:
                        start = number + 1
                        break
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for number in range(start, len(self.lines)):
            text = self.lines[number]
            if table is not None and number > start - 1 and text.lstrip().startswith("["):
                break
            if table is None and text.lstrip().startswith("["):
                break
            if pattern.match(text):
                return number + 1
        return start if table is not None else 1

    def error(self, message: str, key: str, table: str | None = None, index: int = 0) -> ParseError:
        where = f"{table}[{index}].{key}" if table else key
        line = self.line_of(key, table, index)
        return ParseError(f"{where}: {message}", location=f"{self.path}, line {line}")


def _text(value: Any, what: str) -> str:
    if isinstance(value, float):
        raise ValidationError(what, value, 'must be a quoted decimal such as "1.40", not a float')
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValidationError(what, value, "must be a quoted decimal")
    return str(value)


def _term(
    kind: str, table: Mapping[str, Any], schedules: Mapping[str, FeeSchedule | MedicareFeeSchedule]
) -> Term:
    def schedule(expected: type[Any]) -> Any:
        name = table.get("schedule")
        found = schedules.get(name) if isinstance(name, str) else None
        if not isinstance(found, expected):
            raise ValidationError(
                "schedule", name, f"names no {expected.__name__} among {sorted(schedules)}"
            )
        return found

    if kind == "carve_out":
        amount = table.get("amount")
        rate = table.get("billed_rate")
        return CarveOut(
            codes=table.get("codes", []),
            amount=None if amount is None else _text(amount, "amount"),
            billed_rate=None if rate is None else _text(rate, "billed_rate"),
        )
    if kind == "fixed_rate":
        return FixedRate(
            codes=table.get("codes", []),
            amount=_text(table.get("amount"), "amount"),
            modifiers=table.get("modifiers", []),
        )
    if kind == "fee_schedule":
        return FeeScheduleTerm(
            schedule=schedule(FeeSchedule), rate=_text(table.get("rate", "1"), "rate")
        )
    if kind == "percent_of_medicare":
        year = table.get("year")
        if year is not None and (not isinstance(year, int) or isinstance(year, bool)):
            raise ValidationError("year", year, "must be a whole year such as 2024")
        return PercentOfMedicare(
            schedule=schedule(MedicareFeeSchedule),
            rate=_text(table.get("rate"), "rate"),
            locality=Locality.parse(table.get("locality", "")),
            year=year,
        )
    return PercentOfBilled(rate=_text(table.get("rate"), "rate"))


def _date(value: Any, key: str) -> pendulum.Date:
    import datetime as dt

    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return pendulum.date(value.year, value.month, value.day)
    raise ValidationError(key, value, "must be a TOML date such as 2025-01-01")


def load_contract(
    path: Path, schedules: Mapping[str, FeeSchedule | MedicareFeeSchedule]
) -> Contract:
    """Read ``path`` into a :class:`Contract`."""
    text = read_text(path, encoding="utf-8")
    where = _Locator(path, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ParseError(f"not valid TOML: {error}", location=str(path)) from None
    for key in data:
        if key not in _TOP:
            raise where.error(f"unknown key; expected one of {sorted(_TOP)}", key)
    terms: list[Term] = []
    for kind in (
        "carve_out",
        "fixed_rate",
        "fee_schedule",
        "percent_of_medicare",
        "percent_of_billed",
    ):
        raw = data.get(kind, [])
        tables = raw if isinstance(raw, list) else [raw]
        for index, table in enumerate(tables):
            if not isinstance(table, dict):
                raise where.error("must be a table", kind)
            for old, new in _OLD_KEYS.get(kind, {}).items():
                if old in table:
                    warn_renamed(f"{path.name}: [{kind}]", f"{old} =", f"{new} =", stacklevel=4)
                    if new in table:
                        raise where.error(
                            f"is the deprecated name of {new}: give one", old, kind, index
                        )
                    table[new] = table.pop(old)
                    if new == "modifiers":
                        table[new] = [table[new]] if table[new] else []
            for key in table:
                if key not in _TABLE_KEYS[kind]:
                    raise where.error(
                        f"unknown key; expected one of {sorted(_TABLE_KEYS[kind])}",
                        key,
                        kind,
                        index,
                    )
            try:
                terms.append(_term(kind, table, schedules))
            except ValidationError as error:
                key = error.field.split(".")[0].split("[")[0] or "codes"
                raise where.error(str(error), key, kind, index) from None
    for key in ("payer", "name", "effective_from"):
        if key not in data:
            raise ParseError(f"missing required key {key!r}", location=f"{path}, line 1")
    try:
        start = _date(data["effective_from"], "effective_from")
        end = _date(data["effective_to"], "effective_to") if "effective_to" in data else None
    except ValidationError as error:
        raise where.error(str(error), error.field) from None
    lesser = data.get("lesser_of_billed", False)
    if not isinstance(lesser, bool):
        raise where.error("must be true or false", "lesser_of_billed")
    for key in ("payer", "name", "plan"):
        if key in data and not isinstance(data[key], str):
            raise where.error("must be a string", key)
    return Contract(
        payer_id=data["payer"],
        name=data["name"],
        plan=data.get("plan"),
        effective=Period(start, end),
        terms=terms,
        lesser_of_billed=lesser,
    )
