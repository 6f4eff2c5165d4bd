"""Batch repricing and payment checking on tables: Arrow and Polars, on one machine.

Install with ``pip install medbill[batch]`` (Polars and PyArrow). The functions take a
``pyarrow.Table`` or a ``polars.DataFrame`` and return the same kind of table, computed in
exact integers with the scalar path's rules and roundings (see the Scale guide).

>>> import medbill.batch
>>> sorted(medbill.batch.LINE_COLUMNS)[:3]
['charge', 'claim_id', 'line_id']
"""

try:
    import polars as _polars  # noqa: F401
    import pyarrow as _pyarrow  # noqa: F401
except ImportError as error:  # pragma: no cover - exercised without the extra
    raise ImportError(
        "medbill.batch needs Polars and PyArrow: pip install 'medbill[batch]'"
    ) from error

from typing import TYPE_CHECKING

from medbill._deprecation import receive_only_names
from medbill.batch._check import CHECK_COLUMNS, PAYMENT_COLUMNS, check_payments
from medbill.batch._claims import LINE_SCHEMA, lines_table
from medbill.batch._lines import LINE_COLUMNS, PRICE_COLUMNS, price_lines
from medbill.batch._remittance import (
    remittance_tables,
)
from medbill.batch._schedule import PreparedSchedule

__all__ = [
    "CHECK_COLUMNS",
    "PAYMENT_COLUMNS",
    "LINE_COLUMNS",
    "LINE_SCHEMA",
    "PRICE_COLUMNS",
    "PreparedSchedule",  # provisional: the tables medbill.spark broadcasts
    "check_payments",
    "lines_table",
    "price_lines",
    "remittance_tables",
]


if TYPE_CHECKING:  # receive-only types: typed for mypy, resolved lazily (no warning) at run time
    from medbill.batch._remittance import RemittanceTables as RemittanceTables

# Receive-only types (tests/api/receive_only.txt): records medbill returns and users
# only read. Out of __all__ and provisional since 0.2.0; still imported, without a warning.
__getattr__ = receive_only_names(
    __name__,
    {
        "RemittanceTables": ("medbill.batch._remittance", "remittance_tables()"),
    },
)
