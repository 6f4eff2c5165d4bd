"""``medbill era post``, ``medbill era plan`` and ``medbill era check``: the payer's 835
into the ledger (or its plan, posting nothing), and every paid line against the contract."""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import pendulum

from medbill import Remittance
from medbill._files import file_mode, write_private
from medbill.claims import VarianceReport
from medbill.claims._plan import RemittancePlan
from medbill.cli._commands._checks import (
    check_remittances,
    contract_files,
    line_rows,
    parse_tolerance,
    pricing_options,
    prior_payments,
    show_checks,
    show_denials,
)
from medbill.cli._commands._inputs import (
    load_claims,
    load_contract,
    load_coverages,
    load_medicare,
    open_ledger,
)
from medbill.cli._commands._posting import plan_remittances, post_remittances
from medbill.cli._output import emit_json, make_console, money, status, table
from medbill.fees import FeeSchedule
from medbill.ledger import Ledger
from medbill.x12 import read_835

__all__ = ["era_group", "read_remittances"]

_CLAIMS = click.option(
    "--claims",
    "claim_paths",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path),
    help="Claim JSON files, or folders of them, that the 835 pays (repeatable).",
)
_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


def read_remittances(path: Path) -> list[Remittance]:
    """Every remittance of an 835 file (a malformed file is a ParseError)."""
    if not path.is_file():
        raise FileNotFoundError(2, "No such file", str(path))
    with status(f"Reading {path}..."):
        return read_835(path)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes (hex), the source an 835's entries name."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@click.group("era")
def era_group() -> None:
    """Electronic remittance advice (X12 835): post it, check it, write it as FHIR."""


_COVERAGES = click.option(
    "--coverages",
    "coverage_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Coverage JSON files, or folders of them (the demo writes coverages/): the level "
    "each payer pays at and the next payer (repeatable).",
)
_DB = click.option(
    "--db",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The SQLite ledger (created when missing).",
)


def _exception_rows(posted: Sequence[RemittancePlan]) -> list[dict[str, object]]:
    return [
        {"remittance": plan.remittance.id, "position": e.position,
         "claim": str(e.claim_payment.claim_id), "reason": e.reason.value,
         "message": e.message, "next_action": e.next_action}
        for plan in posted
        for e in plan.exceptions
    ]  # fmt: skip


def _show_exceptions(rows: list[dict[str, object]]) -> None:
    console = make_console()
    for item in rows:
        console.print(
            f"exception: {item['message']} ({item['reason']}); next: {item['next_action']}",
            markup=False,
        )


@era_group.command("post", short_help="Post an 835 to the ledger, idempotently.")
@click.argument("era_file", metavar="FILE.835", type=click.Path(path_type=Path))
@_DB
@_CLAIMS
@_COVERAGES
@_JSON
def post_command(
    era_file: Path,
    db: Path,
    claim_paths: tuple[Path, ...],
    coverage_paths: tuple[Path, ...],
    as_json: bool,
) -> None:
    """Post FILE.835 to the ledger: the 835 balancing rules first (an unbalanced file is
    refused whole), then every remittance planned (claims matched, coverage levels,
    denials, reversals, suspense) and the whole file posted as one atomic batch: one
    refused remittance leaves nothing posted. Posting the same file
    twice posts it once and says "already posted". A claim the ledger has not seen has its
    charges posted in the same batch. Exceptions (cash left in suspense) are printed; they are work
    for a person, not errors."""
    remittances = read_remittances(era_file)
    claims = load_claims(list(claim_paths))
    coverages = load_coverages(list(coverage_paths))
    with open_ledger(db, create=True) as ledger:
        posted = post_remittances(
            ledger, remittances, claims, coverages=coverages, sha256=file_sha256(era_file)
        )
        entries = len(ledger)
    rows = _exception_rows(posted.plans)
    if as_json:
        emit_json(
            {
                "remittances": [
                    {"id": p.remittance.id, "payer": p.remittance.payer_name,
                     "payment": p.remittance.payment_amount, "date": p.remittance.paid_on,
                     "claims": len(p.remittance.claim_payments),
                     "status": "already posted" if p.already_posted else "posted"}
                    for p in posted.plans
                ],
                "claim_payments_posted": posted.claim_payments,
                "charges_posted": list(posted.charges_posted),
                "exceptions": rows,
                "ledger_entries": entries,
            }
        )  # fmt: skip
        return
    table(
        f"Posted {era_file}",
        ("remittance", "payer", "date", "payment", "claims", "status"),
        [
            (
                p.remittance.id,
                p.remittance.payer_name,
                str(p.remittance.paid_on),
                money(p.remittance.payment_amount),
                len(p.remittance.claim_payments),
                "already posted" if p.already_posted else "posted",
            )
            for p in posted.plans
        ],
        numeric=("payment", "claims"),
    )
    console = make_console()
    if posted.already_posted == posted.remittances:
        console.print(f"already posted: nothing new; {entries} entries in {db}.", markup=False)
    else:
        console.print(
            f"{posted.claim_payments} claim payment(s) posted; {entries} entries in {db}.",
            markup=False,
        )
    _show_exceptions(rows)


