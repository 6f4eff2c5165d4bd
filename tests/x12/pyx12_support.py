"""Validation of X12 output by pyx12 (a test-only dependency), shared by the writer tests."""

from __future__ import annotations

import io
import logging

import pytest


def pyx12_errors(text: str) -> list[str]:
    """Every problem pyx12 finds in ``text``: its error log and the 999 it writes."""
    params = pytest.importorskip("pyx12.params")
    document = pytest.importorskip("pyx12.x12n_document")
    logged: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            # pyx12 cannot build a 999 for an 835 (whose ST03 is "not used"): not a finding
            if not message.startswith("Failed to create 999"):
                logged.append(message)

    handler = Collect(level=logging.ERROR)
    logger = logging.getLogger("pyx12")
    logger.addHandler(handler)
    try:
        ack = io.StringIO()
        accepted = document.x12n_document(params.params(), io.StringIO(text), ack, None)
    finally:
        logger.removeHandler(handler)
    segments = [s.strip() for s in ack.getvalue().split("~") if s.strip()]
    problems = logged + [s for s in segments if s.split("*")[0] in ("IK3", "IK4", "CTX")]
    problems += [
        s
        for s in segments
        if s.startswith(("IK5*", "AK9*")) and not s.startswith(("IK5*A", "AK9*A"))
    ]
    if not accepted and not problems:
        problems.append("pyx12 rejected the interchange")
    return problems
