"""A Griffe extension: bare doctest examples (and Sphinx roles) render as code in the API reference.

medbill's docstrings show examples as plain doctest blocks (``>>> ...`` followed by the
output), which pytest runs. Markdown reads a line starting with ``>`` as a blockquote, so
without help mkdocstrings renders every example as nested quoted prose. Griffe only treats
such lines as code inside an ``Examples:`` section; this extension fences every doctest block
(from its first ``>>>`` line to the next blank line) as ``pycon`` before the docstring is
parsed, and drops ``# doctest:`` directives from what is shown. Blocks already inside a code
fence are left alone. Loaded from mkdocs.yml (``plugins.mkdocstrings...extensions``).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_FENCE = re.compile(r"^\s*(```|~~~)")
# Sphinx roles some docstrings use (:class:`~medbill.X`, :func:`scrub`): shown as code.
_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|data|attr|exc|obj):`~?([^`]+)`")
_DIRECTIVE = re.compile(r"\s*#\s*doctest:.*$")


def roles_as_code(text: str) -> str:
    """``text`` with each Sphinx role written as Markdown code (``~`` keeps the last name).

    >>> roles_as_code("See :class:`~medbill.ValidationError` and :func:`medbill.claims.scrub`.")
    'See `ValidationError` and `medbill.claims.scrub`.'
    """

    def code(match: re.Match[str]) -> str:
        target = match.group(1)
        short = match.group(0).split("`")[1].startswith("~")
        return f"`{target.rsplit('.', 1)[-1] if short else target}`"

    return _ROLE.sub(code, text)


def fence_doctests(text: str) -> str:
    """``text`` with each bare doctest block wrapped in a ``pycon`` code fence.

    >>> fence_doctests("Adds.\\n\\n>>> 1 + 1  # doctest: +ELLIPSIS\\n2\\n\\nDone.").splitlines()
    ['Adds.', '', '```pycon', '>>> 1 + 1', '2', '```', '', 'Done.']
    """
    out: list[str] = []
    in_fence = False
    example_indent: str | None = None
    for line in text.splitlines():
        stripped = line.lstrip()
        if example_indent is not None:
            if stripped:
                out.append(_DIRECTIVE.sub("", line))
                continue
            out.append(example_indent + "```")
            example_indent = None
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and stripped.startswith(">>>"):
            example_indent = line[: len(line) - len(stripped)]
            out.append(example_indent + "```pycon")
            out.append(_DIRECTIVE.sub("", line))
            continue
        out.append(line)
    if example_indent is not None:
        out.append(example_indent + "```")
    return "\n".join(out)


class FenceDoctests(griffe.Extension):
    """Fence the doctest blocks of every docstring Griffe loads."""

    def on_instance(
        self,
        *,
        node: object,
        obj: griffe.Object,
        agent: griffe.Visitor | griffe.Inspector,
        **kwargs: Any,
    ) -> None:
        # Runs as each object is created (packages included), before any docstring is parsed.
        if obj.docstring is not None:
            value = roles_as_code(obj.docstring.value)
            obj.docstring.value = fence_doctests(value) if ">>>" in value else value
