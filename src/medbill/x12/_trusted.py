"""The trusted builders, shared by the readers and the pricing hot path (see medbill._trusted).

The 835 reader also builds its service lines and claims *in the making*
(:func:`in_making`): an object of a subclass that adds nothing to the entity's layout but
takes plain attribute stores (``line.allowed = amount``, one specialised bytecode, where
the slot setter of a frozen class is a call), filled as the segments come, and made the
entity itself once complete by setting its class (``line.__class__ = LinePayment``).
From then on it is exactly the object :func:`~medbill._trusted.trusted_positional`
would have built: the same type, the same slots, frozen. An object in the making never
leaves the reader (the fast-path tests compare every record with the general reading and
with the validating constructors, which an object of another class would not equal).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from medbill._trusted import (
    positional_source,
    trusted_builder,
    trusted_positional,
    trusted_setters,
)

__all__ = ["in_making", "trusted_builder", "trusted_positional", "trusted_setters"]


def in_making(cls: type[Any], *fields: str) -> tuple[type[Any], Callable[..., Any]]:
    """The class of ``cls`` objects in the making, and a builder of one from ``fields``.

    The builder takes ``fields`` positionally and stores every other field's plain
    default (as :func:`~medbill._trusted.trusted_positional`); the object it returns
    takes attribute stores until its class is set to ``cls``. Only values already
    checked may be stored (nothing validates them).

    >>> import attrs
    >>> @attrs.frozen
    ... class Point:
    ...     x: int
    ...     y: int = 0
    >>> making, new = in_making(Point, "x")
    >>> point = new(3)
    >>> point.y = 4
    >>> point.__class__ = Point
    >>> point, type(point) is Point
    (Point(x=3, y=4), True)
    """
    # object.__setattr__/__delattr__ in the class dict give the type the generic
    # attribute store (the frozen class's own would raise), which the interpreter
    # specialises into a direct slot store; no slots of its own, so its layout is the
    # entity's and __class__ may be set from one to the other.
    making = type(
        f"{cls.__name__}InMaking",
        (cls,),
        {
            "__slots__": (),
            "__setattr__": object.__setattr__,
            "__delattr__": object.__delattr__,
            "__module__": __name__,
            "__doc__": f"A {cls.__name__} being read (see medbill.x12._trusted.in_making).",
        },
    )
    names: dict[str, Any] = {"new": object.__new__, "making": making}
    build = positional_source(
        cls, fields, names, "making", lambda name, value: f"obj.{name} = {value}"
    )
    return making, build
