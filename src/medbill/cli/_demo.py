"""``medbill demo``: a deterministic day at a practice, end to end.

Each step calls the library, prints what a billing specialist wants to see and keeps a
JSON-ready summary. No clock is read: every date and instant comes from the demo's data.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pendulum
from rich.console import Console

from medbill import (
    Claim,
    ClaimPayment,
    Coverage,
    Guarantor,
    Patient,
    PayerKind,
    Priority,
    Remittance,
    ServiceCategory,
    apply_eligibility,
)
from medbill._common import ClaimId
from medbill._files import file_mode, write_private
from medbill._money import ZERO
from medbill._privacy import mask_text
from medbill.claims import (
    ClaimStatus,
    ClaimWorkflow,
    NcciEdits,
    Tolerance,
    VarianceReport,
    build_claim,
    build_secondary_claim,
    read_aoc,
    scrub,
    worklist,
)
from medbill.claims._build import SecondaryClaim
from medbill.claims._check import PaymentCheck
from medbill.cli import _demo_data as data
from medbill.cli._commands._checks import (
    check_remittances,
    line_rows,
    show_checks,
    show_denials,
)
from medbill.cli._commands._posting import plan_remittances, post_remittances
from medbill.cli._output import (
    emit_json,
    heading,
    make_console,
    money,
    progress,
    table,
)
from medbill.codes import Modifier, ProcedureCode
from medbill.fees import (
    Contract,
    ContractPricing,
    FeeSchedule,
    MedicareFeeSchedule,
    PricedClaim,
    estimate_responsibility,
)
from medbill.ledger import (
    EntryKind,
    Ledger,
    StatementPolicy,
    aging,
    build_statement,
    post_charges,
    statements_due,
    trial_balance,
)
from medbill.ledger._reports import AGING_BUCKETS
from medbill.serialize import to_dict, to_json
from medbill.x12 import Party, read_271, read_835, write_270, write_835, write_837p

__all__ = ["Demo", "run_demo"]

CLOCK = pendulum.datetime(2025, 4, 15, 17, 0)
"""The instant every ledger entry of the demo is recorded at (no clock is read)."""
SUBMITTER = Party(
    name="Prairie Family Medicine", id="PRAIRIEFM", contact_name="Billing Office",
    phone="2175550100",
)  # fmt: skip
CLEARINGHOUSE = Party(name="Midwest Claims Exchange", id="MIDWESTCX")
ACME_SENDER = Party(name="Acme Health", id="ACMEHEALTH")
PRAIRIE_SENDER = Party(name="Prairie Mutual", id="PRAIRIEMUT")


class Demo:
    """The state of the demo day as it goes from one step to the next."""

    def __init__(
        self, out: Path, db: Path | None, medicare: MedicareFeeSchedule, *, quiet: bool
    ) -> None:
        self.out = out
        self.db = db if db is not None else out / "ledger.sqlite"
        self.medicare = medicare
        self.console: Console = make_console()
        self.quiet = quiet
        self.files: list[Path] = []
        self.summary: dict[str, Any] = {}
        self.patients: dict[str, Patient] = {p.id: p for p in data.patients()}
        self.coverages = data.coverages()
        self.encounters = data.encounters()
        self.step = 0
        self.chargemaster: FeeSchedule
        self.contracts: dict[str, Contract] = {}
        self.checks: list[PaymentCheck] = []
        self.claims: dict[str, Claim] = {}
        self.sent_secondary: list[tuple[Claim, pendulum.DateTime]] = []

    # -- helpers ----------------------------------------------------------------------

    def say(self, text: str) -> None:
        if not self.quiet:
            self.console.print(text, markup=False, highlight=False)

    def heading(self, text: str) -> None:
        """Print the next step's numbered heading."""
        self.step += 1
        if not self.quiet:
            self.console.print()
            heading(f"{self.step}. {text}", console=self.console)

    def table(
        self,
        title: str | None,
        columns: tuple[str, ...],
        rows: Sequence[Sequence[object]],
        numeric: tuple[str, ...] = (),
        nowrap: tuple[str, ...] = (),
    ) -> None:
        if not self.quiet:
            table(title, columns, rows, numeric=numeric, nowrap=nowrap, console=self.console)

    def write_bytes(self, relative: str, content: bytes) -> Path:
        path = self.out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, content, mode=file_mode())
        self.files.append(path)
        return path

    def write(self, relative: str, text: str) -> Path:
        path = self.out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, text, mode=file_mode())
        self.files.append(path)
        return path

    def coverage(self, patient_id: str, priority: Priority) -> Coverage | None:
        for coverage in self.coverages:
            if coverage.patient_id == patient_id and coverage.priority is priority:
                return coverage
        return None

    def name(self, patient_id: str) -> str:
        return mask_text(self.patients[patient_id].name.formatted)

    # -- the day ----------------------------------------------------------------------

    def setup(self) -> None:
        """Write and load the practice's chargemaster and its two payer contracts."""
        self.heading("The practice, its payers and contracts")
        chargemaster = self.write("chargemaster.csv", data.CHARGEMASTER_CSV)
        self.chargemaster = FeeSchedule.from_csv(chargemaster, name="chargemaster")
        for key, text in (
            ("acme", data.ACME_CONTRACT_TOML),
            ("prairie", data.PRAIRIE_CONTRACT_TOML),
        ):
            path = self.write(f"contracts/{key}.toml", text)
            self.contracts[key] = Contract.from_toml(path, schedules={"medicare": self.medicare})
        practice = data.practice()
        self.say(
            f"{practice.name} (NPI {practice.npi}), Springfield IL, Medicare locality "
            f"{data.SPRINGFIELD} (Rest of Illinois); CY2025 conversion factor "
            f"{data.CONVERSION_FACTOR_2025}."
        )
        self.table(
            "Payer contracts",
            ("payer", "contract", "terms", "lesser of billed"),
            [
                (c.payer_id, c.name, len(c.terms), "yes" if c.lesser_of_billed else "no")
                for c in self.contracts.values()
            ],
        )
        self.summary["contracts"] = [c.name for c in self.contracts.values()]

    def register(self) -> None:
        """Show the patients and their coverages (names masked: PHI)."""
        self.heading("Patients and coverage")
        rows = []
        for patient in self.patients.values():
            primary = self.coverage(patient.id, Priority.PRIMARY)
            secondary = self.coverage(patient.id, Priority.SECONDARY)
            rows.append(
                (
                    patient.id,
                    self.name(patient.id),
                    primary.payer.name if primary else "self-pay",
                    secondary.payer.name if secondary else "-",
                )
            )
        self.table(None, ("patient", "name", "primary", "secondary"), rows)
        self.summary["patients"] = len(rows)

    def check_in(self) -> None:
        """At check-in: ask Acme about Maria's coverage (270) and take its answer (271)."""
        self.heading("Check-in: is the coverage active? (270/271 eligibility)")
        coverage = self.coverage("MRN-1001", Priority.PRIMARY)
        if coverage is None:
            return
        inquiry = write_270(
            self.patients["MRN-1001"], coverage, data.practice(), ["30", "98"],
            sender=SUBMITTER, receiver=CLEARINGHOUSE, control_number=1,
            created=pendulum.datetime(2025, 3, 4, 8), trace="CHECKIN-1001",
            service_date=data.VISIT_DAY,
        )  # fmt: skip
        self.write("270/MRN-1001.x12", inquiry)
        answer = self.write("271/MRN-1001.x12", _acme_271(coverage))
        [response] = read_271(answer)
        updated, changes = apply_eligibility(coverage, response, data.VISIT_DAY)
        self.coverages = [updated if c.id == coverage.id else c for c in self.coverages]
        deductible, out_of_pocket = response.deductible(), response.out_of_pocket()
        self.table(
            f"Acme says: {'active' if response.active else 'NOT active'}, {response.plan_name}",
            ("benefit", "total", "remaining"),
            [
                ("office visit copay (98)", money(response.copay(service_type="98")), "-"),
                ("coinsurance", f"{(response.coinsurance() or ZERO) * 100:.0f}%", "-"),
                ("deductible", money(deductible.total), money(deductible.remaining)),
                ("out of pocket", money(out_of_pocket.total), money(out_of_pocket.remaining)),
            ],
            ("total", "remaining"),
        )
        self.say("Differences from the file: " + ("; ".join(map(str, changes)) or "none"))
        self.summary["eligibility"] = {"active": response.active, "changes": len(changes)}

    def build_claims(self) -> None:
        """Turn each encounter into a claim to the primary payer at chargemaster prices."""
        self.heading("Encounters become claims")
        rows = []
        for encounter in self.encounters:
            patient = self.patients[encounter.patient_id]
            ordered = [
                c
                for priority in (Priority.PRIMARY, Priority.SECONDARY)
                if (c := self.coverage(patient.id, priority)) is not None
            ]
            claim = build_claim(
                encounter,
                patient,
                ordered,
                self._unit_price,
                claim_id=ClaimId("C-" + encounter.id.removeprefix("E-")),
            )
            self.claims[claim.id] = claim
            payer = claim.coverage.payer.name if claim.coverage else "self-pay"
            rows.append(
                (claim.id, encounter.patient_id, str(encounter.service_date),
                 _services(claim), payer, money(claim.total_charge))
            )  # fmt: skip
        self.table(
            None, ("claim", "patient", "date", "services", "payer", "billed"), rows, ("billed",)
        )

    def _unit_price(
        self, code: ProcedureCode, modifiers: tuple[Modifier, ...], day: pendulum.Date
    ) -> Decimal | None:
        if not self.chargemaster.has(str(code), service_date=day):
            return None
        return self.chargemaster.amount(str(code), service_date=day)

    def price(self) -> None:
        """Price every line under Medicare and both contracts."""
        self.heading("What each service should be paid: Medicare and two contracts")
        rows: list[tuple[object, ...]] = []
        priced: list[dict[str, Any]] = []
        for claim in progress(list(self.claims.values()), "Pricing claims"):
            clean = _without_conflicting_modifiers(claim)
            medicare = self.medicare.price_claim(clean, locality=data.SPRINGFIELD)
            acme = self.contracts["acme"].expected_allowed(clean)
            prairie = self.contracts["prairie"].expected_allowed(clean)
            for line in clean.lines:
                amounts = (
                    medicare.line(line.line_id).allowed,
                    acme.line(line.line_id).allowed,
                    prairie.line(line.line_id).allowed,
                )
                rows.append(
                    (claim.id, line.line_id, str(line.procedure), money(line.charge),
                     *(money(a) for a in amounts), acme.line(line.line_id).term)
                )  # fmt: skip
                priced.append(
                    {"claim": claim.id, "line": line.line_id, "code": str(line.procedure),
                     "billed": line.charge, "medicare": amounts[0], "acme": amounts[1],
                     "prairie": amounts[2]}
                )  # fmt: skip
        self.table(
            f"Expected allowed amounts (Medicare {data.SPRINGFIELD}, CY2025)",
            ("claim", "line", "code", "billed", "Medicare", "Acme", "Prairie", "Acme term"),
            rows,
            ("billed", "Medicare", "Acme", "Prairie"),
        )
        self.summary["pricing"] = priced

    def estimate(self) -> None:
        """What each patient should owe, from the primary payer's expected allowed amounts
        and the plan's benefits (copay, deductible, coinsurance, Medicare sequestration)."""
        self.heading("What the patients should owe (estimate before submission)")
        rows: list[tuple[object, ...]] = []
        owed: dict[str, Decimal] = {}
        for claim in self.claims.values():
            coverage = claim.coverage
            if coverage is None:
                continue
            clean = _without_conflicting_modifiers(claim)
            priced: PricedClaim | ContractPricing
            if coverage.payer.kind is PayerKind.MEDICARE:
                priced = self.medicare.price_claim(clean, locality=data.SPRINGFIELD)
            else:
                priced = self.contracts[str(coverage.payer.id)].expected_allowed(clean)
            every = [c for c in self.coverages if c.patient_id == claim.patient.id]
            share = estimate_responsibility(priced, every)
            owed[str(claim.id)] = share.patient_total
            rows.append(
                (claim.id, coverage.payer.name, money(priced.total),
                 money(sum((s.copay for s in share.lines), ZERO)),
                 money(sum((s.deductible for s in share.lines), ZERO)),
                 money(sum((s.coinsurance for s in share.lines), ZERO)),
                 money(share.secondary_total), money(share.patient_total),
                 money(share.payment_total))
            )  # fmt: skip
        self.table(
            None,
            ("claim", "payer", "allowed", "copay", "deductible", "coinsurance", "secondary pays",
             "patient", "plan pays"),
            rows,
            ("allowed", "copay", "deductible", "coinsurance", "secondary pays", "patient",
             "plan pays"),
        )  # fmt: skip
        self.summary["estimates"] = owed

    def scrub(self) -> None:
        """Scrub every claim (with the NCCI add-on code edits); fix what the scrubber
        catches and scrub it again."""
        self.heading("Scrubbing before submission")
        as_of = data.CLAIMS_SENT.date()
        ncci = NcciEdits.from_rows(aoc=read_aoc(data.AOC_ROWS.splitlines()),
                                   source="NCCI add-on code edits 2024-06-03")  # fmt: skip
        rows: list[tuple[object, ...]] = []
        caught: list[dict[str, Any]] = []
        for claim_id, keyed in list(self.claims.items()):
            claim = _keying_slip(keyed)
            findings = scrub(claim, as_of=as_of, ncci=ncci)
            for finding in findings:
                rows.append((claim_id, finding.severity.value, finding.rule, finding.path,
                             finding.message, finding.hint))  # fmt: skip
                caught.append({"claim": claim_id, "rule": finding.rule, "path": finding.path})
            if any(f.blocks_submission for f in findings):
                fixed = _global_service(_without_lone_add_ons(claim, findings))
                after = scrub(fixed, as_of=as_of, ncci=ncci)
                self.claims[claim_id] = fixed
                verdict = "clean" if not after else "; ".join(str(f) for f in after)
                rows.append((claim_id, "fixed", "", "", f"now {_services(fixed)}", verdict))
        if rows:
            self.table(
                f"Findings as of {as_of}",
                ("claim", "severity", "rule", "field", "message", "fix"),
                rows,
                nowrap=("claim", "rule", "field"),
            )
        clean = [c for c in self.claims.values() if not scrub(c, as_of=as_of)]
        self.say(f"{len(clean)} of {len(self.claims)} claims clean and ready to submit.")
        self.summary["scrub"] = caught
        for claim_id, claim in self.claims.items():
            self.write(f"claims/{claim_id}.json", to_json(claim) + "\n")
        for coverage in self.coverages:  # `medbill era post --coverages` reads them
            self.write(f"coverages/{coverage.id}.json", to_json(coverage) + "\n")

    def submit(self) -> None:
        """Write one 837P file per payer."""
        self.heading("Claims sent as 837P")
        by_payer: dict[str, list[Claim]] = {}
        for claim in self.claims.values():
            payer = claim.coverage.payer.id if claim.coverage else "self-pay"
            by_payer.setdefault(payer, []).append(claim)
        for number, (payer, claims) in enumerate(sorted(by_payer.items()), start=1):
            text = write_837p(
                claims, submitter=SUBMITTER, receiver=CLEARINGHOUSE,
                created=data.CLAIMS_SENT, control_number=number,
            )  # fmt: skip
            path = self.write(f"837p/{payer}.x12", text)
            ids = ", ".join(str(c.id) for c in claims)
            self.say(f"{path}: {len(claims)} claim(s) to {payer} ({ids})")

    def remittances(self) -> list[Remittance]:
        """Acme's two remittances, checked against the 835 balancing rules."""
        self.heading("Acme's remittance advice (835)")
        eras = [
            self.receive(era, number)
            for number, era in enumerate(
                [data.acme_earlier_remittance(), data.acme_remittance()], start=1
            )
        ]
        era = eras[-1]
        self.table(
            f"{era.id}",
            ("claim", "status", "billed", "paid", "patient owes", "adjustments"),
            [
                (
                    cp.claim_id,
                    cp.status.name.lower().replace("_", " "),
                    money(cp.charge),
                    money(cp.paid),
                    money(cp.patient_responsibility),
                    ", ".join(
                        f"{a.group.value}-{a.reason} {money(a.amount)}"
                        for a in cp.all_adjustments()
                    ),
                )
                for cp in era.claim_payments
            ],
            ("billed", "paid", "patient owes"),
        )
        self.summary["remittances"] = [
            {"id": e.id, "payment": e.payment_amount, "claims": len(e.claim_payments)} for e in eras
        ]
        return eras

    def receive(
        self, era: Remittance, number: int, sender: Party = ACME_SENDER, name: str = "acme"
    ) -> Remittance:
        """The payer's remittance as an 835 file, read back as the practice receives it,
        with its balance checked."""
        sent = pendulum.datetime(era.paid_on.year, era.paid_on.month, era.paid_on.day, 6)
        text = write_835(
            era, sender=sender, receiver=CLEARINGHOUSE, control_number=number, created=sent
        )
        path = self.write(f"835/{name}-{era.paid_on}.835", text)
        [read] = read_835(path)
        self.say(f"{path}: {read.id} of {read.paid_on}, {money(read.payment_amount)} by "
                 f"{read.method.name} from {read.payer_name}: {_balance(read)}")  # fmt: skip
        return read

    def post(self, ledger: Ledger, eras: list[Remittance]) -> None:
        """Charges, then each remittance, posted to the SQLite ledger."""
        self.heading("Posting to the ledger")
        for claim in self.claims.values():
            post_charges(ledger, claim)
        claims = {str(c.id): c for c in self.claims.values()}
        posted = post_remittances(ledger, eras, claims, coverages=self.coverages)
        self.say(
            f"Charges of {len(claims)} claims and {posted.claim_payments} claim payments "
            f"from {posted.remittances} remittances posted in one atomic batch."
        )
        for plan in posted.plans:  # what the plan did beyond paying (as posted)
            for item in plan.claims:
                for entry in item.entries:
                    what = (
                        f"reverses {entry.reverses} (matched by CLP07, then amounts)"
                        if entry.reverses is not None
                        else "denied: left in A/R as a denial to work"
                        if entry.kind is EntryKind.DENIAL
                        else None
                    )
                    if what is not None:
                        self.say(f"{plan.remittance.id} loop #{item.position} "
                                 f"({item.claim_payment.claim_id}): {what}")  # fmt: skip
        ledger.check_invariants()
        count = len(claims) + posted.entries  # the charges, then what the remittances posted
        self.say(f"{count} journal entries in {self.db}; debits equal credits.")
        self.summary["entries"] = count

    def secondary(self, eras: list[Remittance]) -> None:
        """Bill what the primary left to the patient's secondary payer, carrying the
        primary's payment and adjustments."""
        self.heading("Secondary claims")
        for era in eras:
            for payment in era.claim_payments:
                claim = self.claims.get(str(payment.claim_id))
                if claim is None or payment.status.is_reversal or payment.status.is_denial:
                    continue
                follow = self.coverage(claim.patient.id, Priority.SECONDARY)
                if follow is None or claim.coverage is None or follow == claim.coverage:
                    continue
                built = build_secondary_claim(claim, payment, follow, adjudicated_on=era.paid_on)
                path = self.send_secondary(built, payment, era)
                self.say(
                    f"{path}: {claim.id} to {follow.payer.name} after {era.payer_name} paid "
                    f"{money(built.prior_paid)}; {money(built.remaining_patient_liability)} "
                    "left for the secondary to consider"
                )

    def secondary_remittance(self, ledger: Ledger) -> Remittance:
        """Prairie Mutual's 835 as Maria's secondary payer: planned (the split claim's two
        loops, each against Prairie's secondary level), shown, then posted."""
        self.heading("The secondary payer's remittance (835), planned then posted")
        # the plan as posted: a re-run of the demo finds it posted and shows the same
        era = self.receive(data.prairie_remittance(), 3, PRAIRIE_SENDER, "prairie")
        claims = {str(c.id): c for c in self.claims.values()}
        [plan] = plan_remittances(ledger, [era], claims, coverages=self.coverages)
        self.table(
            f"plan of {era.id}",
            ("loop", "claim", "CLP02", "paid", "entry", "credits"),
            [
                (
                    f"#{item.position}", item.claim_payment.claim_id,
                    item.claim_payment.status.value, money(item.claim_payment.paid),
                    ", ".join(e.kind.value for e in item.entries),
                    ", ".join(
                        f"{p.account.payer}/{p.account.level.value} line {p.account.line}: "
                        f"{money(-p.amount)}"
                        for e in item.entries for p in e.postings
                        if p.account.code == "insurance_receivable" and p.amount < 0
                        and p.account.level is not None
                    ),
                )
                for item in plan.claims
            ],
            ("paid",),
        )  # fmt: skip
        posted = post_remittances(ledger, [era], claims, coverages=self.coverages)
        owed = ledger.total("insurance_receivable", payer="prairie", claim="C-1001")
        self.say(
            f"{posted.claim_payments} loops of one claim (a split claim) posted against "
            f"Prairie's secondary level; Prairie now owes {money(owed)} on C-1001."
        )
        ledger.check_invariants()
        self.summary["secondary_remittance"] = {
            "id": era.id, "payment": era.payment_amount,
            "loops": [[e.kind.value for e in item.entries] for item in plan.claims],
        }  # fmt: skip
        return era

    def send_secondary(
        self, secondary: SecondaryClaim, payment: ClaimPayment, era: Remittance
    ) -> Path:
        """Save the secondary claim and send it as an 837P with the primary's adjudication
        in the other-payer loops (2320/2330/2430)."""
        claim = secondary.claim
        payer = claim.coverage.payer.id if claim.coverage else "self-pay"
        self.write(f"claims/secondary/{claim.id}-{payer}.json", to_json(claim) + "\n")
        sent = pendulum.datetime(era.paid_on.year, era.paid_on.month, era.paid_on.day, 15)
        text = write_837p(
            secondary, submitter=SUBMITTER, receiver=CLEARINGHOUSE, created=sent,
            control_number=10,
        )  # fmt: skip
        self.sent_secondary.append((claim, sent))
        return self.write(f"837p/{payer}-secondary.x12", text)

    def check(self, eras: list[Remittance]) -> None:
        """Every Acme payment against the Acme contract, in payment terms; the denials
        apart; the variance report as CSV."""
        self.heading("The contractual-discount check")
        claims = {str(c.id): c for c in self.claims.values()}
        contracts = list(self.contracts.values())
        checks, skipped = check_remittances(eras[-1:], claims, contracts, Tolerance())
        self.checks = checks  # the worklist lists the underpaid claims
        rows = line_rows(checks)
        if not self.quiet:
            show_checks(rows, self.contracts["acme"].name)
            show_denials(rows)
        report = VarianceReport.from_checks(checks)
        path = self.write("reports/acme-payment-check.csv", report.to_csv())
        denied = [r for r in rows if r["denial"] is not None]
        self.say(
            f"In payment terms Acme paid {money(report.total_underpayment)} too little "
            f"against its contract (expected paid minus paid, on underpaid lines and lines "
            f"whose patient share was too high); the report is in {path}."
        )
        for row in denied:
            stake = row["expected_paid"]
            self.say(
                f"denied, worked apart: {row['claim']} line {row['line']} {row['code']} "
                f"({row['denial']}): {row['next_action']}"
                + ("" if stake is None else f"; {money(stake)} at stake under the contract")
            )
        for note in skipped:
            self.say(f"not checked: {note}")
        self.summary["payment_check"] = [
            {k: r[k] for k in ("claim", "line", "code", "expected_allowed", "payer_allowed",
                               "expected_paid", "paid", "payment_variance", "verdict",
                               "denial", "next_action")}
            for r in rows
        ]  # fmt: skip
        self.summary["underpayment"] = report.total_underpayment
        self.summary["denials"] = len(denied)
        self.summary["at_stake"] = report.total_at_stake

    def statements(self, ledger: Ledger, eras: list[Remittance]) -> None:
        """A statement per guarantor a clinic could mail: HTML, PDF, text and JSON."""
        self.heading(f"Patient statements as of {data.STATEMENT_DAY}")
        policy = StatementPolicy()
        self.write("practice.json", to_json(data.statement_practice()) + "\n")
        run = statements_due(
            ledger, data.STATEMENT_DAY, policy, patients=list(self.patients.values())
        )
        due_ids = {item.guarantor.id for item in run.due}
        rows = []
        found_due: dict[str, Decimal] = {}
        for patient_id, patient in self.patients.items():
            guarantor = Guarantor.of_patient(patient)
            found = build_statement(
                ledger, guarantor=guarantor, patients=[patient],
                claims=[c for c in self.claims.values() if c.patient.id == patient_id],
                practice=data.statement_practice(), as_of=data.STATEMENT_DAY,
                remittances=eras, coverages=self.coverages, policy=policy,
            )  # fmt: skip
            found_due[patient_id] = found.amount_due
            # Statements to mail today in statements/, the others (nothing due from the
            # patient yet) in statements/held/ for the billing office to look at.
            folder = "statements" if guarantor.id in due_ids else "statements/held"
            self.write(f"{folder}/{patient_id}.txt", found.render_text())
            self.write(f"{folder}/{patient_id}.html", found.render_html())
            self.write(f"{folder}/{patient_id}.json", json.dumps(found.to_dict(), indent=2))
            if _has_pdf():
                self.write_bytes(f"{folder}/{patient_id}.pdf", found.render_pdf())
            rows.append(
                (patient_id, self.name(patient_id), money(found.new_charges),
                 money(found.payments_received), money(found.insurance_pending),
                 money(found.amount_due), "yes" if guarantor.id in due_ids else "no")
            )  # fmt: skip
        self.table(
            None,
            ("patient", "name", "your share", "payments", "insurance pending", "amount due",
             "mail today"),
            rows,
            ("your share", "payments", "insurance pending", "amount due"),
        )  # fmt: skip
        self.summary["statements"] = {r[0]: found_due[r[0]] for r in rows}
        self.summary["statements_due"] = sorted(due_ids)

    def aging(self, ledger: Ledger) -> None:
        """Open receivables by age, insurance and patient apart; the trial balance. Each
        balance is aged from the day it was billed to its party: a payer's from the claim
        sent to it, the patient's from the posting that made it the patient's."""
        self.heading(f"Aging as of {data.STATEMENT_DAY} (from the day billed to each party)")
        report = aging(ledger, as_of=data.STATEMENT_DAY, basis="billing")
        self.write("reports/aging.txt", report.render_text() + "\n")
        totals = report.totals()
        self.table(
            None,
            ("responsibility", "payer", *AGING_BUCKETS, "total"),
            [
                *((r.responsibility, r.payer or "-", *(money(a) for a in r.buckets),
                   money(r.total)) for r in report.rows),
                ("total", "", *(money(a) for a in totals), money(sum(totals, ZERO))),
            ],
            (*AGING_BUCKETS, "total"),
        )  # fmt: skip
        balance = trial_balance(ledger)
        self.say(
            f"Trial balance: debits {money(balance.total_debits)} = credits "
            f"{money(balance.total_credits)}" + ("" if balance.is_balanced else " NOT BALANCED")
        )
        self.summary["aging"] = {r.payer or r.responsibility: r.total for r in report.rows}
        self.summary["trial_balance"] = balance.total_debits

    def follow_up(self, ledger: Ledger, eras: list[Remittance]) -> None:
        """The claims' lifecycle from the remittances, and the follow-up worklist."""
        self.heading(f"Follow-up worklist as of {data.STATEMENT_DAY}")
        sent = data.CLAIMS_SENT.in_timezone("UTC")
        flows = []
        for claim in self.claims.values():
            flow = ClaimWorkflow.start(claim, recorded_at=sent).validate(
                recorded_at=sent, findings=[]
            )
            flow = flow.submit(recorded_at=sent).accept(recorded_at=sent)
            for era in eras:
                for payment in era.claim_payments:
                    if payment.claim_id == claim.id and flow.status is not ClaimStatus.DENIED:
                        day = era.paid_on
                        at = pendulum.datetime(day.year, day.month, day.day, 12)
                        flow = flow.adjudicate(payment, recorded_at=max(at, flow.updated_at))
            flows.append(flow)
        for claim, at in self.sent_secondary:
            flows.append(
                ClaimWorkflow.start(claim, recorded_at=at)
                .validate(recorded_at=at, findings=[])
                .submit(recorded_at=at)
            )
        self.write("workflows.json", json.dumps([to_dict(f) for f in flows], indent=2) + "\n")
        items = worklist(ledger, flows, data.STATEMENT_DAY, payments=[
            p for era in eras for p in era.claim_payments if not p.status.is_reversal
        ], checks=self.checks)  # fmt: skip
        self.table(
            None,
            ("reason", "claim", "amount", "next action", "deadline"),
            [
                (
                    i.reason.value,
                    i.claim_id or i.patient_id or "-",
                    money(i.amount),
                    i.next_action,
                    str(i.deadline or "-"),
                )
                for i in items
            ],
            ("amount",),
        )
        self.summary["worklist"] = [(i.reason.value, i.claim_id or i.patient_id) for i in items]

    def finish(self, as_json: bool) -> None:
        self.summary["files"] = [str(p) for p in self.files]
        if as_json:
            emit_json(self.summary)
            return
        self.console.print()
        heading("Files written", console=self.console)
        for path in self.files:
            self.say(f"  {path}")


