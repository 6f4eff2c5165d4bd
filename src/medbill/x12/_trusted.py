"""The trusted builders, shared by the readers and the pricing hot path (see medbill._trusted)."""

from medbill._trusted import trusted_builder, trusted_positional, trusted_setters

__all__ = ["trusted_builder", "trusted_positional", "trusted_setters"]
