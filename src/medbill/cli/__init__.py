"""The ``medbill`` command: a scriptable command line over the library, and the demo.

Install it with the ``cli`` extra (``pip install 'medbill[cli]'``); the console script
``medbill`` calls :func:`main`. Every command takes ``--json`` for scripts and exits
non-zero with a one-line message on bad input. See the "Command line" page.

>>> from medbill.cli import main
>>> main(["--version"], standalone=False)
medbill 0.1.0
0
"""

from medbill.cli._app import main

__all__ = ["main"]
