"""Every public attrs type round-trips through ``medbill.serialize`` (issue 14).

The types are found, not listed: every class reachable from ``medbill.__all__`` and each
public subpackage's ``__all__`` for which ``attrs.has`` holds. Each gets a hypothesis
strategy: the ``medbill.testing.strategies`` one where it exists, an explicit one below for
types with rules across fields, or one built from its constructor's type hints (valid
codes, cents, dates, enumeration members; nested attrs types recursively). A generated
instance must come back equal from ``from_json(cls, to_json(obj))`` and write the same
document again.

A type that cannot round-trip is in ``NOT_JSON`` with the reason, and the test asserts that
medbill refuses it with a ``ValidationError`` (never a bare ``TypeError``, never a document
that reads back as something else). A new public attrs type fails here until it
round-trips or is listed.
"""

from __future__ import annotations

import collections.abc as cabc
import datetime as dt
import enum
import importlib
import os
import types
import typing
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import medbill
from medbill import (
    Accumulators,
    Address,
    Adjustment,
    Benefits,
    Claim,
    ClaimLine,
    ClaimPayment,
    Coverage,
    DrugIdentification,
    DrugUnit,
    Encounter,
    LinePayment,
    MedbillError,
    Patient,
    PatientPayment,
    Payer,
    Period,
    PersonName,
    Practice,
    Provider,
    ProviderAdjustment,
    Remittance,
    ServiceLine,
    Subscriber,
    ValidationError,
)
from medbill.claims._payer_rules import CLAIM_FIELDS, LINE_FIELDS, RequiredField
from medbill.codes import (
    AdjustmentGroup,
    Carc,
    Icd10Cm,
    Modifier,
    Npi,
    PlaceOfService,
    ProcedureCode,
    Rarc,
    RevenueCode,
)
from medbill.fees import CarveOut, Contract, FixedRate, PercentOfBilled
from medbill.fees._contract import CodeRange
from medbill.fhir._reader import Unmapped
from medbill.ledger import Account, Posting
from medbill.serialize import _init_fields, from_json, to_json
from medbill.testing import (
    make_claim,
    make_claim_payment,
    make_coverage,
    make_encounter,
    make_patient,
    make_remittance,
)
from medbill.testing import strategies as mst

PACKAGES = [
    "medbill",
    "medbill.batch",
    "medbill.claims",
    "medbill.codes",
    "medbill.fees",
    "medbill.fhir",
    "medbill.ledger",
    "medbill.serialize",
    "medbill.testing",
    "medbill.x12",
]


RECEIVE_ONLY = Path(__file__).parents[1] / "api" / "receive_only.txt"


def _receive_only() -> list[tuple[str, str]]:
    """The receive-only types (tests/api/receive_only.txt): out of ``__all__``, still public."""
    lines = (line.split("#", 1)[0].split() for line in RECEIVE_ONLY.read_text().splitlines())
    return [(module, name) for module, name in (line for line in lines if line)]


def _public_attrs_types() -> dict[str, type[Any]]:
    found: dict[type[Any], str] = {}
    for name in PACKAGES:
        module = importlib.import_module(name)
        for export in module.__all__:
            value = getattr(module, export)
            if isinstance(value, type) and attrs.has(value):
                found.setdefault(value, f"{name}.{export}")
    # the receive-only types round-trip too (medbill returns them; users store them)
    for name, export in _receive_only():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            value = getattr(importlib.import_module(name), export)
        if isinstance(value, type) and attrs.has(value):
            found.setdefault(value, f"{name}.{export}")
    return {label: cls for cls, label in found.items()}


TYPES = _public_attrs_types()

NOT_JSON: dict[str, str] = {
    "medbill.batch.RemittanceTables": "holds Arrow tables: RemittanceTables.write_parquet",
    "medbill.claims.CodeSets": "reference data read from the CMS code set files",
    "medbill.claims.NcciEdits": "reference data read from the CMS NCCI PTP/MUE files",
    "medbill.claims.ScrubContext": "holds code sets, NCCI edits and payer rules",
    "medbill.fees.MedicareRelease": "reference data read from the CMS PFS files",
    "medbill.fees.FeeScheduleTerm": "holds a FeeSchedule: a contract TOML names it",
    "medbill.fees.PercentOfMedicare": "holds a MedicareFeeSchedule: a contract TOML names it",
    "medbill.fhir.FhirResult": "its entity is of any type: serialize the entity",
    "medbill.fhir.FhirBundleResult": "its entities are of any type: serialize each entity",
}
"""The public attrs types that hold reference data or tables, not values: refused by JSON."""

