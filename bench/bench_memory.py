"""Peak memory of the main process in a large run: a 2,000-rep workspace, fetch to outputs.

The sandbox runs in a process of its own (so its memory is not counted), without rate limits
(the question here is memory, not pacing); `reporter run` runs in another, and this script
prints its peak resident set size (PDF workers are separate processes and are not counted).

    .venv/bin/python bench/bench_memory.py               # 2,000 reps, PDFs on
    .venv/bin/python bench/bench_memory.py --reps 500 --no-pdf
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=2000)
    parser.add_argument("--no-pdf", action="store_true")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "reporter.cli", "sandbox", "--port", "0", "--reps", str(args.reps),
         "--today", "2026-11-15", "--no-rate-limit"],
        env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert sandbox.stdout is not None
        lines = [sandbox.stdout.readline() for _ in range(4)]
        url = re.search(r"EXEC_API_URL=(\S+)", "".join(lines)).group(1)  # type: ignore[union-attr]
        key = re.search(r"EXEC_API_KEY=(\S+)", "".join(lines)).group(1)  # type: ignore[union-attr]
        scenario = re.search(r"first run: (\S+)", "".join(lines)).group(1)  # type: ignore[union-attr]
        with tempfile.TemporaryDirectory() as tmp:
            run_env = {**env, "EXEC_API_URL": url, "EXEC_API_KEY": key,
                       "REPORTER_RATE_LIMIT": "100000", "REPORTER_DAILY_LIMIT": "100000",
                       "XDG_CACHE_HOME": tmp}
            command = [sys.executable, "-m", "reporter.cli", "run", scenario, "--month",
                       "2026-10", "--out", tmp, "--jobs", str(args.jobs), "--csv", "-q"]
            if args.no_pdf:
                command.append("--no-pdf")
            started = time.perf_counter()
            done = subprocess.run(command, env=run_env, capture_output=True, text=True)
            seconds = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    finally:
        sandbox.terminate()
        sandbox.wait()
    print(f"{args.reps} reps, PDFs {'off' if args.no_pdf else 'on'}: exit {done.returncode}, "
          f"{seconds:.1f} s, peak RSS of the largest child process {peak:.0f} MB")
    if done.returncode not in (0, 1):
        print(done.stderr[-2000:])


if __name__ == "__main__":
    main()
