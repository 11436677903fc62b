"""A local Exec API: a deterministic synthetic workspace served over real HTTP (`reporter sandbox`).

- ``generate_workspace(seed, reps, today)`` builds the workspace (``generate``) of plain data
  (``model``); a session's transcript and evaluations are built on first use (``details``);
- ``create_app(workspace, ...)`` is the Starlette app (``routes``, with ``stats`` for the
  analytics endpoints and ``proficiency`` for the skills' endpoints) behind a gateway
  (``gateway``: key, faults, limits, request log);
  ``app.state.sandbox`` gives tests its counters, ``reset()``, ``schedule_faults(...)`` and
  adjustable limits;
- ``SandboxServer(app)`` runs it on a free loopback port in a thread; ``serve(...)`` in the
  foreground (``server``); ``make_api_key(seed)`` a well-formed key to use with it.

Imports run one way: text, model -> details, stats, proficiency, generate -> gateway -> routes
-> server.
"""

from __future__ import annotations

from reporter.sandbox.gateway import SandboxState, path_template
from reporter.sandbox.generate import generate_workspace
from reporter.sandbox.model import SandboxWorkspace
from reporter.sandbox.routes import create_app
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
