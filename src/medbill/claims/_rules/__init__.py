"""The built-in scrubbing rules, one module per rule family.

Each rule is a function ``rule(claim, context) -> Iterable[Finding]`` and is named after
its rule code (``required-field`` is :func:`required_fields`).
"""

from __future__ import annotations

from medbill.claims._payer_rules import payer_rules
from medbill.claims._rules._codes import (
    code_in_force,
    diagnosis_required,
    diagnosis_sex_age,
    global_surgery,
    modifier_valid,
    pctc_modifiers,
    place_of_service_setting,
)
from medbill.claims._rules._dates import (
    coverage_active,
    future_date_of_service,
    timely_filing,
)
from medbill.claims._rules._lines import conflicting_modifiers, duplicate_lines
from medbill.claims._rules._ncci import ncci_aoc, ncci_mue, ncci_ptp
from medbill.claims._rules._structure import (
    code_formats,
    diagnosis_pointers,
    limits,
    npi_check_digits,
    required_fields,
)
from medbill.claims._scrub import Rule

__all__ = [
    "DEFAULT_RULES",
    "code_formats",
    "code_in_force",
    "diagnosis_required",
    "diagnosis_sex_age",
    "global_surgery",
    "modifier_valid",
    "ncci_aoc",
    "pctc_modifiers",
    "payer_rules",
    "place_of_service_setting",
    "conflicting_modifiers",
    "coverage_active",
    "diagnosis_pointers",
    "duplicate_lines",
    "future_date_of_service",
    "limits",
    "ncci_mue",
    "ncci_ptp",
    "npi_check_digits",
    "required_fields",
    "timely_filing",
]

DEFAULT_RULES: tuple[Rule, ...] = (
    required_fields,
    code_formats,
    diagnosis_pointers,
    limits,
    npi_check_digits,
    future_date_of_service,
    coverage_active,
    timely_filing,
    duplicate_lines,
    conflicting_modifiers,
    ncci_ptp,
    ncci_mue,
    ncci_aoc,
    code_in_force,
    modifier_valid,
    diagnosis_required,
    pctc_modifiers,
    global_surgery,
    place_of_service_setting,
    diagnosis_sex_age,
    payer_rules,
)
"""Every built-in rule, in the order they run."""
