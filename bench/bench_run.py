"""Whether a run overlaps fetching and rendering: ``run`` against fetch alone and render alone.

    .venv/bin/python bench/bench_run.py [--reps 30] [--jobs N] [--rate-limit 60] [--program]

Against the built-in sandbox at its default limits (60 requests a minute, 1,000 a day; the
client paces itself to the same 60), like ``reporter demo`` but paced as the real API is:

1. fetch alone: ``pipeline.fetch`` into a snapshot, from a fresh cache folder (every session
   detail is a real request);
2. render alone: ``pipeline.render`` from that snapshot (PDFs through the pool, workbook);
3. the whole ``pipeline.run``, again from a fresh cache folder.

A run that overlaps perfectly takes as long as the longer of 1 and 2; the script prints
run / max(fetch, render). Each step gets its own sandbox server (fresh request counters)
and its own usage folder, so no step borrows another's limits or cache.

``--program``: instead, one cold ``pipeline.run`` of a program (the sandbox's main collection,
as ``reporter demo`` runs it) against the floor the rate limit sets: the span from its first
request to its last (the client's sliding window sends the first minute's requests at once,
so N requests span about (ceil(N / limit) - 1) minutes; requests / limit is printed too),
the gap, and how many reps reached the render pool before the last request.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reporter import pipeline  # noqa: E402
from reporter.cohort.program import ProgramSelection  # noqa: E402
from reporter.cohort.selection import Selection, parse_period  # noqa: E402
from reporter.demo import main_collection  # noqa: E402
from reporter.exec_api import ApiKey, ExecClient  # noqa: E402
from reporter.render import pool as render_pool  # noqa: E402
from reporter.sandbox import (  # noqa: E402
    SandboxServer,
    SandboxWorkspace,
    create_app,
    generate_workspace,
    make_api_key,
)
from reporter.settings import ApiSettings, FetchSettings, RenderSettings, RunSettings  # noqa: E402

SEED = 7
T = TypeVar("T")


class Timeline:
    """When each rep reached the pool and when its PDF was done, during ``run``: the tail
    after the last submission is what overlap cannot hide."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.submitted: list[float] = []
        self.done: list[float] = []
        submit = render_pool.PdfRenderPool.submit

        def traced(pool: render_pool.PdfRenderPool, report: object, rep: object) -> object:
            self.submitted.append(time.perf_counter() - self.start)
            future = submit(pool, report, rep)  # type: ignore[arg-type]
            future.add_done_callback(
                lambda _: self.done.append(time.perf_counter() - self.start))
            return future

        render_pool.PdfRenderPool.submit = traced  # type: ignore[assignment,method-assign]
        self._submit = submit

    def close(self) -> None:
        render_pool.PdfRenderPool.submit = self._submit  # type: ignore[method-assign]


class Requests:
    """When each API request of a run was sent (``ExecClient._exchange``, retries included),
    on the Timeline's clock."""

    def __init__(self, start: float) -> None:
        self.start = start
        self.sent: list[float] = []
        exchange = ExecClient._exchange

        async def traced(client: ExecClient, *args: object) -> object:
            self.sent.append(time.perf_counter() - self.start)
            return await exchange(client, *args)  # type: ignore[arg-type]

        ExecClient._exchange = traced  # type: ignore[assignment,method-assign]
        self._exchange = exchange

    def close(self) -> None:
        ExecClient._exchange = self._exchange  # type: ignore[method-assign]


def bench_program(workspace: SandboxWorkspace, args: argparse.Namespace) -> None:
    """A cold program run against the floor its requests set at the rate limit."""
    collection = main_collection(workspace)
    if collection is None:
        raise SystemExit("the sandbox has no collection of two or more active scenarios")
    with tempfile.TemporaryDirectory(prefix="bench-program-") as tmp_dir:
        tmp = Path(tmp_dir)
        timeline = Timeline()
        requests = Requests(timeline.start)
        try:
            with server(workspace, args.rate_limit) as srv:
                settings = replace(
                    fetch_settings(srv, "", tmp / "cache", args.rate_limit),
                    program=ProgramSelection("collection", (collection,)))
                run_s, ran = timed(lambda: pipeline.run(RunSettings(
                    settings, RenderSettings(jobs=args.jobs, out=tmp / "out"))))
        finally:
            requests.close()
            timeline.close()
    floor = ran.requests_made * 60 / args.rate_limit
    first, last = min(requests.sent), max(requests.sent)
    span = last - first
    early = sum(1 for t in timeline.submitted if t < last)
    print(f"  program run ({collection}): {run_s:.1f} s, {ran.reports} PDFs, "
          f"{ran.requests_made} requests")
    print(f"  floor at {args.rate_limit}/min: the requests' span, {span:.1f} s (from {first:.1f} s "
          f"to {last:.1f} s: the client's sliding window sends the first {args.rate_limit} at "
          f"once); gap {run_s - span:+.1f} s ({(run_s / span - 1) * 100:+.1f} %)")
    print(f"    (requests / limit: {floor:.1f} s; gap {run_s - floor:+.1f} s, "
          f"{(run_s / floor - 1) * 100:+.1f} %)")
    print(f"    {early} of {len(timeline.submitted)} reps reached the render pool before the "
          f"last request; last PDF done at {max(timeline.done, default=0.0):.1f} s")


