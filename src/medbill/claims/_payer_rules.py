"""A payer's own scrubbing rules, as data a billing office writes in a TOML file.

Layout (every key but ``payer`` optional)::

    payer = "acme"                       # the payer id the rules are for
    name = "Acme Health 2025 billing rules"
    relax = ["timely-filing"]            # built-in rule codes this payer does not apply

    [timely_filing]                      # the payer's filing limit
    months = 0
    days = 90

    [[required]]                         # a field the payer wants, for some codes or all
    field = "prior_authorization"
    codes = ["70551", "70553"]
    reason = "MRI needs a prior authorization"

    [[modifier]]                         # codes that need one of these modifiers
    codes = ["97110", "97140"]
    any_of = ["GP", "GO", "GN"]
    reason = "therapy services carry the plan-of-care modifier"

    [[frequency]]                        # at most max_units per claim or per day
    codes = ["G0439"]
    max_units = 1
    per = "claim"

Required fields: the claim's ``prior_authorization``, ``referral_number``,
``referring_provider``, ``service_facility``, ``note``, ``onset_date``, ``accident``,
``patient_paid``, ``rendering_provider``; the lines' ``lines.drug``,
``lines.ordering_provider``, ``lines.referring_provider``. A code ending in ``*`` is a
prefix (``J*`` is every J code). Errors name the file, the line and the key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import attrs

from medbill._common import PayerId, to_payer_id
from medbill._encounter import Claim
from medbill._errors import ParseError, ValidationError
from medbill.claims._scrub import Finding, ScrubContext, Severity, TimelyFilingLimit
from medbill.fees._contract_toml import _Locator

__all__ = [
    "CLAIM_FIELDS",
    "LINE_FIELDS",
    "FrequencyLimit",
    "ModifierRequirement",
    "PayerRules",
    "RequiredField",
    "payer_rules",
]

CLAIM_FIELDS: Final = {
    "prior_authorization": "the prior authorization number (REF*G1, loop 2300)",
    "referral_number": "the referral number (REF*9F, loop 2300)",
    "referring_provider": "the referring provider (loop 2310A)",
    "service_facility": "the service facility location (loop 2310C)",
    "note": "a claim note (NTE, loop 2300)",
    "onset_date": "the onset date of the current illness (DTP*431)",
    "accident": "the accident cause and date (CLM11, DTP*439)",
    "patient_paid": "the amount the patient paid (AMT*F5)",
    "rendering_provider": "the rendering provider (loop 2310B)",
}
"""The claim fields a payer rule may require, with their 837P place."""
LINE_FIELDS: Final = {
    "lines.drug": "the drug's NDC, quantity and unit (LIN/CTP, loop 2410)",
    "lines.ordering_provider": "the ordering provider (loop 2420E)",
    "lines.referring_provider": "the line's referring provider (loop 2420F)",
}
"""The line fields a payer rule may require, with their 837P place."""


def _codes(values: Iterable[str]) -> frozenset[str]:
    return frozenset(str(v).strip().upper() for v in values)


def _matches(code: str, patterns: frozenset[str]) -> bool:
    if not patterns or code in patterns:
        return True
    return any(p.endswith("*") and code.startswith(p[:-1]) for p in patterns)


@attrs.frozen(kw_only=True)
class RequiredField:
    """A field the payer requires, for claims with ``codes`` (all claims when empty).

    >>> sorted(RequiredField(field="lines.drug", codes=["j*"]).codes)
    ['J*']
    >>> RequiredField(field="fax")
    Traceback (most recent call last):
    ...
    medbill.ValidationError: field: must be one of [...] (got 'fax')
    """

    field: str
    codes: frozenset[str] = attrs.field(default=frozenset(), converter=_codes)
    reason: str = ""

    def __attrs_post_init__(self) -> None:
        if self.field not in CLAIM_FIELDS and self.field not in LINE_FIELDS:
            known = sorted({*CLAIM_FIELDS, *LINE_FIELDS})
            raise ValidationError("field", self.field, f"must be one of {known}")


@attrs.frozen(kw_only=True)
class ModifierRequirement:
    """Lines with ``codes`` need one of ``any_of`` among their modifiers.

    >>> sorted(ModifierRequirement(codes=["97110"], any_of=["gp", "GO"]).any_of)
    ['GO', 'GP']
    """

    codes: frozenset[str] = attrs.field(converter=_codes)
    any_of: frozenset[str] = attrs.field(converter=_codes)
    reason: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.codes or not self.any_of:
            raise ValidationError("codes" if not self.codes else "any_of", [], "must not be empty")


@attrs.frozen(kw_only=True)
class FrequencyLimit:
    """At most ``max_units`` units of ``codes`` per claim or per date of service.

    >>> from decimal import Decimal
    >>> FrequencyLimit(codes=["G0439"], max_units=Decimal(1), per="week")
    Traceback (most recent call last):
    ...
    medbill.ValidationError: per: must be 'claim' or 'day' (got 'week')
    """

    codes: frozenset[str] = attrs.field(converter=_codes)
    max_units: Decimal
    per: str = "claim"
    reason: str = ""

    def __attrs_post_init__(self) -> None:
        if self.per not in ("claim", "day"):
            raise ValidationError("per", self.per, "must be 'claim' or 'day'")
        if not isinstance(self.max_units, Decimal) or self.max_units < 0:
            raise ValidationError(
                "max_units", self.max_units, "must be a whole number, not negative"
            )
        if not self.codes:
            raise ValidationError("codes", [], "must not be empty")


def _rule_codes(values: Iterable[str]) -> frozenset[str]:
    return frozenset(values)


def _tuple(values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class PayerRules:
    """One payer's rules: required fields, modifier requirements, frequency limits, the
    built-in rules it relaxes and its filing limit. Load them with :meth:`from_toml`.

    >>> import pendulum
    >>> from medbill.claims import PayerRules, scrub
    >>> from medbill.testing import make_claim
    >>> acme = PayerRules(payer_id="acme", source="acme.toml",
    ...                   required=[RequiredField(field="referral_number")])
    >>> [str(f) for f in scrub(make_claim(), as_of=pendulum.date(2025, 3, 10), payer_rules=[acme])]
    ['error payer-required-field at referral_number: the referral number (REF*9F, loop 2300) is missing: acme requires it (acme.toml) (fix: ...)']
    """

    payer_id: PayerId = attrs.field(converter=to_payer_id)
    name: str = ""
    source: str = ""
    required: tuple[RequiredField, ...] = attrs.field(default=(), converter=_tuple)
    modifiers: tuple[ModifierRequirement, ...] = attrs.field(default=(), converter=_tuple)
    frequency: tuple[FrequencyLimit, ...] = attrs.field(default=(), converter=_tuple)
    relaxed: frozenset[str] = attrs.field(default=frozenset(), converter=_rule_codes)
    filing_limit: TimelyFilingLimit | None = None

    @classmethod
    def from_toml(cls, path: str | Path) -> PayerRules:
        """Read the rules of one payer from a TOML file (layout in the module docs)."""
        return _load(Path(path))

    def findings(self, claim: Claim) -> Iterator[Finding]:
        """What this payer's rules find on ``claim``."""
        cite = f"{self.payer_id} requires it ({self.source or self.name or 'payer rules'})"
        codes = [str(line.procedure) for line in claim.lines]
        for rule in self.required:
            yield from self._required(claim, codes, rule, cite)
        for need in self.modifiers:
            for index, line in enumerate(claim.lines):
                if _matches(codes[index], need.codes) and not need.any_of & {
                    str(m) for m in line.modifiers
                }:
                    yield Finding(
                        rule="payer-modifier",
                        severity=Severity.ERROR,
                        path=f"lines[{index}].modifiers",
                        message=f"{codes[index]} needs one of {', '.join(sorted(need.any_of))}: "
                        f"{need.reason or cite}",
                        hint=f"append the modifier {self.payer_id} asks for",
                    )
        for limit in self.frequency:
            yield from self._frequency(claim, codes, limit)

    def _required(
        self, claim: Claim, codes: list[str], rule: RequiredField, cite: str
    ) -> Iterator[Finding]:
        why = f": {rule.reason}" if rule.reason else ""
        if rule.field in CLAIM_FIELDS:
            if rule.codes and not any(_matches(c, rule.codes) for c in codes):
                return
            if getattr(claim, rule.field) is None:
                yield Finding(
                    rule="payer-required-field",
                    severity=Severity.ERROR,
                    path=rule.field,
                    message=f"{CLAIM_FIELDS[rule.field]} is missing: {cite}{why}",
                    hint=f"set Claim.{rule.field}",
                )
            return
        name = rule.field.removeprefix("lines.")
        for index, line in enumerate(claim.lines):
            if rule.codes and not _matches(codes[index], rule.codes):
                continue
            if getattr(line, name) is None:
                yield Finding(
                    rule="payer-required-field",
                    severity=Severity.ERROR,
                    path=f"lines[{index}].{name}",
                    message=f"{LINE_FIELDS[rule.field]} is missing for {codes[index]}: {cite}{why}",
                    hint=f"set ClaimLine.{name}",
                )

    def _frequency(
        self, claim: Claim, codes: list[str], limit: FrequencyLimit
    ) -> Iterator[Finding]:
        totals: dict[object, tuple[Decimal, int]] = {}
        for index, line in enumerate(claim.lines):
            if not _matches(codes[index], limit.codes):
                continue
            key: object = line.service_date if limit.per == "day" else "claim"
            units, first = totals.get(key, (Decimal(0), index))
            totals[key] = (units + line.units, first)
        for key, (units, first) in totals.items():
            if units > limit.max_units:
                scope = f"on {key}" if limit.per == "day" else "on the claim"
                yield Finding(
                    rule="payer-frequency",
                    severity=Severity.ERROR,
                    path=f"lines[{first}].units",
                    message=f"{units} units of {', '.join(sorted(limit.codes))} {scope}; "
                    f"{self.payer_id} pays at most {limit.max_units} per {limit.per}"
                    + (f": {limit.reason}" if limit.reason else f" ({self.source or self.name})"),
                    hint="bill the units the payer allows; ask for an exception if needed",
                )


