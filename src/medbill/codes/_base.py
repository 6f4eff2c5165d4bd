"""The base of every code value type: an immutable ``str`` holding the canonical form."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from medbill._errors import CodeError

__all__ = ["Code"]


class Code(str):
    """A validated, canonical code. Subclasses define ``field`` and ``_canonical``.

    Being a ``str`` subclass makes a code hashable, immutable, cheap to compare and
    usable wherever a string is expected; ``str(code)`` is its canonical form.
    """

    __slots__ = ()
    field: ClassVar[str] = "code"

    def __new__(cls, value: Any) -> Self:
        if type(value) is cls:
            return value
        if not isinstance(value, str):
            raise CodeError(cls.field, value, f"must be a string, not {type(value).__name__}")
        return str.__new__(cls, cls._canonical(value))

    @classmethod
    def _canonical(cls, value: str) -> str:
        raise NotImplementedError  # pragma: no cover - every subclass overrides

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str.__repr__(self)})"

    def __str__(self) -> str:
        return str.__str__(self)

    def __getnewargs__(self) -> tuple[str]:
        return (str.__str__(self),)
