"""Assertions shared by the command tests."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import Result

Invoke = Callable[..., Result]


def assert_refused(result: Result, *fragments: str, code: int = 1) -> None:
    """The command failed with one clear line on stderr and no traceback."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    if code == 1:
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("medbill: error: ")
    for fragment in fragments:
        assert fragment in result.stderr
