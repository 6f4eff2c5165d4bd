"""Claims (medbill objects) as a table of lines, for :func:`medbill.batch.price_lines`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

import pyarrow as pa

from medbill._encounter import Claim
from medbill._errors import ValidationError
from medbill.fees import Locality

__all__ = ["LINE_SCHEMA", "lines_table"]

LINE_SCHEMA = pa.schema(
    [
        ("claim_id", pa.string()),
        ("line_id", pa.string()),
        ("service_date", pa.date32()),
        ("procedure", pa.string()),
        ("modifier_1", pa.string()),
        ("modifier_2", pa.string()),
        ("modifier_3", pa.string()),
        ("modifier_4", pa.string()),
        ("units", pa.decimal128(12, 3)),
        ("charge", pa.decimal128(18, 2)),
        ("place_of_service", pa.string()),
        ("locality", pa.string()),
        ("provider_kind", pa.string()),
    ]
)
"""The columns :func:`lines_table` writes (those of :data:`LINE_COLUMNS`)."""

_MILLI = Decimal("0.001")


def lines_table(
    claims: Iterable[Claim], *, locality: Locality | Mapping[str, Locality]
) -> pa.Table:
    """One row per claim line, in claim and line order, with :data:`LINE_SCHEMA`.

    ``locality`` is one locality for every claim, or one per claim id. The place of
    service is the line's, else the claim's; the provider kind the rendering provider's,
    else the billing provider's (as :meth:`MedicareFeeSchedule.price_claim` reads them).

    >>> from medbill.batch import lines_table
    >>> from medbill.fees import Locality
    >>> from medbill.testing import make_claim
    >>> table = lines_table([make_claim()], locality=Locality.parse("10112-00"))
    >>> table.num_rows, table["procedure"][0].as_py(), table["units"][0].as_py()
    (1, '99213', Decimal('1.000'))
    """
    columns: dict[str, list[object]] = {name: [] for name in LINE_SCHEMA.names}
    for claim in claims:
        where = locality if isinstance(locality, Locality) else locality.get(str(claim.id))
        if where is None:
            raise ValidationError("locality", str(claim.id), "no locality for the claim")
        kind = (claim.rendering_provider or claim.billing_provider).kind.value
        for line in claim.lines:
            units = line.units.quantize(_MILLI)
            if units != line.units:  # never rounded: the table holds thousandths
                raise ValidationError(
                    f"claims[{claim.id}].lines[{line.line_id}].units",
                    line.units,
                    "has more than 3 decimal places",
                )
            mods = [str(m) for m in line.modifiers]
            if len(mods) > 4:
                raise ValidationError(
                    f"claims[{claim.id}].lines[{line.line_id}].modifiers", mods, "at most 4"
                )
            mods += [None] * (4 - len(mods))  # type: ignore[list-item]
            values: list[object] = [
                str(claim.id),
                line.line_id,
                line.service_date,
                str(line.procedure),
                *mods,
                units,
                line.charge,
                str(line.place_of_service or claim.place_of_service),
                str(where),
                kind,
            ]
            for name, value in zip(LINE_SCHEMA.names, values, strict=True):
                columns[name].append(value)
    return pa.table(columns, schema=LINE_SCHEMA)
