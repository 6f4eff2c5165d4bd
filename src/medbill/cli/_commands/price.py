"""``medbill price``: a code or a claim against a flat schedule, a contract or Medicare."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from medbill._encounter import Claim
from medbill._money import as_money
from medbill.cli._commands._inputs import (
    load_claim,
    load_contract,
    load_fhir_claim,
    load_medicare,
    parse_date,
    parse_locality,
    parse_units,
)
from medbill.cli._output import emit_json, make_console, money, table
from medbill.codes import ProcedureCode
from medbill.fees import Contract, FeeSchedule, Locality, MedicareFeeSchedule, PricedLine

__all__ = ["price"]

_COLUMNS = ("line", "code", "mods", "units", "allowed", "basis")


def _looks_like_file(target: str) -> bool:
    return target.lower().endswith(".json") or Path(target).is_file()


def _priced_rows(lines: Sequence[PricedLine], basis: str) -> list[dict[str, Any]]:
    return [
        {
            "line": line.line_id or "1",
            "code": line.code,
            "modifiers": list(line.modifiers),
            "units": line.units,
            "allowed": line.allowed,
            "payable": line.payable,
            "basis": basis if line.payable else f"not payable: {line.reason}",
            "trace": [str(step) for step in line.trace],
        }
        for line in lines
    ]


def _medicare_rows(
    schedule: MedicareFeeSchedule,
    target: Claim | dict[str, Any],
    locality: Locality,
    billed: Decimal | None,
) -> list[dict[str, Any]]:
    if isinstance(target, Claim):
        lines = schedule.price_claim(target, locality=locality).lines
    else:
        # With --billed, Medicare pays the lesser of the charge and the fee schedule amount.
        lines = (schedule.price_line(locality=locality, charge=billed, **target),)
    return _priced_rows(lines, f"Medicare {locality}")


def _contract_rows(
    contract: Contract, target: Claim | dict[str, Any], billed: Decimal | None
) -> list[dict[str, Any]]:
    if isinstance(target, Claim):
        lines = contract.expected_allowed(target).lines
    else:
        if billed is None:
            raise click.UsageError("--billed is required to price a code under a contract")
        lines = (
            contract.expected_line(
                code=target["code"],
                billed=billed,
                service_date=target["service_date"],
                modifiers=target["modifiers"],
                units=target["units"],
                place_of_service=target["place_of_service"],
            ),
        )
    return [
        {
            "line": line.line_id,
            "code": line.code,
            "modifiers": [],
            "units": None,
            "allowed": line.allowed,
            "payable": True,
            "basis": line.term,
            "trace": [str(step) for step in line.trace],
        }
        for line in lines
    ]


def _flat_rows(schedule: FeeSchedule, target: Claim | dict[str, Any]) -> list[dict[str, Any]]:
    if isinstance(target, Claim):
        lines = schedule.price_claim(target).lines
    else:
        lines = (
            schedule.price_line(
                target["code"],
                service_date=target["service_date"],
                modifiers=target["modifiers"],
                units=target["units"],
            ),
        )
    return _priced_rows(lines, f"fee schedule {schedule.name}")


@click.command(short_help="Price a code or a claim: schedule, contract or Medicare.")
@click.argument("target")
@click.option(
    "--schedule",
    "schedules",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="A flat fee schedule CSV (code,modifier,amount,valid_from,valid_to). Alone: price "
    "against it; with --contract: a schedule the contract names (by the file's stem).",
)
@click.option(
    "--contract",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A payer contract TOML; price the expected allowed amount under it.",
)
@click.option("--medicare", is_flag=True, help="Price against the Medicare fee schedule.")
@click.option(
    "--rvu",
    type=click.Path(path_type=Path, dir_okay=False),
    help="CMS PPRRVU file (default: the built-in CY2025 rows of the demo's codes).",
)
@click.option(
    "--gpci", type=click.Path(path_type=Path, dir_okay=False), help="CMS GPCI file (with --rvu)."
)
@click.option("--locality", help="Medicare locality MAC-number, e.g. 06102-99 (with --medicare).")
@click.option("--date", "date_text", help="Date of service YYYY-MM-DD (for a code).")
@click.option("--pos", default="11", show_default=True, help="Place of service (for a code).")
@click.option("--modifier", "modifiers", multiple=True, help="A modifier (repeatable; for a code).")
@click.option("--units", default="1", show_default=True, help="Units (for a code).")
@click.option("--billed", help="The billed charge (for a code under a contract).")
@click.option("--explain", is_flag=True, help="Print how each amount was reached.")
@click.option("--fhir", "fhir", is_flag=True, help="TARGET is a FHIR R4 Claim or Bundle JSON file.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def price(
    target: str,
    schedules: tuple[Path, ...],
    contract: Path | None,
    medicare: bool,
    rvu: Path | None,
    gpci: Path | None,
    locality: str | None,
    date_text: str | None,
    pos: str,
    modifiers: tuple[str, ...],
    units: str,
    billed: str | None,
    explain: bool,
    fhir: bool,
    as_json: bool,
) -> None:
    """Price TARGET, a procedure code or a claim JSON file, against a schedule,
    a contract or the Medicare physician fee schedule.

    \b
    medbill price 99213 --medicare --locality 06102-99 --date 2025-03-04
    medbill price claim.json --contract acme.toml
    medbill price claim.fhir.json --fhir --medicare --locality 06102-99
    medbill price 99213 --schedule chargemaster.csv --date 2025-03-04
    """
    chosen = sum((bool(contract), medicare, bool(schedules) and not contract))
    if chosen != 1:
        raise click.UsageError("price against exactly one of --schedule, --contract or --medicare")
    target_value: Claim | dict[str, Any]
    unmapped: list[str] = []
    if fhir:
        target_value, unmapped = load_fhir_claim(Path(target))
    elif _looks_like_file(target):
        target_value = load_claim(Path(target))
    else:
        if date_text is None:
            raise click.UsageError("--date is required to price a code")
        target_value = {
            "code": str(ProcedureCode(target)),
            "service_date": parse_date(date_text),
            "modifiers": tuple(modifiers),
            "units": parse_units(units),
            "place_of_service": pos,
        }
    # A charge is never negative; --billed is read (and refused) before anything is priced.
    amount = None if billed is None else as_money(billed, "--billed", signed=False)
    if amount is not None and isinstance(target_value, Claim):
        raise click.UsageError("--billed is for a code; a claim file carries its own charges")
    if contract is not None:
        flat = [FeeSchedule.from_csv(path) for path in schedules]
        terms = load_contract(contract, load_medicare(rvu, gpci), flat)
        rows = _contract_rows(terms, target_value, amount)
        source = f"contract {terms.name}"
    elif medicare:
        if locality is None:
            raise click.UsageError("--locality is required with --medicare (e.g. 06102-99)")
        where = parse_locality(locality)
        rows = _medicare_rows(load_medicare(rvu, gpci), target_value, where, amount)
        source = f"Medicare {where}"
    else:
        if len(schedules) != 1:
            raise click.UsageError("give one --schedule file to price against")
        if amount is not None:
            raise click.UsageError("--billed applies to --contract or --medicare, not a schedule")
        flat_schedule = FeeSchedule.from_csv(schedules[0])
        rows = _flat_rows(flat_schedule, target_value)
        source = f"fee schedule {flat_schedule.name}"
    total = sum((row["allowed"] for row in rows), Decimal("0.00"))
    if as_json:
        extra = {"fhir_unmapped": unmapped} if fhir else {}
        emit_json({"source": source, "lines": rows, "total": total, **extra})
        return
    _show(source, rows, total, explain)
    if unmapped:
        make_console(stderr=True).print(
            f"note: {len(unmapped)} FHIR element(s) medbill does not model: " + ", ".join(unmapped),
            markup=False,
        )


def _show(source: str, rows: list[dict[str, Any]], total: Decimal, explain: bool) -> None:
    console = make_console()
    table(
        f"Priced against {source}",
        _COLUMNS,
        [
            (
                row["line"],
                row["code"],
                "-".join(row["modifiers"]),
                "" if row["units"] is None else row["units"],
                money(row["allowed"]),
                row["basis"],
            )
            for row in rows
        ],
        numeric=("units", "allowed"),
        console=console,
    )
    console.print(f"Total allowed: {money(total)}")
    if explain:
        for row in rows:
            console.print(f"\nline {row['line']} {row['code']}:")
            for step in row["trace"]:
                console.print(f"  {step}", markup=False)
