"""Claim status: write 276 inquiries, read 277 responses (005010X212) and 277CA (005010X214).

Both 277s share one hierarchy (HL03): 20 information source (payer, loop 2000A),
21 information receiver (2000B), 19 service provider (2000C), 22 subscriber (2000D), 23
dependent (2000E; the 277CA names its patient level ``PT``). A status loop opens with a
TRN: TRN02 at the claim level is the patient control number sent in CLM01. It carries
STC segments (STC01, STC10 and STC11 each a category:status:entity composite), REFs
(1K the payer's claim control number), DTP*472 (service dates) and service lines (SVC
with their own STC, REF*FJ and DTP*472).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import pendulum

from medbill._claim_status import ClaimStatusCode, ClaimStatusReport, LineStatus
from medbill._common import ClaimId, Period
from medbill._encounter import Claim
from medbill._errors import ValidationError
from medbill.x12._envelope import Source
from medbill.x12._fields import Segments, el, entity_name, person_name, read_transactions
from medbill.x12._write import (
    Party,
    SegmentWriter,
    amount,
    demographics,
    interchange,
    person_nm1,
)

__all__ = ["read_277", "read_277ca", "write_276"]

STATUS_IMPLEMENTATION = "005010X212"
ACKNOWLEDGEMENT_IMPLEMENTATION = "005010X214"
_LEVELS = {
    "20": "payer",
    "21": "information-receiver",
    "19": "provider",
    "22": "claim",
    "23": "claim",
    "PT": "claim",
}


@attrs.define
class _Status:
    """One status loop (TRN ..) as it is read."""

    level: str
    trace: str | None
    context: dict[str, Any]
    stc: list[tuple[int, list[str]]] = attrs.Factory(list)
    references: list[tuple[str, str]] = attrs.Factory(list)
    service_period: Period | None = None
    lines: list[dict[str, Any]] = attrs.Factory(list)


class _Reader:
    def __init__(self, segments: Segments, implementation: str) -> None:
        self.segments = segments
        self.implementation = implementation
        self.context: dict[str, Any] = {}
        self.found: list[ClaimStatusReport] = []

    def read(self) -> list[ClaimStatusReport]:
        level = ""
        status: _Status | None = None
        line: dict[str, Any] | None = None
        for number, segment in self.segments:
            tag = segment[0]
            if tag == "HL":
                self._close(status)
                status, line = None, None
                level = el(segment, 3)
            elif tag == "NM1":
                self._name(level, segment)
            elif tag == "TRN":
                self._close(status)
                line = None
                status = _Status(
                    level=_LEVELS.get(level, "payer"),
                    trace=el(segment, 2) or None,
                    context=dict(self.context),
                )
            elif status is None:
                continue  # DTP*050/009 of the 2200A, PER, QTY, AMT before any TRN
            elif tag == "SVC":
                line = self._line(segment, number)
                status.lines.append(line)
            elif tag == "STC":
                if line is not None:
                    line["stc"].append((number, segment))
                else:
                    status.stc.append((number, segment))
            elif tag == "REF" and el(segment, 2):
                if line is not None:
                    if el(segment, 1) == "FJ":
                        line["line_id"] = el(segment, 2)
                else:
                    status.references.append((el(segment, 1), el(segment, 2)))
            elif tag == "DTP" and el(segment, 1) == "472":
                found = self.segments.dtp(segment, number)
                period = None if found is None else found[1]
                if line is not None:
                    line["service_period"] = period
                else:
                    status.service_period = period
        self._close(status)
        return self.found

    def _name(self, level: str, segment: list[str]) -> None:
        identifier = el(segment, 9) or None
        if level == "20":
            self.context.update(payer_name=entity_name(segment), payer_id=identifier)
        elif level == "19":
            self.context.update(provider_name=entity_name(segment), provider_id=identifier)
        elif level in ("22", "23", "PT"):
            self.context.update(patient_name=person_name(segment), member_id=identifier)

    def _line(self, segment: list[str], number: int) -> dict[str, Any]:
        code = self.segments.components(el(segment, 1))
        return {
            "procedure": code[1] if len(code) > 1 else (code[0] or None),
            "modifiers": tuple(c for c in code[2:6] if c),
            "charge": self.segments.decimal(segment, 2, number),
            "paid": self.segments.decimal(segment, 3, number),
            "units": self.segments.decimal(segment, 7, number, money=False),
            "stc": [],
        }

    def _codes(self, stc: list[tuple[int, list[str]]]) -> tuple[ClaimStatusCode, ...]:
        found: list[ClaimStatusCode] = []
        for number, segment in stc:
            for position in (1, 10, 11):
                value = el(segment, position)
                if not value:
                    continue
                parts = [*self.segments.components(value), "", "", "", ""]
                if not parts[0]:
                    self.segments.problem(
                        "the claim status category code is empty", number, segment, position
                    )
                    continue
                found.append(
                    ClaimStatusCode(
                        category=parts[0],
                        status=parts[1] or None,
                        entity=parts[2] or None,
                        code_source=parts[3] or None,
                    )
                )
        return tuple(found)

    def _close(self, status: _Status | None) -> None:
        if status is None or (not status.stc and status.level != "claim"):
            return  # a batch-level TRN without status (277CA 2200A) says nothing
        fields: dict[str, Any] = {}
        reading = self.segments
        for number, segment in status.stc:
            # the first STC that carries a value gives it (dates, amounts, action)
            for key, value in (
                ("status_date", reading.date(el(segment, 2), number, segment, 2)),
                ("action", el(segment, 3) or None),
                ("charge", reading.decimal(segment, 4, number)),
                ("paid", reading.decimal(segment, 5, number)),
                ("adjudicated_on", reading.date(el(segment, 6), number, segment, 6)),
                ("paid_on", reading.date(el(segment, 8), number, segment, 8)),
                ("check_number", el(segment, 9) or None),
            ):
                if value is not None:
                    fields.setdefault(key, value)
        references = tuple(status.references)
        payer_claim = next((v for q, v in references if q == "1K"), None)
        lines = tuple(
            LineStatus(
                **{k: v for k, v in line.items() if k != "stc"},
                statuses=self._codes(line["stc"]),
            )
            for line in status.lines
        )
        context = status.context if status.level == "claim" else {
            k: v for k, v in status.context.items() if k in ("payer_name", "payer_id")
            or (status.level == "provider" and k.startswith("provider"))
        }  # fmt: skip
        self.found.append(
            ClaimStatusReport(
                implementation=self.implementation,
                level=status.level,
                claim_id=status.trace,
                payer_claim_number=payer_claim,
                statuses=self._codes(status.stc),
                service_period=status.service_period,
                references=references,
                lines=lines,
                **context,
                **fields,
            )
        )


def _read(source: Source, strict: bool, acknowledgement: bool) -> list[ClaimStatusReport]:
    found: list[ClaimStatusReport] = []
    for raw, segments in read_transactions(source, ("277",), strict):
        implementation = raw.implementation or ""
        if ("X214" in implementation) != acknowledgement:
            expected = "a 277CA (005010X214)" if acknowledgement else "a 277 (005010X212)"
            segments.problem(
                f"expected {expected}, the transaction set says {implementation!r}",
                raw.first_number - 1,
                ["ST"],
                3,
            )
        guide = ACKNOWLEDGEMENT_IMPLEMENTATION if acknowledgement else STATUS_IMPLEMENTATION
        found.extend(_Reader(segments, guide).read())
    return found


def read_277(source: Source, *, strict: bool = True) -> list[ClaimStatusReport]:
    """Read a 277 claim status response (005010X212): one report per status loop.

    Claim statuses have ``level == "claim"``; a status the payer gives for the whole
    inquiry (an E0 error at the receiver or provider level) comes back at that level.
    A 277CA (ST03 005010X214) is refused unless ``strict=False``; read it with
    :func:`read_277ca`.

    >>> from medbill.x12 import read_277
    >>> text = ("ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         "
    ...     "*250501*1200*^*00501*000000001*0*P*:~GS*HN*PAYER*CLINIC*20250501*1200*1*X*"
    ...     "005010X212~ST*277*0001*005010X212~BHT*0010*08*R1*20250501*1200*DG~"
    ...     "HL*1**20*1~NM1*PR*2*ACME HEALTH*****PI*60054~HL*2*1*21*1~"
    ...     "NM1*41*2*SPRINGFIELD FAMILY MEDICINE*****46*SFM001~HL*3*2*19*1~"
    ...     "NM1*1P*2*SPRINGFIELD FAMILY MEDICINE*****XX*1234567893~HL*4*3*22*0~"
    ...     "NM1*IL*1*DOE*JANE****MI*W123456789~TRN*2*CLM-0001~"
    ...     "STC*F1:65*20250428**210.00*168.00*20250425**20250428*EFT123~REF*1K*PCN9~"
    ...     "DTP*472*D8*20250304~SE*15*0001~GE*1*1~IEA*1*000000001~")
    >>> [report] = read_277(text)
    >>> report.claim_id, report.outcome.value, report.paid, str(report.paid_on)
    ('CLM-0001', 'finalized-paid', Decimal('168.00'), '2025-04-28')
    """
    return _read(source, strict, acknowledgement=False)


def read_277ca(source: Source, *, strict: bool = True) -> list[ClaimStatusReport]:
    """Read a 277CA claim acknowledgment (005010X214): accepted or rejected per claim/line.

    Each report's ``outcome`` is ``accepted``/``received`` or ``rejected``; the STC codes
    say why (``report.explain()``). Batch-level statuses (the information receiver's
    A1:19 "received", the billing provider's totals) come back with their ``level``.

    >>> from medbill.x12 import read_277ca
    >>> text = ("ISA*00*          *00*          *ZZ*CLEARING       *ZZ*CLINIC         "
    ...     "*250305*0600*^*00501*000000002*0*P*:~GS*HN*CLEARING*CLINIC*20250305*0600*2*X*"
    ...     "005010X214~ST*277*0001*005010X214~BHT*0085*08*B1*20250305*0600*TH~"
    ...     "HL*1**20*1~NM1*PR*2*ACME HEALTH*****PI*60054~TRN*1*B1~DTP*050*D8*20250305~"
    ...     "DTP*009*D8*20250305~HL*2*1*21*1~NM1*41*2*SPRINGFIELD*****46*SFM001~"
    ...     "TRN*2*BATCH7~STC*A1:19*20250305*WQ*210.00~HL*3*2*19*1~"
    ...     "NM1*85*2*SPRINGFIELD*****XX*1234567893~HL*4*3*PT~"
    ...     "NM1*QC*1*DOE*JANE****MI*W123456789~TRN*2*CLM-0001~"
    ...     "STC*A7:562:85*20250305*U*210.00~DTP*472*D8*20250304~"
    ...     "SE*19*0001~GE*1*2~IEA*1*000000002~")
    >>> [batch, claim] = read_277ca(text)
    >>> batch.level, claim.claim_id, claim.outcome.value
    ('information-receiver', 'CLM-0001', 'rejected')
    >>> claim.explain()
    "A7:562:85 Acknowledgement/Rejected for Invalid Information - ... (NPI)."
    """
    return _read(source, strict, acknowledgement=True)


# -- 276 ----------------------------------------------------------------------------------


def _subscriber_nm1(out: SegmentWriter, claim: Claim) -> None:
    coverage = claim.coverage
    if coverage is None:  # checked by write_276
        return
    person = coverage.subscriber.name if coverage.subscriber else claim.patient.name
    person_nm1(out, "IL", person, "subscriber.name", coverage.member_id)


def _claim_loop(out: SegmentWriter, claim: Claim, payer_claim_number: str | None) -> None:
    out.add("TRN", "1", out.text(claim.id, "claim.id"))
    if payer_claim_number:
        out.add("REF", "1K", out.text(payer_claim_number, "payer_claim_number"))
    out.add("AMT", "T3", amount(claim.total_charge))
    dates = claim.service_dates
    first, last = dates[0], dates[-1]
    if first == last:
        out.add("DTP", "472", "D8", first.format("YYYYMMDD"))
    else:
        out.add("DTP", "472", "RD8", f"{first.format('YYYYMMDD')}-{last.format('YYYYMMDD')}")


def write_276(
    claims: Iterable[Claim],
    *,
    sender: Party,
    receiver: Party,
    control_number: int,
    created: pendulum.DateTime,
    payer_claim_numbers: Mapping[ClaimId, str] | None = None,
    usage: str = "P",
) -> str:
    """A claim status inquiry (276, 005010X212) for one or many claims.

    Claims are grouped by payer, billing provider and subscriber (loops 2000A..2000D); a
    patient who is not the subscriber gets a dependent loop (2000E). Each claim sends its
    patient control number (TRN02 = CLM01), total charge (AMT*T3), dates of service
    (DTP*472) and, when known (from the 835's CLP07 or an earlier 277), the payer's claim
    control number (REF*1K).

    >>> import pendulum
    >>> from medbill.testing import make_claim
    >>> from medbill.x12 import Party, write_276
    >>> text = write_276([make_claim()], sender=Party(name="CLINIC", id="CLINIC"),
    ...     receiver=Party(name="ACME", id="ACME"), control_number=9,
    ...     created=pendulum.datetime(2025, 4, 20, 8))
    >>> [s for s in text.split("~\\n") if s.startswith(("TRN", "AMT", "DTP"))]
    ['TRN*1*CLM-0001', 'AMT*T3*150.00', 'DTP*472*D8*20250304']
    """
    numbers = dict(payer_claim_numbers or {})
    groups: dict[tuple[str, str, str], list[Claim]] = {}
    payers: dict[str, tuple[str, str]] = {}
    for index, claim in enumerate(claims):
        if not isinstance(claim, Claim):
            raise ValidationError(f"claims[{index}]", claim, "must be a Claim")
        if claim.coverage is None:
            raise ValidationError(
                f"claims[{index}].coverage", None, "a self-pay claim has no payer"
            )
        payer = claim.coverage.payer
        payers[payer.id] = (payer.name, payer.x12_payer_id or payer.id)
        key = (payer.id, str(claim.billing_provider.npi), claim.coverage.member_id)
        groups.setdefault(key, []).append(claim)
    if not groups:
        raise ValidationError("claims", [], "must hold at least one claim")
    out = SegmentWriter()
    out.add("BHT", "0010", "13", f"{control_number}", created.format("YYYYMMDD"),
            created.format("HHmm"))  # fmt: skip
    hl = 0
    last_payer = last_provider = None
    payer_hl = provider_hl = receiver_hl = "0"
    for (payer_id, npi, _member), group in groups.items():
        if payer_id != last_payer:
            hl += 1
            payer_hl = str(hl)
            name, x12_id = payers[payer_id]
            out.add("HL", payer_hl, "", "20", "1")
            out.add("NM1", "PR", "2", out.text(name, "payer.name"), "", "", "", "", "PI",
                    out.text(x12_id, "payer.x12_payer_id"))  # fmt: skip
            hl += 1
            out.add("HL", str(hl), payer_hl, "21", "1")
            out.add("NM1", "41", "2", out.text(sender.name, "sender.name"), "", "", "", "",
                    "46", out.text(sender.id, "sender.id"))  # fmt: skip
            receiver_hl = str(hl)
            last_payer, last_provider = payer_id, None
        if npi != last_provider:
            hl += 1
            provider_hl = str(hl)
            provider = group[0].billing_provider
            out.add("HL", provider_hl, receiver_hl, "19", "1")
            out.add("NM1", "1P", "2", out.text(provider.name, "billing_provider.name"), "", "",
                    "", "", "XX", npi)  # fmt: skip
            last_provider = npi
        _subscriber_loop(out, group, numbers, hl, provider_hl)
        hl += 1 + sum(1 for c in group if _is_dependent(c))
    return interchange(
        [("276", out.segments)],
        functional_id="HR",
        version=STATUS_IMPLEMENTATION,
        sender=sender,
        receiver=receiver,
        control_number=control_number,
        created=created,
        usage=usage,
    )


def _is_dependent(claim: Claim) -> bool:
    return claim.coverage is not None and claim.coverage.subscriber is not None


def _subscriber_loop(
    out: SegmentWriter, group: list[Claim], numbers: Mapping[ClaimId, str], hl: int, parent: str
) -> None:
    subscriber_hl = str(hl + 1)
    own = [c for c in group if not _is_dependent(c)]
    dependents = [c for c in group if _is_dependent(c)]
    out.add("HL", subscriber_hl, parent, "22", "1" if dependents else "0")
    first = group[0]
    if own:
        demographics(out, own[0].patient.birth_date, own[0].patient.sex)
    _subscriber_nm1(out, first)
    for claim in own:
        _claim_loop(out, claim, numbers.get(claim.id))
    for offset, claim in enumerate(dependents, start=2):
        out.add("HL", str(hl + offset), subscriber_hl, "23")
        demographics(out, claim.patient.birth_date, claim.patient.sex)
        person_nm1(out, "QC", claim.patient.name, "patient.name")
        _claim_loop(out, claim, numbers.get(claim.id))
