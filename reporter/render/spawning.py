"""The render pool's processes, started so that a caller's script is not run again in them.

With the ``spawn`` start method each new process imports the parent's ``__main__`` again
(as ``__mp_main__``). For ``reporter``'s own command line that costs a little start-up; for a
script written as docs/python.md shows, without an ``if __name__ == "__main__":`` guard, it runs
the whole script again in every worker: the plan printed three times, the run folder's lock
taken twice (``FolderBusy``), and every request spent again (53 on a small run).

The render workers need nothing from ``__main__``: their jobs live in
``reporter.render.worker`` and their arguments are ``reporter``'s own types. So each process is
started with ``__main__`` named as a module called ``__main__``, which multiprocessing's child
bootstrap knows to skip (``multiprocessing.spawn._fixup_main_from_name``). The name is lent
only while ``Process.start`` runs, and only when ``__main__`` had none (a script run by path);
``python -m`` callers (pytest among them) already carry a name and are left as they are.
"""

from __future__ import annotations

import importlib.machinery
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.context import SpawnContext, SpawnProcess

_LENDING = threading.Lock()


@contextmanager
def _main_not_imported() -> Iterator[None]:
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None:
        yield
        return
    with _LENDING:
        main.__spec__ = importlib.machinery.ModuleSpec("__main__", None)
        try:
            yield
        finally:
            main.__spec__ = None


class _Process(SpawnProcess):
    def start(self) -> None:
        with _main_not_imported():
            super().start()


class _Context(SpawnContext):
    Process = _Process


def spawn_context() -> SpawnContext:
    """A ``spawn`` context whose processes never run the caller's ``__main__``."""
    return _Context()
