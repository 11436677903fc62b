"""What a report costs in each shipped language against English, and how big the catalogs are.

    .venv/bin/python bench/bench_languages.py [--reps 30] [--rounds 3]

A sandbox workspace of ``--reps`` reps is fetched once into a snapshot (its first scenario, as
``reporter demo`` runs it). Then, per language, in interleaved rounds so machine noise hits
each alike:

1. the views: ``build_views`` of the snapshot with that language as every rep's (the
   analysis writes its sentences in the language, so it is timed too);
2. the reports: every rep's PDF drawn by one warmed-up ``PdfRenderer`` (what a pool worker
   holds) under ``i18n.use``, CPU per report (``time.process_time``), and the pages.

Printed: the median CPU per report and per view build, each language's ratio to English,
the pages per report, and each catalog's size (messages, the .po's bytes, the compiled
catalog's entries and the time to compile it on first use).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reporter import i18n, pipeline  # noqa: E402
from reporter.analytics.localized import build_views  # noqa: E402
from reporter.cohort.selection import Selection, parse_period  # noqa: E402
from reporter.cohort.snapshot import read_snapshot  # noqa: E402
from reporter.exec_api import ApiKey  # noqa: E402
from reporter.languages import OutputLanguages  # noqa: E402
from reporter.render.options import PdfOptions  # noqa: E402
from reporter.render.pdf import PdfRenderer  # noqa: E402
from reporter.render.rep_pdf import render_rep  # noqa: E402
from reporter.sandbox import SandboxServer, create_app, generate_workspace, make_api_key  # noqa: E402
from reporter.settings import ApiSettings, FetchSettings  # noqa: E402

SEED = 7
#: One moment for the views, whatever the day the bench runs.
NOW = datetime(2026, 12, 1, 6, tzinfo=UTC)


def snapshot_of(reps: int, folder: Path) -> Path:
    workspace = generate_workspace(seed=SEED, reps=reps)
    scenario = next(s.slug for s in workspace.scenarios if not s.archived)
    path = folder / "snapshot.json.gz"
    app = create_app(workspace, api_key=make_api_key(SEED), rate_limit=10_000,
                     daily_limit=100_000)
    with SandboxServer(app) as server:
        api = ApiSettings(key=ApiKey(make_api_key(SEED)), base_url=server.base_url,
                          rate_limit=10_000, cache_dir=folder, usage_dir=folder)
        pipeline.fetch(FetchSettings(api=api, scenario=scenario, selection=Selection("all"),
                                     period=parse_period("last")), path)
    return path


def catalogs() -> None:
    print("catalogs (reporter/locale/<lang>/LC_MESSAGES/messages.po):")
    for tag in i18n.LANGUAGES:
        text = i18n.catalog_text(tag)
        if text is None:
            print(f"  {tag:6}: the source language (no catalog)")
            continue
        started = time.perf_counter()
        compiled = i18n.compile_catalog(text)
        took = (time.perf_counter() - started) * 1000
        entries = len(compiled._catalog)  # type: ignore[attr-defined]
        print(f"  {tag:6}: {len(text.encode()):7,} bytes of .po, {entries} compiled entries "
              f"(plural forms counted apart), compiled in {took:.0f} ms on first use")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--reps", type=int, default=30, help="sandbox workspace size")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d')}, sandbox of {args.reps} reps, {args.rounds} rounds, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    catalogs()
    with tempfile.TemporaryDirectory(prefix="bench-languages-") as tmp:
        snapshot = read_snapshot(snapshot_of(args.reps, Path(tmp)))
    renderer = PdfRenderer(PdfOptions())
    per_report: dict[str, list[float]] = {tag: [] for tag in i18n.LANGUAGES}
    per_build: dict[str, list[float]] = {tag: [] for tag in i18n.LANGUAGES}
    pages: dict[str, list[int]] = {tag: [] for tag in i18n.LANGUAGES}
    for round_ in range(args.rounds + 1):  # round 0 warms every language up, uncounted
        for tag in i18n.LANGUAGES:
            started = time.process_time()
            views = build_views(snapshot, OutputLanguages(default=tag), generated_at=NOW)
            built = time.process_time() - started
            times, counts = [], []
            for report, rep in views.own():
                with i18n.use(report.language):
                    started = time.process_time()
                    _, count = render_rep(renderer, replace(report, reps=()), rep)
                    times.append(time.process_time() - started)
                counts.append(count)
            if round_:
                per_build[tag].append(built)
                per_report[tag].extend(times)
                pages[tag] = counts
    english = statistics.median(per_report[i18n.SOURCE])
    english_build = statistics.median(per_build[i18n.SOURCE])
    print("per language (median CPU; ratio to English):")
    for tag in i18n.LANGUAGES:
        report_s, build_s = statistics.median(per_report[tag]), statistics.median(per_build[tag])
        print(f"  {tag:6}: {report_s * 1000:6.0f} ms per report (x{report_s / english:.2f}), "
              f"views {build_s * 1000:5.0f} ms (x{build_s / english_build:.2f}), "
              f"{sum(pages[tag]) / len(pages[tag]):.2f} pages per report "
              f"({sum(pages[tag])} for {len(pages[tag])} reps)")


if __name__ == "__main__":
    main()