def _has_pdf() -> bool:
    try:
        import fpdf  # noqa: F401
    except ImportError:  # the [pdf] extra is not installed: HTML, text and JSON only
        return False
    return True


def _acme_271(coverage: Coverage) -> str:
    """Acme's 271 for a coverage: what it has on file for the plan and the year so far."""
    plan, met = coverage.benefits, coverage.accumulators
    oop = (plan.out_of_pocket_max or ZERO) - met.out_of_pocket_met
    body = [
        "BHT*0022*11*CHECKIN-1001*20250304*0801", "HL*1**20*1",
        f"NM1*PR*2*{coverage.payer.name}*****PI*{coverage.payer.x12_payer_id}", "HL*2*1*21*1",
        "NM1*1P*2*PRAIRIE FAMILY MEDICINE*****XX*1003000126", "HL*3*2*22*0",
        "TRN*2*CHECKIN-1001*9100300012", f"NM1*IL*1*RIVERA*MARIA****MI*{coverage.member_id}",
        "DMG*D8*19781102*F", "DTP*346*D8*20250101", f"EB*1**30**{coverage.plan_name}",
        f"EB*B*IND*98***27*{plan.copay_for(ServiceCategory.OFFICE_VISIT)}*****Y",
        f"EB*A*IND*30*****{plan.coinsurance}****Y",
        f"EB*C*IND*30***23*{plan.deductible}*****Y",
        f"EB*C*IND*30***29*{plan.deductible - met.deductible_met}*****Y",
        f"EB*G*IND*30***23*{plan.out_of_pocket_max}*****Y", f"EB*G*IND*30***29*{oop}*****Y",
    ]  # fmt: skip
    return (
        "ISA*00*          *00*          *ZZ*MIDWESTCX      *ZZ*PRAIRIEFM      *250304*0801*^*"
        "00501*000000271*0*P*:~GS*HB*MIDWESTCX*PRAIRIEFM*20250304*0801*271*X*005010X279A1~"
        f"ST*271*0001*005010X279A1~{'~'.join(body)}~SE*{len(body) + 2}*0001~GE*1*271~"
        "IEA*1*000000271~\n"
    )


