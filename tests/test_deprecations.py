"""Every deprecated name still works for a minor release, and warns naming its replacement.

CHANGELOG.md lists each one under "Deprecated" (0.2.0); docs/compatibility.md has the policy.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pendulum
import pytest

from medbill import (
    ClaimId,
    Coverage,
    Period,
    PersonName,
    Priority,
    Relationship,
    Subscriber,
    ValidationError,
)
from medbill.claims import ClaimWorkflow, TimelyFilingLimit, build_secondary_claim
from medbill.claims._build import PriorPayerAdjudication
from medbill.claims._workflow import Transition
from medbill.fees import (
    AnesthesiaSchedule,
    CarveOut,
    Contract,
    FeeEntry,
    FeeSchedule,
    FeeScheduleTerm,
    FixedRate,
    Locality,
    MedicareFeeSchedule,
    PercentOfBilled,
    PercentOfMedicare,
    RvuRow,
    medicare_payment,
)
from medbill.fees._responsibility import LineShare
from medbill.ledger._reports import ClaimBalance
from medbill.serialize import from_dict, to_dict
from medbill.testing import (
    make_claim,
    make_claim_payment,
    make_coverage,
    make_encounter,
    make_payer,
    make_remittance,
)

JAN = pendulum.date(2025, 1, 15)
CHARGEMASTER = FeeSchedule.from_csv_text(
    "code,modifier,amount,valid_from,valid_to\n"
    "71046,,95.00,2025-01-01,\n71046,26,30.00,2025-01-01,\n71046,TC,65.00,2025-01-01,\n",
    name="cm",
)


@pytest.mark.parametrize("method", ["amount", "entry", "has"])
def test_fee_schedule_modifier_is_deprecated_for_modifiers(method: str) -> None:
    lookup = getattr(CHARGEMASTER, method)
    with pytest.warns(DeprecationWarning, match=r"FeeSchedule\.\w+: modifier= .* use modifiers="):
        old = lookup("71046", service_date=JAN, modifier="26")
    assert old == lookup("71046", service_date=JAN, modifiers=["26"])


def test_fee_schedule_modifiers_take_the_first_with_an_entry() -> None:
    # 59 has no entry of its own: the next modifier, TC, has one (65.00)
    assert CHARGEMASTER.amount("71046", service_date=JAN, modifiers=["59", "TC"]) == Decimal(
        "65.00"
    )
    assert CHARGEMASTER.amount("71046", service_date=JAN, modifiers=["59"]) == Decimal("95.00")
    with pytest.raises(ValidationError, match="modifiers: must be a list of modifiers"):
        CHARGEMASTER.amount("71046", service_date=JAN, modifiers="26")


# --- date_of_service -> service_date (NAMING.md: the day a service was given) ---------

MEDICARE = MedicareFeeSchedule.demo()
ALABAMA = Locality.parse("10112-00")
ACME = Contract(
    payer_id=make_coverage().payer.id,
    name="Acme PPO 2025",
    effective=Period(pendulum.date(2025, 1, 1), pendulum.date(2025, 12, 31)),
    terms=[PercentOfBilled(rate="0.80")],
)
ANESTHESIA = AnesthesiaSchedule({"00142": Decimal(4)}, {ALABAMA: Decimal("19.77")})

SERVICE_DATE_CALLS: list[tuple[str, Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = [
    ("FeeSchedule.entry", CHARGEMASTER.entry, ("71046",), {}),
    ("FeeSchedule.amount", CHARGEMASTER.amount, ("71046",), {}),
    ("FeeSchedule.price_line", CHARGEMASTER.price_line, ("71046",), {}),
    ("FeeSchedule.has", CHARGEMASTER.has, ("71046",), {}),
    ("MedicareFeeSchedule.release", MEDICARE.release, (), {}),
    ("MedicareFeeSchedule.row", MEDICARE.row, ("99213",), {}),
    ("MedicareFeeSchedule.gpci", MEDICARE.gpci, (ALABAMA,), {}),
    ("MedicareFeeSchedule.conversion_factor", MEDICARE.conversion_factor, (), {}),
    (
        "MedicareFeeSchedule.price_line",
        MEDICARE.price_line,
        ("99213",),
        {"locality": ALABAMA, "place_of_service": "11"},
    ),
    (
        "Contract.expected_line",
        ACME.expected_line,
        (),
        {"code": "99213", "billed": Decimal("100.00")},
    ),
    ("Contract.applies_to", ACME.applies_to, (make_coverage(),), {}),
    (
        "AnesthesiaSchedule.price",
        ANESTHESIA.price,
        ("00142",),
        {"locality": ALABAMA, "minutes": 37, "modifiers": ["QK"]},
    ),
    ("TimelyFilingLimit.deadline", TimelyFilingLimit().deadline, (), {}),
]


@pytest.mark.parametrize(
    ("where", "call", "args", "kwargs"), SERVICE_DATE_CALLS, ids=[c[0] for c in SERVICE_DATE_CALLS]
)
def test_date_of_service_keyword_is_deprecated_for_service_date(
    where: str, call: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    message = rf"{where}: date_of_service= is deprecated .* use service_date="
    with pytest.warns(DeprecationWarning, match=message):
        old = call(*args, date_of_service=JAN, **kwargs)
    assert old == call(*args, service_date=JAN, **kwargs)


def test_date_of_service_and_service_date_together_are_refused() -> None:
    with (
        pytest.warns(DeprecationWarning, match="date_of_service="),
        pytest.raises(ValidationError, match="date_of_service: is the deprecated name"),
    ):
        CHARGEMASTER.amount("71046", date_of_service=JAN, service_date=JAN)  # type: ignore[call-arg]


def prior_adjudication() -> PriorPayerAdjudication:
    return PriorPayerAdjudication(
        payer=make_payer(),
        paid=Decimal("96.00"),
        adjudicated_on=JAN,
        remaining_patient_liability=Decimal("24.00"),
    )


# (a factory of the entity, the old field name, the new one)
FIELD_RENAMES: list[tuple[Callable[[], Any], str, str]] = [
    (make_encounter, "date_of_service", "service_date"),
    (make_remittance, "payment_date", "paid_on"),
    (lambda: make_claim_payment(received_on=JAN), "received_date", "received_on"),
    (prior_adjudication, "adjudication_date", "adjudicated_on"),
    (lambda: PercentOfBilled(rate="0.50"), "percent", "rate"),
    (
        lambda: PercentOfMedicare(schedule=MEDICARE, rate="1.40", locality=ALABAMA),
        "percent",
        "rate",
    ),
    (lambda: FeeScheduleTerm(schedule=CHARGEMASTER, rate="0.95"), "percent", "rate"),
    (
        lambda: CarveOut(codes=["J0000-J9999"], billed_rate="0.60"),
        "percent_of_billed",
        "billed_rate",
    ),
]
FIELD_IDS = [f"{type(make()).__name__}.{old}->{new}" for make, old, new in FIELD_RENAMES]
# Terms holding a fee schedule are not JSON documents (a schedule is loaded, not serialized).
JSON_RENAMES = [
    rename
    for rename in FIELD_RENAMES
    if not isinstance(rename[0](), PercentOfMedicare | FeeScheduleTerm)
]


@pytest.mark.parametrize(("factory", "old", "new"), FIELD_RENAMES, ids=FIELD_IDS)
def test_renamed_field_keeps_its_old_keyword(
    factory: Callable[[], Any], old: str, new: str
) -> None:
    entity = factory()
    cls = type(entity)
    kwargs = {f.alias: getattr(entity, f.name) for f in attrs.fields(cls) if f.init}
    kwargs[old] = kwargs.pop(new)
    with pytest.warns(DeprecationWarning, match=rf"{cls.__name__}: {old}= .* use {new}="):
        assert cls(**kwargs) == entity


@pytest.mark.parametrize(("factory", "old", "new"), FIELD_RENAMES, ids=FIELD_IDS)
def test_renamed_field_keeps_its_old_attribute(
    factory: Callable[[], Any], old: str, new: str
) -> None:
    entity = factory()
    with pytest.warns(DeprecationWarning, match=rf"{type(entity).__name__}: {old} .* use {new}"):
        assert getattr(entity, old) == getattr(entity, new)


@pytest.mark.parametrize(("factory", "old", "new"), JSON_RENAMES)
def test_a_document_written_by_0_1_with_the_old_key_still_reads(
    factory: Callable[[], Any], old: str, new: str
) -> None:
    entity = factory()
    document = to_dict(entity)
    document[old] = document.pop(new)
    assert from_dict(type(entity), document) == entity


def test_build_secondary_claim_adjudication_date_is_deprecated_for_adjudicated_on() -> None:
    claim, payment = make_claim(), make_claim_payment()
    coverage = make_coverage(
        id="COV-2", priority="secondary", payer=make_payer(id="bcbs", name="BCBS")
    )
    with pytest.warns(DeprecationWarning, match="adjudication_date= .* use adjudicated_on="):
        old = build_secondary_claim(
            claim, payment, coverage, claim_id=ClaimId("C-S"), adjudication_date=JAN
        )  # type: ignore[call-arg]
    assert old == build_secondary_claim(
        claim, payment, coverage, claim_id=ClaimId("C-S"), adjudicated_on=JAN
    )


def test_priced_line_date_of_service_is_deprecated_for_service_date() -> None:
    line = MEDICARE.price_line("99213", locality=ALABAMA, place_of_service="11", service_date=JAN)
    with pytest.warns(DeprecationWarning, match=r"PricedLine: date_of_service .* service_date"):
        assert line.date_of_service == line.service_date == JAN  # type: ignore[attr-defined]


# --- percent -> rate (NAMING.md: a percentage is a Decimal fraction named rate) -------


def test_a_0_1_contract_file_with_percent_keys_still_reads(tmp_path: Path) -> None:
    new = """payer = "acme"
