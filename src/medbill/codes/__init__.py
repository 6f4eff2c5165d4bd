"""Code value types: ICD-10-CM, CPT/HCPCS, modifiers, place of service, NPI, CARC/RARC.

Every code is an immutable ``str`` subclass holding its canonical form; constructing one
from bad input raises :class:`medbill.CodeError` naming the value and what is wrong.

>>> from medbill.codes import Icd10Cm, ProcedureCode
>>> str(Icd10Cm("e119")), ProcedureCode("99213").kind.name
('E11.9', 'CPT_CATEGORY_I')
"""

from typing import TYPE_CHECKING

from medbill._deprecation import receive_only_names, removed_values
from medbill.codes._adjustment import AdjustmentGroup, Carc, Rarc
from medbill.codes._base import Code
from medbill.codes._code_lists import DEPRECATED_TABLES, CodeList
from medbill.codes._icd10 import Icd10Cm
from medbill.codes._icd10_set import Icd10CodeSet, Icd10Status
from medbill.codes._icd10_tabular import (
    Icd10NoteKind,
)
from medbill.codes._modifier import Modifier
from medbill.codes._npi import Npi
from medbill.codes._pos import PlaceOfService
from medbill.codes._procedure import ProcedureCode, ProcedureKind
from medbill.codes._revenue import RevenueCode

__all__ = [
    "AdjustmentGroup",
    "Carc",
    "Code",
    "CodeList",
    "Icd10Cm",
    "Icd10CodeSet",
    "Icd10NoteKind",
    "Icd10Status",
    "Modifier",
    "Npi",
    "PlaceOfService",
    "ProcedureCode",
    "ProcedureKind",
    "Rarc",
    "RevenueCode",
]


# The fifteen code-list tables public before 0.2.0 are members of CodeList now; each old
# name still imports until 0.3, with a DeprecationWarning naming its replacement.
__getattr__ = removed_values(__name__, DEPRECATED_TABLES)


if TYPE_CHECKING:  # receive-only types: typed for mypy, resolved lazily (no warning) at run time
    from medbill.codes._icd10_tabular import Icd10Note as Icd10Note

# Receive-only types (tests/api/receive_only.txt): records medbill returns and users
# only read. Out of __all__ and provisional since 0.2.0; still imported, without a warning.
__getattr__ = receive_only_names(
    __name__,
    {
        "Icd10Note": ("medbill.codes._icd10_tabular", "Icd10CodeSet.notes()"),
    },
    then=__getattr__,
)
