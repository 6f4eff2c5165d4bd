"""X12 5010: read 835 remittances, write 837P claims and 835 test files.

>>> from medbill.x12 import read_835, SAMPLE_835
>>> [era] = read_835(SAMPLE_835)
>>> era.payer_name, era.payment_amount
('ACME HEALTH', Decimal('210.00'))
"""

from typing import TYPE_CHECKING

from medbill._deprecation import moved_names, receive_only_names, removed_names
from medbill.x12._ack999 import acknowledge, read_999, write_999
from medbill.x12._claim_status import read_277, read_277ca, write_276
from medbill.x12._eligibility import read_271, write_270
from medbill.x12._envelope import (
    parse_interchange,
)
from medbill.x12._reader835 import (
    iter_835,
    read_835,
    stream_835,
)
from medbill.x12._samples import SAMPLE_835
from medbill.x12._tokenizer import (
    X12Warning,
)
from medbill.x12._write import Party
from medbill.x12._writer835 import write_835
from medbill.x12._writer837 import OtherPayer, write_837p

__all__ = [
    "SAMPLE_835",
    "OtherPayer",
    "Party",
    "X12Warning",
    "acknowledge",
    "iter_835",
    "parse_interchange",
    "read_271",
    "read_277",
    "read_277ca",
    "read_835",
    "read_999",
    "stream_835",
    "write_270",
    "write_276",
    "write_835",
    "write_837p",
    "write_999",
]


def _tokenizer() -> object:
    from medbill.x12._tokenizer import Tokenizer

    return Tokenizer


# Implementation types taken out of the public surface in 0.2.0 (importable until 0.3).
def _parse_error() -> object:
    from medbill import ParseError

    return ParseError


__getattr__ = removed_names(
    __name__,
    {
        "Tokenizer": (_tokenizer, "parse_interchange() or read_835()"),
        "ParseError": (_parse_error, "medbill.ParseError"),
    },
)


if TYPE_CHECKING:  # receive-only types: typed for mypy, resolved lazily (no warning) at run time
    from medbill.x12._envelope import FunctionalGroup as FunctionalGroup
    from medbill.x12._envelope import Interchange as Interchange
    from medbill.x12._envelope import Segment as Segment
    from medbill.x12._envelope import TransactionSet as TransactionSet
    from medbill.x12._reader835 import RemittanceStream as RemittanceStream
    from medbill.x12._tokenizer import Delimiters as Delimiters

# Issue 19 (0.2.0): left the surface (the reason is in CHANGELOG.md); still importable,
# with a DeprecationWarning, until 0.3.
__getattr__ = moved_names(
    __name__,
    {
        "read_835_file": (
            "medbill.x12._reader835",
            "read_835(pathlib.Path(path)), which reads a path the same way",
        ),
        "iter_835_file": (
            "medbill.x12._reader835",
            "iter_835(pathlib.Path(path)), which reads a path the same way",
        ),
        "stream_835_file": (
            "medbill.x12._reader835",
            "stream_835(pathlib.Path(path)), which reads a path the same way",
        ),
    },
    then=__getattr__,
)

# Receive-only types (tests/api/receive_only.txt): records medbill returns and users
# only read. Out of __all__ and provisional since 0.2.0; still imported, without a warning.
__getattr__ = receive_only_names(
    __name__,
    {
        "Interchange": ("medbill.x12._envelope", "parse_interchange()"),
        "FunctionalGroup": ("medbill.x12._envelope", "parse_interchange()"),
        "TransactionSet": ("medbill.x12._envelope", "parse_interchange()"),
        "Segment": ("medbill.x12._envelope", "parse_interchange()"),
        "Delimiters": ("medbill.x12._tokenizer", "parse_interchange()"),
        "RemittanceStream": ("medbill.x12._reader835", "stream_835()"),
    },
    then=__getattr__,
)
