"""Reading the command line's inputs: claims, schedules, contracts, dates, amounts."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import click
import pendulum

from medbill._encounter import Claim
from medbill._errors import LedgerError, ValidationError
from medbill._files import read_text
from medbill._money import as_money, as_rate
from medbill._parties import Coverage
from medbill.cli._output import progress, status
from medbill.fees import Contract, FeeSchedule, Locality, MedicareFeeSchedule
from medbill.ledger import Ledger
from medbill.serialize import from_json

__all__ = [
    "load_claim",
    "load_fhir_claim",
    "load_claims",
    "load_coverages",
    "open_ledger",
    "today",
    "load_contract",
    "load_medicare",
    "parse_amount",
    "parse_date",
    "parse_fraction",
    "parse_locality",
]


def load_claim(path: Path) -> Claim:
    """A claim from a JSON document written by :func:`medbill.serialize.to_json`."""
    text = read_text(path, encoding="utf-8")
    try:
        return from_json(Claim, text)
    except ValidationError as error:
        raise error.at(str(path)) from None


def load_fhir_claim(path: Path) -> tuple[Claim, list[str]]:
    """The one Claim of a FHIR R4 Claim or Bundle JSON file (the ``[fhir]`` extra), with the
    paths of the elements medbill does not model."""
    import json
    from decimal import Decimal

    from medbill.fhir import from_fhir, from_fhir_bundle

    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise ValidationError(str(path), error.msg, f"is not JSON (line {error.lineno})") from None
    if not isinstance(data, dict):
        raise ValidationError(str(path), type(data).__name__, "must hold a FHIR resource")
    try:
        if data.get("resourceType") == "Bundle":
            found = from_fhir_bundle(data)
            claims = found.of_type(Claim)
            if len(claims) != 1:
                raise ValidationError("Bundle.entry", len(claims), "must hold exactly one Claim")
            return claims[0], [u.path for u in found.unmapped]
        result = from_fhir(data)
    except ValidationError as error:
        raise error.at(str(path)) from None
    if not isinstance(result.entity, Claim):
        raise ValidationError(
            f"{path}: resourceType", data.get("resourceType"), "must be a Claim or a Bundle"
        )
    return result.entity, [u.path for u in result.unmapped]


def load_medicare(rvu: Path | None, gpci: Path | None) -> MedicareFeeSchedule:
    """The CMS files when both are given, else the built-in CY2025 rows of the demo."""
    if rvu is None and gpci is None:
        from medbill.cli._demo_data import medicare_schedule

        return medicare_schedule()
    if rvu is None or gpci is None:
        raise click.UsageError("--rvu and --gpci go together: give both CMS files")
    with status("Reading the CMS relative value and GPCI files..."):
        return MedicareFeeSchedule.from_cms_files(rvu, gpci)


def load_contract(
    path: Path, medicare: MedicareFeeSchedule, schedules: list[FeeSchedule]
) -> Contract:
    """A contract TOML; its schedule names resolve to ``medicare`` and each flat schedule
    by its name (the file's stem)."""
    named: dict[str, FeeSchedule | MedicareFeeSchedule] = {"medicare": medicare}
    for schedule in schedules:
        named[schedule.name] = schedule
    return Contract.from_toml(path, schedules=named)


def parse_date(text: str, option: str = "--date") -> pendulum.Date:
    """A ``YYYY-MM-DD`` date."""
    try:
        moment = pendulum.parse(text, exact=True)
    except (ValueError, pendulum.parsing.exceptions.ParserError):
        raise ValidationError(option, text, "is not a date (YYYY-MM-DD)") from None
    if not isinstance(moment, pendulum.Date) or isinstance(moment, pendulum.DateTime):
        raise ValidationError(option, text, "is not a date (YYYY-MM-DD)")
    return moment


def parse_amount(text: str, option: str, *, signed: bool = True) -> Decimal:
    """An amount of money such as ``150.00`` (never negative unless ``signed``)."""
    return as_money(text, option, signed=signed)


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def parse_units(text: str, option: str = "--units") -> Decimal:
    """A positive number of units such as ``1`` or ``2.5``: at most 99,999 and three decimal
    places (what the 837P's SV104 carries)."""
    value = as_rate(text, option)
    if not Decimal(0) < value <= Decimal(99_999):
        raise ValidationError(option, text, "must be more than 0 and at most 99999")
    if _places(value.normalize()) > 3:
        raise ValidationError(option, text, "must have at most 3 decimal places")
    return value


def parse_fraction(text: str, option: str) -> Decimal:
    """A share from 0 to 1 such as ``0.02`` (2 %), to a hundredth of a percent at most."""
    value = as_rate(text, option)
    if not Decimal(0) <= value <= Decimal(1):
        raise ValidationError(option, text, "must be a fraction from 0 to 1 (0.02 is 2%)")
    if _places(value.normalize()) > 4:
        raise ValidationError(option, text, "must have at most 4 decimal places (0.01%)")
    return value


def parse_locality(text: str) -> Locality:
    """A Medicare locality such as ``06102-99``."""
    return Locality.parse(text)


def load_claims(paths: Sequence[Path]) -> dict[str, Claim]:
    """Claims by id from JSON files; a folder stands for every ``*.json`` file in it."""
    claims: dict[str, Claim] = {}
    for file in progress(_json_files(paths), "Reading claims"):
        claim = load_claim(file)
        claims[str(claim.id)] = claim
    return claims


def _json_files(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.json")))
        else:
            files.append(path)
    return files


def load_coverages(paths: Sequence[Path]) -> list[Coverage]:
    """Coverages from JSON files (:func:`medbill.serialize.to_json`); a folder stands for
    every ``*.json`` file in it (the demo writes ``coverages/``)."""
    found: list[Coverage] = []
    for file in _json_files(paths):
        try:
            found.append(from_json(Coverage, file.read_text(encoding="utf-8")))
        except ValidationError as error:
            raise error.at(str(file)) from None
    return found


def open_ledger(path: Path, *, create: bool = False) -> Ledger:
    """The SQLite ledger at ``path``; it must exist unless ``create``."""
    if not create and not path.is_file():
        raise LedgerError(f"no ledger at {path} (post a remittance with --db first)")
    return Ledger.open(path, clock=lambda: pendulum.now("UTC"))


def today() -> pendulum.Date:
    """Today's date (UTC): the default "as of" date of the reports. The CLI is the edge
    where the clock may be read; the library never reads it."""
    return pendulum.now("UTC").date()
