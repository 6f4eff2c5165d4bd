"""Root pytest configuration, shared by tests/, the doctests in src/ and the docs pages.

Hypothesis deadlines are off: CI machines are shared and noisy, and speed is measured
in benchmarks/, never asserted in tests. ``MEDBILL_FUZZ_LONG=1`` runs the fuzz targets
and property tests with many more examples.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("medbill", deadline=None)
settings.register_profile("medbill-long", deadline=None, max_examples=5_000)
settings.load_profile("medbill-long" if os.environ.get("MEDBILL_FUZZ_LONG") else "medbill")
