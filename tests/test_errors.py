"""The error tree drawn whole: every ReporterError of the package sits in ``reporter.errors``'s
drawing, under its own parent, and each name means one thing."""

from __future__ import annotations

import importlib
import pkgutil
import re

import reporter
from reporter import errors
from reporter.errors import ReporterError
from reporter.exec_api import errors as exec_errors


def every_reporter_error() -> set[type[ReporterError]]:
    """Every subclass, after importing every module of the package (a class in a module no
    test happens to import would be missed otherwise)."""
    for module in pkgutil.walk_packages(reporter.__path__, "reporter."):
        importlib.import_module(module.name)
    found: set[type[ReporterError]] = set()
    todo: list[type[ReporterError]] = [ReporterError]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.startswith("reporter.") and sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def drawn_parents(module: object = errors) -> dict[str, str]:
    """Each class name in the module's drawing -> the name drawn above it, one level up."""
    drawing = (getattr(module, "__doc__", None) or "").split("```")[1]
    parents: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for line in drawing.splitlines():
        match = re.match(r"^([ │├└─]*)([A-Z][A-Za-z]+)", line)
        if not match:
            continue
        column, name = len(match.group(1)), match.group(2)
        while stack and stack[-1][0] >= column:
            stack.pop()
        if stack:
            parents[name] = stack[-1][1]
        stack.append((column, name))
    return parents


def test_every_reporter_error_is_drawn_under_its_parent():
    parents = drawn_parents()
    wrong = []
    for cls in sorted(every_reporter_error(), key=lambda c: c.__name__):
        drawn = parents.get(cls.__name__)
        if drawn is None:
            wrong.append(f"{cls.__module__}.{cls.__name__} is not in the drawing")
        elif drawn != cls.__base__.__name__:
            wrong.append(f"{cls.__name__} is drawn under {drawn}, but derives from "
                         f"{cls.__base__.__name__}")
    assert wrong == []


def test_the_drawing_names_no_class_that_is_gone():
    names = {cls.__name__ for cls in every_reporter_error()}
    assert set(drawn_parents()) - names == set()


def test_one_name_per_meaning():
    """Two classes of one name would be two meanings drawn as one."""
    names = [cls.__name__ for cls in every_reporter_error()]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []
    assert not hasattr(reporter.exec_api, "ConfigurationError")


def test_the_clients_own_drawing_is_the_same_tree():
    """``reporter.exec_api.errors`` draws its part of the tree (the client knows nothing of the
    stages above it): every class it defines is there, under the parent the whole drawing
    gives it."""
    own = drawn_parents(exec_errors)
    whole = drawn_parents()
    defined = {c.__name__ for c in every_reporter_error() if c.__module__ == exec_errors.__name__}
    assert defined - set(own) == set()
    assert {name: own[name] for name in defined} == {name: whole[name] for name in defined}
