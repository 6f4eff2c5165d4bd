"""Write :class:`Remittance` objects as an 835 (005010X221A1), e.g. for test fixtures.

What it writes reads back with :func:`~medbill.x12.read_835` into equal remittances.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

import pendulum

from medbill._common import Address, PersonName
from medbill._errors import ValidationError
from medbill._payment import (
    Adjustment,
    ClaimPayment,
    LinePayment,
    PayerContact,
    PaymentMethod,
    ProviderAdjustment,
    Remittance,
)
from medbill.x12._write import Party, SegmentWriter, amount, interchange

__all__ = ["write_835"]

T = TypeVar("T")

_DEFAULT_SENDER = Party(name="PAYER", id="PAYER")
# 005010X221A1 requires the payer's address (1000A N3/N4) and technical contact (PER*BL),
# which a Remittance does not hold; these placeholders make a valid test file.
_PLACEHOLDER_ADDRESS = Address(line1="PO BOX 1", city="ANYTOWN", state="IL", postal_code="60601")
_PLACEHOLDER_PHONE = "8005550100"
_DEFAULT_RECEIVER = Party(name="PAYEE", id="PAYEE")


def _runs(items: Sequence[T], key: object, size: int) -> list[list[T]]:
    """Consecutive items with the same key, in chunks of at most ``size``."""
    runs: list[list[T]] = []
    last: object = object()
    for item in items:
        current = key(item)  # type: ignore[operator]
        if runs and current == last and len(runs[-1]) < size:
            runs[-1].append(item)
        else:
            runs.append([item])
        last = current
    return runs


def _cas(out: SegmentWriter, adjustments: Sequence[Adjustment]) -> None:
    # CAS holds up to six reason/amount/quantity triplets of one group (005010X221A1 2100 CAS).
    for run in _runs(adjustments, lambda a: a.group, 6):
        elements = [run[0].group.value]
        for adjustment in run:
            quantity = "" if adjustment.quantity is None else amount(adjustment.quantity)
            elements += [str(adjustment.reason), amount(adjustment.amount), quantity]
        out.add("CAS", *elements)


def _nm1(
    out: SegmentWriter,
    role: str,
    name: PersonName | None,
    identifier: str | None,
    *,
    required: bool = False,
    family: str | None = None,
    given: str | None = None,
) -> None:
    if name is None and identifier is None and not required and not (family or given):
        return
    if name is None:
        parts = [family or "", given or "", "", ""]
    else:
        parts = [name.family, name.given, name.middle or "", ""]
    suffix = "" if name is None else name.suffix or ""
    # NM108: MI member id; C the insured's changed id on a corrected name (NM1*74)
    qualifier = ("C" if role == "74" else "MI") if identifier else ""
    out.add(
        "NM1", role, "1", *(out.text(p, f"NM1*{role}") for p in parts[:3]), "",
        out.text(suffix, f"NM1*{role}"), qualifier, out.text(identifier, f"NM1*{role}"),
    )  # fmt: skip


def _line(out: SegmentWriter, line: LinePayment) -> None:
    modifiers = [str(m) for m in line.modifiers]
    if line.procedure is not None:
        code = out.composite("HC", str(line.procedure), *modifiers)
        revenue = "" if line.revenue_code is None else str(line.revenue_code)
    elif line.other_code is not None:
        code = out.composite(line.code_qualifier or "ZZ", line.other_code, *modifiers)
        revenue = "" if line.revenue_code is None else str(line.revenue_code)
    else:
        code = out.composite("NU", str(line.revenue_code), *modifiers)
        revenue = ""
    submitted = ""
    if line.submitted_procedure is not None:
        submitted = out.composite(
            "HC", str(line.submitted_procedure), *(str(m) for m in line.submitted_modifiers)
        )
    elif line.submitted_modifiers:
        raise ValidationError(
            "submitted_modifiers",
            [str(m) for m in line.submitted_modifiers],
            "need a submitted_procedure to be written (SVC06)",
        )
    out.add(
        "SVC", code, amount(line.charge), amount(line.paid), revenue,
        "" if line.units_paid is None else amount(line.units_paid), submitted,
        "" if line.units_billed is None else amount(line.units_billed),
    )  # fmt: skip
    if line.service_date is not None:
        if line.service_date_end is None:
            out.add("DTM", "472", line.service_date.format("YYYYMMDD"))
        else:
            out.add("DTM", "150", line.service_date.format("YYYYMMDD"))
    if line.service_date_end is not None:
        out.add("DTM", "151", line.service_date_end.format("YYYYMMDD"))
    _cas(out, line.adjustments)
    if line.line_id is not None:
        out.add("REF", "6R", out.text(line.line_id, "line_id"))
    if line.allowed is not None:
        out.add("AMT", "B6", amount(line.allowed))
    for qualifier, value in line.amounts:
        out.add("AMT", qualifier, amount(value))
    for qualifier, value in line.quantities:
        out.add("QTY", qualifier, amount(value))
    for remark in line.remarks:
        out.add("LQ", "HE", str(remark))


def _claim(out: SegmentWriter, claim: ClaimPayment, field: str) -> None:
    if not claim.filing_indicator:
        raise ValidationError(
            f"{field}.filing_indicator", None, "CLP06 is required in 005010X221A1"
        )
    if len(claim.remarks) > 5:
        # MOA is used once per claim and holds five remarks (MOA03..MOA07)
        raise ValidationError(
            f"{field}.remarks",
            [str(r) for r in claim.remarks],
            "at most 5 claim-level remarks fit the MOA segment (005010X221A1 2100 MOA)",
        )
    out.add(
        "CLP", out.text(claim.claim_id, "claim_id"), claim.status.value, amount(claim.charge),
        amount(claim.paid), amount(claim.patient_responsibility),
        out.text(claim.filing_indicator, "filing_indicator"),
        out.text(claim.payer_claim_control_number, "payer_claim_control_number"),
        out.text(claim.facility_code, "facility_code"), out.text(claim.frequency, "frequency"),
    )  # fmt: skip
    _cas(out, claim.adjustments)
    _nm1(out, "QC", claim.patient_name, claim.member_id, required=True)  # required
    _nm1(out, "IL", claim.insured_name, claim.insured_id)
    _nm1(
        out, "74", claim.corrected_name, claim.corrected_id,
        family=claim.corrected_family_name, given=claim.corrected_given_name,
    )  # fmt: skip
    if claim.remarks:
        out.add("MOA", "", "", *(str(r) for r in claim.remarks))
    for qualifier, day in (
        ("232", claim.statement_start),
        ("233", claim.statement_end),
        ("050", claim.received_on),
    ):
        if day is not None:
            out.add("DTM", qualifier, day.format("YYYYMMDD"))
    for qualifier, value in claim.amounts:
        out.add("AMT", qualifier, amount(value))
    for qualifier, value in claim.quantities:
        out.add("QTY", qualifier, amount(value))
    for line in claim.lines:
        _line(out, line)


def _plb(out: SegmentWriter, adjustments: Sequence[ProviderAdjustment]) -> None:
    for run in _runs(adjustments, lambda p: (p.provider_id, p.fiscal_period_end), 6):
        elements = [
            out.text(run[0].provider_id, "provider_id"),
            run[0].fiscal_period_end.format("YYYYMMDD"),
        ]
        for item in run:
            reason = out.composite(item.reason, out.text(item.reference, "reference") or "")
            elements += [reason, amount(item.amount)]
        out.add("PLB", *elements)


def _body(remittance: Remittance, originator: str, address: Address, phone: str) -> list[str]:
    out = SegmentWriter()
    address = remittance.payer_address or address
    handling = "H" if remittance.method is PaymentMethod.NON_PAYMENT else "I"
    credit = "C" if remittance.credit else "D"
    date = remittance.paid_on.format("YYYYMMDD")
    if remittance.method is PaymentMethod.ACH:
        # CCP: cash concentration/disbursement plus addenda; placeholder bank details.
        out.add(
            "BPR", handling, amount(remittance.payment_amount), credit, "ACH", "CCP", "01",
            "999999999", "DA", "123456789", originator, "", "01", "999999999", "DA",
            "987654321", date,
        )  # fmt: skip
    else:
        out.add(
            "BPR", handling, amount(remittance.payment_amount), credit,
            remittance.method.value, *([""] * 11), date,
        )  # fmt: skip
    out.add("TRN", "1", out.text(remittance.id, "id"), originator)
    if remittance.currency is not None:
        out.add("CUR", "PR", out.text(remittance.currency, "currency"))
    if remittance.production_date is not None:
        out.add("DTM", "405", remittance.production_date.format("YYYYMMDD"))
    out.add("N1", "PR", out.text(remittance.payer_name, "payer_name"))
    out.add(
        "N3", out.text(address.line1, "payer_address"), out.text(address.line2, "payer_address")
    )
    out.add("N4", out.text(address.city, "payer_address"), address.state, address.postal_code)
    if remittance.payer_id is not None:
        out.add("REF", "2U", out.text(remittance.payer_id, "payer_id"))
    contacts = remittance.payer_contacts or (PayerContact(function="BL", numbers=[("TE", phone)]),)
    for contact in contacts:
        numbers = [out.text(v, "payer_contacts") for pair in contact.numbers[:3] for v in pair]
        out.add("PER", contact.function, out.text(contact.name, "payer_contacts"), *numbers)
    payee = out.text(remittance.payee_name, "payee_name")
    tax_id = remittance.payee_tax_id
    if remittance.payee_npi is not None:
        out.add("N1", "PE", payee, "XX", str(remittance.payee_npi))
        if tax_id is not None:
            out.add("REF", "TJ", out.text(tax_id, "payee_tax_id"))
    elif remittance.payee_npi_as_sent is not None:
        out.add("N1", "PE", payee, "XX", out.text(remittance.payee_npi_as_sent, "payee_npi"))
        if tax_id is not None:
            out.add("REF", "TJ", out.text(tax_id, "payee_tax_id"))
    elif tax_id is not None:
        out.add("N1", "PE", payee, "FI", out.text(tax_id, "payee_tax_id"))
    else:
        out.add("N1", "PE", payee)
    if remittance.claim_payments:
        out.add("LX", "1")
        for index, claim in enumerate(remittance.claim_payments):
            _claim(out, claim, f"claim_payments[{index}]")
    _plb(out, remittance.provider_adjustments)
    return out.segments


def write_835(
    remittances: Remittance | Iterable[Remittance],
    *,
    sender: Party = _DEFAULT_SENDER,
    receiver: Party = _DEFAULT_RECEIVER,
    control_number: int = 1,
    created: pendulum.DateTime | None = None,
    usage: str = "T",
    originator: str = "1999999999",
    payer_address: Address = _PLACEHOLDER_ADDRESS,
    payer_phone: str = _PLACEHOLDER_PHONE,
) -> str:
    """An 835 interchange with one transaction set per remittance.

    ``created`` (ISA09/ISA10, GS04/GS05) defaults to midnight of the first remittance's
    production or payment date, so the output depends only on the arguments.
    ``originator`` is TRN03, the payer's identifier: ``1`` and its tax id.
    ``payer_address`` and ``payer_phone`` fill loop 1000A (N3, N4, PER*BL) when the
    remittance has no ``payer_address`` or ``payer_contacts`` of its own; the defaults
    are placeholders. Every claim gets its NM1*QC (required; empty when the claim names
    no patient). What the guide forbids is refused with a
    :class:`~medbill.ValidationError`: a claim without CLP06 (``filing_indicator``),
    more than five claim-level remarks (one MOA), a value longer than its element.
    The result is valid 005010X221A1 when the remittances carry what the guide requires
    (a payee NPI or tax id, CLP07): the tests check it with pyx12.

    >>> import pendulum
    >>> from decimal import Decimal
    >>> from medbill import ClaimPayment, Remittance
    >>> from medbill.x12 import read_835, write_835
    >>> era = Remittance(
    ...     id="CHK-1001", payer_name="Acme Health", payment_amount=Decimal("80.00"),
    ...     method="CHK", paid_on=pendulum.date(2025, 4, 1),
    ...     claim_payments=[ClaimPayment(claim_id="C-1", status="1", charge=Decimal("80.00"),
    ...                                  paid=Decimal("80.00"), filing_indicator="12",
    ...                                  payer_claim_control_number="PCN-1")])
    >>> text = write_835(era)
    >>> print(text.splitlines()[3])
    BPR*I*80.00*C*CHK************20250401~
    >>> read_835(text) == [era]
    True
    """
    items = [remittances] if isinstance(remittances, Remittance) else list(remittances)
    if not items:
        raise ValidationError("remittances", [], "needs at least one remittance")
    if created is None:
        first = items[0].production_date or items[0].paid_on
        created = pendulum.datetime(first.year, first.month, first.day)
    bodies = [("835", _body(item, originator, payer_address, payer_phone)) for item in items]
    return interchange(
        bodies,
        functional_id="HP",
        version="005010X221A1",
        sender=sender,
        receiver=receiver,
        control_number=control_number,
        created=created,
        usage=usage,
    )
