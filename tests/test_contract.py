"""The committed copy of the API contract: present, complete for what the sandbox serves, and
(when the published spec is at hand) the same as a fresh derivation."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reporter.sandbox import create_app, generate_workspace
from tests.openapi_schema import load_contract

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "derive_contract.py"


def served_paths() -> set[str]:
    """Every path the sandbox answers under /rest/v1 (its routes sit under one mount)."""
    app = create_app(generate_workspace(seed=1, reps=2))
    found: set[str] = set()
    for route in app.routes:
        subs = getattr(route, "routes", None)
        found |= {route.path + sub.path for sub in subs} if subs else {route.path}
    return {p.removeprefix("/rest/v1") for p in found}


def test_the_contract_covers_every_route_the_sandbox_serves() -> None:
    """Both ways: the sandbox serves no path the contract lacks (its answers are checked
    against it), and the contract carries no path the sandbox, and so the client, never uses.
    (This read ``app.routes`` alone, which holds only the /rest/v1 mount: it compared nothing.)
    """
    documented = {key.split(" ")[1] for key in load_contract()["responses"]}
    assert served_paths() == documented
    assert "/sessions/{session_id}" in documented


def test_the_contract_has_no_prose() -> None:
    """Only shapes: no description or example keyword anywhere (a property may be named so)."""
    def keywords(node: object, in_properties: bool = False) -> set[str]:
        if isinstance(node, list):
            return set().union(*(keywords(v) for v in node)) if node else set()
        if not isinstance(node, dict):
            return set()
        found = set() if in_properties else set(node)
        for key, value in node.items():
            found |= keywords(value, in_properties=key == "properties" and not in_properties)
        return found

    contract = load_contract()
    assert not keywords(contract["responses"]) & {"description", "example", "examples"}
    assert not keywords(contract["components"]) & {"description", "example", "examples"}


def test_the_contract_carries_only_shapes_that_a_response_uses() -> None:
    """Compact (it was capped at 40,000 bytes): every schema in it is reached from a response,
    directly or through another schema, so none is carried for nothing."""
    contract = load_contract()

    def refs(node: object) -> set[str]:
        if isinstance(node, list):
            return set().union(*(refs(v) for v in node)) if node else set()
        if not isinstance(node, dict):
            return set()
        found = {node["$ref"].rsplit("/", 1)[1]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(refs(v) for v in node.values()))

    schemas = contract["components"]["schemas"]
    reached, todo = set(), refs(contract["responses"])
    while todo:
        name = todo.pop()
        reached.add(name)
        todo |= refs(schemas[name]) - reached
    assert set(schemas) == reached, set(schemas) - reached


@pytest.mark.skipif(not os.environ.get("EXEC_OPENAPI_SPEC"),
                    reason="set EXEC_OPENAPI_SPEC to Exec's openapi.yml to check the copy")
def test_the_committed_contract_is_up_to_date_with_the_published_spec() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), os.environ["EXEC_OPENAPI_SPEC"],
                           "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
