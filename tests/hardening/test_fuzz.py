"""Fuzz targets, one per input surface: every input gives a value or a MedbillError.

The property for each target: the call returns, or raises a subclass of
:class:`~medbill.MedbillError` (never a raw ``KeyError``, ``TypeError``, ``csv.Error``,
``UnicodeDecodeError``, ...), and no message shows the PHI sentinel that the seed document
keeps in PHI fields. Each target runs seeded and briefly; ``MEDBILL_FUZZ_LONG=1`` runs
5,000 examples each (``MEDBILL_FUZZ_EXAMPLES=n`` bounds a long run). The inputs that broke
medbill before are kept in ``REGRESSIONS`` (the loaders and ``from_json``) and in
``test_cli_regressions`` (the command line).
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pendulum
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from medbill import (
    Claim,
    ClaimLine,
    ClaimPayment,
    Coverage,
    MedbillError,
    Patient,
    PatientPayment,
    PersonName,
    Remittance,
)
from medbill.claims import read_mue, read_ptp
from medbill.cli._app import cli
from medbill.codes import Icd10CodeSet
from medbill.fees import AnesthesiaSchedule, Contract, FeeSchedule, MedicareFeeSchedule
from medbill.serialize import from_json, to_json
from medbill.testing import (
    make_claim,
    make_claim_payment,
    make_coverage,
    make_patient,
    make_patient_payment,
    make_remittance,
)

from ._mutate import FUZZ, SENTINEL_BIRTH, SENTINEL_NAME, mutated, no_sentinel


def _call(function: Callable[[], Any]) -> None:
    try:
        function()
    except MedbillError as error:
        no_sentinel(str(error))
        no_sentinel(repr(error))
        for problem in getattr(error, "problems", ()):
            no_sentinel(str(problem))


# -- from_json, per entity ------------------------------------------------------------------

_PATIENT = make_patient(
    name=PersonName(family=SENTINEL_NAME, given="Zebediah"),
    birth_date=pendulum.parse(SENTINEL_BIRTH).date(),  # type: ignore[union-attr]
)
ENTITIES: list[tuple[type[Any], str]] = [
    (Patient, to_json(_PATIENT)),
    (Coverage, to_json(make_coverage())),
    (Claim, to_json(make_claim(patient=_PATIENT))),
    (ClaimLine, to_json(make_claim().lines[0])),
    (ClaimPayment, to_json(make_claim_payment())),
    (Remittance, to_json(make_remittance())),
    (PatientPayment, to_json(make_patient_payment())),
]


@pytest.mark.parametrize(("cls", "seed"), ENTITIES, ids=[c.__name__ for c, _ in ENTITIES])
def test_from_json_fuzz(cls: type[Any], seed: str) -> None:
    @FUZZ
    @given(mutated(seed))
    def target(text: str) -> None:
        _call(lambda: from_json(cls, text))

    target()


# -- file loaders ----------------------------------------------------------------------------

CONTRACT_TOML = """\
payer = "acme"
name = "Acme PPO 2025"
effective_from = 2025-01-01
effective_to = 2025-12-31
lesser_of_billed = true

[[carve_out]]
codes = ["J0000-J9999"]
percent_of_billed = "0.60"

[[fixed_rate]]
codes = ["99213"]
amount = "95.00"

