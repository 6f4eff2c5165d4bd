"""Fuzzing the new readers: any input gives a result or a ParseError, nothing else escapes."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from medbill import MedbillError, ParseError
from medbill.claims import PayerRules, read_aoc, read_hcpcs
from medbill.codes import Icd10CodeSet


def _read(name: str, text: str, reader: Callable[[Path], object], errors: type[Exception]) -> None:
    with tempfile.TemporaryDirectory() as folder, contextlib.suppress(errors):
        path = Path(folder) / name
        path.write_text(text)
        reader(path)


_CELLS = st.sampled_from(
    ["11000", "11001", "CCCCC", "1", "2", "3", "4", "x", "", "*", "20240101", "2024-13-01"]
)
_ROWS = st.lists(st.lists(_CELLS, max_size=6).map(",".join), max_size=6)
_HEADER = "Add-on Code,Primary Code,AOC Edit Type,AOC Edit Effective Date,AOC Edit Deletion Date"


@settings(max_examples=200, deadline=None)
@given(_ROWS, st.booleans())
def test_read_aoc_never_escapes(rows: list[str], header: bool) -> None:
    with contextlib.suppress(ParseError):
        list(read_aoc([_HEADER, *rows] if header else rows))


_TOML = st.lists(
    st.sampled_from(
        [
            'payer = "acme"',
            "[[required]]",
            'field = "note"',
            "field = 3",
            "[[frequency]]",
            'codes = ["G0439"]',
            "max_units = 1",
            'per = "day"',
            "[timely_filing]",
            "days = 30",
            "months = -2",
            'relax = ["limit"]',
            "relax = 1",
            "[[modifier]]",
            'any_of = ["GP"]',
            "bogus = true",
            "= broken",
            'name = "x"',
        ]
    ),
    max_size=12,
).map("\n".join)


@settings(max_examples=200, deadline=None)
@given(_TOML)
def test_payer_rules_never_escape(text: str) -> None:
    _read("rules.toml", text, PayerRules.from_toml, MedbillError)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "HCPC,ADD DT,TERM DT",
                "G2211,20210101,",
                "A4397,19900101,20211231",
                "K0552,2003,",
                "X,,",
                "J1100,19820101,20011301",
            ]
        ),
        max_size=5,
    )
)
def test_read_hcpcs_never_escapes(rows: list[str]) -> None:
    _read("hcpcs.csv", "\n".join(rows), read_hcpcs, ParseError)


@settings(max_examples=50, deadline=None)
@given(
    st.sampled_from(
        [
            "",
            "<x/>",
            "<ICD10CM.tabular><chapter><section id='A'><diag><name>11</name></diag>"
            "</section></chapter></ICD10CM.tabular>",
            "<ICD10CM.tabular>",
            "not xml",
        ]
    )
)
def test_tabular_xml_never_escapes(text: str) -> None:
    _read("tabular.xml", text, Icd10CodeSet.from_tabular_xml, ParseError)
