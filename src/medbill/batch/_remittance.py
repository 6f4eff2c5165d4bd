"""``remittance_tables``: many 835 files as flat, keyed Arrow tables.

Every row keeps where it came from: ``source`` (the file path, or ``text:<n>`` for the
n-th text given) and its position: ``remittance_number`` (the transaction set's place in
the file, from 1), ``claim_number`` (the CLP loop's place in the remittance) and
``line_number`` (the SVC loop's place in the claim). Those columns key the tables, so
they join; the payer's own identifiers (TRN02, CLP01, CLP07, REF*6R) are kept beside them.
"""

from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Final

import attrs
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from medbill._payment import Adjustment, LinePayment, Remittance
from medbill.batch._columnar835 import _with_file, columnar_tables
from medbill.claims._check import PAYMENT_REDUCTIONS
from medbill.codes import AdjustmentGroup
from medbill.x12 import iter_835

__all__ = ["RemittanceTables", "Source", "remittance_tables"]

_MONEY: Final = pa.decimal128(18, 2)
_UNITS: Final = pa.decimal128(12, 3)
_ZERO: Final = Decimal("0.00")
_CO, _PI, _PR = (
    AdjustmentGroup.CONTRACTUAL_OBLIGATION,
    AdjustmentGroup.PAYER_INITIATED_REDUCTION,
    AdjustmentGroup.PATIENT_RESPONSIBILITY,
)
_KEY: Final = [("source", pa.string()), ("remittance_number", pa.int32())]

REMITTANCES: Final = pa.schema(
    [
        *_KEY,
        ("remittance_id", pa.string()),
        ("payer_name", pa.string()),
        ("payer_id", pa.string()),
        ("payee_name", pa.string()),
        ("payee_npi", pa.string()),
        ("payment_amount", _MONEY),
        ("credit", pa.bool_()),
        ("method", pa.string()),
        ("payment_date", pa.date32()),
        ("production_date", pa.date32()),
        ("claim_count", pa.int32()),
    ]
)
CLAIMS: Final = pa.schema(
    [
        *_KEY,
        ("claim_number", pa.int32()),
        ("remittance_id", pa.string()),
        ("payer_id", pa.string()),
        ("claim_id", pa.string()),
        ("status", pa.string()),
        ("charge", _MONEY),
        ("paid", _MONEY),
        ("patient_responsibility", _MONEY),
        ("allowed", _MONEY),
        ("payer_claim_control_number", pa.string()),
        ("filing_indicator", pa.string()),
        ("facility_code", pa.string()),
        ("frequency", pa.string()),
        ("statement_start", pa.date32()),
        ("statement_end", pa.date32()),
        ("received_date", pa.date32()),
        ("line_count", pa.int32()),
    ]
)
LINES: Final = pa.schema(
    [
        *_KEY,
        ("claim_number", pa.int32()),
        ("line_number", pa.int32()),
        ("payer_id", pa.string()),
        ("claim_id", pa.string()),
        ("line_id", pa.string()),
        ("service_date", pa.date32()),
        ("procedure", pa.string()),
        ("modifier_1", pa.string()),
        ("modifier_2", pa.string()),
        ("modifier_3", pa.string()),
        ("modifier_4", pa.string()),
        ("submitted_procedure", pa.string()),
        ("revenue_code", pa.string()),
        ("units", _UNITS),
        ("units_paid", _UNITS),
        ("charge", _MONEY),
        ("paid", _MONEY),
        ("allowed", _MONEY),
        ("contractual", _MONEY),
        ("patient_responsibility", _MONEY),
        ("coinsurance", _MONEY),
        ("deductible_and_copay", _MONEY),
        ("remarks", pa.list_(pa.string())),
        ("adjustment_codes", pa.list_(pa.string())),
    ]
)
ADJUSTMENTS: Final = pa.schema(
    [
        *_KEY,
        ("claim_number", pa.int32()),
        ("line_number", pa.int32()),
        ("adjustment_number", pa.int32()),
        ("claim_id", pa.string()),
        ("group", pa.string()),
        ("reason", pa.string()),
        ("amount", _MONEY),
        ("quantity", _UNITS),
    ]
)
PROVIDER_ADJUSTMENTS: Final = pa.schema(
    [
        *_KEY,
        ("adjustment_number", pa.int32()),
        ("remittance_id", pa.string()),
        ("provider_id", pa.string()),
        ("fiscal_period_end", pa.date32()),
        ("reason", pa.string()),
        ("reference", pa.string()),
        ("amount", _MONEY),
    ]
)


