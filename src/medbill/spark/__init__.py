"""The batch functions over Apache Spark DataFrames, beyond one machine.

Install with ``pip install medbill[spark]``. Each function runs the matching
:mod:`medbill.batch` function on every partition with ``mapInArrow``; the fee schedule and
contracts reach the executors once, as a broadcast. See the Scale guide for clusters.

>>> from medbill import spark
>>> spark.__all__
['check_payments_spark', 'price_lines_spark', 'read_835_spark']
"""

try:
    import pyspark as _pyspark  # noqa: F401
except ImportError as error:  # pragma: no cover - exercised without the extra
    raise ImportError("medbill.spark needs PySpark: pip install 'medbill[spark]'") from error

from medbill.spark._frames import check_payments_spark, price_lines_spark, read_835_spark

__all__ = ["check_payments_spark", "price_lines_spark", "read_835_spark"]