@era_group.command("plan", short_help="Show what posting an 835 would do, posting nothing.")
@click.argument("era_file", metavar="FILE.835", type=click.Path(path_type=Path))
@click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The SQLite ledger to plan against (default: a new ledger with the claims' charges).",
)
@_CLAIMS
@_COVERAGES
@_JSON
def plan_command(
    era_file: Path,
    db: Path | None,
    claim_paths: tuple[Path, ...],
    coverage_paths: tuple[Path, ...],
    as_json: bool,
) -> None:
    """Plan FILE.835 against the ledger and print, per CLP loop, the claim and coverage
    level it matched, the entries it would post with why, and the exceptions. Nothing is
    posted: the plan is made on a copy of the ledger (without --db, a new one) holding the
    charges `era post` would post first."""
    remittances = read_remittances(era_file)
    claims = load_claims(list(claim_paths))
    coverages = load_coverages(list(coverage_paths))
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "plan.sqlite"
        if db is not None:
            open_ledger(db).close()  # refuses a missing ledger
            with sqlite3.connect(db) as source, sqlite3.connect(copy) as target:
                source.backup(target)
            source.close()
            target.close()
        with Ledger.open(copy, clock=lambda: pendulum.now("UTC"), synchronous="NORMAL") as ledger:
            plans = plan_remittances(ledger, remittances, claims, coverages=coverages)
    if as_json:
        emit_json({"plans": [plan.to_json() for plan in plans]})
        return
    console = make_console()
    for plan in plans:
        console.print(plan.render(), markup=False, highlight=False)