def payer_rules(claim: Claim, context: ScrubContext) -> Iterator[Finding]:
    """Rules ``payer-required-field``, ``payer-modifier``, ``payer-frequency``: the claim's
    payer's own rules (``payer_rules=`` of :func:`~medbill.claims.scrub`)."""
    if context.payer_rules is not None:
        yield from context.payer_rules.findings(claim)


_TOP: Final = {"payer", "name", "relax", "timely_filing", "required", "modifier", "frequency"}
_KEYS: Final = {
    "required": {"field", "codes", "reason"},
    "modifier": {"codes", "any_of", "reason"},
    "frequency": {"codes", "max_units", "per", "reason"},
    "timely_filing": {"months", "days", "warn_days"},
}


def _strings(value: Any, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(key, value, "must be a list of strings")
    return value


def _table(kind: str, table: Mapping[str, Any]) -> Any:
    reason = table.get("reason", "")
    if not isinstance(reason, str):
        raise ValidationError("reason", reason, "must be a string")
    if kind == "required":
        codes = _strings(table.get("codes", []), "codes")
        return RequiredField(field=table.get("field", ""), codes=codes, reason=reason)
    if kind == "modifier":
        return ModifierRequirement(codes=_strings(table.get("codes", []), "codes"),
                                   any_of=_strings(table.get("any_of", []), "any_of"), reason=reason)  # fmt: skip
    units = table.get("max_units")
    if not isinstance(units, int) or isinstance(units, bool):
        raise ValidationError("max_units", units, "must be a whole number")
    return FrequencyLimit(codes=_strings(table.get("codes", []), "codes"), max_units=Decimal(units),
                          per=table.get("per", "claim"), reason=reason)  # fmt: skip


def _load(path: Path) -> PayerRules:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ParseError(
            f"cannot read the payer rules: {error.strerror}", location=str(path)
        ) from None
    where = _Locator(path, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ParseError(f"not valid TOML: {error}", location=str(path)) from None
    for key in data:
        if key not in _TOP:
            raise where.error(f"unknown key; expected one of {sorted(_TOP)}", key)
    if not isinstance(data.get("payer"), str) or not data["payer"]:
        raise ParseError("missing required key 'payer' (a payer id)", location=f"{path}, line 1")
    parsed: dict[str, list[Any]] = {"required": [], "modifier": [], "frequency": []}
    for kind in parsed:
        raw = data.get(kind, [])
        for index, table in enumerate(raw if isinstance(raw, list) else [raw]):
            if not isinstance(table, dict):
                raise where.error("must be a table", kind)
            for key in table:
                if key not in _KEYS[kind]:
                    raise where.error(
                        f"unknown key; expected one of {sorted(_KEYS[kind])}", key, kind, index
                    )
            try:
                parsed[kind].append(_table(kind, table))
            except ValidationError as error:
                raise where.error(
                    str(error), error.field.split("[")[0] or "codes", kind, index
                ) from None
    relax = data.get("relax", [])
    try:
        relaxed: list[str] = _strings(relax, "relax")
    except ValidationError as error:
        raise where.error(str(error), "relax") from None
    limit = None
    if "timely_filing" in data:
        table = data["timely_filing"]
        if not isinstance(table, dict):
            raise where.error("must be a table", "timely_filing")
        for key in table:
            if key not in _KEYS["timely_filing"]:
                raise where.error(f"unknown key; expected one of {sorted(_KEYS['timely_filing'])}",
                                  key, "timely_filing")  # fmt: skip
        try:
            limit = TimelyFilingLimit(**table)
        except (ValidationError, TypeError) as error:
            field = getattr(error, "field", "months")
            raise where.error(str(error), field, "timely_filing") from None
    name = data.get("name", "")
    if not isinstance(name, str):
        raise where.error("must be a string", "name")
    return PayerRules(
        payer_id=data["payer"],
        name=name,
        source=path.name,
        required=parsed["required"],
        modifiers=parsed["modifier"],
        frequency=parsed["frequency"],
        relaxed=relaxed,
        filing_limit=limit,
    )
