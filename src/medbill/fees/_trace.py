"""The explanation every price carries: an ordered list of steps a person can read."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

__all__ = ["Trace", "TraceStep"]


@attrs.frozen
class TraceStep:
    """One step of a calculation: the rule applied, in words, and the amount after it.

    ``amount`` is ``None`` for steps that only record an input (an RVU, a GPCI).

    >>> from decimal import Decimal
    >>> print(TraceStep("conversion factor", "32.3465 (CY2025)"))
    conversion factor: 32.3465 (CY2025)
    >>> print(TraceStep("round half-up to the cent", "95.2535", Decimal("95.25")))
    round half-up to the cent: 95.2535 -> 95.25
    """

    rule: str
    detail: str
    amount: Decimal | None = None

    def __str__(self) -> str:
        tail = "" if self.amount is None else f" -> {self.amount}"
        return f"{self.rule}: {self.detail}{tail}"


@attrs.frozen
class Trace:
    """An ordered, immutable list of :class:`TraceStep`; ``str()`` renders one per line.

    >>> from decimal import Decimal
    >>> trace = Trace((TraceStep("fee schedule", "chargemaster 99213", Decimal("150.00")),))
    >>> trace = trace.add("modifier 50", "bilateral indicator 1: 150%", Decimal("225.00"))
    >>> print(trace)
    fee schedule: chargemaster 99213 -> 150.00
    modifier 50: bilateral indicator 1: 150% -> 225.00
    >>> [step.rule for step in trace]
    ['fee schedule', 'modifier 50']
    """

    steps: tuple[TraceStep, ...] = ()
    # Pricing builds a trace only when someone reads it: a trace made by ``_lazy`` holds the
    # function that writes its steps (the amounts are already computed; only the words
    # are left) and runs it once, on the first read of ``steps``. Equality, hashing, repr
    # and pickling read ``steps``, so a lazy trace is indistinguishable from an eager one.
    _build: Callable[[], Iterable[TraceStep]] | None = attrs.field(
        default=None, init=False, eq=False, order=False, hash=False, repr=False
    )

    @classmethod
    def _lazy(cls, build: Callable[[], Iterable[TraceStep]]) -> Trace:
        """A trace whose steps ``build()`` writes the first time they are read (internal:
        the pricing paths use it so that a trace nobody reads costs nothing)."""
        trace = object.__new__(cls)
        object.__setattr__(trace, "_build", build)
        return trace

    if not TYPE_CHECKING:  # (hidden from mypy, which would take any name as valid)

        def __getattr__(self, name: str) -> Any:
            if name != "steps":
                raise AttributeError(name)
            build = object.__getattribute__(self, "_build")
            if build is None:  # pragma: no cover - every constructor sets one of the two
                raise AttributeError(name)
            steps = tuple(build())
            object.__setattr__(self, "steps", steps)
            object.__setattr__(self, "_build", None)
            return steps

    def __getstate__(self) -> dict[str, Any]:
        return {"steps": self.steps}

    def __setstate__(self, state: dict[str, Any]) -> None:
        object.__setattr__(self, "steps", state["steps"])
        object.__setattr__(self, "_build", None)

    def add(self, rule: str, detail: str, amount: Decimal | None = None) -> Trace:
        """A new trace with one more step at the end."""
        return Trace((*self.steps, TraceStep(rule, detail, amount)))

    def extend(self, steps: tuple[TraceStep, ...]) -> Trace:
        """A new trace with ``steps`` appended."""
        return Trace(self.steps + steps)

    def __iter__(self) -> Iterator[TraceStep]:
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    def __str__(self) -> str:
        return "\n".join(str(step) for step in self.steps)