@attrs.frozen
class RemittanceTables:
    """The five tables of :func:`remittance_tables` (each a ``pyarrow.Table``).

    ``lines`` carries the columns :func:`medbill.batch.check_payments` reads: the sums of
    the line's adjustments by kind (``contractual``: CO and PI but the payment reductions
    (CARC 253, sequestration); ``patient_responsibility``: PR;
    ``coinsurance``: PR-2; ``deductible_and_copay``: PR-1 and PR-3), the units billed
    (SVC07, else the units paid) and the date of service (DTM*472, else the claim's
    statement start).
    """

    remittances: pa.Table
    claims: pa.Table
    lines: pa.Table
    adjustments: pa.Table
    provider_adjustments: pa.Table

    def write_parquet(self, folder: str | Path) -> dict[str, Path]:
        """Write each table to ``folder/<name>.parquet``; return the paths by name."""
        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        written = {}
        for field in attrs.fields(RemittanceTables):
            path = target / f"{field.name}.parquet"
            pq.write_table(getattr(self, field.name), path)
            written[field.name] = path
        return written


class _Columns:
    """Rows gathered as tuples, turned into the schema's columns at the end.

    With ``file`` set, each row starts with it (the schema then opens with ``_file``)."""

    __slots__ = ("file", "rows", "schema")

    def __init__(self, schema: pa.Schema) -> None:
        self.schema = schema
        self.rows: list[tuple[object, ...]] = []
        self.file: int | None = None

    def add(self, *values: object) -> None:
        self.rows.append(values if self.file is None else (self.file, *values))

    def table(self) -> pa.Table:
        columns = list(zip(*self.rows, strict=True)) or [() for _ in self.schema.names]
        return pa.Table.from_arrays(
            [_array(list(c), f.type) for c, f in zip(columns, self.schema, strict=True)],
            schema=self.schema,
        )


def _array(values: list[object], kind: pa.DataType) -> pa.Array:
    """An Arrow column; Decimals go through their exact text, which Arrow parses about four
    times faster than it converts Decimal objects."""
    if pa.types.is_decimal(kind):
        text = pa.array([None if v is None else str(v) for v in values], type=pa.string())
        return text.cast(kind)
    return pa.array(values, type=kind)


def _sums(adjustments: tuple[Adjustment, ...]) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    contractual = responsibility = coinsurance = deductible = _ZERO
    for adjustment in adjustments:
        group, reason = adjustment.group, str(adjustment.reason)
        if group is _PR:
            responsibility += adjustment.amount
            if reason == "2":
                coinsurance += adjustment.amount
            elif reason in ("1", "3"):
                deductible += adjustment.amount
        elif (group is _CO or group is _PI) and reason not in PAYMENT_REDUCTIONS:
            contractual += adjustment.amount
    return contractual, responsibility, coinsurance, deductible


Source = str | Path | tuple[str, str]
"""A path, an X12 text, or a ``(name, text)`` pair (the name is kept as the source)."""


def _sources(paths_or_texts: Iterable[Source]) -> Iterable[tuple[str, str | Path]]:
    for index, item in enumerate(paths_or_texts, start=1):
        if isinstance(item, tuple):
            yield item[0], item[1]
        elif isinstance(item, Path):
            yield str(item), item
        elif isinstance(item, str) and item.lstrip().startswith("ISA"):
            yield f"text:{index}", item
        else:
            yield str(item), Path(item)


