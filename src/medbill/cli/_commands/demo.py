"""``medbill demo``: a day at a practice, end to end."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["demo"]


@click.command(short_help="A day at a practice, end to end, in seconds.")
@click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The SQLite ledger to post to (default: OUT/ledger.sqlite).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("medbill-demo"),
    show_default=True,
    help="Folder for the files the demo writes.",
)
@click.option(
    "--rvu",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Price with the full CMS PPRRVU file instead of the built-in CY2025 rows.",
)
@click.option(
    "--gpci", type=click.Path(path_type=Path, dir_okay=False), help="CMS GPCI file (with --rvu)."
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary for scripts.")
def demo(db: Path | None, out: Path, rvu: Path | None, gpci: Path | None, as_json: bool) -> None:
    """Run a realistic day at a practice, end to end, on real CY2025 Medicare numbers.

    Patients with primary and secondary coverage, claims priced under Medicare and two
    payer contracts, a payer's 835 with an underpayment, a denial and a reversal, and
    every file written under OUT. Deterministic: the same run prints the same output.
    """
    from medbill.cli._demo import run_demo

    run_demo(out=out, db=db, as_json=as_json, rvu=rvu, gpci=gpci)
