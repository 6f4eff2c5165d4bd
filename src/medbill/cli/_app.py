"""The ``medbill`` click group, its one-line error handling and the entry point."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Sequence
from typing import IO, Any

import click

from medbill import __version__
from medbill._errors import MAX_LISTED_PROBLEMS, MedbillError, ValidationError
from medbill._files import os_reason
from medbill.cli._output import printable

__all__ = ["CliError", "cli", "main", "one_line"]


def one_line(error: BaseException) -> str:
    """The message of ``error`` on one line (every problem of a combined error, joined).

    >>> from medbill import ValidationError
    >>> one_line(ValidationError.combine([ValidationError("units", 0, "must be positive"),
    ...                                   ValidationError("charge", "x", "is not a number")]))
    "2 problems: units: must be positive (got 0); charge: is not a number (got 'x')"
    """
    if isinstance(error, ValidationError) and error.problem_count > 1:
        listed = error.problems[:MAX_LISTED_PROBLEMS]
        found = "; ".join(str(p) for p in listed)
        more = error.problem_count - len(listed)
        tail = f"; ... and {more} more" if more > 0 else ""
        return printable(f"{error.problem_count} problems: {found}{tail}")
    return printable(" ".join(str(error).split()))


class CliError(click.ClickException):
    """A refused command: one line on standard error, exit status 1, no traceback."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"medbill: error: {self.format_message()}", err=True, file=file)


def _os_message(error: OSError) -> str:
    name = error.filename if error.filename is not None else ""
    return f"{os_reason(error)}: {name}"


class MedbillGroup(click.Group):
    """A click group that turns every expected failure into one line and exit status 1.

    Expected failures: every :class:`~medbill.MedbillError` (bad input files, unknown
    codes, unbalanced remittances, refused ledger operations), missing or unreadable
    files, undecodable text and SQLite errors. Anything else is a bug and keeps its
    traceback.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MedbillError as error:
            raise CliError(one_line(error)) from None
        except OSError as error:
            raise CliError(_os_message(error)) from None
        except UnicodeDecodeError as error:
            raise CliError(f"not a UTF-8 text file: {error.reason}") from None
        except sqlite3.Error as error:
            raise CliError(f"database error: {one_line(error)}") from None
        except ValueError as error:
            # os.stat and open refuse a path with a NUL byte with a bare ValueError
            if "null byte" not in str(error):
                raise
            raise CliError("a file name cannot contain a NUL byte") from None


@click.group(cls=MedbillGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="medbill", message="%(prog)s %(version)s")
def cli() -> None:
    """medbill: US medical billing from the command line.

    Price services, scrub claims, post 835 remittances to the SQLite ledger, check payments
    against contracts, and print aging, statements and the trial balance. Every command
    takes --json for scripts. Start with `medbill demo`.
    """


def _register() -> None:
    from medbill.cli._commands import demo, era, price, reports, scrub, statements, worklist

    cli.add_command(price.price)
    cli.add_command(scrub.scrub_command)
    cli.add_command(era.era_group)
    cli.add_command(reports.aging_command)
    cli.add_command(reports.statement_command)
    cli.add_command(statements.statements_command)
    cli.add_command(reports.ledger_group)
    cli.add_command(worklist.worklist_command)
    cli.add_command(demo.demo)


_register()


def main(argv: Sequence[str] | None = None, *, standalone: bool = True) -> int:
    """Run the ``medbill`` command with ``argv`` (default: the process arguments).

    With ``standalone`` (the console script) the process exits with the command's status;
    otherwise the status is returned.

    >>> from medbill.cli import main
    >>> main(["--version"], standalone=False)
    medbill 0.1.0
    0
    """
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="medbill")
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    if standalone:
        sys.exit(code)
    return code
