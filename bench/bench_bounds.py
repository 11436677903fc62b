"""Pages, seconds and peak memory of one rep's PDF for the hostile shapes of issue 30, item 5.

Each shape is a one-rep snapshot built with ``tests/snapshot_factory.py``; ``reporter render
--transcripts --no-xlsx --jobs 1`` draws it in a process of its own (with ``--jobs 1`` the
command's own process draws, so its peak resident set size, from ``os.wait4``'s
``ru_maxrss``, is the drawing process's). Prints figures, not pass/fail: the tests assert
the page bounds, never seconds or bytes.

    .venv/bin/python bench/bench_bounds.py                      # every shape
    .venv/bin/python bench/bench_bounds.py --shape transcript   # one of them
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests import snapshot_factory as f  # noqa: E402


def transcript_snapshot(lines: int) -> dict[str, Any]:
    """One rep whose best session's transcript has ``lines`` lines of ordinary length."""
    who = f.user()
    transcript = [f.line("user" if i % 2 else "ai",
                         f"Line {i}: so tell me how your team handles procurement today, "
                         "and who signs off on a purchase of this size?", float(i * 4))
                  for i in range(lines)]
    sessions = [f.session(70.0, f.at(3), who=who),
                f.session(82.0, f.at(9), who=who, transcript=transcript)]
    return f.snapshot([f.rep(who, sessions)])


def rubric_snapshot(items: int) -> dict[str, Any]:
    """One rep graded on ``items`` rubric items in three sessions."""
    who = f.user()
    grades = ("good", "mid", "bad")
    sessions = [f.session(60.0 + 5 * day, f.at(day + 1), who=who, evaluations=[
        f.criterion(f"Criterion {c}", *(f.item(f"Item {c}.{i}", grades[(i + day) % 3],
                                               f"Feedback on item {c}.{i}.")
                                        for i in range(items // 10)))
        for c in range(10)]) for day in range(3)]
    return f.snapshot([f.rep(who, sessions)])


def attempts_snapshot(attempts: int) -> dict[str, Any]:
    """One rep with ``attempts`` valid attempts spread over October."""
    who = f.user()
    step = timedelta(days=30) / attempts
    sessions = [f.session(55.0 + (i * 37 % 45), f.iso(f.T0 + i * step), who=who)
                for i in range(attempts)]
    return f.snapshot([f.rep(who, sessions)])


SHAPES = {
    "transcript": ("20,000-line transcript", lambda: transcript_snapshot(20_000)),
    # Past the client's 32 MB answer cap (issue 30): a 56 MB snapshot.
    "transcript-32mb": ("320,000-line transcript", lambda: transcript_snapshot(320_000)),
    "rubric": ("1,000 rubric items", lambda: rubric_snapshot(1_000)),
    "attempts": ("200 attempts", lambda: attempts_snapshot(200)),
}


def draw(snapshot: dict[str, Any], tmp: Path) -> tuple[int, float, float, int]:
    """(pages, seconds, peak MB of the drawing process, exit status) of one render."""
    from pypdf import PdfReader

    snap = tmp / "snapshot.json"
    snap.write_text(json.dumps(snapshot))
    out = tmp / "out"
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "reporter.cli", "render", str(snap), "--out", str(out),
         "--transcripts", "--no-xlsx", "--jobs", "1", "-q"],
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    pdfs = list(out.rglob("reps/*.pdf"))
    pages = len(PdfReader(io.BytesIO(pdfs[0].read_bytes())).pages) if pdfs else 0
    return pages, seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", choices=sorted(SHAPES), action="append")
    args = parser.parse_args()
    shapes = args.shape or list(SHAPES)
    if len(shapes) > 1:
        # One process per shape: a child's peak counts the memory of the process it was
        # started from, so this one stays as small as it can.
        print(f"load average {os.getloadavg()[0]:.2f}", flush=True)
        for name in shapes:
            subprocess.run([sys.executable, __file__, "--shape", name], check=True)
        return
    for name in shapes:
        title, build = SHAPES[name]
        with tempfile.TemporaryDirectory() as tmp:
            pages, seconds, peak, code = draw(build(), Path(tmp))
        print(f"{title:>24}: {pages} pages, {seconds:.1f} s, peak {peak:.0f} MB "
              f"(exit {code})", flush=True)


if __name__ == "__main__":
    main()
