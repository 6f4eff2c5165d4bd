"""Write docs/api.md: the public surface of medbill, module by module, one line per name.

The modules are those whose ``__all__`` is locked by ``tests/api/<module>.txt``; each line
is an exported name and the first sentence of its docstring (read with Griffe, so module
constants and type aliases keep theirs). ``tests/test_docs.py`` fails when the page is out
of date. Regenerate with::

    .venv/bin/python tools/api_page.py

``--check`` exits non-zero (and writes nothing) when docs/api.md differs.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import griffe

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "api.md"
COMMAND = ".venv/bin/python tools/api_page.py"

_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")
_DOUBLE = re.compile(r"``([^`]+)``")
_SENTENCE = re.compile(r"(?<=[a-z0-9)`'\"])\.(\s|$)")


def public_modules() -> list[str]:
    """The public modules, as listed by the checked-in API lists."""
    return sorted(p.stem for p in (ROOT / "tests" / "api").glob("medbill*.txt"))


def receive_only() -> dict[str, list[str]]:
    """``{public module: [names]}`` from ``tests/api/receive_only.txt`` (see that file)."""
    found: dict[str, list[str]] = {}
    path = ROOT / "tests" / "api" / "receive_only.txt"
    for line in path.read_text().splitlines() if path.exists() else []:
        line = line.split("#", 1)[0].strip()
        if line:
            module, name = line.split()
            found.setdefault(module, []).append(name)
    return found


def _home(module_name: str, name: str) -> str:
    """Where the receive-only ``name`` of ``module_name`` is defined (it imports from there without a warning)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        obj = getattr(importlib.import_module(module_name), name)
    return f"{obj.__module__}.{obj.__qualname__}"


def summary(obj: griffe.Object | griffe.Alias) -> str:
    """The first sentence of ``obj``'s docstring, on one line, in Markdown."""
    try:
        docstring = obj.docstring
    except (griffe.AliasResolutionError, griffe.CyclicAliasError):
        docstring = None
    if docstring is None:
        return ""
    paragraph = docstring.value.strip().split("\n\n", 1)[0]
    text = " ".join(line.strip() for line in paragraph.splitlines())
    text = _DOUBLE.sub(r"`\1`", _ROLE.sub(lambda m: f"`{m.group(1).split('.')[-1]}`", text))
    match = _SENTENCE.search(text)
    text = text[: match.start() + 1] if match else text
    return text.removesuffix(":").rstrip()


def kind(obj: griffe.Object | griffe.Alias) -> str:
    try:
        return obj.kind.value
    except (griffe.AliasResolutionError, griffe.CyclicAliasError):
        return "attribute"


def render() -> str:
    """The text of docs/api.md."""
    sys.path.insert(0, str(ROOT / "src"))
    package = griffe.load("medbill", search_paths=[str(ROOT / "src")], docstring_parser=None)
    modules = public_modules()
    provisional = receive_only()
    out = [
        "# The public API",
        "",
        "Everything medbill promises (see the [compatibility policy](compatibility.md)): each",
        "public module's `__all__`, one line per name. Names not listed here are internal.",
        "Generated from the code by `tools/api_page.py`; the details are in the API reference.",
        "",
        f"{sum(len(importlib.import_module(m).__all__) for m in modules)} names in "
        f"{len(modules)} modules, and {sum(map(len, provisional.values()))} provisional",
        "receive-only types.",
        "",
        "A *receive-only* type is a record medbill builds and returns (a report row, a match, a",
        "plan): you read its fields but never construct it. It is not in `__all__` and is",
        "provisional: its fields may still change in a minor release. It is not deprecated:",
        "import it from the module listed, at run time or under `if typing.TYPE_CHECKING:`,",
        "and you get the real type, with no warning.",
    ]
    for module_name in modules:
        names = sorted(importlib.import_module(module_name).__all__, key=str.lower)
        node = (
            package if module_name == "medbill" else package[module_name.removeprefix("medbill.")]
        )
        out += ["", f"## `{module_name}`", "", f"{summary(node)}", ""]
        for name in names:
            if name.startswith("__"):
                continue
            member = node.members.get(name)
            line = f"- `{name}`"
            if member is not None:
                line += f" ({kind(member)})"
                text = summary(member)
                if text:
                    line += f": {text}"
            out.append(line)
        if provisional.get(module_name):
            out += ["", "Provisional, receive-only:", ""]
            for name in sorted(provisional[module_name], key=str.lower):
                member = package[_home(module_name, name).removeprefix("medbill.")]
                line = f"- `{name}` ({kind(member)}, receive-only)"
                text = summary(member)
                out.append(f"{line}: {text}" if text else line)
    return "\n".join(out) + "\n"


MARKER = "<!-- provisional receive-only types: written by tools/api_page.py -->"


def reference_pages() -> dict[Path, str]:
    """Each API reference page with its section of provisional receive-only types.

    ``::: medbill.claims.PaymentCheck`` renders the type from the public path (the package
    imports it under ``TYPE_CHECKING``, which Griffe follows), so the pages name no private
    module.
    """
    pages: dict[Path, str] = {}
    for module_name, names in receive_only().items():
        stem = "medbill" if module_name == "medbill" else module_name.split(".", 1)[1]
        page = ROOT / "docs" / "reference" / f"{stem.replace('.', '-')}.md"
        head = page.read_text().split(MARKER, 1)[0].rstrip("\n")
        section = [
            head,
            "",
            MARKER,
            "",
            "## Provisional, receive-only types",
            "",
            "Records medbill returns and you only read: not in `__all__`, and their fields may",
            "still change in a minor release (see the [compatibility policy](../compatibility.md)).",
        ]
        for name in sorted(names, key=str.lower):
            section += ["", f"::: {module_name}.{name}"]
        pages[page] = "\n".join(section) + "\n"
    return pages


def main(argv: list[str]) -> int:
    text = render()
    pages = reference_pages()
    if "--check" in argv:
        if not PAGE.exists() or PAGE.read_text() != text:
            print(f"docs/api.md is out of date; regenerate it with: {COMMAND}")
            return 1
        for page, content in pages.items():
            if page.read_text() != content:
                print(f"{page.relative_to(ROOT)} is out of date; regenerate it with: {COMMAND}")
                return 1
        return 0
    PAGE.write_text(text)
    for page, content in pages.items():
        page.write_text(content)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
