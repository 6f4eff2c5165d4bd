"""Mutation strategies for fuzzing text inputs with hypothesis.

A fuzz target starts from a valid document and applies a few edits: delete, duplicate or
replace a span, or insert one of the tokens that broke medbill before (huge numbers, NaN,
superscript digits, control characters, deep nesting, delimiters, the PHI sentinel).
Seeded and brief in the test command; ``MEDBILL_FUZZ_LONG=1`` runs 5,000 examples a target.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES = int(
    os.environ.get("MEDBILL_FUZZ_EXAMPLES")
    or (5_000 if os.environ.get("MEDBILL_FUZZ_LONG") else 60)
)
"""Examples per target: 60 seeded, 5,000 random with ``MEDBILL_FUZZ_LONG=1``, or
``MEDBILL_FUZZ_EXAMPLES=n`` (a bounded long run on a busy machine)."""

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("MEDBILL_FUZZ_LONG"),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
"""The settings of every fuzz target: seeded (derandomized) unless the long mode is on."""

SENTINEL_NAME = "Quixotefield"
SENTINEL_BIRTH = "1957-11-23"

TOKENS = [
    "",
    "0",
    "-5",
    "1E28",
    "1E30",
    "9" * 60,
    "NaN",
    "Infinity",
    "sNaN",
    "²",
    "٣",
    "\x00",
    "\n",
    "\r\n",
    "\x1b[31m",
    ",",
    ";",
    '"',
    "'",
    "[",
    "]",
    "{",
    "}",
    ":",
    "=",
    "*",
    "~",
    "\t",
    "null",
    "true",
    "[[",
    '"x" = 5',
    "codes = 5",
    "=HYPERLINK(1)",
    "[/oops]",
]
# The PHI sentinel is never a token: it sits only in the seeds' PHI fields, so an error that
# shows it echoed PHI (a mutation may still move it, for example into a key of the name).


@st.composite
def mutated(draw: st.DrawFn, seed: str, *, max_edits: int = 4) -> str:
    """``seed`` with one to ``max_edits`` random edits."""
    text = seed
    for _ in range(draw(st.integers(1, max_edits))):
        if not text:
            text = draw(st.sampled_from(TOKENS))
            continue
        start = draw(st.integers(0, len(text) - 1))
        end = min(len(text), start + draw(st.integers(0, 12)))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "replace", "truncate"]))
        if action == "delete":
            text = text[:start] + text[end:]
        elif action == "duplicate":
            text = text[:end] + text[start:end] + text[end:]
        elif action == "insert":
            token = draw(st.sampled_from(TOKENS) | st.text(max_size=4))
            text = text[:start] + token + text[start:]
        elif action == "replace":
            token = draw(st.sampled_from(TOKENS) | st.text(max_size=4))
            text = text[:start] + token + text[end:]
        else:
            text = text[:start]
    return text


def no_sentinel(message: str) -> None:
    """Fail if an error message shows the PHI sentinel placed in a PHI field."""
    if SENTINEL_NAME in message or SENTINEL_BIRTH in message or "19571123" in message:
        raise AssertionError(f"PHI sentinel in an error message: {message[:300]!r}")
