"""Derive the project's copy of the Exec API contract from the published OpenAPI description.

The tests validate the sandbox's answers against the API's response shapes. Those shapes come
from Exec's ``openapi.yml``, which does not ship with this repository, so this script turns it
into a compact JSON Schema (field names, types, nullability, enums, required; no prose, no
examples) that is committed as ``tests/contract/exec-api.schema.json`` and read by the tests.

    python scripts/derive_contract.py PATH/TO/openapi.yml          # rewrite the committed file
    python scripts/derive_contract.py PATH/TO/openapi.yml --check  # exit 1 if it is stale

OpenAPI 3.0 is not JSON Schema: ``nullable: true`` becomes "or null" (for a ``$ref`` too, where
the spec puts ``nullable`` beside the reference), and enums of nullable fields admit None. Each
object the tests may check strictly carries ``x-strict-required``: every property except those
the spec calls optional ("only included when requested"); tests/openapi_schema.py applies it,
with ``additionalProperties: false``, when a test asks for a strict check.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import yaml

OUT = Path(__file__).resolve().parents[1] / "tests" / "contract" / "exec-api.schema.json"
# The read endpoints reporter calls (and the sandbox serves), with every documented status.
PATHS = (
    "/workspace", "/workspace/members", "/workspace/groups", "/scenarios",
    "/scenarios/assignments", "/sessions", "/sessions/{session_id}",
    "/scenarios/{scenario_id}/analytics/summary",
    "/scenarios/{scenario_id}/analytics/participants",
    "/collections", "/skills", "/skills/{skill_id}/proficiency",
)
_OPTIONAL_MARK = "only included when requested"
_PROSE = ("description", "example", "examples", "xml", "externalDocs", "deprecated",
          "discriminator", "title")


def convert(node: Any, *, in_all_of: bool = False) -> Any:
    """One OpenAPI 3.0 schema node as JSON Schema (2020-12), prose dropped."""
    if isinstance(node, list):
        return [convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = dict(node)
    nullable = bool(node.pop("nullable", False))
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _PROSE:
            continue
        if key == "properties":
            out[key] = {name: convert(sub) for name, sub in value.items()}
        elif key == "allOf":
            out[key] = [convert(sub, in_all_of=True) for sub in value]
        elif key in ("items", "not", "additionalProperties", "anyOf", "oneOf"):
            out[key] = convert(value)
        else:
            out[key] = value
    if not in_all_of and "properties" in out and out.get("type", "object") == "object":
        out["x-strict-required"] = out.get("required") or [
            name for name, sub in node["properties"].items()
            if _OPTIONAL_MARK not in str(sub.get("description", "")).lower()
        ]
    if not nullable:
        return out
    if "$ref" in out or "allOf" in out or "anyOf" in out or "oneOf" in out:
        return {"anyOf": [out, {"type": "null"}]}
    if "type" in out:
        out["type"] = [out["type"], "null"]
    if "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    return out


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[-1]} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= _refs(value)
        return found
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node)) if node else set()
    return set()


def derive(spec: dict[str, Any]) -> dict[str, Any]:
    """The contract: each documented response of PATHS (GET), and the schemas they reach."""
    responses: dict[str, Any] = {}
    for path in PATHS:
        for status, response in spec["paths"][path]["get"]["responses"].items():
            if "$ref" in response:
                response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
            schema = response["content"]["application/json"]["schema"]
            responses[f"get {path} {status}"] = convert(copy.deepcopy(schema))
    all_schemas = spec["components"]["schemas"]
    wanted: set[str] = set()
    todo = _refs(responses)
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            todo |= _refs(all_schemas[name])
    return {
        "$comment": "Derived from Exec's openapi.yml by scripts/derive_contract.py; do not edit.",
        "openapi_version": spec.get("info", {}).get("version"),
        "responses": responses,
        "components": {"schemas": {name: convert(copy.deepcopy(all_schemas[name]))
                                   for name in sorted(wanted)}},
    }


def render(spec_path: Path) -> str:
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    contract = derive(spec)
    contract["source_sha256"] = hashlib.sha256(spec_path.read_bytes()).hexdigest()
    return json.dumps(contract, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", type=Path, help="Exec's openapi.yml")
    parser.add_argument("--check", action="store_true",
                        help="Exit 1 when the committed contract differs from the spec's.")
    args = parser.parse_args(argv)
    text = render(args.spec)
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.is_file() else ""
        if current != text:
            print(f"{OUT} is out of date: run scripts/derive_contract.py {args.spec}",
                  file=sys.stderr)
            return 1
        print(f"{OUT} is up to date")
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(text):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
