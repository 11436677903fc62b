"""CI's second run of the suite, on another day: with ``REPORTER_TEST_NOW`` set (an ISO moment,
UTC) and this folder on ``PYTHONPATH``, every Python process of the run (pytest, its xdist
workers, the command-line processes the tests start, their render workers) starts its clock
there and lets it tick, through ``time-machine``.

The moment is pinned once, in ``REPORTER_TEST_CLOCK_FROM`` (the real epoch second at which the
run reached it), so a process started ten minutes into the run is ten minutes past the moment,
as its parent is: the processes of one run agree on what time it is.

Why not libfaketime: under it Python 3.11's ``time.sleep`` fails with EINVAL or
``threading.Event.wait(timeout)`` never returns (libfaketime 0.9.10), and the suite needs
both. The monotonic clock is left alone: timeouts stay real.
"""

from __future__ import annotations

import os


def _travel() -> None:
    moment = os.environ.get("REPORTER_TEST_NOW")
    if not moment:
        return
    import time
    from datetime import UTC, datetime, timedelta

    import time_machine

    anchor = os.environ.setdefault("REPORTER_TEST_CLOCK_FROM", repr(time.time()))
    target = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    elapsed = time.time() - float(anchor)
    time_machine.travel(target + timedelta(seconds=elapsed), tick=True).start()


_travel()