EXAMPLES = 200 if os.environ.get("MEDBILL_FUZZ_LONG") else 6

# -- strategies ----------------------------------------------------------------------------

_TEXT = st.text("ABCDXYZ 0123-", min_size=1, max_size=8).map(str.strip).filter(bool)
_INSTANT = st.integers(0, 10**8).map(lambda s: pendulum.datetime(2025, 1, 1).add(seconds=s))

LEAVES: dict[Any, st.SearchStrategy[Any]] = {
    str: _TEXT,
    int: st.integers(0, 50),
    bool: st.booleans(),
    Decimal: mst.amounts(max_value=Decimal("999.99")),
    pendulum.Date: mst.dates(),
    dt.date: mst.dates(),
    pendulum.DateTime: _INSTANT,
    dt.datetime: _INSTANT,
    ProcedureCode: st.from_type(ProcedureCode),
    Icd10Cm: st.from_type(Icd10Cm),
    Modifier: st.from_type(Modifier),
    Npi: st.from_type(Npi),
    Carc: st.from_type(Carc),
    Rarc: st.from_type(Rarc),
    PlaceOfService: st.from_type(PlaceOfService),
    RevenueCode: st.from_type(RevenueCode),
    AdjustmentGroup: st.from_type(AdjustmentGroup),
}

_IDS = st.text("ABC123-", min_size=1, max_size=6)
_ACCOUNTS = st.one_of(
    st.builds(Account.cash),
    st.builds(Account.patient_credit, _IDS),
    st.builds(Account.patient_receivable, _IDS, _IDS),
    st.builds(
        Account.insurance_receivable, _IDS, st.sampled_from(["primary", "secondary"]), _IDS, _IDS
    ),
    st.builds(Account.refunds_payable, _IDS),
    st.builds(Account.unapplied_insurance_cash, _IDS),
)
_CODE_RANGES = st.lists(
    st.one_of(
        st.from_type(ProcedureCode).map(str),
        st.sampled_from(["80000-89999", "J0000-J9999", "99201-99215"]),
    ),
    min_size=1,
    max_size=3,
).map(lambda codes: tuple(CodeRange.parse(c) for c in codes))
_RATES = st.sampled_from(["0.40", "0.60", "0.85", "1.00"]).map(Decimal)
_FIXED_RATES = st.builds(
    FixedRate,
    codes=_CODE_RANGES,
    amount=mst.amounts(Decimal("0.01")),
    modifiers=st.lists(st.from_type(Modifier).map(str), max_size=1).map(tuple),
)
_CARVE_OUTS = st.one_of(
    st.builds(CarveOut, codes=_CODE_RANGES, amount=mst.amounts(Decimal("0.01"))),
    st.builds(CarveOut, codes=_CODE_RANGES, billed_rate=_RATES),
)
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-99, 99) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=4), inner, max_size=2)
    ),
    max_leaves=4,
)

