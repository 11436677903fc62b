"""A local Exec API: a deterministic synthetic workspace served over real HTTP (`reporter sandbox`).

- ``generate_workspace(seed, reps, today)`` builds the workspace (``data.py``);
- ``create_app(workspace, ...)`` is the Starlette app (``app.py``); ``app.state.sandbox`` gives
  tests its counters, ``reset()``, ``schedule_faults(...)`` and adjustable limits;
- ``SandboxServer(app)`` runs it on a free loopback port in a thread; ``serve(...)`` in the
  foreground (``server.py``); ``make_api_key(seed)`` a well-formed key to use with it.
"""

from __future__ import annotations

from reporter.sandbox.app import SandboxState, create_app, path_template
from reporter.sandbox.data import SandboxWorkspace, generate_workspace
from reporter.sandbox.server import SandboxServer, make_api_key, serve

__all__ = [
    "SandboxServer",
    "SandboxState",
    "SandboxWorkspace",
    "create_app",
    "generate_workspace",
    "make_api_key",
    "path_template",
    "serve",
]
