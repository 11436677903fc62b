"""Faults of a render worker process (``sitecustomize.py`` in this folder), and the
environment that gives a command's workers one."""

from __future__ import annotations

import os
from pathlib import Path

WORKER_FAULTS = Path(__file__).parent

_VARIABLES = {"kill_drawing": "REPORTER_TEST_KILL_DRAWING",
              "disk_full_after": "REPORTER_TEST_DISK_FULL_AFTER"}


def fault_env(**faults: str) -> dict[str, str]:
    """The variables to set for ``faults`` (``kill_drawing=<email>``, ``disk_full_after=<n>``):
    this folder in front of PYTHONPATH, what was there kept (its own ``sitecustomize``, such
    as ``tests/clock``'s, still runs: ours runs it after itself)."""
    path = os.pathsep.join(p for p in (str(WORKER_FAULTS), os.environ.get("PYTHONPATH")) if p)
    return {"PYTHONPATH": path, **{_VARIABLES[name]: value for name, value in faults.items()}}