EXPLICIT: dict[type[Any], st.SearchStrategy[Any]] = {
    Period: st.from_type(Period),
    PersonName: st.from_type(PersonName),
    Address: st.from_type(Address),
    Patient: st.from_type(Patient),
    Payer: st.from_type(Payer),
    Coverage: mst.coverages(),
    Provider: st.from_type(Provider),
    Claim: mst.claims(),
    ClaimLine: mst.claim_lines(),
    ServiceLine: mst.service_lines(),
    Encounter: st.from_type(Encounter),
    Remittance: mst.remittances(),
    ClaimPayment: mst.claim_payments(),
    LinePayment: st.from_type(LinePayment),
    Adjustment: st.from_type(Adjustment),
    ProviderAdjustment: st.from_type(ProviderAdjustment),
    PatientPayment: st.from_type(PatientPayment),
    Benefits: st.from_type(Benefits),
    Accumulators: st.from_type(Accumulators),
    Subscriber: st.from_type(Subscriber),
    # Rules across fields, or formats the type hints do not tell:
    Account: _ACCOUNTS,
    Posting: st.builds(
        lambda account, cents, debit: (Posting.debit if debit else Posting.credit)(
            account, Decimal(cents).scaleb(-2)
        ),
        _ACCOUNTS,
        st.integers(1, 10**8),
        st.booleans(),
    ),
    DrugIdentification: st.builds(
        DrugIdentification,
        ndc=st.text("0123456789", min_size=11, max_size=11),
        quantity=mst.amounts(Decimal("0.01"), Decimal("999.99")),
        unit=st.sampled_from(DrugUnit),
    ),
    Practice: st.builds(
        Practice,
        name=_TEXT,
        address=st.from_type(Address),
        phone=st.sampled_from(["217-555-0100", "(312) 555-0199"]),
        npi=st.from_type(Npi),
        tax_id=st.text("0123456789", min_size=9, max_size=9),
        remit_to=st.none() | st.from_type(Address),
    ),
    RequiredField: st.builds(
        RequiredField,
        field=st.sampled_from(sorted({*CLAIM_FIELDS, *LINE_FIELDS})),
        codes=st.lists(st.from_type(ProcedureCode).map(str), max_size=3),
        reason=st.text("abc ", max_size=10),
    ),
    CodeRange: _CODE_RANGES.map(lambda ranges: ranges[0]),
    FixedRate: _FIXED_RATES,
    CarveOut: _CARVE_OUTS,
    # Terms holding a schedule are refused by JSON (NOT_JSON); every other term round-trips.
    Contract: st.builds(
        Contract,
        payer_id=_IDS,
        name=_TEXT,
        effective=st.from_type(Period),
        terms=st.lists(
            _FIXED_RATES | _CARVE_OUTS | st.builds(PercentOfBilled, rate=_RATES),
            min_size=1,
            max_size=3,
        ),
        plan=st.none() | _TEXT,
        lesser_of_billed=st.booleans(),
    ),
    # A FHIR element medbill does not model keeps its JSON value (no floats: FHIR decimals
    # are read as Decimal and written as strings).
    Unmapped: st.builds(Unmapped, path=_TEXT, value=_JSON_VALUES),
}


# Nested inside a generated result (a plan, a match), the big entities are factory-built:
# their own round trip is generated above, and generating them again inside every
# container would make this test take minutes.
NESTED: dict[Any, st.SearchStrategy[Any]] = {
    Claim: st.sampled_from([make_claim(), make_claim(id="CLM-0002")]),
    Remittance: st.just(make_remittance()),
    ClaimPayment: st.just(make_claim_payment()),
    Patient: st.just(make_patient()),
    Coverage: st.just(make_coverage()),
    Encounter: st.just(make_encounter()),
}


def _hinted(tp: Any, depth: int) -> st.SearchStrategy[Any]:
    """A strategy of valid values of the type hint ``tp``."""
    if depth > 0 and tp in NESTED:
        return NESTED[tp]
    if tp in EXPLICIT:
        return EXPLICIT[tp]
    if tp in LEAVES:
        return LEAVES[tp]
    if tp is type(None):
        return st.none()
    if isinstance(tp, typing.NewType):
        return _hinted(tp.__supertype__, depth)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    size = 2 if depth < 3 else 0
    if origin in (typing.Union, types.UnionType):
        return st.one_of([_hinted(arg, depth) for arg in args])
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return st.lists(_hinted(args[0], depth + 1), max_size=size).map(tuple)
    if origin is tuple:
        return st.tuples(*[_hinted(arg, depth + 1) for arg in args])
    if origin in (list, cabc.Sequence, cabc.Iterable):
        return st.lists(_hinted(args[0], depth + 1), max_size=size)
    if origin in (frozenset, set, cabc.Set):
        return st.frozensets(_hinted(args[0], depth + 1), max_size=size)
    if origin in (dict, cabc.Mapping):
        keys, values = (_hinted(arg, depth + 1) for arg in args)
        return st.dictionaries(keys, values, max_size=size)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp))
    if isinstance(tp, type) and attrs.has(tp):
        return st.deferred(lambda: instances(tp, depth + 1))
    raise AssertionError(f"no strategy for the type hint {tp!r}: add one to LEAVES or EXPLICIT")


def _build(cls: type[Any], arguments: dict[str, Any]) -> Any:
    try:
        return cls(**arguments)
    except MedbillError:  # values valid one by one can still break a rule across fields
        return None


