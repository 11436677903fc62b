"""The package layout shows the flow, and the code keeps to it: no stage imports a later one,
and the sandbox's modules import one way only."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "reporter"
STAGES = ("exec_api", "cohort", "analytics", "render", "deliver")
#: What runs the stages: each may import any stage, no stage may import them.
ABOVE = ("settings", "pipeline", "cli")


def imports_of(path: Path) -> set[str]:
    """Every reporter module a file imports, at any level (functions included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("reporter"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("reporter"))
    return found


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES + ABOVE else None


def test_no_stage_imports_a_later_stage_or_what_runs_it():
    backwards = []
    for stage in STAGES:
        files = [PACKAGE / f"{stage}.py"] if (PACKAGE / f"{stage}.py").exists() else sorted(
            (PACKAGE / stage).rglob("*.py"))
        for path in files:
            for module in imports_of(path):
                target = stage_of(module)
                if target in ABOVE or (target in STAGES
                                       and STAGES.index(target) > STAGES.index(stage)):
                    backwards.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert backwards == []


def test_the_sandbox_modules_form_no_cycle():
    folder = PACKAGE / "sandbox"
    names = {p.stem for p in folder.glob("*.py")} - {"__init__"}
    graph = {name: {m.split(".")[2] for m in imports_of(folder / f"{name}.py")
                    if m.startswith("reporter.sandbox.") and m.split(".")[2] in names} - {name}
             for name in names}
    order: list[str] = []
    while graph:
        ready = sorted(n for n, deps in graph.items() if deps <= set(order))
        assert ready, f"import cycle among {sorted(graph)}"
        order += ready
        for n in ready:
            del graph[n]
    assert order.index("model") < order.index("generate") < order.index("server")
