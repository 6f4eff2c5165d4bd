"""X12 5010: read 835 remittances, write 837P claims and 835 test files.

>>> from medbill.x12 import read_835, SAMPLE_835
>>> [era] = read_835(SAMPLE_835)
>>> era.payer_name, era.payment_amount
('ACME HEALTH', Decimal('210.00'))
"""

from medbill._errors import ParseError
from medbill.x12._ack999 import acknowledge, read_999, write_999
from medbill.x12._claim_status import read_277, read_277ca, write_276
from medbill.x12._eligibility import read_271, write_270
from medbill.x12._envelope import (
    FunctionalGroup,
    Interchange,
    Segment,
    TransactionSet,
    parse_interchange,
)
from medbill.x12._reader835 import (
    RemittanceStream,
    iter_835,
    iter_835_file,
    read_835,
    read_835_file,
    stream_835,
    stream_835_file,
)
from medbill.x12._samples import SAMPLE_835
from medbill.x12._tokenizer import Delimiters, Tokenizer, X12Warning
from medbill.x12._write import Party
from medbill.x12._writer835 import write_835
from medbill.x12._writer837 import OtherPayer, write_837p

__all__ = [
    "SAMPLE_835",
    "Delimiters",
    "FunctionalGroup",
    "Interchange",
    "OtherPayer",
    "ParseError",
    "Party",
    "RemittanceStream",
    "Segment",
    "Tokenizer",
    "TransactionSet",
    "X12Warning",
    "acknowledge",
    "iter_835",
    "iter_835_file",
    "parse_interchange",
    "read_271",
    "read_277",
    "read_277ca",
    "read_835",
    "read_835_file",
    "read_999",
    "stream_835",
    "stream_835_file",
    "write_270",
    "write_276",
    "write_835",
    "write_837p",
    "write_999",
]