def instances(cls: type[Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Valid instances of ``cls``, from its explicit strategy or its constructor's hints."""
    if cls in EXPLICIT:
        return EXPLICIT[cls]
    custom = "__init__" in vars(cls) and hasattr(cls, "__attrs_init__")
    hints = typing.get_type_hints(cls.__init__ if custom else cls)
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for field in _init_fields(cls):
        target = required if field.default is attrs.NOTHING else optional
        target[field.name] = _hinted(hints[field.name], depth)
    return (
        st.fixed_dictionaries(required, optional=optional)
        .map(lambda arguments: _build(cls, arguments))
        .filter(lambda obj: obj is not None)
    )


ROUND_TRIPPING = sorted(label for label in TYPES if label not in NOT_JSON)


def test_the_exclusions_are_public_attrs_types() -> None:
    assert sorted(set(NOT_JSON) - set(TYPES)) == []
    assert len(ROUND_TRIPPING) > 100  # the walk found the public types


@pytest.mark.parametrize("label", ROUND_TRIPPING)
def test_every_public_attrs_type_round_trips(label: str) -> None:
    cls = TYPES[label]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=not os.environ.get("MEDBILL_FUZZ_LONG"),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(instances(cls))
    def check(obj: Any) -> None:
        text = to_json(obj)
        back = from_json(cls, text)
        assert back == obj
        assert to_json(back) == text  # stable: the same document again

    check()


def _reference_data() -> dict[str, Any]:
    """One instance of each excluded type (the ones that import without extras)."""
    from medbill.claims import CodeSets, NcciEdits, ScrubContext
    from medbill.fees import FeeSchedule, FeeScheduleTerm, Locality, PercentOfMedicare
    from medbill.fhir._api import FhirBundleResult, FhirResult
    from medbill.testing import demo_medicare_schedule, make_patient

    medicare = demo_medicare_schedule()
    fees = FeeSchedule.from_csv_text(
        "code,modifier,amount,valid_from,valid_to\n99213,,95.00,2025-01-01,\n"
    )
    return {
        "medbill.claims.CodeSets": CodeSets(),
        "medbill.claims.NcciEdits": NcciEdits(ptp={}, mue={}),
        "medbill.claims.ScrubContext": ScrubContext(as_of=pendulum.date(2025, 3, 1)),
        "medbill.fees.MedicareRelease": medicare.releases[0],
        "medbill.fees.FeeScheduleTerm": FeeScheduleTerm(schedule=fees),
        "medbill.fees.PercentOfMedicare": PercentOfMedicare(
            schedule=medicare, rate=Decimal("1.20"), locality=Locality.parse("06102-99")
        ),
        "medbill.fhir.FhirResult": FhirResult(entity=make_patient()),
        "medbill.fhir.FhirBundleResult": FhirBundleResult(entities=(make_patient(),)),
    }


@pytest.mark.parametrize("label", sorted(NOT_JSON))
def test_types_that_hold_reference_data_are_refused_with_a_validation_error(label: str) -> None:
    samples = _reference_data()
    if label not in samples:
        pytest.importorskip("pyarrow")  # RemittanceTables: Arrow tables are not JSON
        from medbill.batch import remittance_tables
        from medbill.batch._remittance import RemittanceTables
        from medbill.x12 import SAMPLE_835

        tables = remittance_tables([SAMPLE_835])
        assert isinstance(tables, RemittanceTables)
        samples[label] = tables
    with pytest.raises(ValidationError, match="cannot be written as JSON"):
        to_json(samples[label])
    with pytest.raises(ValidationError, match="is not a medbill entity that JSON can hold"):
        from_json(TYPES[label], '{"schema_version": 1}')


def test_a_contract_with_a_schedule_term_is_refused_not_half_written() -> None:
    from medbill.fees import Contract, FeeSchedule, FeeScheduleTerm

    fees = FeeSchedule.from_csv_text(
        "code,modifier,amount,valid_from,valid_to\n99213,,95.00,2025-01-01,\n"
    )
    contract = Contract(
        payer_id="acme",
        name="Acme PPO",
        effective=Period(pendulum.date(2025, 1, 1), pendulum.date(2025, 12, 31)),
        terms=[FeeScheduleTerm(schedule=fees)],
    )
    with pytest.raises(ValidationError, match="FeeScheduleTerm"):
        to_json(contract)


def test_sets_are_written_sorted() -> None:
    field = RequiredField(field="lines.drug", codes=["J1100", "A4550", "J0100"])
    assert '"A4550",\n    "J0100",\n    "J1100"' in to_json(field)
    assert medbill.serialize.from_json(RequiredField, to_json(field)) == field
