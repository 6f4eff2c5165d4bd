"""Deprecated names: one warning text, so every rename reads the same (docs/compatibility.md).

A renamed parameter or attribute keeps its old name for at least one minor release; using it
warns with :class:`DeprecationWarning` naming the replacement, and CHANGELOG.md lists it
under "Deprecated".

- :func:`warn_renamed` is the warning itself.
- :func:`renamed_parameters` wraps a function or method whose keyword was renamed.
- :func:`removed_names` keeps a name taken out of a public module importable (it warns);
  :func:`moved_names` is the same for names whose one home is now another module.
- :func:`renamed_attributes` keeps the old name of a renamed property (a read warns).
- :func:`folded_modifier` keeps the 0.1 ``modifier=`` keyword (one string) of a class whose
  field is now ``modifiers`` (a tuple); :mod:`medbill.serialize` reads the old key.
- :func:`renamed_fields` decorates an attrs class whose field was renamed: the old keyword
  of the constructor and the old attribute read both keep working (and warn), and
  :mod:`medbill.serialize` reads a document that carries the old key.
"""

from __future__ import annotations

import functools
import importlib
import warnings
from collections.abc import Callable, Mapping
from typing import Any, Final, ParamSpec, TypeVar

from medbill._errors import ValidationError

__all__ = [
    "FOLDED_PERIODS",
    "RENAMED_FIELDS",
    "FOLDED_MODIFIER",
    "folded_modifier",
    "folded_period",
    "folded_period_end",
    "FOLDED_PERIOD_ENDS",
    "moved_names",
    "period_or_dates",
    "receive_only_names",
    "removed_names",
    "removed_values",
    "renamed_attributes",
    "renamed_fields",
    "renamed_parameters",
    "warn_renamed",
]

P = ParamSpec("P")
R = TypeVar("R")
C = TypeVar("C", bound=type[Any])

RENAMED_FIELDS: Final = "__medbill_renamed_fields__"
"""Class attribute holding ``{old: new}`` for a class decorated by :func:`renamed_fields`."""

FOLDED_MODIFIER: Final = "__medbill_folded_modifier__"
"""Class attribute set by :func:`folded_modifier`: documents may carry the 0.1 ``modifier``."""

FOLDED_PERIOD_ENDS: Final = "__medbill_folded_period_ends__"
"""Class attribute holding ``{period field: (its start field, old end)}`` (:func:`folded_period_end`)."""

FOLDED_PERIODS: Final = "__medbill_folded_periods__"
"""Class attribute holding ``{period field: (old start, old end)}`` (:func:`folded_period`)."""


def warn_renamed(
    where: str, old: str, new: str, *, since: str = "0.2.0", stacklevel: int = 3
) -> None:
    """Warn that ``old`` (in ``where``) is deprecated in favour of ``new``.

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_renamed("FeeSchedule.amount", "modifier=", "modifiers=")
    >>> print(caught[0].message)
    FeeSchedule.amount: modifier= is deprecated since medbill 0.2.0; use modifiers= instead
    """
    warnings.warn(
        f"{where}: {old} is deprecated since medbill {since}; use {new} instead",
        DeprecationWarning,
        stacklevel=stacklevel,
    )


def _rename_keywords(
    where: str, renames: Mapping[str, str], kwargs: dict[str, Any], stacklevel: int
) -> None:
    for old, new in renames.items():
        if old not in kwargs:
            continue
        warn_renamed(where, f"{old}=", f"{new}=", stacklevel=stacklevel)
        if new in kwargs:
            raise ValidationError(old, kwargs[old], f"is the deprecated name of {new}: pass one")
        kwargs[new] = kwargs.pop(old)


