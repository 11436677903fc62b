"""The package layout shows the flow, and the code keeps to it: no stage imports a later one,
and the sandbox's modules import one way only."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "reporter"
STAGES = ("exec_api", "cohort", "analytics", "render", "deliver")
#: What runs the stages: each may import any stage, no stage may import them.
ABOVE = ("settings", "rundir", "outcome", "outputs", "pipeline", "demo", "cli")
#: Beside the stages, importing none of them: any module may use these.
BESIDE = ("errors", "files", "console", "names", "format", "ranks", "views", "config")


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


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_graph() -> dict[str, set[str]]:
    """Each module of the package -> the package's modules it imports (an ``from a import b``
    counts as importing ``a.b`` when that is a module, else ``a``)."""
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in paths:
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    targets.add(sub if sub in paths else node.module)
            elif isinstance(node, ast.Import):
                targets.update(a.name for a in node.names if a.name in paths)
        graph[name] = targets - {name}
    return graph


def test_no_two_modules_of_the_package_import_each_other_even_through_others():
    """Issue 23, 1: the flow reads one way; ``render.pdf`` and ``render.team_pdf`` imported
    each other (the pool ended it). A cycle anywhere, at any level, fails here."""
    graph = package_graph()
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            raise AssertionError("import cycle: " + " -> ".join(path[path.index(node):] + [node]))
        if node in done:
            return
        for target in sorted(graph[node]):
            visit(target, [*path, node])
        done.add(node)

    for module in sorted(graph):
        visit(module, [])


def test_the_modules_beside_the_stages_import_no_stage_and_nothing_that_runs_them():
    offending = []
    for name in BESIDE:
        for module in imports_of(PACKAGE / f"{name}.py"):
            if stage_of(module) is not None:
                offending.append(f"{name}.py imports {module}")
    assert offending == []


#: What the pipeline may use from outside the package: clocks, paths and partial application.
#: Anything else (json, os, shutil, subprocess, csv, openpyxl, jinja2, weasyprint, ...) is a
#: job of its own, which lives in the stage or module whose job it is.
PIPELINE_OUTSIDE = {"__future__", "datetime", "functools", "pathlib", "time"}
#: Calls that touch a file: the run folder, the snapshot, the manifest and the outputs are
#: written by rundir, cohort.snapshot, deliver.manifest and outputs, never by the pipeline.
FILE_CALLS = {"open", "write_text", "write_bytes", "read_text", "read_bytes", "mkdir", "unlink",
              "rename", "replace", "touch", "rmdir", "symlink_to", "rmtree", "copyfile", "dump"}


def test_pipeline_is_the_flow_and_nothing_else():
    """Issue 23, 1: the run folder, the pool, the manifest and the demo each live in their
    module; what is left of the pipeline is the order of work. (This was a cap of 410 lines,
    which said nothing of what came back in; issue 31, 6 checks what the cap stood for.)

    The pipeline keeps no state and defines no type: only functions. Its public functions are
    the commands it exports, each behind ``io_errors``; everything else is a private step of
    a command. It touches no file and imports nothing from outside the package but clocks and
    paths, so every job a command does is a call into the module whose job it is."""
    tree = ast.parse((PACKAGE / "pipeline.py").read_text(encoding="utf-8"))
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    rest = [n for n in tree.body if n not in functions
            and not isinstance(n, ast.Import | ast.ImportFrom)]
    [exported] = [n for n in rest if isinstance(n, ast.Assign)
                  and [ast.unparse(t) for t in n.targets] == ["__all__"]]
    assert [ast.unparse(n)[:60] for n in rest if n is not exported
            and not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))] == []

    commands = {name for name in ast.literal_eval(exported.value) if name.islower()}
    public = {f.name for f in functions if not f.name.startswith("_")}
    assert public == commands == {"plan", "fetch", "sync", "scenarios", "run", "render",
                                  "email"}
    for f in functions:
        if f.name in commands:
            assert [ast.unparse(d) for d in f.decorator_list] == ["io_errors"], f.name

    outside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and not (node.module or "").startswith("reporter"):
            outside.add((node.module or "").split(".")[0])
        elif isinstance(node, ast.Import):
            outside.update(a.name.split(".")[0] for a in node.names
                           if not a.name.startswith("reporter"))
    assert outside <= PIPELINE_OUTSIDE, outside - PIPELINE_OUTSIDE

    touching = [f"line {c.lineno}: {ast.unparse(c.func)}" for c in ast.walk(tree)
                if isinstance(c, ast.Call)
                and (c.func.attr if isinstance(c.func, ast.Attribute)
                     else getattr(c.func, "id", None)) in FILE_CALLS]
    assert touching == []
