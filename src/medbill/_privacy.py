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
    """
    if value is None:
        return "None"
    if isinstance(value, _dt.date):
        return repr(mask_date(value))
    text = str(value)
    if "@" in text:
        return repr(mask_email(text))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return repr(mask_date(text))
    if re.search(r"\d", text) and " " not in text:
        return repr(mask_id(text))
    return repr(mask_text(text))