@era_group.command("check", short_help="Check every paid line against its payer's contract.")
@click.argument("era_file", metavar="FILE.835", type=click.Path(path_type=Path))
@click.option(
    "--contract",
    "contract_paths",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path),
    help="A payer's contract TOML, or a folder of them: each claim is checked against "
    "its payer's (repeatable).",
)
@_CLAIMS
@click.option(
    "--prior",
    "prior_paths",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="An earlier payer's 835 for the same claims (the primary's, when FILE.835 is a "
    "secondary's): its payments are taken off what the later payer owes (repeatable).",
)
@pricing_options("Variance")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the variance report (by payer, code, provider and month) as CSV.",
)
@_JSON
def check_command(
    era_file: Path,
    contract_paths: tuple[Path, ...],
    claim_paths: tuple[Path, ...],
    prior_paths: tuple[Path, ...],
    schedules: tuple[Path, ...],
    rvu: Path | None,
    gpci: Path | None,
    tolerance: str,
    tolerance_rate: str | None,
    csv_path: Path | None,
    as_json: bool,
) -> None:
    """Check every paid line of FILE.835 against its payer's contract, in payment terms:
    expected and payer allowed, expected and 835 patient share, expected and actual paid,
    the variances and a verdict (correct, underpaid, overpaid, patient share too high or
    too low, denied with its next action, not checked with the reason).

    A secondary payer's 835 is checked against the secondary's contract (give the
    secondary claims, whose coverage is the secondary's) with ``--prior`` naming the
    primary's 835: what the primary paid on each line is taken off the expected payment."""
    # the options first: a bad one fails before any file is read
    forgiven = parse_tolerance(tolerance, tolerance_rate)
    remittances = read_remittances(era_file)
    earlier = prior_payments([r for path in prior_paths for r in read_remittances(path)])
    claims = load_claims(list(claim_paths))
    flat = [FeeSchedule.from_csv(path) for path in schedules]
    medicare = load_medicare(rvu, gpci)
    contracts = [load_contract(path, medicare, flat) for path in contract_files(contract_paths)]
    checks, skipped = check_remittances(remittances, claims, contracts, forgiven, earlier)
    report = VarianceReport.from_checks(checks)
    if csv_path is not None:
        write_private(csv_path, report.to_csv(), mode=file_mode())
    rows = line_rows(checks)
    names = ", ".join(sorted({c.contract for c in checks})) or "no contract"
    if as_json:
        emit_json(
            {
                "contracts": sorted({c.contract for c in checks}),
                "lines": rows,
                "total_underpayment": report.total_underpayment,
                "total_overpayment": report.total_overpayment,
                "denied_at_stake": report.total_at_stake,
                "not_checked": skipped,
            }
        )
        return
    show_checks(rows, names)
    show_denials(rows)
    console = make_console()
    console.print(f"Total underpayment (payment terms): {money(report.total_underpayment)}")
    console.print(f"Total overpayment (payment terms): {money(report.total_overpayment)}")
    console.print(f"Denied, at stake under the contracts: {money(report.total_at_stake)}")
    for note in skipped:
        console.print(f"not checked: {note}", markup=False)


@era_group.command(
    "fhir", short_help="Write an 835's claim payments as FHIR ExplanationOfBenefits."
)
@click.argument("era_file", metavar="FILE.835", type=click.Path(path_type=Path))
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for the FHIR JSON (created when missing).",
)
@_JSON
def fhir_command(era_file: Path, out: Path, as_json: bool) -> None:
    """Write FILE.835 as FHIR R4 JSON: one ExplanationOfBenefit per claim payment
    (``<trace>-<n>.ExplanationOfBenefit.json``) and, per remittance, a Bundle with its
    PaymentReconciliation, payer, payee and EOBs (``<trace>.Bundle.json``). Needs the
    ``[fhir]`` extra."""
    from medbill.fhir import to_fhir

    remittances = read_remittances(era_file)
    out.mkdir(parents=True, exist_ok=True)
    written: list[dict[str, object]] = []
    for index, remittance in enumerate(remittances, start=1):
        bundle: Any = to_fhir(remittance)
        stem = _file_stem(remittance.id, index)
        (out / f"{stem}.Bundle.json").write_text(bundle.model_dump_json(indent=2), encoding="utf-8")
        for entry in bundle.entry or []:
            resource = entry.resource
            if resource is None or resource.get_resource_type() != "ExplanationOfBenefit":
                continue
            name = f"{stem}-{len([w for w in written if w['remittance'] == remittance.id]) + 1}"
            path = out / f"{name}.ExplanationOfBenefit.json"
            path.write_text(resource.model_dump_json(indent=2), encoding="utf-8")
            written.append({"remittance": remittance.id, "file": str(path)})
    if as_json:
        emit_json({"remittances": len(remittances), "explanations_of_benefit": written})
        return
    console = make_console()
    console.print(
        f"{len(written)} ExplanationOfBenefit resource(s) from {len(remittances)} remittance(s) "
        f"written to {out}",
        markup=False,
    )


def _file_stem(trace: str, index: int) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in trace)
    return safe or f"remittance-{index}"
