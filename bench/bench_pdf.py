"""How fast PDF reports render: CPU per report against the straightforward render, and the
process pool against one process, in one run.

    .venv/bin/python bench/bench_pdf.py [--rounds 5] [--reps 48] [--jobs 1 2 4] [--steps]

1. CPU per report. The typical reps (the sample reps whose report has 3 pages) are rendered in
   turn by ``render_straightforward`` (a new Jinja environment, stylesheet and font
   configuration for every report: the baseline) and by one warmed-up ``PdfRenderer`` (what a
   pool worker does), interleaved so machine noise hits both alike. CPU is this process's
   ``time.process_time``; the ratio is of the medians. ``--steps`` adds the renderer with each
   optimisation left out, to show what each one buys; ``--tagging`` adds the renderer with
   PDF/UA tagging off (``tagged_pdf = false``), to show what tagging costs.
2. The pool. ``--reps`` reports (the sample reps cycled with fresh slugs, so the mix keeps the
   empty, CJK and Arabic cases) through ``PdfRenderPool`` with 1, 2 and N worker processes
   (1 included: every report is drawn in a worker). The wall time runs from creating
   the pool (workers starting, importing WeasyPrint, loading fonts) to the last file written,
   exactly what a run pays. Speed-ups are against the first --jobs value (1 by default): the
   median over the repeats of each repeat's ratio, as the configurations run interleaved.
   The machine's own ceiling is printed beside them: the same pure-Python loop in N
   processes against one, since shared vCPUs rarely give N times one.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import gc
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from dataclasses import replace
from pathlib import Path
from unittest.mock import patch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reporter.analytics.program import of_scenario, scenario_rep  # noqa: E402
from reporter.render.options import PdfOptions  # noqa: E402
from reporter.render.pdf import PdfRenderer  # noqa: E402
from reporter.render.pool import PdfRenderPool, RenderedPdf  # noqa: E402
from reporter.render.rep_pdf import render_straightforward  # noqa: E402
from reporter.views import ReportView, RepView  # noqa: E402
from tests.sample_views import sample_report  # noqa: E402
from tests.support import scenario_rep_pdf  # noqa: E402


def build_report(count: int) -> ReportView:
    base = sample_report()
    reps = []
    for index in range(count):
        rep = base.reps[index % len(base.reps)]
        reps.append(replace(rep, slug=f"bench-{index:04d}", email=f"rep{index:04d}@bench.test"))
    return replace(base, reps=tuple(reps))


UNTAGGED = "optimised, untagged"


def cpu_per_report(report: ReportView, reps: list[RepView], options: PdfOptions, rounds: int,
                   steps: bool, tagging: bool = False) -> dict[str, tuple[float, float]]:
    """Median (CPU ms, wall ms) per report for each variant, measured interleaved."""
    renderer = PdfRenderer(options)
    renderer.warm_up()
    from tinyhtml5 import inputstream

    # Each optimisation beyond reuse, undone, in the order the steps table adds them back:
    # tinyhtml5's own (never hitting) pattern cache, the stylesheet as written, WeasyPrint's
    # whole user-agent stylesheet.
    undo: list[Callable[[], AbstractContextManager[object]]] = [
        lambda: patch.object(inputstream, "characters_until_regex", {}),
        lambda: patch.object(renderer, "inlined_stylesheet", renderer.stylesheet),
        lambda: patch.object(renderer, "lean_html", None),
    ]

    def without(first: int) -> Callable[[RepView], None]:
        """The renderer with optimisations ``first`` onwards undone."""
        def render(rep: RepView) -> None:
            with ExitStack() as stack:
                for step in undo[first:]:
                    stack.enter_context(step())
                scenario_rep_pdf(renderer, report, rep)
        return render

    variants: dict[str, Callable[[RepView], object]] = {
        "straightforward (baseline)": lambda rep: render_straightforward(
            of_scenario(report), scenario_rep(report.scenario, rep), options),
    }
    if steps:
        variants["+ Jinja, CSS, fonts reused"] = without(0)
        variants["+ tinyhtml5 pattern cache"] = without(1)
        variants["+ custom properties inlined"] = without(2)
    variants["optimised (PdfRenderer)"] = lambda rep: scenario_rep_pdf(renderer, report, rep)
    if tagging:
        untagged = PdfRenderer(replace(options, tagged=not options.tagged))
        untagged.warm_up()
        variants[UNTAGGED] = lambda rep: scenario_rep_pdf(untagged, report, rep)
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    wall: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for rep in reps:
            for name, render in variants.items():
                gc.collect()  # nobody pays for the previous variant's garbage
                started_cpu, started = time.process_time(), time.perf_counter()
                render(rep)
                cpu[name].append(time.process_time() - started_cpu)
                wall[name].append(time.perf_counter() - started)
    return {name: (1000 * statistics.median(cpu[name]), 1000 * statistics.median(wall[name]))
            for name in variants}


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def machine_ceiling(jobs: int, n: int = 30_000_000) -> float:
    """How much faster ``jobs`` processes run ``jobs`` equal pure-Python loops than one
    process runs them in turn: what this machine allows any pool, whatever it renders (shared
    or throttled vCPUs give less than ``jobs``)."""
    started = time.perf_counter()
    for _ in range(jobs):
        _spin(n)
    serial = time.perf_counter() - started
    with cf.ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as ex:
        list(ex.map(_spin, [1] * jobs))  # processes started before the clock
        started = time.perf_counter()
        list(ex.map(_spin, [n] * jobs))
        parallel = time.perf_counter() - started
    return serial / parallel


def timed_pool(report: ReportView, options: PdfOptions,
               jobs: int) -> tuple[float, float, list[RenderedPdf]]:
    """(seconds from creating the pool to the last file, seconds from the first report done
    to the last: the pool once started, PDFs)."""
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as out:
        finished: list[float] = []
        started = time.perf_counter()
        with PdfRenderPool(options, Path(out), jobs) as pool:
            program = of_scenario(report)
            futures = [pool.submit(program, rep) for rep in program.reps]
            for future in futures:
                future.add_done_callback(lambda _: finished.append(time.perf_counter()))
            done = [f.result() for f in futures]
        ended = time.perf_counter()
        return ended - started, max(finished) - min(finished), done


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5,
                        help="rounds over the typical reps for the CPU figures (0: skip)")
    parser.add_argument("--reps", type=int, default=48, help="reports for the pool (0: skip)")
    parser.add_argument("--jobs", type=int, nargs="+",
                        default=sorted({1, 2, os.cpu_count() or 1}))
    parser.add_argument("--repeat", type=int, default=1,
                        help="times each pool configuration runs (interleaved; median shown)")
    parser.add_argument("--steps", action="store_true",
                        help="also time the renderer with each optimisation left out")
    parser.add_argument("--tagging", action="store_true",
                        help="also time the renderer with PDF/UA tagging off")
    parser.add_argument("--transcripts", action="store_true")
    args = parser.parse_args()
    options = PdfOptions(transcripts=args.transcripts)
    print(f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f}")

    if args.rounds:
        sample = sample_report()
        probe = PdfRenderer(options)
        typical = [rep for rep in sample.reps if probe.render(sample, rep)[1] == 3]
        print(f"\nCPU per report: {len(typical)} typical 3-page reps "
              f"({', '.join(r.first_name for r in typical)}) x {args.rounds} rounds, interleaved")
        figures = cpu_per_report(sample, typical, options, args.rounds, args.steps, args.tagging)
        base_cpu, _ = figures["straightforward (baseline)"]
        for name, (cpu_ms, wall_ms) in figures.items():
            print(f"  {name:28s} CPU {cpu_ms:6.1f} ms/report   wall {wall_ms:6.1f} ms/report   "
                  f"CPU ratio {cpu_ms / base_cpu:.3f}")
        print(f"  optimised / baseline CPU: {figures['optimised (PdfRenderer)'][0] / base_cpu:.3f}")
        if args.tagging:
            print(f"  tagged / untagged CPU: "
                  f"{figures['optimised (PdfRenderer)'][0] / figures[UNTAGGED][0]:.3f}")

    if args.reps:
        report = build_report(args.reps)
        print(f"\nPool: {args.reps} reports, pool start-up included")
        times: dict[int, list[float]] = {jobs: [] for jobs in args.jobs}
        steady: dict[int, list[float]] = {jobs: [] for jobs in args.jobs}
        pages = 0
        for _ in range(args.repeat):
            for jobs in args.jobs:
                seconds, running, done = timed_pool(report, options, jobs)
                times[jobs].append(seconds)
                steady[jobs].append(running)
                pages = sum(d.pages for d in done)
        print(f"  ({pages} pages; median of {args.repeat} interleaved repeat"
              f"{'s' if args.repeat > 1 else ''})")
        for jobs in args.jobs:
            if jobs > 1:
                ceilings = [machine_ceiling(jobs) for _ in range(args.repeat)]
                print(f"  the machine's ceiling for {jobs} processes (the same pure-Python loop "
                      f"in {jobs} processes against one): {statistics.median(ceilings):.2f}x "
                      f"(runs: {', '.join(f'{c:.2f}' for c in ceilings)})")
        first_runs = times[args.jobs[0]]
        for jobs, runs in times.items():
            seconds = statistics.median(runs)
            how = "in this process" if jobs == 1 else f"{jobs} worker processes"
            # Each repeat's ratio against the first configuration in the same repeat, so a
            # machine that drifts between repeats does not skew the speed-up.
            paired = statistics.median(a / b for a, b in zip(first_runs, runs, strict=True))
            # Once started: from the first report done to the last, without the start-up.
            started = statistics.median(
                a / b for a, b in zip(steady[args.jobs[0]], steady[jobs], strict=True))
            print(f"  jobs={jobs} ({how}):".ljust(32)
                  + f"{seconds:7.2f} s  {args.reps / seconds:6.2f} reports/s  "
                  f"{1000 * seconds / args.reps:6.1f} ms/report  speed-up {paired:.2f}x, "
                  f"once started {started:.2f}x"
                  f"  (runs: {', '.join(f'{t:.1f}' for t in runs)} s; first report done "
                  f"{statistics.median(t - r for t, r in zip(runs, steady[jobs], strict=True)):.1f}"
                  f" s in)")

if __name__ == "__main__":
    main()
