"""How long the cohort workbook takes, and how much memory, at the sandbox's `--reps 2000` scale.

Prints figures, not pass/fail. Three measurements, each in a fresh child process so one does not
inherit another's heap (peak RSS only ever grows within a process):

1. the whole seven-sheet workbook, as ``write_workbook`` writes it (write-only mode);
2. the Sessions sheet's rows (the biggest sheet) written with openpyxl in normal mode;
3. the same rows written in write-only mode;

then the normal / write-only ratios. Memory is the growth of the child's peak RSS during the
measured step, over what the synthetic report itself already occupies.

    .venv/bin/python bench/bench_workbook.py [--reps 2000] [--sessions 20]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402

from reporter.render.workbook import write_sessions_sheet, write_workbook  # noqa: E402
from tests.sample_views import synthetic_report  # noqa: E402


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_phase(phase: str, n_reps: int, n_sessions: int) -> dict[str, float]:
    report = synthetic_report(n_reps, n_sessions)
    base_mb = _peak_rss_mb()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.xlsx"
        start = time.perf_counter()
        if phase == "workbook":
            write_workbook(report, out, pdf_paths={r.slug: f"reps/{r.slug}.pdf"
                                                   for r in report.reps})
            rows = sum(len(r.attempts) for r in report.reps)
        else:
            wb = Workbook(write_only=phase == "write-only")
            ws = wb.create_sheet("Sessions")
            rows = write_sessions_sheet(ws, report)
            wb.save(out)
        seconds = time.perf_counter() - start
        size_mb = out.stat().st_size / 2**20
    return {"seconds": seconds, "peak_mb": _peak_rss_mb() - base_mb, "rows": rows,
            "file_mb": size_mb, "report_mb": base_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=2000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--phase", choices=("workbook", "normal", "write-only"))
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(run_phase(args.phase, args.reps, args.sessions)))
        return

    print(f"{args.reps} reps x {args.sessions} sessions "
          f"({args.reps * args.sessions} session rows)")
    results: dict[str, dict[str, float]] = {}
    for phase in ("workbook", "normal", "write-only"):
        proc = subprocess.run(
            [sys.executable, __file__, "--phase", phase, "--reps", str(args.reps),
             "--sessions", str(args.sessions)],
            check=True, capture_output=True, text=True,
        )
        results[phase] = r = json.loads(proc.stdout.strip().splitlines()[-1])
        label = {"workbook": "whole workbook (write_workbook)",
                 "normal": "Sessions rows, normal mode",
                 "write-only": "Sessions rows, write-only mode"}[phase]
        print(f"{label:34s} {r['seconds']:7.2f} s   peak +{r['peak_mb']:7.1f} MB   "
              f"file {r['file_mb']:5.1f} MB   (report in memory: {r['report_mb']:.0f} MB)")
    normal, wo = results["normal"], results["write-only"]
    print(f"normal / write-only: time x{normal['seconds'] / wo['seconds']:.2f}, "
          f"peak memory x{normal['peak_mb'] / max(wo['peak_mb'], 0.1):.1f}")


if __name__ == "__main__":
    main()
