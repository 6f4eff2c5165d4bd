"""Lines as their distinct signatures: every rule of a line reads a handful of columns.

What the fee schedule and a contract decide for a line, but for its units and charge,
depends only on its *signature*: the procedure, the modifiers, the place of service, the
locality, the provider kind and the date of service (and, for the few lines that cannot
be priced because of them, a non-positive units value or a charge that is not whole
cents). A year of claims has millions of lines and a few thousand signatures, so the
rules are worked out once per signature, on a small table, and each line takes its
signature's answers by position (``_sig``) -- a gather, not a join on text.

The signature of a line is found exactly: the row's columns are hashed into one 64-bit
number (``DataFrame.hash_rows``), every line takes the first line of its number, and the
line's own values are compared with that line's; should two different signatures ever share a
number, the lines are grouped on the columns themselves instead (slower, same answer).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import pyarrow.compute as pc

__all__ = ["Lines", "exact_signatures", "signatures"]


class Lines:
    """The per-line columns (``rows``) and the distinct signatures (``sigs``).

    ``rows`` has, in the table's order, the caller's columns the batch functions read per
    line (claim and line id, date, units in thousandths ``_units_milli``, charge in cents
    ``_charge``, money columns) and ``_sig``, the position of the line's signature in
    ``sigs``. ``sigs`` has the signature columns, normalised (see
    :func:`medbill.batch._pricing.normalise_lines`).
    """

    __slots__ = ("rows", "sigs")

    def __init__(self, rows: pl.DataFrame, sigs: pl.DataFrame) -> None:
        self.rows = rows
        self.sigs = sigs

    def where(self, keep: pl.Expr) -> Lines:
        """The lines for which ``keep`` holds (the signatures table is shared)."""
        return Lines(self.rows.filter(keep), self.sigs)

    def gather(self, column: str) -> pl.Series:
        """The signature column ``column`` for every line."""
        return self.sigs[column].gather(self.rows["_sig"])


def signatures(frame: pl.DataFrame, keys: Sequence[str]) -> tuple[pl.Series, pl.DataFrame]:
    """(``_sig`` for every row, the distinct rows of ``frame[keys]`` in first-seen order)."""
    if frame.height == 0:
        return pl.Series("_sig", [], dtype=pl.UInt32), frame.select(keys)
    hashes = frame.select(keys).hash_rows()
    # each hash's number in first-seen order (Arrow's hash table on the 64-bit hashes)
    encoded = pc.dictionary_encode(hashes.to_arrow())
    sig = pl.Series("_sig", encoded.indices).cast(pl.UInt32)
    first = sig.arg_unique()
    distinct = frame.select(keys)[first]
    # every line against its signature's first line, all columns gathered at once
    firsts = distinct[sig]
    if all(frame[key].eq_missing(firsts[key]).all() for key in keys):
        return sig, distinct
    # two signatures share a hash: group on the columns themselves
    return exact_signatures(frame, keys)


def exact_signatures(frame: pl.DataFrame, keys: Sequence[str]) -> tuple[pl.Series, pl.DataFrame]:
    """:func:`signatures` by grouping on the columns themselves (nulls equal)."""
    distinct = frame.select(keys).unique(maintain_order=True)
    sig = (
        frame.select(keys)
        .join(
            distinct.with_row_index("_sig"),
            on=list(keys),
            how="left",
            nulls_equal=True,
            maintain_order="left",
        )["_sig"]
        .rename("_sig")
    )
    return sig, distinct
