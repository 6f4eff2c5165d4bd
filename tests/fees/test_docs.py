"""The Pricing guide's examples run as tests (also collected by --doctest-glob when docs/
is among the test paths)."""

from __future__ import annotations

import doctest
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_pricing_guide_examples_run() -> None:
    result = doctest.testfile(
        str(DOCS / "pricing.md"),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.attempted > 20
    assert result.failed == 0