def _balance(era: Remittance) -> str:
    problems = era.imbalances()
    return "balanced" if not problems else "; ".join(str(p) for p in problems)


def _services(claim: Claim) -> str:
    return ", ".join(
        str(line.procedure) + "".join(f"-{m}" for m in line.modifiers) for line in claim.lines
    )


def _keying_slip(claim: Claim) -> Claim:
    """C-1003 as the front desk keyed it: 99417 (prolonged visit) added to a 99203."""
    import attrs

    if claim.id != "C-1003":
        return claim
    slip = attrs.evolve(claim.lines[0], line_id="2", procedure="99417", charge=Decimal("65.00"))
    return attrs.evolve(
        claim, lines=[*claim.lines, slip], total_charge=claim.total_charge + slip.charge
    )


def _without_lone_add_ons(claim: Claim, findings: Sequence[Any]) -> Claim:
    """The fix for an add-on code without its primary: the visit did not reach 99205, so the
    prolonged-service add-on is removed."""
    import attrs

    flagged = {f.path for f in findings if f.rule == "ncci-aoc"}
    lines = [line for i, line in enumerate(claim.lines) if f"lines[{i}].procedure" not in flagged]
    if len(lines) == len(claim.lines):
        return claim
    return attrs.evolve(claim, lines=lines, total_charge=sum((x.charge for x in lines), ZERO))