def renamed_parameters(where: str, **renames: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Accept each old keyword (``old="new"``) of the decorated function, warning.

    >>> import warnings
    >>> @renamed_parameters("deadline", date_of_service="service_date")
    ... def deadline(*, service_date: str) -> str:
    ...     return service_date
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     deadline(date_of_service="2025-03-04")  # type: ignore[call-arg]
    '2025-03-04'
    >>> print(caught[0].message)
    deadline: date_of_service= is deprecated since medbill 0.2.0; use service_date= instead
    """

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if kwargs and not renames.keys().isdisjoint(kwargs):
                _rename_keywords(where, renames, kwargs, stacklevel=4)
            return function(*args, **kwargs)

        return wrapper

    return decorate


def _old_attribute(owner: str, old: str, new: str) -> property:
    def read(self: Any) -> Any:
        warn_renamed(owner, old, new, stacklevel=3)
        return getattr(self, new)

    return property(read, doc=f"Deprecated since 0.2.0: read ``{new}``.")


def renamed_attributes(**renames: str) -> Callable[[C], C]:
    """Keep each old attribute name (``old="new"``) of a class readable, warning.

    >>> import warnings
    >>> @renamed_attributes(patient="patient_share")
    ... class Share:
    ...     patient_share = 5
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     Share().patient  # type: ignore[attr-defined]
    5
    >>> print(caught[0].message)
    Share: patient is deprecated since medbill 0.2.0; use patient_share instead
    """

    def decorate(cls: C) -> C:
        for old, new in renames.items():
            setattr(cls, old, _old_attribute(cls.__name__, old, new))
        return cls

    return decorate


def renamed_fields(**renames: str) -> Callable[[C], C]:
    """Keep each old field name (``old="new"``) of an attrs class, warning on use.

    The constructor takes the old keyword, reading the old attribute returns the new one's
    value, and :mod:`medbill.serialize` reads a document written with the old key.

    >>> import attrs, warnings
    >>> @renamed_fields(date_of_service="service_date")
    ... @attrs.frozen
    ... class Visit:
    ...     service_date: str
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     visit = Visit(date_of_service="2025-03-04")  # type: ignore[call-arg]
    ...     old = visit.date_of_service  # type: ignore[attr-defined]
    >>> visit, old
    (Visit(service_date='2025-03-04'), '2025-03-04')
    >>> print(caught[0].message)
    Visit: date_of_service= is deprecated since medbill 0.2.0; use service_date= instead
    """

    def decorate(cls: C) -> C:
        original = cls.__init__
        where = cls.__name__

        @functools.wraps(original)
        def init(self: Any, *args: Any, **kwargs: Any) -> None:
            if kwargs and not renames.keys().isdisjoint(kwargs):
                _rename_keywords(where, renames, kwargs, stacklevel=4)
            original(self, *args, **kwargs)

        cls.__init__ = init
        renamed_attributes(**renames)(cls)
        merged = {**getattr(cls, RENAMED_FIELDS, {}), **renames}
        setattr(cls, RENAMED_FIELDS, merged)
        return cls

    return decorate


def folded_modifier(cls: C) -> C:
    """Keep the 0.1 ``modifier=`` keyword of an attrs class whose field is now ``modifiers``.

    NAMING.md: ``modifiers`` is always a sequence and ``modifier`` is never a parameter
    name. ``modifier="26"`` still builds ``modifiers=("26",)`` (``None`` or ``""``: none),
    warning; :mod:`medbill.serialize` reads a document with the old key.

    >>> import attrs, warnings
    >>> @folded_modifier
    ... @attrs.frozen(kw_only=True)
    ... class Rate:
    ...     modifiers: tuple[str, ...] = ()
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     Rate(modifier="26")  # type: ignore[call-arg]
    Rate(modifiers=('26',))
    >>> print(caught[0].message)
    Rate: modifier= is deprecated since medbill 0.2.0; use modifiers=[...] instead
    """
    original = cls.__init__
    where = cls.__name__

    @functools.wraps(original)
    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        if "modifier" in kwargs:
            warn_renamed(where, "modifier=", "modifiers=[...]", stacklevel=3)
            old = kwargs.pop("modifier")
            if "modifiers" in kwargs:
                raise ValidationError(
                    "modifier", old, "is the deprecated name of modifiers: pass one"
                )
            kwargs["modifiers"] = () if old is None or old == "" else (old,)
        original(self, *args, **kwargs)

    cls.__init__ = init
    setattr(cls, FOLDED_MODIFIER, True)
    return cls


def folded_period(start: str = "start", end: str = "end", into: str = "period") -> Callable[[C], C]:
    """Keep the old ``start``/``end`` fields of an attrs class whose range is now a ``Period``.

    NAMING.md: a range of days is one :class:`~medbill.Period`. The constructor still
    takes ``start=``/``end=`` (building the period), reading ``.start``/``.end`` returns the
    period's, both warning; :mod:`medbill.serialize` reads a document with the old keys.

    >>> import attrs, pendulum, warnings
    >>> from medbill import Period
    >>> @folded_period()
    ... @attrs.frozen(kw_only=True)
    ... class Report:
    ...     period: Period
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     report = Report(start=pendulum.date(2025, 6, 1), end=pendulum.date(2025, 6, 30))  # type: ignore[call-arg]
    ...     old = report.end  # type: ignore[attr-defined]
    >>> report.period, old
    (Period(start=Date(2025, 6, 1), end=Date(2025, 6, 30)), Date(2025, 6, 30))
    >>> print(caught[0].message)
    Report: start=/end= is deprecated since medbill 0.2.0; use period=Period(start, end) instead
    """

    def decorate(cls: C) -> C:
        original = cls.__init__
        where = cls.__name__

        @functools.wraps(original)
        def init(self: Any, *args: Any, **kwargs: Any) -> None:
            if start in kwargs or end in kwargs:
                first, last = period_or_dates(where, kwargs.pop(into, None),
                                              kwargs.pop(start, None), kwargs.pop(end, None))  # fmt: skip
                from medbill._common import Period

                kwargs[into] = Period(first, last)
            original(self, *args, **kwargs)

        def reader(old: str, part: str) -> property:
            def read(self: Any) -> Any:
                warn_renamed(where, old, f"{into}.{part}", stacklevel=3)
                return getattr(getattr(self, into), part)

            return property(read, doc=f"Deprecated since 0.2.0: read ``{into}.{part}``.")

        cls.__init__ = init
        setattr(cls, start, reader(start, "start"))
        setattr(cls, end, reader(end, "end"))
        merged = {**getattr(cls, FOLDED_PERIODS, {}), into: (start, end)}
        setattr(cls, FOLDED_PERIODS, merged)
        return cls

    return decorate


def folded_period_end(end: str, start: str, into: str) -> Callable[[C], C]:
    """Keep the old ``end`` field of an attrs class whose range is now an optional ``Period``.

    The range starts on the class's own ``start`` field (a line's ``service_date``), so the
    0.1 keyword ``end=day`` builds ``into=Period(start, day)`` (``None``: no period) and
    reading ``.end`` returns ``into.end`` (or ``None``), both warning; :mod:`medbill.serialize`
    reads a document with the old key.

    >>> import attrs, pendulum, warnings
    >>> from medbill import Period
    >>> @folded_period_end("last_day", start="first_day", into="days")
    ... @attrs.frozen(kw_only=True)
    ... class Stay:
    ...     first_day: pendulum.Date
    ...     days: Period | None = None
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     stay = Stay(first_day=pendulum.date(2025, 3, 1), last_day=pendulum.date(2025, 3, 4))  # type: ignore[call-arg]
    ...     old = stay.last_day  # type: ignore[attr-defined]
    >>> stay.days, old
    (Period(start=Date(2025, 3, 1), end=Date(2025, 3, 4)), Date(2025, 3, 4))
    >>> print(caught[0].message)
    Stay: last_day= is deprecated since medbill 0.2.0; use days=Period(first_day, last day) instead
    """

    def decorate(cls: C) -> C:
        original = cls.__init__
        where = cls.__name__

        @functools.wraps(original)
        def init(self: Any, *args: Any, **kwargs: Any) -> None:
            if end in kwargs:
                warn_renamed(where, f"{end}=", f"{into}=Period({start}, last day)", stacklevel=3)
                last = kwargs.pop(end)
                if into in kwargs:
                    raise ValidationError(end, last, f"is the deprecated form of {into}: pass one")
                if last is not None:
                    from medbill._common import Period

                    if start not in kwargs:
                        raise ValidationError(start, None, "is required")
                    kwargs[into] = Period(kwargs[start], last)
            original(self, *args, **kwargs)

        def read(self: Any) -> Any:
            warn_renamed(where, end, f"{into}.end", stacklevel=3)
            period = getattr(self, into)
            return None if period is None else period.end

        cls.__init__ = init
        setattr(cls, end, property(read, doc=f"Deprecated since 0.2.0: read ``{into}.end``."))
        merged = {**getattr(cls, FOLDED_PERIOD_ENDS, {}), into: (start, end)}
        setattr(cls, FOLDED_PERIOD_ENDS, merged)
        return cls

    return decorate


def removed_names(
    module: str,
    names: Mapping[str, tuple[Callable[[], Any], str]],
    *,
    then: Callable[[str], Any] | None = None,
) -> Callable[[str], Any]:
    """A module ``__getattr__`` for names no longer exported: ``{name: (load, instead)}``.

    ``from medbill.x12 import Tokenizer`` keeps working in 0.2.x and warns with what to
    use instead; the name is out of ``__all__`` and the API reference. ``then`` is the
    module's earlier ``__getattr__``, asked about any other name.

    >>> import warnings
    >>> getattr_ = removed_names("medbill.x12", {"Old": (lambda: 42, "medbill.x12.New")})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     getattr_("Old")
    42
    >>> print(caught[0].message)
    medbill.x12: Old is deprecated since medbill 0.2.0; use medbill.x12.New instead
    """

    def module_getattr(name: str) -> Any:
        if name not in names:
            if then is not None:
                return then(name)
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        load, instead = names[name]
        warn_renamed(module, name, instead, stacklevel=3)
        return load()

    return module_getattr


def moved_names(
    module: str,
    names: Mapping[str, tuple[str, str]],
    *,
    then: Callable[[str], Any] | None = None,
) -> Callable[[str], Any]:
    """:func:`removed_names` for names that live in another module: ``{name: (home, instead)}``.

    ``home`` is the module that defines the name now (imported on first use), ``instead``
    what the warning tells the caller to use.

    >>> import warnings
    >>> getattr_ = moved_names("medbill", {"Carc": ("medbill.codes", "medbill.codes.Carc")})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     getattr_("Carc")("45")
    Carc('45')
    >>> print(caught[0].message)
    medbill: Carc is deprecated since medbill 0.2.0; use medbill.codes.Carc instead
    >>> getattr_ = moved_names("medbill", {"Npi": ("medbill.codes", "codes")}, then=getattr_)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     getattr_("Npi")("1234567893"), getattr_("Carc")("45")
    (Npi('1234567893'), Carc('45'))
    >>> len(caught)  # each name warns: the later helper asks the earlier one (``then``)
    2
    """
    return removed_names(
        module,
        {
            name: (functools.partial(_attribute_of, home, name), instead)
            for name, (home, instead) in names.items()
        },
        then=then,
    )


def receive_only_names(
    module: str,
    names: Mapping[str, tuple[str, str]],
    *,
    then: Callable[[str], Any] | None = None,
) -> Callable[[str], Any]:
    """A module ``__getattr__`` for receive-only types: ``{name: (home, what returns it)}``.

    A receive-only type is a record medbill returns and users only read (issue 19). It
    left ``__all__`` in 0.2.0 and is *provisional* (its fields may change in a minor
    release), but it does not go away: ``from medbill.ledger import ClaimBalance`` keeps
    working, at run time too (``isinstance``, attrs/cattrs classes whose annotations are
    evaluated), **without a warning**. The package also imports it under
    ``TYPE_CHECKING``, so mypy sees the real class. ``then`` is the module's earlier
    ``__getattr__``, asked about any other name.

    >>> import warnings
    >>> getattr_ = receive_only_names("medbill.x12", {"Remittance": ("medbill", "read_835()")})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     getattr_("Remittance").__name__
    'Remittance'
    >>> caught  # no warning: the type is provisional, not deprecated
    []
    >>> getattr_("Nothing")
    Traceback (most recent call last):
    AttributeError: module 'medbill.x12' has no attribute 'Nothing'
    """

    def module_getattr(name: str) -> Any:
        if name not in names:
            if then is not None:
                return then(name)
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        return _attribute_of(names[name][0], name)

    return module_getattr


def _attribute_of(home: str, name: str) -> Any:
    return getattr(importlib.import_module(home), name)


def removed_values(module: str, values: Mapping[str, tuple[Any, str]]) -> Callable[[str], Any]:
    """:func:`removed_names` for names bound to a value already at hand: ``{name: (value, instead)}``.

    >>> import warnings
    >>> getattr_ = removed_values("medbill.codes", {"OLD": ({"1": "one"}, "CodeList.X")})
    >>> with warnings.catch_warnings(record=True):
    ...     warnings.simplefilter("always")
    ...     getattr_("OLD")
    {'1': 'one'}
    """
    return removed_names(
        module,
        {
            name: (functools.partial(_same, value), instead)
            for name, (value, instead) in values.items()
        },
    )


def _same(value: Any) -> Any:
    return value


def period_or_dates(where: str, period: Any, start: Any, end: Any) -> tuple[Any, Any]:
    """``(first, last)`` of a closed ``period``, or of the deprecated ``start=``/``end=``.

    NAMING.md: a range of days is a ``Period``; ``start``/``end`` live inside it.
    """
    from medbill._common import Period

    if start is not None or end is not None:
        warn_renamed(where, "start=/end=", "period=Period(start, end)", stacklevel=4)
        if period is not None:
            raise ValidationError("period", period, "give period or the deprecated start/end")
        if start is None or end is None:
            raise ValidationError("end" if start is not None else "start", None, "is required")
        period = Period(start, end)
    if not isinstance(period, Period):
        raise ValidationError("period", period, "must be a Period(start, end)")
    if period.end is None:
        raise ValidationError("period.end", None, f"{where} needs a last day")
    return period.start, period.end
