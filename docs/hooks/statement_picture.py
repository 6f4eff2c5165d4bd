"""MkDocs hook: the statement picture of ``docs/statements.md``, made at build time.

It runs the demo into a temporary folder, takes the statement of MRN-1004 (Tom Novak's
visit) and photographs it in headless Chromium at US-letter width. The PNG, the HTML and
the PDF are added to the site as ``img/statement-example.*``; nothing is committed. Without
Chromium (a laptop without it) a one-pixel placeholder stands in and the build says so.
"""

from __future__ import annotations

import logging
import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.hooks.statement_picture")
NAMES = ("statement-example.png", "statement-example.html", "statement-example.pdf")


def _placeholder_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )


def _make(folder: Path) -> None:
    from click.testing import CliRunner

    from medbill.cli._app import cli

    result = CliRunner().invoke(cli, ["demo", "--out", str(folder / "demo"), "--json"])
    if result.exit_code != 0:
        raise RuntimeError(f"the demo failed: {result.output[-2000:]}")
    statement = folder / "demo" / "statements" / "MRN-1004.html"
    img = folder / "img"
    img.mkdir()
    shutil.copy(statement, img / NAMES[1])
    pdf = statement.with_suffix(".pdf")
    if pdf.is_file():
        shutil.copy(pdf, img / NAMES[2])
    chromium = os.environ.get("MEDBILL_CHROMIUM") or shutil.which("chromium")
    png = img / NAMES[0]
    if chromium is None:
        if os.environ.get("CI") == "true":  # CI must build the real picture
            raise RuntimeError("chromium not found under CI=true (.ci/services/40-chromium.sh)")
        log.info("chromium not found: the statement picture is a placeholder")
        png.write_bytes(_placeholder_png())
        return
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={folder / 'profile'}", "--window-size=816,1056",
         "--hide-scrollbars", f"--screenshot={png}", statement.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def on_files(files: Files, config: Any) -> Files:
    folder = Path(tempfile.mkdtemp(prefix="medbill-docs-"))
    _make(folder)
    for name in NAMES:
        if (folder / "img" / name).is_file():
            files.append(
                File(f"img/{name}", src_dir=str(folder), dest_dir=config["site_dir"],
                     use_directory_urls=config["use_directory_urls"])
            )  # fmt: skip
    return files