def timed(step: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = step()
    return time.perf_counter() - started, result


def fetch_settings(server: SandboxServer, scenario: str, cache: Path,
                   rate_limit: int) -> FetchSettings:
    api = ApiSettings(key=ApiKey(make_api_key(SEED)), base_url=server.base_url,
                      rate_limit=rate_limit, cache_dir=cache, usage_dir=cache)
    return FetchSettings(api=api, scenario=scenario, selection=Selection("all"),
                         period=parse_period("last"))


def server(workspace: SandboxWorkspace, rate_limit: int) -> SandboxServer:
    return SandboxServer(create_app(workspace, api_key=make_api_key(SEED),
                                   rate_limit=rate_limit, daily_limit=1000))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--reps", type=int, default=30, help="sandbox workspace size")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rate-limit", type=int, default=60,
                        help="requests per minute, sandbox and client alike (default: the "
                             "sandbox's own default)")
    parser.add_argument("--program", action="store_true",
                        help="a cold program run against the floor its requests set instead")
    args = parser.parse_args()

    workspace = generate_workspace(seed=SEED, reps=args.reps)
    scenario = next(s.slug for s in workspace.scenarios if not s.archived)
    render_settings = RenderSettings(jobs=args.jobs)
    print(f"{time.strftime('%Y-%m-%d')}, sandbox of {args.reps} reps, rate limit "
          f"{args.rate_limit}/min, {args.jobs} render processes, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}")
    if args.program:
        bench_program(workspace, args)
        return
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp_dir:
        tmp = Path(tmp_dir)
        snapshot = tmp / "snapshot.json.gz"
        with server(workspace, args.rate_limit) as srv:
            fetch_s, fetched = timed(lambda: pipeline.fetch(
                fetch_settings(srv, scenario, tmp / "cache-fetch", args.rate_limit), snapshot))
        print(f"  fetch alone : {fetch_s:7.1f} s  ({fetched.reps} reps, "
              f"{fetched.requests_made} requests, {fetched.cache_hits} cache hits)")
        render_s, rendered = timed(lambda: pipeline.render(
            snapshot, RenderSettings(jobs=args.jobs, out=tmp / "out-render")))
        print(f"  render alone: {render_s:7.1f} s  ({rendered.reports} PDFs, "
              f"{rendered.pages} pages, workbook)")
        timeline = Timeline()
        with server(workspace, args.rate_limit) as srv:
            run_s, ran = timed(lambda: pipeline.run(RunSettings(
                fetch_settings(srv, scenario, tmp / "cache-run", args.rate_limit),
                RenderSettings(jobs=render_settings.jobs, out=tmp / "out-run"))))
        timeline.close()
        print(f"  run         : {run_s:7.1f} s  ({ran.reports} PDFs, {ran.requests_made} "
              f"requests, {ran.cache_hits} cache hits)")
        subs = sorted(timeline.submitted)
        if subs:
            half = subs[len(subs) // 2]
            print(f"    reps reached the pool from {subs[0]:.1f} s to {subs[-1]:.1f} s (half by "
                  f"{half:.1f} s); last PDF done at {max(timeline.done):.1f} s; run ended at "
                  f"{run_s:.1f} s")
    longer = max(fetch_s, render_s)
    print(f"  run / max(fetch, render) = {run_s:.1f} / {longer:.1f} = {run_s / longer:.3f}  "
          f"(run / (fetch + render) = {run_s / (fetch_s + render_s):.3f})")


if __name__ == "__main__":
    main()
