"""Helpers for driving the ``medbill`` command in-process."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from click.testing import CliRunner, Result

from medbill.cli._app import cli

from .helpers import Invoke


@pytest.fixture
def invoke() -> Invoke:
    """Run ``medbill ARGS`` through click's runner; stdout and stderr kept apart."""
    runner = CliRunner()

    def run(args: Sequence[str]) -> Result:
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return run
