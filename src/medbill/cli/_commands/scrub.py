"""``medbill scrub``: the clean-claim checks before submission."""

from __future__ import annotations

from pathlib import Path

import click

from medbill._files import read_text
from medbill.claims import NcciEdits, read_mue, read_ptp, scrub
from medbill.cli._commands._inputs import load_claim, load_fhir_claim, parse_date, today
from medbill.cli._output import emit_json, make_console, table

__all__ = ["BLOCKED", "scrub_command"]

BLOCKED = 3
"""Exit status when a finding blocks submission (1 stays for refused input)."""


@click.command("scrub", short_help="The clean-claim checks before submission.")
@click.argument("claim_file", metavar="CLAIM.json", type=click.Path(path_type=Path))
@click.option("--as-of", "as_of", help="The day of the check, YYYY-MM-DD (default: today).")
@click.option(
    "--ncci-ptp",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A CMS NCCI procedure-to-procedure edit file (practitioner PTP layout).",
)
@click.option(
    "--mue",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A CMS medically unlikely edit file (practitioner MUE layout).",
)
@click.option("--fhir", is_flag=True, help="CLAIM is a FHIR R4 Claim or Bundle JSON file.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def scrub_command(
    claim_file: Path,
    as_of: str | None,
    ncci_ptp: Path | None,
    mue: Path | None,
    fhir: bool,
    as_json: bool,
) -> None:
    """Run the clean-claim rules on a claim JSON file (with --fhir: a FHIR R4 Claim or
    Bundle).

    Exit status 0 when nothing blocks submission (warnings allowed), 3 when an error does,
    1 when the input is refused.
    """
    unmapped: list[str] = []
    if fhir:
        claim, unmapped = load_fhir_claim(claim_file)
    else:
        claim = load_claim(claim_file)
    day = today() if as_of is None else parse_date(as_of, "--as-of")
    edits = None
    if ncci_ptp is not None or mue is not None:
        ptp_rows = (
            read_ptp(read_text(ncci_ptp, encoding="latin-1").splitlines()) if ncci_ptp else ()
        )
        mue_rows = read_mue(read_text(mue, encoding="latin-1").splitlines()) if mue else ()
        edits = NcciEdits.from_rows(ptp=ptp_rows, mue=mue_rows)
    findings = scrub(claim, as_of=day, ncci=edits)
    blocked = any(f.blocks_submission for f in findings)
    if as_json:
        emit_json(
            {
                "claim": claim.id,
                "as_of": day,
                "clean": not blocked,
                **({"fhir_unmapped": unmapped} if fhir else {}),
                "findings": [
                    {"rule": f.rule, "severity": f.severity.value, "path": f.path,
                     "message": f.message, "hint": f.hint}
                    for f in findings
                ],
            }
        )  # fmt: skip
    else:
        console = make_console()
        if findings:
            table(
                f"Claim {claim.id}: {len(findings)} finding(s) as of {day}",
                ("severity", "rule", "field", "message", "fix"),
                [(f.severity.value, f.rule, f.path, f.message, f.hint) for f in findings],
                nowrap=("rule", "field"),
                console=console,
            )
        console.print(
            f"Claim {claim.id}: "
            + ("errors block submission" if blocked else "clean, ready to submit")
        )
    if blocked:
        raise SystemExit(BLOCKED)