def remittance_tables(paths_or_texts: Iterable[Source], *, strict: bool = True) -> RemittanceTables:
    """Read many 835 files (paths, X12 texts starting with ``ISA``, or ``(name, text)``
    pairs) into flat tables.

    Files are read by a columnar reader (:mod:`medbill.batch._columnar835`) when every
    segment has a shape it handles with certainty, and otherwise by
    :func:`medbill.x12.iter_835` (``strict`` as there), so the tables, errors and
    warnings are those of the object reader either way; a file that cannot be read
    raises :class:`~medbill.ParseError` naming it, and nothing is returned. See
    :class:`RemittanceTables` for the columns and the module for the keys.

    >>> from medbill.batch import remittance_tables
    >>> from medbill.x12 import SAMPLE_835
    >>> tables = remittance_tables([SAMPLE_835])
    >>> tables.claims.select(["source", "claim_number", "claim_id", "paid"]).to_pylist()
    [{'source': 'text:1', 'claim_number': 1, 'claim_id': 'C-1', 'paid': Decimal('210.00')}]
    >>> tables.lines.num_rows, tables.adjustments.column("reason").to_pylist()
    (1, ['45', '2'])
    """
    items = list(_sources(paths_or_texts))
    names = [source for source, _ in items]
    found: dict[str, list[pa.Table]] = {f.name: [] for f in attrs.fields(RemittanceTables)}
    # the files are read in batches of about _BATCH_CHARACTERS, in order: memory holds one
    # batch's texts and frames at a time (and the tables built so far)
    for start, stop in _batches(items):
        texts = [_text(item) for _, item in items[start:stop]]
        try:
            fast = columnar_tables(texts, names[start:stop], strict=strict)
            tables, fallback, replay = fast.tables, sorted(fast.fallback), fast.warnings
        except (pl.exceptions.PolarsError, pa.ArrowException):  # pragma: no cover - defensive
            tables, fallback, replay = {}, list(range(len(texts))), {}
        del texts
        slow = _scalar_tables(
            [(start + i, *items[start + i]) for i in fallback],
            strict=strict,
            replay={start + i: caught for i, caught in replay.items()},
        )
        for name, pieces in found.items():
            table = tables.get(name)
            if table is not None and start:
                shifted = pc.add(table.column("_file"), pa.scalar(start, pa.int32()))
                table = table.set_column(0, "_file", shifted.cast(pa.int32()))
            parts = [t for t in (table, slow[name]) if t is not None]
            merged = pa.concat_tables(parts)
            if len(parts) > 1 and slow[name].num_rows and merged.num_rows:
                merged = merged.take(pc.sort_indices(merged, [("_file", "ascending")]))
            pieces.append(merged.drop_columns(["_file"]))
    if not items:
        empty = _scalar_tables([], strict=strict)
        return RemittanceTables(**{n: t.drop_columns(["_file"]) for n, t in empty.items()})
    return RemittanceTables(**{name: pa.concat_tables(p) for name, p in found.items()})


_BATCH_CHARACTERS: Final = 1 << 22


def _batches(items: list[tuple[str, str | Path]]) -> Iterable[tuple[int, int]]:
    """``(start, stop)`` ranges of ``items`` of about ``_BATCH_CHARACTERS`` of text each
    (a larger file is a batch of its own)."""
    start = size = 0
    for index, (_, item) in enumerate(items):
        if isinstance(item, str):
            length = len(item)
        else:
            try:
                length = item.stat().st_size
            except OSError:
                length = 0
        if index > start and size + length > _BATCH_CHARACTERS:
            yield start, index
            start, size = index, 0
        size += length
    if start < len(items):
        yield start, len(items)


def _text(item: str | Path) -> str | None:
    """The X12 text of a source, or None when only the object reader can say why not."""
    if isinstance(item, str):
        return item
    try:
        return item.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


@functools.cache
def _module_of(filename: str) -> str | None:
    for name, module in list(sys.modules.items()):
        if getattr(module, "__file__", None) == filename:
            return name
    return None


def _warn_again(caught: warnings.WarningMessage) -> None:
    """Give a recorded warning again as the code that raised it did: same message,
    category, place, module (for filters by module) and that module's registry (so the
    ``default`` and ``module`` actions show it once, as they would have)."""
    module_name = _module_of(caught.filename)
    registry = None
    if module_name is not None:
        registry = vars(sys.modules[module_name]).setdefault("__warningregistry__", {})
    warnings.warn_explicit(
        caught.message,
        caught.category,
        caught.filename,
        caught.lineno,
        module=module_name,
        registry=registry,
        source=caught.source,
    )


def scalar_remittance_tables(
    paths_or_texts: Iterable[Source], *, strict: bool = True
) -> RemittanceTables:
    """:func:`remittance_tables` through the object reader alone: the reference the
    columnar reader is tested against (tests/batch/test_columnar835.py)."""
    items = list(_sources(paths_or_texts))
    slow = _scalar_tables([(i, *item) for i, item in enumerate(items)], strict=strict)
    return RemittanceTables(**{name: t.drop_columns(["_file"]) for name, t in slow.items()})


def _scalar_tables(
    items: list[tuple[int, str, str | Path]],
    *,
    strict: bool,
    replay: dict[int, list[warnings.WarningMessage]] | None = None,
) -> dict[str, pa.Table]:
    """The tables of ``items`` (file index, source, path or text) read with
    :func:`medbill.x12.iter_835`, each with a leading ``_file`` column.

    ``replay`` holds the warnings of files read elsewhere (by index): each file's are
    given again before the first item after it, so that every warning comes in the
    files' order, as reading them all with iter_835 gives them."""
    pending = sorted((replay or {}).items())
    pending.reverse()

    def replay_before(index: int) -> None:
        while pending and pending[-1][0] < index:
            for caught in pending.pop()[1]:
                _warn_again(caught)

    remittances = _Columns(_with_file(REMITTANCES))
    claims = _Columns(_with_file(CLAIMS))
    lines = _Columns(_with_file(LINES))
    adjustments = _Columns(_with_file(ADJUSTMENTS))
    provider = _Columns(_with_file(PROVIDER_ADJUSTMENTS))
    every = (remittances, claims, lines, adjustments, provider)
    for file, source, item in items:
        replay_before(file)
        for columns in every:
            columns.file = file
        for number, remittance in enumerate(iter_835(item, strict=strict), start=1):
            _remittance(source, number, remittance, remittances, claims, lines, adjustments)
            for row in provider_adjustment_rows(remittance):
                provider.add(source, number, *row)
    replay_before(sys.maxsize)  # every file's warnings that are left
    return {
        "remittances": remittances.table(),
        "claims": claims.table(),
        "lines": lines.table(),
        "adjustments": adjustments.table(),
        "provider_adjustments": provider.table(),
    }


