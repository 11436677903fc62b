"""How long the sandbox takes to generate a large workspace (`reporter sandbox --reps 2000`).

Prints figures, not pass/fail (the test suite asserts no wall-clock time; this was
`test_two_thousand_reps_generate_quickly`, whose goal was under 5 s on the development
machine). Each round generates the workspace afresh in this process; the median is quoted.

    .venv/bin/python bench/bench_sandbox.py [--reps 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reporter.sandbox import generate_workspace  # noqa: E402

#: The sandbox's fixed "today" in the tests (tests/support.py), so the figures compare.
TODAY = dt.date(2026, 11, 15)
GOAL_SECONDS = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}")
    times = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        workspace = generate_workspace(seed=7, reps=args.reps, today=TODAY)
        times.append(time.perf_counter() - started)
        print(f"--reps {args.reps}: {len(workspace.members)} members, "
              f"{len(workspace.sessions)} sessions in {times[-1]:.2f} s")
    median = statistics.median(times)
    print(f"median {median:.2f} s (goal under {GOAL_SECONDS:g} s at 2000 reps: "
          f"{'met' if median < GOAL_SECONDS else 'not met'})")


if __name__ == "__main__":
    main()
