"""Validate response bodies against the Exec API's published response shapes, read from the
contract committed in tests/contract/exec-api.schema.json (derived from Exec's openapi.yml by
scripts/derive_contract.py), so the suite fails as soon as the sandbox, or a canned response,
drifts from the contract, and a clone of this repository alone carries all it needs.

``strict=True`` (the default) also refuses properties the spec does not list and requires every
listed property except those the spec calls optional ("only included when requested"): the
contract marks each such object with ``x-strict-required``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

CONTRACT_PATH = Path(__file__).resolve().parent / "contract" / "exec-api.schema.json"
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
def load_contract() -> dict[str, Any]:
    contract: dict[str, Any] = json.loads(CONTRACT_PATH.read_text(encoding="utf-8"))
    return contract


def strictness(node: Any, *, strict: bool) -> Any:
    """The contract's schema node, with its strict marks applied (strict) or dropped."""
    if isinstance(node, list):
        return [strictness(item, strict=strict) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {name: strictness(sub, strict=strict) for name, sub in value.items()}
        elif key != "x-strict-required":
            out[key] = strictness(value, strict=strict)
    if strict and "x-strict-required" in node:
        out.setdefault("additionalProperties", False)
        out["required"] = node["x-strict-required"]
    return out


@cache
def _components(strict: bool) -> dict[str, Any]:
    schemas = load_contract()["components"]["schemas"]
    return {"schemas": {name: strictness(s, strict=strict) for name, s in schemas.items()}}


@cache
def _validator(key: str, strict: bool) -> jsonschema.Draft202012Validator:
    """Built once per schema: building is what costs, validating is cheap."""
    if key.startswith("#/"):
        schema: dict[str, Any] = {"$ref": key}
    else:
        schema = load_contract()["responses"][key]
    root = {**strictness(copy.deepcopy(schema), strict=strict),
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


def validate_response(body: Any, path: str, status: int | str = 200, method: str = "get", *,
                      strict: bool = True) -> None:
    """``body`` against the documented response of ``METHOD path`` (spec path, e.g.
    "/sessions/{session_id}") with that status."""
    _validate(body, f"{method.lower()} {path} {status}", strict,
              f"{method.upper()} {path} {status}")