def _global_service(claim: Claim) -> Claim:
    """The fix for 26 and TC on one line: the practice took and read the film, so it bills
    the global service (no component modifier)."""
    return _without_conflicting_modifiers(claim)


def _without_conflicting_modifiers(claim: Claim) -> Claim:
    """The claim as it is priced: a line keyed with both 26 and TC is the global service."""
    import attrs

    lines = [
        attrs.evolve(line, modifiers=[m for m in line.modifiers if str(m) not in {"26", "TC"}])
        if {"26", "TC"} <= {str(m) for m in line.modifiers}
        else line
        for line in claim.lines
    ]
    return attrs.evolve(claim, lines=lines)


def run_demo(
    *,
    out: Path,
    db: Path | None,
    as_json: bool,
    rvu: Path | None = None,
    gpci: Path | None = None,
) -> None:
    """Run every step of the demo day, writing files under ``out``."""
    from medbill.cli._commands._inputs import load_medicare

    out.mkdir(parents=True, exist_ok=True)
    demo = Demo(out, db, load_medicare(rvu, gpci), quiet=as_json)
    demo.setup()
    demo.register()
    demo.check_in()
    demo.build_claims()
    demo.price()
    demo.estimate()
    demo.scrub()
    demo.submit()
    eras = demo.remittances()
    with Ledger.open(demo.db, clock=lambda: CLOCK) as ledger:
        demo.post(ledger, eras)
        demo.secondary(eras)
        later = demo.secondary_remittance(ledger)
        demo.check(eras)
        demo.statements(ledger, [*eras, later])
        demo.aging(ledger)
        demo.follow_up(ledger, eras)
    demo.files.append(demo.db)
    demo.finish(as_json)
