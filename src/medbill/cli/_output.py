"""Output helpers: rich tables for people, JSON for scripts, progress on long work.

Tables go to standard output; progress bars go to standard error and only when it is a
terminal, so piped output and ``--json`` stay clean.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, TypeVar

import click
import pendulum
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

__all__ = [
    "emit_json",
    "heading",
    "jsonable",
    "make_console",
    "money",
    "printable",
    "progress",
    "status",
    "table",
]

T = TypeVar("T")
_WIDTH = 110  # the width used when standard output is not a terminal (files, pipes, tests)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def printable(text: str, *, keep_newlines: bool = False) -> str:
    r"""``text`` with every control character shown as an escape (``\x1b``, ``\n``).

    Data from files (a payer name in an 835, a memo, a patient id) can hold terminal
    escapes or line breaks; printed raw they would recolour the terminal, forge a line, or
    hide text. Rich markup is off in every console medbill makes, so ``[link=...]`` and
    ``[/oops]`` print as they are.

    >>> printable("ACME\x1b[2J\nNew balance 0.00")
    'ACME\\x1b[2J\\nNew balance 0.00'
    """

    def escape(match: re.Match[str]) -> str:
        char = match.group(0)
        if keep_newlines and char == "\n":
            return char
        code = ord(char)
        return repr(char)[1:-1] if code < 0x100 else f"\\u{code:04x}"

    return _CONTROL.sub(escape, text)


class SafeConsole(Console):
    """A rich console that never interprets markup and escapes control characters in text."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        kwargs["markup"] = False
        safe = [printable(o, keep_newlines=True) if isinstance(o, str) else o for o in objects]
        super().print(*safe, **kwargs)


def make_console(*, stderr: bool = False) -> Console:
    """A console on the current standard output (or error), plain when not a terminal.

    Markup is off and control characters in text are escaped (see :func:`printable`).
    """
    stream = sys.stderr if stderr else sys.stdout
    terminal = stream.isatty()
    return SafeConsole(
        file=stream,
        highlight=False,
        markup=False,
        width=None if terminal else _WIDTH,
        color_system="auto" if terminal else None,
        emoji=False,
    )


def money(amount: Decimal | None) -> str:
    """An amount as a billing specialist reads it: ``1,234.50``; ``-`` for none."""
    return "-" if amount is None else f"{amount:,.2f}"


def jsonable(value: Any) -> Any:
    """Plain JSON data: Decimals and dates become strings (money never becomes a float)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, pendulum.Date | pendulum.DateTime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def emit_json(data: Any) -> None:
    """Write ``data`` as indented JSON on standard output."""
    click.echo(json.dumps(jsonable(data), indent=2, ensure_ascii=False))


def table(
    title: str | None,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    numeric: Iterable[str] = (),
    nowrap: Iterable[str] = (),
    console: Console | None = None,
) -> None:
    """Print a rich table; the columns named in ``numeric`` are right-aligned, those in
    ``nowrap`` (codes, field paths) are never wrapped or cut."""
    right = set(numeric)
    whole = set(nowrap)
    grid = Table(
        title=None if title is None else Text(printable(title)),
        title_justify="left",
        show_lines=False,
    )
    for column in columns:
        grid.add_column(
            Text(column), justify="right" if column in right else "left", no_wrap=column in whole
        )
    for row in rows:
        grid.add_row(*(Text("" if cell is None else printable(str(cell))) for cell in row))
    (console or make_console()).print(grid)


def heading(text: str, *, console: Console | None = None) -> None:
    """Print a section heading."""
    (console or make_console()).rule(Text(printable(text), style="bold"), align="left")


@contextmanager
def status(message: str) -> Iterator[None]:
    """A spinner on standard error while a long step runs (only on a terminal)."""
    console = make_console(stderr=True)
    if not console.is_terminal:
        yield
        return
    with console.status(message):
        yield


def progress(items: Sequence[T], description: str) -> Iterator[T]:
    """Iterate over ``items`` showing a progress bar on standard error (only on a terminal)."""
    console = make_console(stderr=True)
    if not console.is_terminal or len(items) < 2:
        yield from items
        return
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(description, total=len(items))
        for item in items:
            yield item
            bar.advance(task)


def html_page(title: str, body: str) -> str:
    """A minimal standalone HTML document around a fragment (a statement's table)."""
    from html import escape

    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head>\n<body>\n{body}\n</body>\n</html>\n"
    )