def remittance_values(remittance: Remittance) -> tuple[object, ...]:
    """A remittance row's values between its position and its claim count (``REMITTANCES``),
    shared by the object flattening and the columnar reader's header rows."""
    return (
        remittance.id,
        remittance.payer_name,
        remittance.payer_id,
        remittance.payee_name,
        None if remittance.payee_npi is None else str(remittance.payee_npi),
        remittance.payment_amount,
        remittance.credit,
        remittance.method.value,
        remittance.paid_on,
        remittance.production_date,
    )


def provider_adjustment_rows(remittance: Remittance) -> list[tuple[object, ...]]:
    """Each PLB adjustment's row values after the remittance's position
    (``PROVIDER_ADJUSTMENTS``): its index, the remittance id and the adjustment."""
    return [
        (
            index,
            remittance.id,
            plb.provider_id,
            plb.fiscal_period_end,
            plb.reason,
            plb.reference,
            plb.amount,
        )
        for index, plb in enumerate(remittance.provider_adjustments, start=1)
    ]


def _remittance(
    source: str,
    number: int,
    remittance: Remittance,
    remittances: _Columns,
    claims: _Columns,
    lines: _Columns,
    adjustments: _Columns,
) -> None:
    remittances.add(source, number, *remittance_values(remittance), len(remittance.claim_payments))
    payer = remittance.payer_id
    for claim_number, claim in enumerate(remittance.claim_payments, start=1):
        claim_id = str(claim.claim_id)
        claims.add(
            source,
            number,
            claim_number,
            remittance.id,
            payer,
            claim_id,
            claim.status.value,
            claim.charge,
            claim.paid,
            claim.patient_responsibility,
            claim.allowed,
            claim.payer_claim_control_number,
            claim.filing_indicator,
            claim.facility_code,
            claim.frequency,
            claim.statement_start,
            claim.statement_end,
            claim.received_on,
            len(claim.lines),
        )
        for index, adjustment in enumerate(claim.adjustments, start=1):
            adjustments.add(
                source,
                number,
                claim_number,
                None,
                index,
                claim_id,
                adjustment.group.value,
                str(adjustment.reason),
                adjustment.amount,
                adjustment.quantity,
            )
        for line_number, line in enumerate(claim.lines, start=1):
            _line(source, number, claim_number, line_number, payer, claim_id, claim.statement_start,
                  line, lines, adjustments)  # fmt: skip


def _line(
    source: str,
    number: int,
    claim_number: int,
    line_number: int,
    payer: str | None,
    claim_id: str,
    statement_start: object,
    line: LinePayment,
    lines: _Columns,
    adjustments: _Columns,
) -> None:
    mods = [str(m) for m in line.modifiers[:4]]
    mods += [None] * (4 - len(mods))  # type: ignore[list-item]
    contractual, responsibility, coinsurance, deductible = _sums(line.adjustments)
    lines.add(
        source,
        number,
        claim_number,
        line_number,
        payer,
        claim_id,
        line.line_id,
        line.service_date or statement_start,
        None if line.procedure is None else str(line.procedure),
        *mods,
        None if line.submitted_procedure is None else str(line.submitted_procedure),
        None if line.revenue_code is None else str(line.revenue_code),
        line.units_billed if line.units_billed is not None else line.units_paid,
        line.units_paid,
        line.charge,
        line.paid,
        line.allowed,
        contractual,
        responsibility,
        coinsurance,
        deductible,
        [str(r) for r in line.remarks],
        [f"{a.group.value}-{a.reason}" for a in line.adjustments if a.amount > 0],
    )
    for index, adjustment in enumerate(line.adjustments, start=1):
        adjustments.add(
            source,
            number,
            claim_number,
            line_number,
            index,
            claim_id,
            adjustment.group.value,
            str(adjustment.reason),
            adjustment.amount,
            adjustment.quantity,
        )
