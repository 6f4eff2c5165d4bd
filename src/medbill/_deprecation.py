"""Deprecated names: one warning text, so every rename reads the same (docs/compatibility.md).

A renamed parameter or attribute keeps its old name for at least one minor release; using it
warns with :class:`DeprecationWarning` naming the replacement, and CHANGELOG.md lists it
under "Deprecated".
"""

from __future__ import annotations

import warnings

__all__ = ["warn_renamed"]


def warn_renamed(
    where: str, old: str, new: str, *, since: str = "0.2.0", stacklevel: int = 3
) -> None:
    """Warn that ``old`` (in ``where``) is deprecated in favour of ``new``.

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_renamed("FeeSchedule.amount", "modifier=", "modifiers=")
    >>> print(caught[0].message)
    FeeSchedule.amount: modifier= is deprecated since medbill 0.2.0; use modifiers= instead
    """
    warnings.warn(
        f"{where}: {old} is deprecated since medbill {since}; use {new} instead",
        DeprecationWarning,
        stacklevel=stacklevel,
    )
