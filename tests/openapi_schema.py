"""Validate response bodies against the Exec API's published OpenAPI 3.0 schemas, read at test
time from ../shared/exec-api/openapi.yml (relative to the repository root), so the suite fails
as soon as the sandbox, or a canned response, drifts from the contract.

OpenAPI 3.0 is not JSON Schema: ``nullable: true`` must become "or null" (for a ``$ref`` too,
where the spec puts ``nullable`` beside the reference), and enums of nullable fields must admit
None. ``strict=True`` (the default) also refuses properties the spec does not list and requires
every listed property except those the spec calls optional ("only included when requested").
"""

from __future__ import annotations

import copy
import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
SPEC_PATH = REPO_ROOT.parent / "shared" / "exec-api" / "openapi.yml"
_OPTIONAL_MARK = "only included when requested"
_FORMATS = jsonschema.FormatChecker()


@_FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    """RFC 3339 as the API writes it: a date, a time and an explicit offset (or Z)."""
    if not isinstance(value, str):
        return True
    if "T" not in value.upper():
        raise ValueError("no time part")
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("no UTC offset")
    return True


@_FORMATS.checks("email")
def _is_email(value: object) -> bool:
    return not isinstance(value, str) or value.count("@") == 1 and "." in value.split("@")[1]


@cache
def load_spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as handle:
        spec: dict[str, Any] = yaml.safe_load(handle)
    return spec


def to_json_schema(node: Any, *, strict: bool, in_all_of: bool = False) -> Any:
    """One OpenAPI 3.0 schema node as JSON Schema (2020-12)."""
    if isinstance(node, list):
        return [to_json_schema(item, strict=strict) for item in node]
    if not isinstance(node, dict):
        return node
    node = dict(node)
    nullable = bool(node.pop("nullable", False))
    for key in ("example", "examples", "xml", "externalDocs", "deprecated", "discriminator"):
        node.pop(key, None)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {name: to_json_schema(sub, strict=strict) for name, sub in value.items()}
        elif key == "allOf":
            out[key] = [to_json_schema(sub, strict=strict, in_all_of=True) for sub in value]
        elif key in ("items", "not", "additionalProperties") or key in ("anyOf", "oneOf"):
            out[key] = to_json_schema(value, strict=strict)
        else:
            out[key] = value
    if strict and not in_all_of and "properties" in out and out.get("type", "object") == "object":
        out.setdefault("additionalProperties", False)
        out.setdefault("required", [
            name for name, sub in node["properties"].items()
            if _OPTIONAL_MARK not in str(sub.get("description", "")).lower()
        ])
    if not nullable:
        return out
    if "$ref" in out or "allOf" in out or "anyOf" in out or "oneOf" in out:
        return {"anyOf": [out, {"type": "null"}]}
    if "type" in out:
        out["type"] = [out["type"], "null"]
    if "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    return out


@cache
def _components(strict: bool) -> dict[str, Any]:
    schemas = load_spec()["components"]["schemas"]
    return {"schemas": {name: to_json_schema(copy.deepcopy(s), strict=strict)
                        for name, s in schemas.items()}}


@cache
def _validator(key: str, strict: bool) -> jsonschema.Draft202012Validator:
    """Built once per schema: building is what costs, validating is cheap."""
    if key.startswith("#/"):
        schema: dict[str, Any] = {"$ref": key}
    else:
        method, path, status = key.split(" ", 2)
        schema = response_schema(path, status, method)
    root = {**to_json_schema(copy.deepcopy(schema), strict=strict),
            "components": _components(strict)}
    return jsonschema.Draft202012Validator(root, format_checker=_FORMATS)


def _validate(body: Any, key: str, strict: bool, what: str) -> None:
    errors = sorted(_validator(key, strict).iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:300]}"
                 for e in errors[:10]]
        raise AssertionError(f"{what} does not match the spec:\n  " + "\n  ".join(lines))


def validate_component(body: Any, name: str, *, strict: bool = True) -> None:
    """``body`` against ``#/components/schemas/<name>``."""
    _validate(body, f"#/components/schemas/{name}", strict, name)


def response_schema(path: str, status: int | str = 200, method: str = "get") -> dict[str, Any]:
    """The JSON schema of one documented response, ``$ref`` to components/responses followed."""
    spec = load_spec()
    operation = spec["paths"][path][method.lower()]
    response = operation["responses"].get(str(status))
    if response is None:
        raise KeyError(f"{method.upper()} {path} documents no {status} response")
    if "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    schema: dict[str, Any] = response["content"]["application/json"]["schema"]
    return schema


def validate_response(body: Any, path: str, status: int | str = 200, method: str = "get", *,
                      strict: bool = True) -> None:
    """``body`` against the documented response of ``METHOD path`` (spec path, e.g.
    "/sessions/{session_id}") with that status."""
    _validate(body, f"{method.lower()} {path} {status}", strict,
              f"{method.upper()} {path} {status}")
