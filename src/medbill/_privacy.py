"""Masking of protected health information (PHI) for ``repr()``, ``str()`` and error messages.

Names, birth dates, member ids, addresses, phone numbers and e-mail addresses identify a
patient (45 CFR 164.514(b)(2) lists them among the HIPAA identifiers). medbill never
prints them in full: each word keeps its first character, digits of dates keep only the
century, identifiers keep their last four characters.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

__all__ = ["mask_date", "mask_email", "mask_id", "mask_text", "mask_value"]

_WORD = re.compile(r"\w+")


def mask_text(text: str) -> str:
    """Keep the first character of each word, star the rest.

    >>> mask_text("John Doe")
    'J*** D**'
    >>> mask_text("12 Elm St.")
    '1* E** S*.'
    """
    return _WORD.sub(lambda m: m.group(0)[0] + "*" * (len(m.group(0)) - 1), text)


def mask_date(value: _dt.date | str) -> str:
    """Keep the century of a date.

    >>> import pendulum
    >>> mask_date(pendulum.date(1984, 7, 2))
    '19**-**-**'
    """
    text = value.isoformat() if isinstance(value, _dt.date) else str(value)
    return text[:2] + re.sub(r"\d", "*", text[2:])


def mask_id(value: str) -> str:
    """Keep the last four characters of an identifier (all starred when it is that short).

    >>> mask_id("XJH123456789")
    '********6789'
    >>> mask_id("1234")
    '****'
    """
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def mask_email(value: str) -> str:
    """Mask both sides of an e-mail address, keeping the top-level domain.

    >>> mask_email("jane.doe@example.org")
    'j***.d**@e******.org'
    """
    local, _, domain = value.partition("@")
    host, dot, tld = domain.rpartition(".")
    return f"{mask_text(local)}@{mask_text(host)}{dot}{tld}" if dot else mask_text(value)


def mask_value(value: Any) -> str:
    """Mask any PHI value for a message: dates, e-mails, identifiers or free text.

    >>> mask_value("Jane Roe")
    "'J*** R**'"
    >>> mask_value(None)
    'None'
    >>> mask_value("19571123"), mask_value("11/23/1957")
    ("'19******'", "'**/**/****'")
    >>> mask_value("Nov 23 1957")
    "'N** ** ****'"
    """
    if value is None:
        return "None"
    if isinstance(value, _dt.date):
        return repr(mask_date(value))
    text = value if isinstance(value, str) else _text_of(value)
    if "@" in text:
        return repr(mask_email(text))
    if _looks_like_date(text):
        # Whatever the format (19571123, 11/23/1957, 1957.11.23), no digit of the month
        # or day is shown; an ISO or CCYYMMDD date keeps its century.
        head = text[:2] if re.match(r"(19|20)\d\d", text) else ""
        return repr(head + re.sub(r"\d", "*", text[len(head) :]))
    if re.search(r"\d", text) and " " not in text:
        return repr(mask_id(text))
    return repr(re.sub(r"\d", "*", mask_text(text)))


_DATE_LIKE = re.compile(
    r"\d{8}|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{6}"
)


def _looks_like_date(text: str) -> bool:
    stripped = text.strip()
    if not _DATE_LIKE.fullmatch(stripped):
        return False
    if stripped.isdigit() and len(stripped) == 8:
        return stripped[:2] in ("18", "19", "20") and "01" <= stripped[4:6] <= "12"
    return True


def _text_of(value: Any) -> str:
    # str() of a huge int or an odd object must not fail or run unbounded.
    if isinstance(value, int) and value.bit_length() > 256:
        return "*" * 8
    try:
        return str(value)[:200]
    except Exception:
        return "*" * 8