name = "Acme PPO 2025"
effective_from = 2025-01-01

[[carve_out]]
codes = ["J0000-J9999"]
billed_rate = "0.60"

[[percent_of_medicare]]
schedule = "medicare"
rate = "1.40"
locality = "10112-00"

[percent_of_billed]
rate = "0.50"
"""
    old = (
        new.replace('billed_rate = "0.60"', 'percent_of_billed = "0.60"')
        .replace('rate = "1.40"', 'percent = "1.40"')
        .replace('rate = "0.50"', 'percent = "0.50"')
    )
    (tmp_path / "new.toml").write_text(new)
    (tmp_path / "old.toml").write_text(old)
    schedules = {"medicare": MEDICARE}
    with pytest.warns(DeprecationWarning, match=r"old\.toml: \[\w+\]: percent\w* = .* use"):
        read_old = Contract.from_toml(tmp_path / "old.toml", schedules=schedules)
    assert read_old == Contract.from_toml(tmp_path / "new.toml", schedules=schedules)
    assert read_old.terms[0] == CarveOut(codes=["J0000-J9999"], billed_rate="0.60")


# --- patient never names an amount: patient -> patient_share -------------------------


def test_claim_balance_patient_is_deprecated_for_patient_share() -> None:
    balance = ClaimBalance(claim_id="C-1", insurance=(), patient_share=Decimal("5.00"))
    with pytest.warns(DeprecationWarning, match="ClaimBalance: patient= .* use patient_share="):
        assert ClaimBalance(claim_id="C-1", insurance=(), patient=Decimal("5.00")) == balance  # type: ignore[call-arg]
    with pytest.warns(DeprecationWarning, match="ClaimBalance: patient .* use patient_share"):
        assert balance.patient == Decimal("5.00")  # type: ignore[attr-defined]


def test_share_patient_is_deprecated_for_patient_share() -> None:
    share = LineShare(
        line_id="1",
        allowed=Decimal("100.00"),
        copay=Decimal("20.00"),
        deductible=Decimal("30.00"),
        coinsurance=Decimal("10.00"),
    )
    estimate = medicare_payment(Decimal("50.00"))
    for entity in (share, estimate):
        name = type(entity).__name__
        with pytest.warns(DeprecationWarning, match=f"{name}: patient .* use patient_share"):
            assert entity.patient == entity.patient_share  # type: ignore[union-attr]
    assert share.patient_share == Decimal("60.00")


# --- at -> recorded_at (NAMING.md: when something was recorded, machine time) ----------

T0 = pendulum.datetime(2025, 3, 5, 9)


def test_workflow_at_keyword_is_deprecated_for_recorded_at() -> None:
    claim = make_claim()
    with pytest.warns(DeprecationWarning, match=r"ClaimWorkflow\.start: at= .* use recorded_at="):
        old = ClaimWorkflow.start(claim, at=T0)  # type: ignore[call-arg]
    new = ClaimWorkflow.start(claim, recorded_at=T0)
    assert old == new
    steps: list[tuple[str, dict[str, Any]]] = [
        ("validate", {"findings": []}),
        ("submit", {}),
        ("accept", {}),
        ("reject", {"reason": "A7: invalid subscriber id"}),
        ("close", {"reason": "withdrawn"}),
    ]
    for minute, (name, kwargs) in enumerate(steps, start=1):
        when = T0.add(minutes=minute)
        with pytest.warns(DeprecationWarning, match=rf"ClaimWorkflow\.{name}: at= .* recorded_at="):
            old = getattr(old, name)(at=when, **kwargs)
        new = getattr(new, name)(recorded_at=when, **kwargs)
        assert old == new
    transition = new.history[-1]
    with pytest.warns(DeprecationWarning, match="Transition: at .* use recorded_at"):
        assert transition.at == transition.recorded_at  # type: ignore[attr-defined]
    with pytest.warns(DeprecationWarning, match="Transition: at= .* use recorded_at="):
        assert (
            Transition(  # type: ignore[call-arg]
                source=transition.source,
                target=transition.target,
                at=transition.recorded_at,
                reason=transition.reason,
            )
            == transition
        )


# --- enumerations take their words and their X12 codes; .x12 gives the code ----------


def make_subscriber() -> Subscriber:
    return Subscriber(
        name=PersonName(family="Doe", given="John"), birth_date=JAN.subtract(years=40)
    )


@pytest.mark.parametrize(
    ("word", "code", "member"),
    [
        ("self", "18", Relationship.SELF),
        ("spouse", "01", Relationship.SPOUSE),
        ("child", "19", Relationship.CHILD),
        ("other", "G8", Relationship.OTHER),
    ],
)
def test_relationship_takes_the_word_and_the_x12_code(
    word: str, code: str, member: Relationship
) -> None:
    # 005010X222A1 SBR02 / PAT01 individual relationship codes
    assert Relationship(word) is Relationship(code) is member
    assert member.value == word
    assert member.x12 == code
    assert make_coverage(relationship=code, subscriber=make_subscriber()).relationship is member


def test_a_0_1_document_with_an_x12_relationship_code_still_reads() -> None:
    coverage = make_coverage(relationship="child", subscriber=make_subscriber())
    document = to_dict(coverage)
    assert document["relationship"] == "child"
    document["relationship"] = "19"
    assert from_dict(Coverage, document) == coverage


def test_an_unknown_relationship_names_the_words_and_the_codes() -> None:
    with pytest.raises(ValidationError, match=r"'self', .* \(or the X12 code '18', .*\)"):
        Relationship("cousin")


def test_priority_x12_code_is_deprecated_for_x12() -> None:
    assert Priority("S") is Priority.SECONDARY
    with pytest.warns(DeprecationWarning, match="Priority: x12_code .* use x12"):
        assert Priority.SECONDARY.x12_code == Priority.SECONDARY.x12 == "S"


# --- names taken out of the public surface stay importable for a minor release --------


def test_x12_tokenizer_is_no_longer_public_but_still_imports() -> None:
    import medbill.x12
    from medbill.x12._tokenizer import Tokenizer

    assert "Tokenizer" not in medbill.x12.__all__
    with pytest.warns(DeprecationWarning, match=r"medbill\.x12: Tokenizer is deprecated"):
        assert medbill.x12.Tokenizer is Tokenizer
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        medbill.x12.Nothing  # noqa: B018


@pytest.mark.parametrize(
    ("package", "name"),
    [
        ("medbill.claims", "ClaimStateError"),
        ("medbill.claims", "UnbalancedRemittanceError"),
        ("medbill.ledger", "LedgerError"),
        ("medbill.ledger", "UnbalancedEntryError"),
        ("medbill.ledger", "DuplicateEntryError"),
        ("medbill.x12", "ParseError"),
    ],
)
def test_errors_re_exported_by_a_package_still_import_from_it(package: str, name: str) -> None:
    import importlib

    import medbill

    module = importlib.import_module(package)
    assert name not in module.__all__
    with pytest.warns(
        DeprecationWarning, match=rf"{package}: {name} is deprecated .* medbill\.{name}"
    ):
        assert getattr(module, name) is getattr(medbill, name)


def test_statement_line_names_left_the_ledger_surface() -> None:
    import medbill
    import medbill.ledger
    from medbill.ledger._reports import ActivityLine
    from medbill.ledger._statements import StatementService

    assert "StatementLine" not in medbill.ledger.__all__
    assert "ServiceLine" not in medbill.ledger.__all__
    with pytest.warns(DeprecationWarning, match="StatementLine is deprecated .*ActivityLine"):
        assert medbill.ledger.StatementLine is ActivityLine
    with pytest.warns(DeprecationWarning, match="ServiceLine is deprecated .*StatementService"):
        assert medbill.ledger.ServiceLine is StatementService
    assert StatementService.__name__ != medbill.ServiceLine.__name__


def test_activity_statement_start_and_end_are_one_period() -> None:
    from medbill import Period
    from medbill.ledger._reports import ActivityStatement
    from medbill.serialize import from_dict, to_dict

    june = Period(pendulum.date(2025, 6, 1), pendulum.date(2025, 6, 30))
    zero = Decimal("0.00")
    figures: dict[str, Any] = {"previous_balance": zero, "charges": zero, "payments": zero,
               "adjustments": zero, "new_balance": zero, "insurance_pending": zero}  # fmt: skip
    new = ActivityStatement(patient_id="MRN-1", period=june, lines=(), **figures)
    with pytest.warns(DeprecationWarning, match=r"start=/end= is deprecated .*period=Period"):
        old = ActivityStatement(  # type: ignore[call-arg]
            patient_id="MRN-1", start=june.start, end=june.end, lines=(), **figures
        )
    assert old == new
    with pytest.warns(
        DeprecationWarning, match=r"ActivityStatement: end is deprecated .*period\.end"
    ):
        assert new.end == pendulum.date(2025, 6, 30)  # type: ignore[attr-defined]
    document = to_dict(new)
    assert "start" not in document
    assert document["period"]["start"] == "2025-06-01"
    legacy = {k: v for k, v in document.items() if k != "period"} | {
        "start": "2025-06-01",
        "end": "2025-06-30",
    }
    assert from_dict(ActivityStatement, legacy) == new


def test_activity_report_start_and_end_are_one_period() -> None:
    from medbill import Period
    from medbill.ledger import Ledger, activity
    from medbill.ledger._activity import ActivityReport

    march = Period(pendulum.date(2025, 3, 1), pendulum.date(2025, 3, 31))
    report = activity(Ledger.in_memory(), period=march)
    assert report.period == march
    with pytest.warns(
        DeprecationWarning, match=r"ActivityReport: start is deprecated .*period\.start"
    ):
        assert report.start == march.start  # type: ignore[attr-defined]
    with pytest.warns(DeprecationWarning, match=r"start=/end= is deprecated .*period=Period"):
        old = ActivityReport(  # type: ignore[call-arg]
            start=march.start, end=march.end, rows=(), ar_change=Decimal("0.00")
        )
    assert old == ActivityReport(period=march, rows=(), ar_change=Decimal("0.00"))


OLD_CODE_TABLES = [
    ("CARC_DESCRIPTIONS", "CARC"),
    ("RARC_DESCRIPTIONS", "RARC"),
    ("CLAIM_STATUS_CATEGORY_DESCRIPTIONS", "CLAIM_STATUS_CATEGORY"),
    ("CLAIM_STATUS_DESCRIPTIONS", "CLAIM_STATUS"),
    ("ELIGIBILITY_REJECTION_DESCRIPTIONS", "ELIGIBILITY_REJECTION"),
    ("ELIGIBILITY_FOLLOW_UP_DESCRIPTIONS", "ELIGIBILITY_FOLLOW_UP"),
    ("BENEFIT_DESCRIPTIONS", "BENEFIT"),
    ("SERVICE_TYPE_DESCRIPTIONS", "SERVICE_TYPE"),
    ("ACK_STATUS_DESCRIPTIONS", "ACK_STATUS"),
    ("ACK_SEGMENT_ERROR_DESCRIPTIONS", "ACK_SEGMENT_ERROR"),
    ("ACK_ELEMENT_ERROR_DESCRIPTIONS", "ACK_ELEMENT_ERROR"),
    ("ACK_TRANSACTION_ERROR_DESCRIPTIONS", "ACK_TRANSACTION_ERROR"),
    ("ACK_GROUP_ERROR_DESCRIPTIONS", "ACK_GROUP_ERROR"),
]


@pytest.mark.parametrize(("old", "member"), OLD_CODE_TABLES)
def test_code_list_tables_are_members_of_code_list(old: str, member: str) -> None:
    import medbill.codes
    from medbill.codes import CodeList

    assert old not in medbill.codes.__all__
    with pytest.warns(DeprecationWarning, match=rf"medbill\.codes: {old} is deprecated"):
        table = getattr(medbill.codes, old)
    assert dict(table) == dict(CodeList[member].meanings)
    assert len(table) > 0


def test_places_of_service_and_usage_notes_still_import() -> None:
    import medbill.codes
    from medbill.codes import CodeList, PlaceOfService

    with pytest.warns(DeprecationWarning, match="PLACES_OF_SERVICE is deprecated"):
        places = medbill.codes.PLACES_OF_SERVICE
    assert {code: info.name for code, info in places.items()} == dict(
        CodeList.PLACE_OF_SERVICE.meanings
    )
    assert [code for code, info in places.items() if info.facility] == [
        code for code in places if PlaceOfService(code).is_facility
    ]
    with pytest.warns(DeprecationWarning, match="CLAIM_STATUS_USAGE_NOTES is deprecated"):
        notes = medbill.codes.CLAIM_STATUS_USAGE_NOTES
    assert notes["562"] == CodeList.CLAIM_STATUS.usage_note("562")
    assert all(CodeList.CLAIM_STATUS.usage_note(code) == note for code, note in notes.items())


@pytest.mark.parametrize(
    "old",
    [
        "ADJUDICATION",
        "C4BB_ADJUDICATION",
        "C4BB_EOB_PROFESSIONAL",
        "CARC",
        "CPT",
        "HCPCS",
        "ICD10CM",
        "MEDBILL",
        "NPI",
        "PLACE_OF_SERVICE",
        "RARC",
    ],
)
def test_fhir_uri_constants_are_members_of_canonical(old: str) -> None:
    pytest.importorskip("fhir.resources")
    import medbill.fhir
    from medbill.fhir import Canonical, _systems

    assert old not in medbill.fhir.__all__
    with pytest.warns(DeprecationWarning, match=rf"medbill\.fhir: {old} is deprecated"):
        uri = getattr(medbill.fhir, old)
    assert uri == Canonical[old].value == getattr(_systems, old)
    assert isinstance(uri, str)


# --- a range of days is a Period: start=/end= -> period= --------------------------------


def test_statement_and_activity_start_end_are_deprecated_for_period() -> None:
    from medbill.ledger import Ledger, activity, post_charges, statement

    claim = make_claim()
    ledger = Ledger.in_memory(clock=lambda: pendulum.datetime(2025, 3, 5, 18))
    post_charges(ledger, claim)
    first, last = pendulum.date(2025, 3, 1), pendulum.date(2025, 3, 31)
    march = Period(first, last)
    with pytest.warns(DeprecationWarning, match=r"statement: start=/end= .* use period="):
        old = statement(ledger, claim.patient.id, start=first, end=last)
    assert old == statement(ledger, claim.patient.id, period=march)
    with pytest.warns(DeprecationWarning, match=r"activity: start=/end= .* use period="):
        assert activity(ledger, start=first, end=last) == activity(ledger, period=march)
    with pytest.raises(ValidationError, match=r"period\.end: statement needs a last day"):
        statement(ledger, claim.patient.id, period=Period(first))
    with pytest.raises(ValidationError, match="period: must be a Period"):
        activity(ledger)


def test_testing_default_date_of_service_is_deprecated_for_default_service_date() -> None:
    import medbill.testing

    with pytest.warns(
        DeprecationWarning, match="DEFAULT_DATE_OF_SERVICE is deprecated .* DEFAULT_SERVICE_DATE"
    ):
        old = medbill.testing.DEFAULT_DATE_OF_SERVICE
    assert old == medbill.testing.DEFAULT_SERVICE_DATE == make_claim().lines[0].service_date


# --- one home per name; implementation tables and per-type strategies left the surface --

MOVED_NAMES = [
    *(
        ("medbill", name, "medbill.codes", rf"medbill\.codes\.{name}")
        for name in (
            "AdjustmentGroup",
            "Carc",
            "Icd10Cm",
            "Modifier",
            "Npi",
            "PlaceOfService",
            "ProcedureCode",
            "Rarc",
            "RevenueCode",
        )
    ),
    ("medbill.fees", "CobMethod", "medbill", r"medbill\.CobMethod"),
    ("medbill.ledger", "Clock", "medbill", r"medbill\.Clock"),
    ("medbill.fees", "ANESTHESIA_MODIFIERS", "medbill.fees._anesthesia", "AnesthesiaSchedule"),
    ("medbill.fees", "DISPUTE_THRESHOLD", "medbill.fees._gfe", "dispute_eligible"),
    ("medbill.fees", "MEDICARE_COINSURANCE", "medbill.fees._responsibility", "medicare_payment"),
    ("medbill.fees", "SEQUESTRATION", "medbill.fees._responsibility", "sequestration="),
    ("medbill.fees", "MEDICARE_CONVERSION_FACTORS", "medbill.fees._rvu_row", "conversion_factors"),
    ("medbill.ledger", "LAY_DESCRIPTIONS", "medbill.ledger._statements", "descriptions="),
    (
        "medbill.ledger",
        "PROVIDER_ADJUSTMENT_ACCOUNTS",
        "medbill.ledger._recipes",
        "post_provider_adjustments",
    ),
    ("medbill.claims", "ANATOMIC_MODIFIERS", "medbill.claims._ncci", "NcciEdits"),
    ("medbill.claims", "DISTINCT_SERVICE_MODIFIERS", "medbill.claims._ncci", "NcciEdits"),
    ("medbill.claims", "PTP_MODIFIERS", "medbill.claims._ncci", "NcciEdits"),
    ("medbill.claims", "COST_SHARING", "medbill.claims._check", "check_payment"),
    # the surface cut of issue 19: a sample per kind (each receive-only type is checked by
    # tests/test_public_signatures.py, from tests/api/receive_only.txt)
    ("medbill.claims", "CLAIM_FIELDS", "medbill.claims._payer_rules", "RequiredField"),
    ("medbill.claims", "PAYMENT_REDUCTIONS", "medbill.claims._check", "check_payment"),
    ("medbill.claims", "ChargeSource", "medbill.claims._build", "post_corrected_charges"),
    ("medbill.ledger", "MAX_AMOUNT", "medbill.ledger._entries", "Posting"),
    ("medbill.ledger", "DEFAULT_DUNNING", "medbill.ledger._cycles", r"StatementPolicy\(\)\.levels"),
    ("medbill.ledger", "AGING_BUCKETS", "medbill.ledger._reports", "aging"),
    ("medbill.ledger", "SqliteStore", "medbill.ledger._stores._sqlite", r"Ledger\.open\(path\)"),
    ("medbill.ledger", "PostgresStore", "medbill.ledger._stores._postgres", "postgresql"),
    ("medbill.ledger", "MemoryStore", "medbill.ledger._stores._memory", r"Ledger\.in_memory"),
    ("medbill.x12", "read_835_file", "medbill.x12._reader835", r"read_835\(pathlib\.Path"),
    ("medbill.x12", "iter_835_file", "medbill.x12._reader835", r"iter_835\(pathlib\.Path"),
    ("medbill.x12", "stream_835_file", "medbill.x12._reader835", r"stream_835\(pathlib\.Path"),
]


@pytest.mark.parametrize(
    ("package", "name", "home", "instead"),
    MOVED_NAMES,
    ids=[f"{p}.{n}" for p, n, *_ in MOVED_NAMES],
)
def test_a_name_that_left_a_module_still_imports_from_it(
    package: str, name: str, home: str, instead: str
) -> None:
    import importlib

    module = importlib.import_module(package)
    assert name not in module.__all__
    with pytest.warns(DeprecationWarning, match=rf"{package}: {name} is deprecated .*{instead}"):
        old = getattr(module, name)
    assert old is getattr(importlib.import_module(home), name)


def test_a_receive_only_type_imports_from_its_module_without_a_warning() -> None:
    # provisional, not deprecated: a run-time import (isinstance, attrs annotations) is fine
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from medbill.claims import PaymentCheck
    from medbill.claims._check import PaymentCheck as Home

    assert PaymentCheck is Home
    assert "PaymentCheck" not in __import__("medbill.claims").claims.__all__


def test_the_file_readers_equal_the_readers_of_a_path(tmp_path: Path) -> None:
    from medbill.x12 import SAMPLE_835, iter_835, read_835

    path = tmp_path / "era.835"
    path.write_text(SAMPLE_835)
    with pytest.warns(DeprecationWarning, match="read_835_file is deprecated"):
        from medbill.x12 import read_835_file
    with pytest.warns(DeprecationWarning, match="iter_835_file is deprecated"):
        from medbill.x12 import iter_835_file
    assert read_835_file(path) == read_835(path) == list(iter_835_file(str(path)))
    assert list(iter_835(path)) == read_835(path)


def test_the_moved_code_types_import_with_from_import() -> None:
    with pytest.warns(DeprecationWarning, match=r"medbill: Carc is deprecated"):
        from medbill import Carc
    import medbill.codes

    assert Carc is medbill.codes.Carc


def test_per_type_strategies_left_the_surface_for_from_type() -> None:
    from hypothesis import strategies as st

    import medbill
    import medbill.codes
    from medbill.testing import _strategies, strategies

    removed = {name: tp for name, tp in strategies._TYPES.items() if name not in strategies.__all__}
    assert len(removed) == 23
    for name, tp in removed.items():
        home = medbill.codes if tp.__name__ in medbill.codes.__all__ else medbill
        assert tp is getattr(home, tp.__name__)
        with pytest.warns(
            DeprecationWarning,
            match=rf"strategies: {name} is deprecated .*from_type\({home.__name__}\.{tp.__name__}\)",
        ):
            assert getattr(strategies, name) is getattr(_strategies, name)
        # the registered strategy builds valid objects of the type
        assert isinstance(st.from_type(tp).example(), tp)


# --- modifier is never a parameter name: modifier= -> modifiers= (at most one) -------------

ONE_MODIFIER: list[tuple[type[Any], dict[str, Any]]] = [
    (FeeEntry, {"code": "71046", "amount": "30.00", "valid_from": JAN}),
    (FixedRate, {"codes": ["97110"], "amount": "29.99"}),
    (RvuRow, {"code": "71046"}),
]


@pytest.mark.parametrize(("cls", "kwargs"), ONE_MODIFIER, ids=[c.__name__ for c, _ in ONE_MODIFIER])
def test_modifier_keyword_is_deprecated_for_modifiers(
    cls: type[Any], kwargs: dict[str, Any]
) -> None:
    new = cls(modifiers=["26"], **kwargs)
    assert tuple(new.modifiers) == ("26",)
    assert new.modifier == "26"  # the one modifier, read as before (not deprecated)
    with pytest.warns(DeprecationWarning, match=rf"{cls.__name__}: modifier= .* use modifiers="):
        assert cls(modifier="26", **kwargs) == new
    with pytest.warns(DeprecationWarning, match="modifier="):
        assert cls(modifier=None, **kwargs) == cls(**kwargs) == cls(modifiers=[], **kwargs)
    with (
        pytest.warns(DeprecationWarning, match="modifier="),
        pytest.raises(ValidationError, match="modifier: is the deprecated name of modifiers"),
    ):
        cls(modifier="26", modifiers=["26"], **kwargs)
    with pytest.raises(ValidationError, match="modifiers: must be a list of modifiers"):
        cls(modifiers="26", **kwargs)
    with pytest.raises(ValidationError, match="modifiers: names a code and at most one"):
        cls(modifiers=["26", "59"], **kwargs)


def test_a_0_1_fixed_rate_document_with_modifier_still_reads() -> None:
    rate = FixedRate(codes=["97110"], amount="29.99", modifiers=["59"])
    document = to_dict(rate)
    assert document["modifiers"] == ["59"]
    assert "modifier" not in document
    old = {k: v for k, v in document.items() if k != "modifiers"} | {"modifier": "59"}
    assert from_dict(FixedRate, old) == rate
    assert from_dict(FixedRate, {**old, "modifier": None}) == attrs.evolve(rate, modifiers=())


def test_a_0_1_contract_file_with_a_fixed_rate_modifier_still_reads(tmp_path: Path) -> None:
    new = 'payer = "acme"\nname = "Acme"\neffective_from = 2025-01-01\n\n[[fixed_rate]]\ncodes = ["97110"]\namount = "29.99"\nmodifiers = ["59"]\n'
    (tmp_path / "new.toml").write_text(new)
    (tmp_path / "old.toml").write_text(new.replace('modifiers = ["59"]', 'modifier = "59"'))
    with pytest.warns(
        DeprecationWarning, match=r"old\.toml: \[fixed_rate\]: modifier = .* modifiers ="
    ):
        old = Contract.from_toml(tmp_path / "old.toml")
    assert old == Contract.from_toml(tmp_path / "new.toml")
    assert old.terms[0] == FixedRate(codes=["97110"], amount="29.99", modifiers=["59"])


def test_claim_line_service_date_end_is_deprecated_for_service_period() -> None:
    from medbill import ClaimLine
    from medbill.testing import make_claim_line

    day = pendulum.date(2025, 3, 4)
    three_days = Period(day, day.add(days=2))
    new = make_claim_line(service_date=day, service_period=three_days)
    assert new.last_service_date == day.add(days=2)
    fields = {f.name: getattr(new, f.name) for f in attrs.fields(ClaimLine)}
    del fields["service_period"]
    with pytest.warns(DeprecationWarning, match=r"ClaimLine: service_date_end= .* service_period="):
        assert ClaimLine(**fields, service_date_end=day.add(days=2)) == new  # type: ignore[call-arg]
    with pytest.warns(DeprecationWarning, match="service_date_end="):
        assert ClaimLine(**fields, service_date_end=None) == attrs.evolve(new, service_period=None)  # type: ignore[call-arg]
    with pytest.warns(
        DeprecationWarning, match=r"ClaimLine: service_date_end .* service_period\.end"
    ):
        assert new.service_date_end == day.add(days=2)  # type: ignore[attr-defined]
    with pytest.warns(DeprecationWarning, match="service_date_end"):
        assert make_claim_line().service_date_end is None  # type: ignore[attr-defined]
    document = to_dict(new)
    assert document["service_period"] == {"start": "2025-03-04", "end": "2025-03-06"}
    legacy = {k: v for k, v in document.items() if k != "service_period"}
    assert from_dict(ClaimLine, {**legacy, "service_date_end": "2025-03-06"}) == new
    assert from_dict(ClaimLine, {**legacy, "service_date_end": None}).service_period is None
