"""How fast PDF reports render: one process versus the process pool, in one run.

    .venv/bin/python bench/bench_pdf.py [--reps 200] [--jobs N] [--transcripts]

Reps are the hand-built sample reps (full, single-session, empty, CJK, Arabic with hostile
text) cycled with fresh slugs and emails, so the mix has the same awkward cases as a real
cohort. Both timings include everything a run pays: the pool's time includes starting its
workers and loading templates and fonts in each of them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reporter.render.pdf import PdfOptions, RenderedPdf, render_reports  # noqa: E402
from reporter.views import ReportView  # noqa: E402
from tests.sample_views import sample_report  # noqa: E402


def build_report(count: int) -> ReportView:
    base = sample_report()
    reps = []
    for index in range(count):
        rep = base.reps[index % len(base.reps)]
        reps.append(replace(rep, slug=f"bench-{index:04d}", email=f"rep{index:04d}@bench.test"))
    return replace(base, reps=tuple(reps))


def timed(report: ReportView, options: PdfOptions, jobs: int) -> tuple[float, list[RenderedPdf]]:
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as out:
        started = time.perf_counter()
        done = render_reports(report, Path(out), options, jobs=jobs)
        return time.perf_counter() - started, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--transcripts", action="store_true")
    args = parser.parse_args()

    report = build_report(args.reps)
    options = PdfOptions(transcripts=args.transcripts)
    print(f"{args.reps} reports, {os.cpu_count()} CPUs, pool of {args.jobs}")
    results = {}
    for label, jobs in (("1 process", 1), (f"pool ({args.jobs})", args.jobs)):
        seconds, done = timed(report, options, jobs)
        pages = sum(d.pages for d in done)
        results[label] = seconds
        print(f"{label:>12}: {seconds:7.2f} s  {args.reps / seconds:6.2f} reports/s  "
              f"{1000 * seconds / args.reps:7.1f} ms/report  ({pages} pages)")
    serial, pooled = results.values()
    print(f"{'speed-up':>12}: {serial / pooled:.2f}x")


if __name__ == "__main__":
    main()
