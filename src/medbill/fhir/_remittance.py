"""ClaimPayment <-> ExplanationOfBenefit / ClaimResponse, Remittance <-> a Bundle of a
PaymentReconciliation and one ExplanationOfBenefit per claim payment.

The adjudication categories are HL7's (``submitted`` CLP03/SVC02, ``eligible`` the allowed
amount AMT*AU/B6, ``benefit`` CLP04/SVC03, ``deductible`` PR-1, ``copay`` PR-3) and CARIN
Blue Button's (``coinsurance`` PR-2, ``memberliability`` CLP05, ``paidtoprovider``). Each
CAS adjustment is one adjudication whose ``reason`` is the CARC (X12 code system) and whose
category also carries the CAS group code (CO, PR, OA, PI) in medbill's own system, so the
835's balancing survives the trip. The element choices are those of the CARIN BB
professional / non-clinician EOB profile (``identifier`` of type ``uc`` for the payer's
claim number, ``supportingInfo`` ``clmrecvddate``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pendulum

from medbill._money import ZERO
from medbill._payment import (
    Adjustment,
    ClaimPayment,
    LinePayment,
    PaymentMethod,
    ProviderAdjustment,
    Remittance,
)
from medbill.codes import AdjustmentGroup, Carc, Rarc, RevenueCode
from medbill.fhir import _systems as sys_
from medbill.fhir._claims import modifier_concept, modifier_from, procedure_concept, procedure_from
from medbill.fhir._parties import (
    code_in_quiet,
    human_name,
    identifier,
    identifier_value,
    person_name_from,
    resource_id,
)
from medbill.fhir._reader import (
    Node,
    absent_reference,
    build,
    code_in,
    coding,
    concept,
    extension,
    fail,
    fhir_id,
    money,
    single_code,
)
from medbill.fhir._references import Resolver

__all__ = ["claim_payment_from", "claim_payment_to", "remittance_from", "remittance_to"]

_GROUP = sys_.medbill_system("adjustment-group")
_PCN = sys_.medbill_system("patient-control-number")
_PAYER_CLAIM = sys_.medbill_system("payer-claim-control-number")
_TRACE = sys_.medbill_system("trace-number")
_X12_PAYER_ID = sys_.medbill_system("x12-payer-id")
_QUALIFIER = sys_.medbill_system("x12-product-service-id-qualifier")
_NOT_APPLICABLE = "http://terminology.hl7.org/CodeSystem/data-absent-reason"

# (group, CARC) -> the standard category that names the same patient share.
_STANDARD = {
    ("PR", "1"): (sys_.ADJUDICATION, "deductible"),
    ("PR", "2"): (sys_.C4BB_ADJUDICATION, "coinsurance"),
    ("PR", "3"): (sys_.ADJUDICATION, "copay"),
}
_BY_STANDARD = {value: key for key, value in _STANDARD.items()}


def _category(system: str, code: str) -> dict[str, Any]:
    return {"category": concept(system, code)}


def _amounts(charge: Decimal, paid: Decimal, allowed: Decimal | None) -> list[dict[str, Any]]:
    found = [
        {**_category(sys_.ADJUDICATION, "submitted"), "amount": money(charge)},
        {**_category(sys_.ADJUDICATION, "benefit"), "amount": money(paid)},
    ]
    if allowed is not None:
        found.append({**_category(sys_.ADJUDICATION, "eligible"), "amount": money(allowed)})
    return found


def _adjustment_to(adjustment: Adjustment) -> dict[str, Any]:
    group, reason = adjustment.group.value, str(adjustment.reason)
    codings = []
    standard = _STANDARD.get((group, reason))
    if standard is not None:
        codings.append(coding(*standard))
    codings.append(coding(_GROUP, group))
    found: dict[str, Any] = {
        "category": {"coding": codings},
        "reason": concept(sys_.CARC, reason),
        "amount": money(adjustment.amount),
    }
    if adjustment.quantity is not None:
        found["value"] = adjustment.quantity
    return found


def _pairs(name: str, kind: str, pairs: tuple[tuple[str, Decimal], ...]) -> list[dict[str, Any]]:
    return [
        {
            "url": sys_.extension_url(name),
            "extension": [
                {"url": "qualifier", "valueCode": qualifier},
                {"url": "value", f"value{kind}": money(value) if kind == "Money" else value},
            ],
        }
        for qualifier, value in pairs
    ]


def _put(target: dict[str, Any], native: bool, key: str, kind: str, value: Any) -> None:
    if native:
        target[key] = value
    else:
        target.setdefault("extension", []).append(extension(key, kind, value))


def _product(line: LinePayment) -> dict[str, Any]:
    if line.procedure is not None:
        return procedure_concept(line.procedure)
    if line.other_code is not None:
        return concept(f"{_QUALIFIER}/{line.code_qualifier or 'ZZ'}", line.other_code)
    return concept(_NOT_APPLICABLE, "not-applicable")


def _line_to(line: LinePayment, sequence: int, native: bool) -> dict[str, Any]:
    item: dict[str, Any] = {}
    extensions: list[dict[str, Any]] = []
    if line.line_id is not None:
        extensions.append(extension("line-item-control-number", "String", line.line_id))
    if line.units_billed is not None:
        extensions.append(extension("units-billed", "Decimal", line.units_billed))
    extensions += [
        extension("remark-code", "Coding", coding(sys_.RARC, str(r))) for r in line.remarks
    ]
    if line.submitted_procedure is not None:
        extensions.append(
            extension(
                "submitted-procedure",
                "CodeableConcept",
                procedure_concept(line.submitted_procedure),
            )
        )
    extensions += [
        extension("submitted-modifier", "CodeableConcept", modifier_concept(m))
        for m in line.submitted_modifiers
    ]
    extensions += _pairs("x12-amount", "Money", line.amounts)
    extensions += _pairs("x12-quantity", "Decimal", line.quantities)
    if extensions:
        item["extension"] = extensions
    item["sequence" if native else "itemSequence"] = sequence
    if line.revenue_code is not None:
        _put(
            item,
            native,
            "revenue",
            "CodeableConcept",
            concept(sys_.NUBC_REVENUE, str(line.revenue_code)),
        )
    _put(item, native, "productOrService", "CodeableConcept", _product(line))
    for modifier in line.modifiers:
        if native:
            item.setdefault("modifier", []).append(modifier_concept(modifier))
        else:
            _put(item, False, "modifier", "CodeableConcept", modifier_concept(modifier))
    if line.service_date is not None:
        if line.service_date_end is None:
            _put(item, native, "servicedDate", "Date", line.service_date.to_date_string())
        else:
            _put(item, native, "servicedPeriod", "Period", {"start": line.service_date.to_date_string(),
                                                             "end": line.service_date_end.to_date_string()})  # fmt: skip
    elif line.service_date_end is not None:
        item.setdefault("extension", []).append(
            extension("serviced-end", "Date", line.service_date_end.to_date_string())
        )
    if line.units_paid is not None:
        _put(item, native, "quantity", "Quantity", {"value": line.units_paid})
    item["adjudication"] = _amounts(line.charge, line.paid, line.allowed) + [
        _adjustment_to(a) for a in line.adjustments
    ]
    return item


def claim_payment_to(
    payment: ClaimPayment,
    *,
    resource_type: str = "ExplanationOfBenefit",
    adjudicated_on: pendulum.Date | None = None,
    insurer: dict[str, Any] | None = None,
    provider: dict[str, Any] | None = None,
    paid_on: pendulum.Date | None = None,
    trace: str | None = None,
) -> dict[str, Any]:
    """An ExplanationOfBenefit (or ClaimResponse) of one 835 claim payment."""
    if resource_type not in ("ExplanationOfBenefit", "ClaimResponse"):
        raise fail(
            "resource_type",
            resource_type,
            "a claim payment is an ExplanationOfBenefit or a ClaimResponse",
        )
    if adjudicated_on is None:
        raise fail(
            "adjudicated_on", None,
            f"{resource_type}.created is required: pass adjudicated_on=, or convert the whole Remittance",
        )  # fmt: skip
    native = resource_type == "ExplanationOfBenefit"
    resource: dict[str, Any] = {"resourceType": resource_type}
    contained = []
    if payment.patient_name is not None or payment.member_id is not None:
        patient: dict[str, Any] = {"resourceType": "Patient", "id": "patient"}
        if payment.member_id is not None:
            patient["identifier"] = [
                identifier(sys_.medbill_system("member-id"), payment.member_id, "MB")
            ]
        if payment.patient_name is not None:
            patient["name"] = [human_name(payment.patient_name)]
        contained.append(patient)
        resource["contained"] = contained
    extensions = [extension("claim-status-code", "Code", payment.status.value)]
    for name, value in (("filing-indicator", payment.filing_indicator), ("facility-code", payment.facility_code),
                        ("claim-frequency", payment.frequency)):  # fmt: skip
        if value is not None:
            extensions.append(extension(name, "Code", value))
    extensions += [
        extension("remark-code", "Coding", coding(sys_.RARC, str(r))) for r in payment.remarks
    ]
    extensions += _person("insured", payment.insured_name, payment.insured_id)
    extensions += _person("corrected-patient", payment.corrected_name, payment.corrected_id)
    extensions += _pairs("x12-amount", "Money", payment.amounts)
    extensions += _pairs("x12-quantity", "Decimal", payment.quantities)
    if not native:
        if payment.statement_start is not None or payment.statement_end is not None:
            extensions.append(
                extension(
                    "billable-period",
                    "Period",
                    _period(payment.statement_start, payment.statement_end),
                )
            )
        if payment.received_on is not None:
            extensions.append(
                extension("received-date", "Date", payment.received_on.to_date_string())
            )
    resource["extension"] = extensions
    if payment.payer_claim_control_number is not None:
        resource["identifier"] = [
            {"type": concept(sys_.C4BB_IDENTIFIER_TYPE, "uc"), "system": _PAYER_CLAIM,
             "value": payment.payer_claim_control_number}
        ]  # fmt: skip
    resource["status"] = "active"
    resource["type"] = concept(sys_.CLAIM_TYPE, "professional", "Professional")
    resource["use"] = "claim"
    resource["patient"] = {"reference": "#patient"} if contained else absent_reference()
    if native and (payment.statement_start is not None or payment.statement_end is not None):
        resource["billablePeriod"] = _period(payment.statement_start, payment.statement_end)
    resource["created"] = adjudicated_on.to_date_string()
    resource["insurer"] = insurer or absent_reference()
    claim_ref = {"identifier": {"system": _PCN, "value": payment.claim_id}}
    if native:
        resource["provider"] = provider or absent_reference()
        resource["claim"] = claim_ref
    else:
        if provider is not None:
            resource["requestor"] = provider
        resource["request"] = claim_ref
    resource["outcome"] = "complete"
    if native:
        if payment.received_on is not None:
            resource["supportingInfo"] = [
                {"sequence": 1, "category": concept(sys_.C4BB_SUPPORTING_INFO, "clmrecvddate"),
                 "timingDate": payment.received_on.to_date_string()}
            ]  # fmt: skip
        resource["insurance"] = [{"focal": True, "coverage": absent_reference()}]
    if payment.lines:
        resource["item"] = [
            _line_to(line, n, native) for n, line in enumerate(payment.lines, start=1)
        ]
    if payment.adjustments and native:
        resource["adjudication"] = [_adjustment_to(a) for a in payment.adjustments]
    elif payment.adjustments:
        resource["extension"] += [
            {"url": sys_.extension_url("adjudication"), "extension": _adjudication_extension(a)}
            for a in payment.adjustments
        ]
    totals = [
        {**_category(sys_.ADJUDICATION, "submitted"), "amount": money(payment.charge)},
        {**_category(sys_.ADJUDICATION, "benefit"), "amount": money(payment.paid)},
        {**_category(sys_.C4BB_ADJUDICATION, "memberliability"), "amount": money(payment.patient_responsibility)},
    ]  # fmt: skip
    if payment.allowed is not None:
        totals.append(
            {**_category(sys_.ADJUDICATION, "eligible"), "amount": money(payment.allowed)}
        )
    resource["total"] = totals
    pay: dict[str, Any] = {
        "type": concept("http://terminology.hl7.org/CodeSystem/ex-paymenttype", "complete"),
        "amount": money(payment.paid),
    }
    if paid_on is not None:
        pay["date"] = paid_on.to_date_string()
    if trace is not None:
        pay["identifier"] = {"system": _TRACE, "value": trace}
    resource["payment"] = pay
    return resource


def _adjudication_extension(adjustment: Adjustment) -> list[dict[str, Any]]:
    found = _adjustment_to(adjustment)
    parts = [
        {"url": "category", "valueCodeableConcept": found["category"]},
        {"url": "reason", "valueCodeableConcept": found["reason"]},
        {"url": "amount", "valueMoney": found["amount"]},
    ]
    if "value" in found:
        parts.append({"url": "value", "valueDecimal": found["value"]})
    return parts


def _period(start: pendulum.Date | None, end: pendulum.Date | None) -> dict[str, Any]:
    found = {}
    if start is not None:
        found["start"] = start.to_date_string()
    if end is not None:
        found["end"] = end.to_date_string()
    return found


def _person(name: str, person: Any, member: str | None) -> list[dict[str, Any]]:
    if person is None and member is None:
        return []
    parts = []
    if person is not None:
        parts.append({"url": "name", "valueHumanName": human_name(person)})
    if member is not None:
        parts.append({"url": "id", "valueString": member})
    return [{"url": sys_.extension_url(name), "extension": parts}]


# --- reading -----------------------------------------------------------------------------


class _Amounts:
    def __init__(self) -> None:
        self.values: dict[str, Decimal] = {}
        self.adjustments: list[Adjustment] = []


def _adjudications(nodes: list[Node], *, cas: bool = True) -> _Amounts:
    # cas=False reads totals: a total deductible or copay is no CAS adjustment of its own
    # (the line adjustments carry them), so it is left unmapped rather than dropped.
    found = _Amounts()
    for node in nodes:
        category = node.node("category")
        raw = category.data if category else None
        group = code_in_quiet(raw, _GROUP)
        standard = next(((s, c) for (s, c) in _BY_STANDARD if code_in_quiet(raw, s) == c), None)
        if group is not None or standard is not None:
            if not cas:
                continue
            found.adjustments.append(_adjustment_from(node, group, standard))
            continue
        for system, code in ((sys_.ADJUDICATION, "submitted"), (sys_.ADJUDICATION, "benefit"),
                             (sys_.ADJUDICATION, "eligible"), (sys_.C4BB_ADJUDICATION, "memberliability"),
                             (sys_.C4BB_ADJUDICATION, "paidtoprovider")):  # fmt: skip
            if (
                category is not None
                and code_in_quiet(raw, system) == code
                and code not in found.values
            ):
                code_in(category, system)
                category.use("text")
                amount = node.money("amount")
                if amount is None:
                    raise fail(
                        node.at("amount"), None, f"is required by medbill (the {code} amount)"
                    )
                found.values[code] = amount
                break
    return found


def _adjustment_from(node: Node, group: str | None, standard: tuple[str, str] | None) -> Adjustment:
    category = node.required_node("category", "the adjustment group")
    if group is not None:
        code_in(category, _GROUP)
    if standard is not None:
        code_in(category, standard[0])
    category.use("text")
    implied = _BY_STANDARD.get(standard) if standard is not None else None
    if group is None and implied is not None:
        group = implied[0]
    reason_node = node.node("reason")
    if reason_node is not None:
        reason_node.use("text")
        reason = single_code(reason_node, {sys_.CARC: Carc}, "X12 claim adjustment reason codes")
    elif implied is not None:
        reason = Carc(implied[1])
    else:
        raise fail(node.at("reason"), None, "medbill needs the CARC of an adjustment")
    amount = node.money("amount")
    if amount is None:
        raise fail(node.at("amount"), None, "is required by medbill (the adjustment amount)")
    return build(
        Adjustment,
        {"group": category.path, "reason": node.at("reason"), "amount": node.at("amount"),
         "quantity": node.at("value")},
        group=group, reason=reason, amount=amount, quantity=node.decimal("value"),
    )  # fmt: skip


def _get(item: Node, native: bool, key: str, kind: str) -> Node | None:
    if native:
        return item.node(key)
    found = item.extension(sys_.extension_url(key))
    return None if found is None else found.node(f"value{kind}")


def _get_all(item: Node, native: bool, key: str, kind: str) -> list[Node]:
    if native:
        return item.nodes(key)
    return [
        n
        for e in item.extensions(sys_.extension_url(key))
        if (n := e.node(f"value{kind}")) is not None
    ]


def _pairs_from(node: Node, name: str, kind: str) -> list[tuple[str, Decimal]]:
    found = []
    for pair in node.extensions(sys_.extension_url(name)):
        parts = {p.data.get("url"): p for p in pair.nodes("extension")}
        qualifier, value = parts.get("qualifier"), parts.get("value")
        if qualifier is None or value is None:
            raise fail(pair.path, None, "needs a qualifier and a value")
        qualifier.use("url")
        value.use("url")
        amount = value.money("valueMoney") if kind == "Money" else value.decimal("valueDecimal")
        found.append((str(qualifier.value("valueCode")), amount or ZERO))
    return found


def _line_from(item: Node, native: bool) -> LinePayment:
    item.use("sequence", "itemSequence")
    product = _get(item, native, "productOrService", "CodeableConcept")
    procedure = other = qualifier = None
    if product is not None:
        systems = {c.data.get("system") for c in product.nodes("coding")}
        mine = [s for s in systems if isinstance(s, str) and s.startswith(_QUALIFIER + "/")]
        if mine:
            found = single_code(product, {mine[0]: str}, "product or service codes")
            other, qualifier = found, mine[0].rsplit("/", 1)[-1]
        elif code_in_quiet(product.data, _NOT_APPLICABLE) == "not-applicable":
            code_in(product, _NOT_APPLICABLE)
        else:
            procedure = procedure_from(product)
    revenue = None
    revenue_node = _get(item, native, "revenue", "CodeableConcept")
    if revenue_node is not None:
        revenue_node.use("text")
        revenue = single_code(revenue_node, {sys_.NUBC_REVENUE: RevenueCode}, "NUBC revenue codes")
    modifiers = [modifier_from(m) for m in _get_all(item, native, "modifier", "CodeableConcept")]
    start = end = None
    day = item.value("servicedDate") if native else item.extension_value("servicedDate", "Date")
    if day is not None:
        from medbill.fhir._reader import parse_date

        start = parse_date(item.at("servicedDate"), day)
    period = _get(item, native, "servicedPeriod", "Period")
    if period is not None:
        start, end = period.date("start"), period.date("end")
    if start is None:
        end_only = item.extension_value("serviced-end", "Date")
        if end_only is not None:
            from medbill.fhir._reader import parse_date

            end = parse_date(item.at("extension"), end_only)
    quantity = _get(item, native, "quantity", "Quantity")
    units_paid = None
    if quantity is not None:
        quantity.use("unit", "system", "code")
        units_paid = quantity.decimal("value")
    amounts = _adjudications(item.nodes("adjudication"))
    charge = amounts.values.get("submitted")
    if charge is None:
        charge = item.money("net")
    if charge is None:
        raise fail(
            item.at("adjudication"), None, "medbill needs the submitted amount (category submitted)"
        )
    paid = amounts.values.get("benefit", amounts.values.get("paidtoprovider", ZERO))
    submitted = item.extension(sys_.extension_url("submitted-procedure"))
    return build(
        LinePayment,
        {"procedure": item.at("productOrService"), "charge": item.at("adjudication"),
         "paid": item.at("adjudication"), "modifiers": item.at("modifier"),
         "line_id": item.at("extension"), "units_paid": item.at("quantity")},
        procedure=procedure, charge=charge, paid=paid, adjustments=amounts.adjustments,
        modifiers=modifiers, line_id=item.extension_value("line-item-control-number", "String"),
        units_paid=units_paid, units_billed=_decimal_ext(item, "units-billed"),
        allowed=amounts.values.get("eligible"), service_date=start, service_date_end=end,
        remarks=_remarks(item), revenue_code=revenue,
        submitted_procedure=None if submitted is None else procedure_from(
            submitted.required_node("valueCodeableConcept", "the submitted procedure")),
        submitted_modifiers=[modifier_from(e.required_node("valueCodeableConcept", "a modifier"))
                             for e in item.extensions(sys_.extension_url("submitted-modifier"))],
        code_qualifier=qualifier, other_code=other,
        amounts=_pairs_from(item, "x12-amount", "Money"),
        quantities=_pairs_from(item, "x12-quantity", "Decimal"),
    )  # fmt: skip


def _decimal_ext(node: Node, name: str) -> Decimal | None:
    found = node.extension(sys_.extension_url(name))
    return None if found is None else found.decimal("valueDecimal")


def _remarks(node: Node) -> list[Rarc]:
    found = []
    for remark in node.extensions(sys_.extension_url("remark-code")):
        value = remark.required_node("valueCoding", "the remark code")
        value.use("system", "display")
        code = value.value("code")
        try:
            found.append(Rarc(code))
        except Exception as error:  # a CodeError names the code
            raise fail(value.at("code"), code, str(error)) from None
    return found


def _person_from(node: Node, name: str) -> tuple[Any, str | None]:
    found = node.extension(sys_.extension_url(name))
    if found is None:
        return None, None
    person = member = None
    for part in found.nodes("extension"):
        part.use("url")
        if part.data.get("url") == "name":
            person = person_name_from(part.required_node("valueHumanName", "the name"))
        elif part.data.get("url") == "id":
            member = part.string("valueString")
    return person, member


def claim_payment_from(node: Node, resolver: Resolver) -> ClaimPayment:
    """A medbill ClaimPayment from an ExplanationOfBenefit or a ClaimResponse."""
    kind = node.data.get("resourceType")
    native = kind == "ExplanationOfBenefit"
    node.use("resourceType", "contained", "use", "status")
    _use_if_absent(node, "insurer", "provider")
    for insurance in node.nodes("insurance"):
        if _absent(insurance.data.get("coverage")):
            insurance.use("focal", "coverage")
    claim_type = node.required_node("type", "the claim type")
    type_code = code_in(claim_type, sys_.CLAIM_TYPE)
    claim_type.use("text")
    if type_code != "professional":
        raise fail(
            claim_type.path,
            type_code,
            "medbill models professional claim payments (835 for an 837P) only",
        )
    outcome = node.string("outcome")
    if outcome not in ("complete", "partial"):
        raise fail(node.at("outcome"), outcome, "the payer has not adjudicated the claim")
    claim_ref = node.node("claim" if native else "request")
    claim_id = None
    if claim_ref is not None:
        logical = claim_ref.node("identifier")
        if logical is not None:
            logical.use("system", "type")
            claim_id = logical.string("value")
        elif (target := resolver.resolve(claim_ref, {"Claim"})) is not None:
            claim_id = resource_id(target, _PCN)
    if claim_id is None and native:
        claim_id = _supporting_string(node, "patientaccountnumber")  # CARIN BB: CLM01 / CLP01
    if claim_id is None:
        claim_id = node.data.get("id")
        node.use("id")
    if claim_id is None:
        raise fail(
            node.at("claim" if native else "request"),
            None,
            "medbill needs the claim's patient control number",
        )
    status_code = node.extension_value("claim-status-code", "Code") or "1"
    payer_claim = identifier_value(node, _PAYER_CLAIM) or _uc_identifier(node)
    patient_name, member_id = _patient_from(node, resolver)
    received = None
    if native:
        for info in node.nodes("supportingInfo"):
            if (
                code_in_quiet(info.data.get("category"), sys_.C4BB_SUPPORTING_INFO)
                == "clmrecvddate"
            ):
                info.use("sequence", "category")
                received = info.date("timingDate")
        period = node.node("billablePeriod")
    else:
        period = _get(node, False, "billable-period", "Period")
        received_text = node.extension_value("received-date", "Date")
        if received_text is not None:
            from medbill.fhir._reader import parse_date

            received = parse_date(node.at("extension"), received_text)
    start = end = None
    if period is not None:
        start, end = period.date("start"), period.date("end")
    lines = [_line_from(item, native) for item in node.nodes("item")]
    if native:
        claim_level = _adjudications(node.nodes("adjudication")).adjustments
    else:
        claim_level = [
            _adjustment_from(Node(_flatten(e), e.path, e.context), *_group_of(e))
            for e in node.extensions(sys_.extension_url("adjudication"))
        ]
    totals = _adjudications(node.nodes("total"), cas=False).values
    payment = node.node("payment")
    paid = None
    if payment is not None:
        payment.use("type", "date", "identifier")
        paid = payment.money("amount")
    if paid is None:
        paid = totals.get("benefit", totals.get("paidtoprovider"))
    if paid is None:
        paid = sum((line.paid for line in lines), ZERO)
    charge = totals.get("submitted")
    if charge is None:
        charge = sum((line.charge for line in lines), ZERO)
    responsibility = totals.get("memberliability")
    if responsibility is None:
        responsibility = sum(
            (
                a.amount
                for line in lines
                for a in line.adjustments
                if a.group is AdjustmentGroup.PATIENT_RESPONSIBILITY
            ),
            ZERO,
        ) + sum(
            (a.amount for a in claim_level if a.group is AdjustmentGroup.PATIENT_RESPONSIBILITY),
            ZERO,
        )
    insured, insured_id = _person_from(node, "insured")
    corrected, corrected_id = _person_from(node, "corrected-patient")
    return build(
        ClaimPayment,
        {"claim_id": node.at("claim"), "status": node.at("extension"), "lines": node.at("item"),
         "adjustments": node.at("adjudication"), "charge": node.at("total"), "paid": node.at("payment")},
        claim_id=claim_id, status=status_code, charge=charge, paid=paid,
        patient_responsibility=responsibility, adjustments=claim_level, lines=lines,
        payer_claim_control_number=payer_claim,
        filing_indicator=node.extension_value("filing-indicator", "Code"),
        facility_code=node.extension_value("facility-code", "Code"),
        frequency=node.extension_value("claim-frequency", "Code"),
        patient_name=patient_name, member_id=member_id, allowed=totals.get("eligible"),
        received_on=received, remarks=_remarks(node), insured_name=insured, insured_id=insured_id,
        corrected_name=corrected, corrected_id=corrected_id, statement_start=start, statement_end=end,
        amounts=_pairs_from(node, "x12-amount", "Money"),
        quantities=_pairs_from(node, "x12-quantity", "Decimal"),
    )  # fmt: skip


def _supporting_string(node: Node, category: str) -> str | None:
    for info in node.nodes("supportingInfo"):
        if code_in_quiet(info.data.get("category"), sys_.C4BB_SUPPORTING_INFO) == category:
            info.use("sequence", "category")
            return info.string("valueString")
    return None


def _absent(value: Any) -> bool:
    return isinstance(value, dict) and value == absent_reference()


def _use_if_absent(node: Node, *keys: str) -> None:
    for key in keys:
        if _absent(node.data.get(key)):
            node.use(key)


def _flatten(extension_node: Node) -> dict[str, Any]:
    # An "adjudication" extension carries category, reason, amount and value as parts;
    # read them as the adjudication element they stand for.
    flat: dict[str, Any] = {}
    for part in extension_node.nodes("extension"):
        part.use_all()
        url = part.data.get("url")
        key = {"category": "valueCodeableConcept", "reason": "valueCodeableConcept",
               "amount": "valueMoney", "value": "valueDecimal"}.get(str(url))  # fmt: skip
        if key is not None:
            flat[str(url)] = part.data.get(key)
    return flat


def _group_of(extension_node: Node) -> tuple[str | None, tuple[str, str] | None]:
    parts = {
        p.get("url"): p for p in extension_node.data.get("extension", []) if isinstance(p, dict)
    }
    raw = (parts.get("category") or {}).get("valueCodeableConcept")
    group = code_in_quiet(raw, _GROUP)
    standard = next(((s, c) for (s, c) in _BY_STANDARD if code_in_quiet(raw, s) == c), None)
    return group, standard


def _uc_identifier(node: Node) -> str | None:
    for item in node.nodes("identifier"):
        if code_in_quiet(item.data.get("type"), sys_.C4BB_IDENTIFIER_TYPE) == "uc":
            item.use_all()
            value = item.data.get("value")
            return value if isinstance(value, str) else None
    return None


def _patient_from(node: Node, resolver: Resolver) -> tuple[Any, str | None]:
    reference = node.node("patient")
    if reference is None:
        return None, None
    if reference.data.get("reference") is None:
        reference.use("extension", "display")
        return None, None
    target = resolver.resolve(reference, {"Patient"})
    if target is None:
        return None, None
    target.use("resourceType", "id")
    member = identifier_value(target, None, "MB")
    name = None
    names = target.nodes("name")
    if names:
        name = person_name_from(names[0])
    return name, member


# --- Remittance --------------------------------------------------------------------------


def remittance_to(remittance: Remittance) -> list[dict[str, Any]]:
    """PaymentReconciliation first, the payer and payee Organizations, then one
    ExplanationOfBenefit per claim payment, referring to each other by ``Type/id``."""
    base = fhir_id(remittance.id) or "remittance"
    payer: dict[str, Any] = {"resourceType": "Organization", "id": f"{base}-payer"}
    if remittance.payer_id is not None:
        payer["identifier"] = [identifier(_X12_PAYER_ID, remittance.payer_id, "NIIP")]
    payer["type"] = [concept(sys_.ORGANIZATION_TYPE, "pay", "Payer")]
    payer["name"] = remittance.payer_name
    resources = [payer]
    payee_ref = None
    if remittance.payee_name or remittance.payee_npi or remittance.payee_tax_id:
        payee: dict[str, Any] = {"resourceType": "Organization", "id": f"{base}-payee"}
        ids = []
        if remittance.payee_npi is not None:
            ids.append(identifier(sys_.NPI, str(remittance.payee_npi), "NPI"))
        if remittance.payee_tax_id is not None:
            ids.append(identifier(sys_.EIN, remittance.payee_tax_id, "TAX"))
        if ids:
            payee["identifier"] = ids
        if remittance.payee_name is not None:
            payee["name"] = remittance.payee_name
        resources.append(payee)
        payee_ref = {"reference": f"Organization/{base}-payee"}
    created = remittance.production_date or remittance.paid_on
    eobs = []
    for n, payment in enumerate(remittance.claim_payments, start=1):
        eob = claim_payment_to(
            payment, adjudicated_on=created, insurer={"reference": f"Organization/{base}-payer"},
            provider=payee_ref, paid_on=remittance.paid_on, trace=remittance.id,
        )  # fmt: skip
        eob = {"resourceType": "ExplanationOfBenefit", "id": f"{base}-eob{n}",
               **{k: v for k, v in eob.items() if k != "resourceType"}}  # fmt: skip
        eobs.append(eob)
    extensions = [extension("payment-method", "Code", remittance.method.value)]
    if not remittance.credit:
        extensions.append(extension("debit", "Boolean", True))
    if remittance.production_date is not None:
        extensions.append(
            extension("production-date", "Date", remittance.production_date.to_date_string())
        )
    details: list[dict[str, Any]] = [
        {"type": concept(sys_.PAYMENT_TYPE, "payment"), "response": {"reference": f"ExplanationOfBenefit/{e['id']}"},
         "amount": money(p.paid)}
        for e, p in zip(eobs, remittance.claim_payments, strict=True)
    ]  # fmt: skip
    for adjustment in remittance.provider_adjustments:
        parts: list[dict[str, Any]] = [
            {"url": "provider-id", "valueString": adjustment.provider_id},
            {"url": "reason", "valueCode": adjustment.reason},
        ]
        if adjustment.reference is not None:
            parts.append({"url": "reference", "valueString": adjustment.reference})
        details.append(
            {"extension": [{"url": sys_.extension_url("provider-adjustment"), "extension": parts}],
             "type": concept(sys_.PAYMENT_TYPE, "adjustment"),
             "date": adjustment.fiscal_period_end.to_date_string(),
             "amount": money(adjustment.amount)}
        )  # fmt: skip
    reconciliation: dict[str, Any] = {
        "resourceType": "PaymentReconciliation",
        "id": base,
        "extension": extensions,
        "identifier": [identifier(_TRACE, remittance.id)],
        "status": "active",
        "created": created.to_date_string(),
        "paymentIssuer": {"reference": f"Organization/{base}-payer"},
        **({"requestor": payee_ref} if payee_ref else {}),
        "outcome": "complete",
        "paymentDate": remittance.paid_on.to_date_string(),
        "paymentAmount": money(remittance.payment_amount),
        "paymentIdentifier": {"system": _TRACE, "value": remittance.id},
        **({"detail": details} if details else {}),
    }
    return [reconciliation, *resources, *eobs]


def remittance_from(node: Node, resolver: Resolver) -> Remittance:
    """A medbill Remittance from a PaymentReconciliation and the EOBs its details name."""
    node.use("resourceType", "id", "status", "created", "outcome")
    trace = identifier_value(node, _TRACE)
    ident = node.node("paymentIdentifier")
    if ident is not None:
        ident.use("system")
        value = ident.string("value")
        trace = trace or value
    if trace is None:
        raise fail(
            node.at("paymentIdentifier"), None, "medbill needs the check or EFT trace number"
        )
    issuer = node.required_node("paymentIssuer", "the payer")
    payer = resolver.resolve(issuer, {"Organization"})
    if payer is None:
        raise resolver.dangling(issuer)
    payer.use("resourceType", "id", "type")
    payer_id = identifier_value(payer, _X12_PAYER_ID, "NIIP")
    payer_name = payer.string("name")
    payee_name = payee_npi = payee_tax = None
    requestor = node.node("requestor")
    if requestor is not None:
        payee = resolver.resolve(requestor, {"Organization", "Practitioner"})
        if payee is None:
            raise resolver.dangling(requestor)
        payee.use("resourceType", "id")
        payee_npi = identifier_value(payee, sys_.NPI)
        payee_tax = identifier_value(payee, sys_.EIN, "TAX")
        payee_name = payee.string("name")
    payments, adjustments = [], []
    for detail in node.nodes("detail"):
        detail.use("type", "identifier", "predecessor", "submitter", "payee", "request", "date")
        plb = detail.extension(sys_.extension_url("provider-adjustment"))
        if plb is not None:
            parts = {p.data.get("url"): p for p in plb.nodes("extension")}
            for part in parts.values():
                part.use_all()
            adjustments.append(
                build(
                    ProviderAdjustment,
                    {"amount": detail.at("amount")},
                    provider_id=(
                        parts["provider-id"].data.get("valueString")
                        if "provider-id" in parts
                        else ""
                    ),
                    fiscal_period_end=detail.date("date"),
                    reason=parts["reason"].data.get("valueCode") if "reason" in parts else "",
                    amount=detail.money("amount") or ZERO,
                    reference=parts["reference"].data.get("valueString")
                    if "reference" in parts
                    else None,
                )
            )
            continue
        response = detail.required_node("response", "the claim payment")
        target = resolver.resolve(response, {"ExplanationOfBenefit", "ClaimResponse"})
        if target is None:
            raise resolver.dangling(response)
        detail.use("amount")
        target.use("id", "insurer", "provider", "requestor", "created", "insurance")
        payments.append(resolver.entity(target, lambda n: claim_payment_from(n, resolver)))
    production = node.extension_value("production-date", "Date")
    from medbill.fhir._reader import parse_date

    return build(
        Remittance,
        {"id": node.at("paymentIdentifier"), "payer_name": payer.at("name"),
         "payment_amount": node.at("paymentAmount"), "paid_on": node.at("paymentDate"),
         "method": node.at("extension")},
        id=trace, payer_name=payer_name or "", payment_amount=node.money("paymentAmount") or ZERO,
        paid_on=node.date("paymentDate"),
        method=node.extension_value("payment-method", "Code") or PaymentMethod.CHECK,
        payer_id=payer_id, payee_name=payee_name, payee_npi=payee_npi, payee_tax_id=payee_tax,
        claim_payments=payments, provider_adjustments=adjustments,
        credit=not node.extension_value("debit", "Boolean"),
        production_date=None if production is None else parse_date(node.at("extension"), production),
    )  # fmt: skip
