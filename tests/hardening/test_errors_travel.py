"""Errors travel (pickle, copy, processes) with their fields, all their problems and PHI masked.

Issue 14: a pickled ValidationError printed the birth date in clear, a combined error
dropped to its first problem, ClaimStateError and UnbalancedEntryError failed to unpickle
and DuplicateEntryError's message doubled.
"""

from __future__ import annotations

import copy
import pickle
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal

import pendulum
import pytest

from medbill import (
    ClaimStateError,
    DuplicateEntryError,
    LedgerBusyError,
    LedgerError,
    LedgerFileError,
    MedbillError,
    ParseError,
    PeriodClosedError,
    PricingError,
    StaleBalanceError,
    UnbalancedEntryError,
    ValidationError,
)

BIRTH = pendulum.date(1957, 11, 23)


def _phi_error() -> ValidationError:
    return ValidationError("birth_date", BIRTH, "is in the future", phi=True)


def _raise_phi_error(_: int) -> None:
    raise ValidationError.combine(
        [_phi_error(), ValidationError("units", Decimal(-1), "must be positive")]
    )


ERRORS: list[MedbillError] = [
    _phi_error(),
    ValidationError.combine([_phi_error(), ValidationError("units", -1, "must be positive")]),
    PricingError("code", "99999", "no fee"),
    ClaimStateError("draft", "paid", "not submitted"),
    LedgerError("unknown entry 'e-1'"),
    UnbalancedEntryError("charge-1", Decimal("100.00"), Decimal("99.99")),
    DuplicateEntryError("era-1/claim-1"),
    StaleBalanceError("cash", Decimal("1.00"), Decimal("2.00")),
    PeriodClosedError("pay-1", pendulum.date(2025, 1, 2), pendulum.date(2025, 1, 31)),
    LedgerBusyError("ledger.sqlite", 5.0),
    LedgerFileError("notes.txt", "it is not an SQLite database"),
    ParseError("expected a number", location="segment 12 (CLP), element 3"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("how", ["pickle", "copy", "deepcopy"])
def test_every_error_survives_pickle_and_copy(error: MedbillError, how: str) -> None:
    if how == "pickle":
        back = pickle.loads(pickle.dumps(error))
    elif how == "copy":
        back = copy.copy(error)
    else:
        back = copy.deepcopy(error)
    assert type(back) is type(error)
    assert str(back) == str(error)  # not rebuilt: DuplicateEntryError's message used to double
    public = {k: v for k, v in vars(error).items() if k not in ("problems", "_problems")}
    assert {k: v for k, v in vars(back).items() if k not in ("problems", "_problems")} == public
    if isinstance(error, ValidationError):
        assert isinstance(back, ValidationError)
        assert [str(p) for p in back.problems] == [str(p) for p in error.problems]
        assert [p.phi for p in back.problems] == [p.phi for p in error.problems]


def test_phi_stays_masked_after_pickling() -> None:
    back = pickle.loads(pickle.dumps(_phi_error()))
    assert "1957-11-23" not in str(back)
    assert "19**-**-**" in str(back)
    assert back.value == BIRTH  # the raw value stays available to code, never in str()


def test_phi_stays_masked_across_a_process_pool() -> None:
    with ProcessPoolExecutor(max_workers=1) as pool:
        future = pool.submit(_raise_phi_error, 1)
        with pytest.raises(ValidationError) as caught:
            future.result()
    error = caught.value
    assert "1957-11-23" not in str(error)
    assert len(error.problems) == 2  # a combined error keeps every problem
    assert error.problems[0].phi


def test_messages_are_bounded_whatever_the_value() -> None:
    huge_int = 10**5000  # repr() of an int over 4,300 digits raises ValueError
    assert "5001 digits" in str(ValidationError("units", huge_int, "is too large"))
    long_text = "x" * 100_000
    assert len(str(ValidationError("memo", long_text, "is too long"))) < 200

    class Hostile:
        def __repr__(self) -> str:
            raise RuntimeError("no repr for you")

    assert "Hostile" in str(ValidationError("thing", Hostile(), "is odd"))  # no exception


def test_combined_messages_list_twenty_problems_and_the_count() -> None:
    problems = [ValidationError(f"lines[{i}].units", 0, "must be positive") for i in range(500)]
    error = ValidationError.combine(problems)
    text = str(error)
    assert text.startswith("500 problems:")
    assert text.count("\n  - ") == 20
    assert text.endswith("... and 480 more")
    assert error.problem_count == 500  # every problem counted, the first 20 kept
    assert [p.field for p in error.problems] == [f"lines[{i}].units" for i in range(20)]
    again = ValidationError.combine([error, ValidationError("charge", 1.5, "is a float")])
    assert again.problem_count == 501
    assert error.at("claim").problem_count == 500
    back = pickle.loads(pickle.dumps(error))
    assert back.problem_count == 500
    assert str(back) == text


def test_the_error_tree_is_drawn_completely() -> None:
    """Every error class medbill defines is in the tree of _errors.py and the errors page."""
    import importlib
    import pkgutil
    from pathlib import Path

    import medbill
    from medbill import _errors

    page = (Path(__file__).parents[2] / "docs" / "concepts" / "errors.md").read_text()
    classes: set[str] = set()
    for info in pkgutil.walk_packages(medbill.__path__, "medbill."):
        if info.name.startswith(("medbill.cli", "medbill.spark", "medbill.batch", "medbill.fhir")):
            continue  # extras need optional packages
        for value in vars(importlib.import_module(info.name)).values():
            if (
                isinstance(value, type)
                and issubclass(value, MedbillError | Warning)
                and value.__module__.startswith("medbill")
            ):
                classes.add(value.__name__)
    assert {"MedbillError", "X12Warning", "UnbalancedRemittanceError"} <= classes
    tree = _errors.__doc__ or ""
    assert sorted(c for c in classes if c not in tree and c != "X12Warning") == []
    assert sorted(c for c in classes if c not in page) == []
