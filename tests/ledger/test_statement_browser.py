"""The statements the demo writes, opened in headless Chromium and read back from the PDF.

Chromium is Debian's ``chromium`` package (``.ci/services/40-chromium.sh`` installs it and
exports ``MEDBILL_CHROMIUM``). Each HTML statement is loaded at US-letter width (8.5 in at
96 px = 816 px); a small script added to a copy of the page writes the layout widths and
the page's rendered text (``innerText``, which leaves out what CSS hides) into the DOM,
and ``--dump-dom`` reads them back. A screenshot of each is kept for a person to look at.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import NoReturn

import pytest
from click.testing import CliRunner

from medbill.cli._app import cli

LETTER_WIDTH_PX = 816
LETTER_HEIGHT_PX = 1056
PROBE = (
    "<script>window.addEventListener('load',function(){var d=document.documentElement;"
    "var p=document.createElement('pre');p.id='probe';p.style.display='none';"
    "p.textContent=JSON.stringify({scroll:d.scrollWidth,client:d.clientWidth,"
    "text:document.body.innerText});document.body.appendChild(p);});</script>"
)


def chromium_flags(profile: Path) -> list[str]:
    return [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        f"--window-size={LETTER_WIDTH_PX},{LETTER_HEIGHT_PX}",
    ]


@pytest.fixture(scope="module")
def chromium(service_unavailable: Callable[[str], NoReturn]) -> str:
    found = os.environ.get("MEDBILL_CHROMIUM") or shutil.which("chromium")
    if not found:
        service_unavailable("headless Chromium is not installed (apt-get install chromium)")
    return found


@pytest.fixture(scope="module")
def demo_statements(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(cli, ["demo", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.stderr
    return out / "statements"


def run_chromium(chromium: str, args: list[str], profile: Path) -> str:
    done = subprocess.run(
        [chromium, *chromium_flags(profile), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def mailed(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.html")) + sorted((folder / "held").glob("*.html"))


def test_every_demo_statement_renders_within_letter_width_with_its_key_facts_visible(
    chromium: str, demo_statements: Path, tmp_path: Path
) -> None:
    pages = mailed(demo_statements)
    assert pages, "the demo wrote no statements"
    for page in pages:
        data = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
        probed = tmp_path / f"probe-{page.name}"
        probed.write_text(
            page.read_text(encoding="utf-8").replace("</head>", PROBE + "</head>"),
            encoding="utf-8",
        )
        dom = run_chromium(chromium, ["--dump-dom", probed.as_uri()], tmp_path / "profile")
        found = re.search(r'<pre id="probe"[^>]*>(.*?)</pre>', dom, re.S)
        assert found, f"{page.name}: the layout probe did not run"
        probe = json.loads(html.unescape(found.group(1)))
        assert probe["scroll"] <= probe["client"], f"{page.name}: horizontal overflow {probe}"
        text = probe["text"]
        assert f"${Decimal(data['amount_due']):,.2f}" in text, page.name
        year, month, day = data["due_date"].split("-")
        assert f"{month}/{day}/{year}" in text, page.name
        assert data["account_number"] in text, page.name
        for served in data["days"]:
            year, month, day = served["service_date"].split("-")
            assert f"{month}/{day}/{year}" in text, page.name
        shot = demo_statements / f"{page.stem}.png"
        run_chromium(chromium, [f"--screenshot={shot}", page.as_uri()], tmp_path / "profile")
        assert shot.stat().st_size > 10_000  # a rendered page, not a blank one


def test_the_pdf_statements_carry_the_same_facts(demo_statements: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    for pdf in sorted(demo_statements.glob("*.pdf")) + sorted(demo_statements.glob("held/*.pdf")):
        data = json.loads(pdf.with_suffix(".json").read_text(encoding="utf-8"))
        reader = pypdf.PdfReader(pdf)
        assert len(reader.pages) == 1, pdf.name  # one demo statement, one letter page
        text = "\n".join(page.extract_text() for page in reader.pages)
        assert data["account_number"] in text
        assert f"${Decimal(data['amount_due']):,.2f}" in text
        assert "Please detach and return" in text
        box = reader.pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (612, 792)  # US letter
