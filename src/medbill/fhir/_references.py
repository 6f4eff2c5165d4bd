"""Resolving FHIR references: contained resources (``#id``), Bundle entries (``Type/id``,
``urn:uuid:...``, full URLs) and resources the caller supplies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from medbill._errors import ValidationError
from medbill.fhir._reader import Context, Node, fail

__all__ = ["Resolver"]


class Resolver:
    """Finds the resource a Reference points at, and reads each target once."""

    def __init__(self, context: Context, *, strict: bool) -> None:
        self.context = context
        self.strict = strict
        self.targets: dict[str, tuple[dict[str, Any], str]] = {}
        self.containers: dict[str, dict[str, tuple[dict[str, Any], str]]] = {}
        self.entities: dict[str, Any] = {}
        self.reached: set[str] = set()

    def add_resource(self, resource: dict[str, Any], path: str, *names: str) -> None:
        """Register a resource under its ``Type/id`` and any other ``names`` (fullUrl)."""
        kind, rid = resource.get("resourceType"), resource.get("id")
        keys = [n for n in names if n]
        if isinstance(kind, str) and isinstance(rid, str):
            keys.append(f"{kind}/{rid}")
        for key in keys:
            self.targets[key] = (resource, path)
        contained = resource.get("contained")
        if isinstance(contained, list):
            inner: dict[str, tuple[dict[str, Any], str]] = {}
            for index, item in enumerate(contained):
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    inner[item["id"]] = (item, f"{path}.contained[{index}]")
            self.containers[path] = inner

    def _container(self, path: str) -> dict[str, tuple[dict[str, Any], str]]:
        best = ""
        for root in self.containers:
            if path.startswith(root) and len(root) > len(best):
                best = root
        return self.containers.get(best, {})

    def lookup(self, reference: str, from_path: str) -> tuple[dict[str, Any], str] | None:
        """The resource and its path for ``reference`` seen at ``from_path``."""
        if reference.startswith("#"):
            return self._container(from_path).get(reference[1:])
        if reference in self.targets:
            return self.targets[reference]
        parts = reference.rstrip("/").split("/")
        if len(parts) >= 2:
            tail = f"{parts[-2]}/{parts[-1]}"
            if tail in self.targets:
                return self.targets[tail]
            if len(parts) >= 4 and parts[-2] == "_history":
                return self.targets.get(f"{parts[-4]}/{parts[-3]}")
        return None

    def resolve(self, reference: Node, kinds: set[str]) -> Node | None:
        """The target of the Reference ``reference`` as a Node, or ``None`` when it names
        no resource here (a dangling reference is an error when reading a Bundle)."""
        target = reference.data.get("reference")
        if not isinstance(target, str):
            return None
        found = self.lookup(target, reference.path)
        if found is None:
            if self.strict or target.startswith("#"):
                raise self.dangling(reference)
            return None
        reference.use("reference", "display", "type")
        resource, path = found
        self.reached.add(path)
        kind = resource.get("resourceType")
        if kind not in kinds:
            raise fail(
                reference.at("reference"),
                target,
                f"points at a {kind}; expected {' or '.join(sorted(kinds))}",
            )
        return Node(resource, path, self.context)

    def dangling(self, reference: Node) -> ValidationError:
        """The error for a reference that points at nothing medbill can read."""
        target = reference.data.get("reference")
        if not isinstance(target, str):
            return fail(
                reference.path,
                reference.data.get("identifier", reference.data.get("display")),
                "names no resource (no literal reference); medbill needs the resource itself",
            )
        where = "in the Bundle" if self.strict else "contained in the resource"
        return fail(
            reference.at("reference"),
            target,
            f"the reference {target!r} resolves to no resource {where}"
            + ("" if self.strict else "; read it with from_fhir_bundle or pass references="),
        )

    def entity(self, node: Node, read: Callable[[Node], Any]) -> Any:
        """``read(node)``, once per target resource."""
        if node.path not in self.entities:
            self.entities[node.path] = read(node)
        return self.entities[node.path]

    def patient_id(self, reference: Node) -> str:
        """The medbill id of the Patient a reference points at (its MR identifier), or the id
        in the reference itself when the Patient is not at hand."""
        from medbill.fhir._parties import patient_from

        target = self.resolve(reference, {"Patient"})
        if target is not None:
            return str(self.entity(target, patient_from).id)
        logical = reference.node("identifier")
        if logical is not None:
            logical.use_all()
            value = logical.data.get("value")
            if isinstance(value, str) and value:
                return value
        text = reference.data.get("reference")
        if isinstance(text, str) and text.startswith("Patient/"):
            reference.use("reference", "display", "type")
            return text.split("/")[-1]
        raise fail(reference.path, text, "medbill needs the patient (a reference to a Patient)")

    def payer(self, reference: Node) -> Any:
        """The medbill Payer an Organization reference points at."""
        from medbill.fhir._parties import payer_from

        target = self.resolve(reference, {"Organization"})
        if target is None:
            raise self.dangling(reference)
        return self.entity(target, payer_from)

    def patient(self, reference: Node) -> Any:
        """The medbill Patient a reference points at."""
        from medbill.fhir._parties import patient_from

        target = self.resolve(reference, {"Patient"})
        if target is None:
            raise self.dangling(reference)
        return self.entity(target, patient_from)

    def provider(self, reference: Node) -> Any:
        """The medbill Provider a reference points at."""
        from medbill.fhir._parties import provider_from

        target = self.resolve(reference, {"Practitioner", "PractitionerRole", "Organization"})
        if target is None:
            raise self.dangling(reference)
        return self.entity(target, lambda n: provider_from(n, self))
