"""Opening the files medbill reads, with every failure inside the error tree.

A missing or unreadable file raises :class:`~medbill.FileReadError` (the ``OSError`` is its
``__cause__``); bytes that are not text in the file's encoding, and CSV the ``csv`` module
cannot split, raise :class:`~medbill.ParseError` naming the path.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from medbill._errors import FileReadError, ParseError, ValidationError

__all__ = ["PRIVATE_MODE", "file_mode", "open_text", "os_reason", "read_text", "write_private"]

PRIVATE_MODE = 0o600
"""Files holding PHI (ledgers, statements, claims, 837P/835) are created owner-only."""


def os_reason(error: OSError) -> str:
    """A short reason for an ``OSError``, as the CLI prints it.

    >>> os_reason(FileNotFoundError(2, "No such file or directory"))
    'file not found'
    """
    if isinstance(error, FileNotFoundError):
        return "file not found"
    if isinstance(error, IsADirectoryError):
        return "is a directory, expected a file"
    if isinstance(error, PermissionError):
        return "permission denied"
    return f"cannot read or write ({error.strerror or type(error).__name__})"


@contextmanager
def open_text(
    path: str | os.PathLike[str], *, encoding: str = "utf-8", newline: str | None = None
) -> Iterator[TextIO]:
    """``open(path)`` for reading text, with failures as medbill errors.

    >>> with open_text("/no/such/file.csv") as handle:
    ...     pass
    Traceback (most recent call last):
    ...
    medbill.FileReadError: file not found: /no/such/file.csv
    """
    where = os.fspath(path)
    try:
        handle = open(where, encoding=encoding, newline=newline)  # noqa: SIM115
    except OSError as error:
        raise FileReadError(where, os_reason(error)) from error
    except (TypeError, ValueError) as error:  # a path with a NUL byte, a bad encoding name
        raise FileReadError(where, str(error)) from error
    with handle:
        try:
            yield handle
        except UnicodeDecodeError as error:
            raise ParseError(
                f"not {encoding} text (byte {error.start} of a block)", location=where
            ) from None
        except csv.Error as error:
            raise ParseError(f"not a readable CSV file: {error}", location=where) from None
        except OSError as error:
            raise FileReadError(where, os_reason(error)) from error


def read_text(path: str | os.PathLike[str], *, encoding: str = "utf-8") -> str:
    """The whole text of ``path``, with failures as medbill errors.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     file = pathlib.Path(folder) / "bad.toml"
    ...     _ = file.write_bytes(b"\\xff")
    ...     read_text(file)
    Traceback (most recent call last):
    ...
    medbill.ParseError: .../bad.toml: not utf-8 text (byte 0 of a block)
    """
    with open_text(Path(path), encoding=encoding) as handle:
        return handle.read()


def file_mode() -> int | None:
    """The mode for new PHI files: 0600, or ``None`` (the process umask) when the
    environment says ``MEDBILL_FILE_MODE=umask``; an octal such as ``640`` is taken as is.

    >>> file_mode() == PRIVATE_MODE
    True
    """
    setting = os.environ.get("MEDBILL_FILE_MODE", "").strip()
    if not setting:
        return PRIVATE_MODE
    if setting.lower() == "umask":
        return None
    try:
        mode = int(setting, 8)
    except ValueError:
        mode = -1
    if not 0 <= mode <= 0o777:
        raise ValidationError("MEDBILL_FILE_MODE", setting, "must be an octal mode or 'umask'")
    return mode


def write_private(
    path: str | os.PathLike[str], data: str | bytes, *, mode: int | None = PRIVATE_MODE
) -> None:
    """Write ``data`` to ``path``, created (or narrowed) to ``mode``; ``None`` keeps the umask.

    PHI files are owner-only by default, whatever the umask, so a statement or a claim
    written on a shared server is not readable by other accounts.

    >>> import tempfile, pathlib, stat
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "statement.html"
    ...     write_private(path, "<p>balance due</p>")
    ...     oct(stat.S_IMODE(path.stat().st_mode))
    '0o600'
    """
    where = os.fspath(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if mode is None:
            with open(where, "wb") as handle:
                handle.write(payload)
            return
        descriptor = os.open(where, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(descriptor, "wb") as handle:
            os.fchmod(handle.fileno(), mode)  # an existing file is narrowed too
            handle.write(payload)
    except OSError as error:
        raise FileReadError(where, os_reason(error)) from error