[percent_of_billed]
percent = "0.50"
"""

FEE_CSV = """\
code,modifier,amount,valid_from,valid_to
99213,,95.00,2025-01-01,2025-12-31
99214,25,140.00,2025-01-01,
"""

ICD10_ORDER = (
    "00001 A00     0 Cholera                                                      Cholera\n"
    "00002 A000    1 Cholera due to Vibrio cholerae 01, biovar cholerae          "
    "Cholera due to Vibrio cholerae 01, biovar cholerae\n"
    "00003 E119    1 Type 2 diabetes mellitus without complications               "
    "Type 2 diabetes mellitus without complications\n"
)

PTP_LINES = [
    "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date"
    "\tModifier\tPTP Edit Rationale",
    "\t\t\t\t*=no data\t0=not allowed 1=allowed 9=not applicable\t",
    "93000\t93010\t\t20010101\t*\t1\tHCPCS/CPT procedure code definition",
    "93000\t36591\t\t20130101\t20231231\t0\tCPT Manual or CMS manual coding instruction",
]
MUE_LINES = [
    '"HCPCS/CPT Code","Practitioner Services MUE Values","MUE Adjudication Indicator",'
    '"MUE Rationale"',
    '"36415","2","3 Date of Service Edit: Clinical","CMS Policy"',
    '"97110","6","2 Date of Service Edit: Policy","Clinical: Data"',
]


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return path


def test_contract_toml_fuzz() -> None:
    @FUZZ
    @given(mutated(CONTRACT_TOML))
    def target(text: str) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = _write(Path(folder), "acme.toml", text)
            _call(lambda: Contract.from_toml(path))

    target()


def test_fee_csv_fuzz() -> None:
    @FUZZ
    @given(mutated(FEE_CSV))
    def target(text: str) -> None:
        _call(lambda: FeeSchedule.from_csv_text(text))
        with tempfile.TemporaryDirectory() as folder:
            path = _write(Path(folder), "fees.csv", text)
            _call(lambda: FeeSchedule.from_csv(path))

    target()


def test_icd10_order_file_fuzz() -> None:
    @FUZZ
    @given(mutated(ICD10_ORDER))
    def target(text: str) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = _write(Path(folder), "order.txt", text)
            _call(lambda: Icd10CodeSet.from_order_file(path))

    target()


def test_ncci_fuzz() -> None:
    @FUZZ
    @given(mutated("\n".join(PTP_LINES)), mutated("\n".join(MUE_LINES)))
    def target(ptp: str, mue: str) -> None:
        _call(lambda: list(read_ptp(ptp.splitlines())))
        _call(lambda: list(read_mue(mue.splitlines())))

    target()


def _head(path: Path, lines: int) -> str:
    with path.open(encoding="latin-1") as handle:
        return "".join(itertools.islice(handle, lines))


@pytest.fixture(scope="module")
def cms_seeds(reference_dir: Path) -> tuple[str, str, str]:
    folder = reference_dir / "cms-pfs-2025"
    rvu = _head(folder / "PPRRVU25_JAN.csv", 40)
    gpci = _head(folder / "GPCI2025.csv", 12)
    anes = _head(reference_dir / "northstar-cms-codes" / "pfs_anes.csv", 8)
    return rvu, gpci, anes


def test_cms_files_fuzz(cms_seeds: tuple[str, str, str]) -> None:
    rvu_seed, gpci_seed, anes_seed = cms_seeds

    @FUZZ
    @given(mutated(rvu_seed), mutated(gpci_seed), mutated(anes_seed), st.integers(0, 2))
    def target(rvu: str, gpci: str, anes: str, which: int) -> None:
        with tempfile.TemporaryDirectory() as folder:
            base = Path(folder)
            texts = [rvu_seed, gpci_seed, anes_seed]
            texts[which] = [rvu, gpci, anes][which]
            rvu_path = _write(base, "rvu.csv", texts[0])
            gpci_path = _write(base, "gpci.csv", texts[1])
            anes_path = _write(base, "anes.csv", texts[2])
            units = _write(base, "units.csv", "code,base_units\n00100,5\n")
            _call(lambda: MedicareFeeSchedule.from_cms_files(rvu_path, gpci_path))
            _call(lambda: AnesthesiaSchedule.from_files(units, anes_path))

    target()


# -- the corpus of inputs that broke medbill (issue 14 and the fuzz runs) --------------------


def _mue(value: str) -> str:
    return MUE_LINES[0] + "\n" + f'"36415","{value}","3 Date of Service Edit: Clinical","CMS"'


REGRESSIONS: list[tuple[str, str, str]] = [
    # (surface, what broke, the input)
    ("mue", "superscript two passed str.isdigit, then int() raised", _mue("²")),
    ("mue", "Arabic-Indic digit", _mue("٣")),
    ("ptp", "superscript in a date", PTP_LINES[0] + "\n93000\t93010\t\t2001010²\t*\t1\tx"),
    ("toml", "codes = 5 raised a bare TypeError", CONTRACT_TOML.replace('["99213"]', "5")),
    ("toml", "a code that is a number", CONTRACT_TOML.replace('["99213"]', "[99213]")),
    ("fee_csv", "a stray carriage return", FEE_CSV.replace("95.00", "95.00\r", 1)),
    ("fee_csv", "NaN amount", FEE_CSV.replace("95.00", "NaN", 1)),
    ("fee_csv", "1E30 amount", FEE_CSV.replace("95.00", "1E30", 1)),
    ("json_claim", "5,000-digit integer", to_json(make_claim()).replace('"150.00"', "9" * 5000)),
    ("json_claim", "deep nesting", '{"lines": ' + "[" * 50_000 + "]" * 50_000 + "}"),
    ("json_claim", "a line that is a string", '{"schema_version": 1, "lines": "x"}'),
    (
        "json_patient",
        "name as a plain string",
        to_json(_PATIENT).replace(
            to_json(_PATIENT)[
                to_json(_PATIENT).index('"name"') : to_json(_PATIENT).index('"birth_date"')
            ],
            '"name": "Zebediah Quixotefield", ',
        ),
    ),
]


@pytest.mark.parametrize(("surface", "why", "text"), REGRESSIONS, ids=[r[1] for r in REGRESSIONS])
def test_regression_corpus(surface: str, why: str, text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        run: dict[str, Callable[[], Any]] = {
            "mue": lambda: list(read_mue(text.splitlines())),
            "ptp": lambda: list(read_ptp(text.splitlines())),
            "toml": lambda: Contract.from_toml(_write(base, "acme.toml", text)),
            "fee_csv": lambda: FeeSchedule.from_csv_text(text),
            "json_claim": lambda: from_json(Claim, text),
            "json_patient": lambda: from_json(Patient, text),
        }
        with pytest.raises(MedbillError) as caught:  # each corpus entry is invalid
            run[surface]()
    for message in (str(caught.value), repr(caught.value)):
        no_sentinel(message)


# -- the CLI argument parser, through click's runner ----------------------------------------

ARGS = [
    "price",
    "scrub",
    "era",
    "post",
    "check",
    "aging",
    "statement",
    "ledger",
    "trial-balance",
    "--json",
    "--billed",
    "--tolerance",
    "--code",
    "--modifier",
    "--units",
    "--as-of",
    "--db",
    "--locality",
    "99213",
    "25",
    "1E28",
    "1E30",
    "-5",
    "NaN",
    "2025-13-45",
    "[/oops]",
    "\x1b[2J",
    "\x00",
    "",
]


def test_cli_arguments_fuzz(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # a --db or --out the fuzzer names lands here
    runner = CliRunner()

    @FUZZ
    @given(st.lists(st.sampled_from(ARGS) | st.text(max_size=6), max_size=6))
    def target(argv: list[str]) -> None:
        result = runner.invoke(cli, argv, catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"medbill {argv!r} raised {result.exception!r}")
        assert result.exit_code in (0, 1, 2), (argv, result.exit_code)
        assert "Traceback" not in result.output

    target()


def test_cli_regressions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inputs the fuzzer found, kept as regression cases."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for argv in (["scrub", "\x00"], ["price", "\x00", "--schedule", "x.csv"]):
        result = runner.invoke(cli, argv)
        assert result.exit_code in (1, 2), (argv, result.exception)
        assert not isinstance(result.exception, ValueError)
