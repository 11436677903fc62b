"""Faults of a render worker process, for tests that start the command (or its pool) with
this folder on PYTHONPATH: every Python process then imports this file as it starts, and the
render workers, which draw, meet the fault. Nothing here is in the package.

``REPORTER_TEST_KILL_DRAWING=<email>``: the worker that starts drawing that rep's report kills
itself with SIGKILL, as the OOM killer would (a real signal, every time it is asked to).

``REPORTER_TEST_DISK_FULL_AFTER=<n>``: a worker's PDF writes after its n-th fail with ENOSPC,
as a full disk would.

A ``sitecustomize`` further down the path (another test folder's) is run after this one: only
the first one found is imported by Python.
"""

from __future__ import annotations

import errno
import importlib.machinery
import importlib.util
import os
import signal
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
_next = importlib.machinery.PathFinder.find_spec(
    "sitecustomize", [p for p in sys.path if os.path.abspath(p or ".") != _HERE])
if _next is not None and _next.loader is not None:
    _module = importlib.util.module_from_spec(_next)
    _next.loader.exec_module(_module)

_KILL = os.environ.get("REPORTER_TEST_KILL_DRAWING")
_FULL_AFTER = os.environ.get("REPORTER_TEST_DISK_FULL_AFTER")

if _KILL or _FULL_AFTER:
    from reporter.render import worker

    if _KILL:
        _real_write_rep = worker.write_rep

        def _write_rep(renderer, out_dir, report, rep):  # type: ignore[no-untyped-def]
            if rep.email == _KILL:
                os.kill(os.getpid(), signal.SIGKILL)
            return _real_write_rep(renderer, out_dir, report, rep)

        worker.write_rep = _write_rep

    if _FULL_AFTER:
        _real_write = worker.atomic_write_bytes
        _writes: list[object] = []

        def _atomic_write_bytes(path, payload, **kwargs):  # type: ignore[no-untyped-def]
            _writes.append(path)
            if len(_writes) > int(_FULL_AFTER or 0):
                raise OSError(errno.ENOSPC, "No space left on device", str(path))
            _real_write(path, payload, **kwargs)

        worker.atomic_write_bytes = _atomic_write_bytes
