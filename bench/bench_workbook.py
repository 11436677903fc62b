"""How long the cohort workbook takes, and how much memory, at the sandbox's `--reps 2000` scale.

Prints figures, not pass/fail. Three measurements, each in a fresh child process so one does not
inherit another's heap (peak RSS only ever grows within a process):

1. the whole eight-sheet workbook, as ``write_workbook`` writes it (write-only mode);
2. the Sessions sheet's rows written with openpyxl in normal mode;
3. the same rows written in write-only mode (data rows as sheet XML, as in 1);

then the normal / write-only ratios. Memory is the growth of the child's peak RSS during the
measured step, over what the synthetic report itself already occupies.

``--compare ROUNDS`` instead writes the whole workbook with the data rows as sheet XML and with
openpyxl writing every cell (``grid._XML_ROWS`` off), alternating, each in a fresh child
process, and prints the ratio of the medians: the machine's drift hits both alike.

    .venv/bin/python bench/bench_workbook.py [--reps 2000] [--sessions 20] [--compare 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402

from reporter.analytics.program import of_scenario  # noqa: E402
from reporter.render import grid  # noqa: E402
from reporter.render.workbook import write_sessions_sheet, write_workbook  # noqa: E402
from tests.sample_views import synthetic_report  # noqa: E402


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_phase(phase: str, n_reps: int, n_sessions: int) -> dict[str, float]:
    report = of_scenario(synthetic_report(n_reps, n_sessions))
    base_mb = _peak_rss_mb()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.xlsx"
        start = time.perf_counter()
        if phase.startswith("workbook"):
            grid._XML_ROWS = phase == "workbook"
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


PHASES: dict[str, str] = {
    "workbook": "whole workbook (write_workbook)",
    "workbook-openpyxl": "whole workbook, openpyxl's cells",
    "normal": "Sessions rows, normal mode",
    "write-only": "Sessions rows, write-only mode",
}


def _child(phase: str, n_reps: int, n_sessions: int) -> dict[str, float]:
    """One phase in a fresh process; its figures, printed as they come."""
    proc = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--reps", str(n_reps),
         "--sessions", str(n_sessions)],
        check=True, capture_output=True, text=True,
    )
    r: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"{PHASES[phase]:34s} {r['seconds']:7.2f} s   peak +{r['peak_mb']:7.1f} MB   "
          f"file {r['file_mb']:5.1f} MB   (report in memory: {r['report_mb']:.0f} MB)",
          flush=True)
    return r


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def compare(rounds: int, n_reps: int, n_sessions: int) -> None:
    """Rows as XML against openpyxl's cells, alternating, so both see the same machine."""
    print(f"{n_reps} reps x {n_sessions} sessions, {rounds} rounds; load average {_load()}")
    times: dict[str, list[float]] = {"workbook": [], "workbook-openpyxl": []}
    for i in range(rounds):
        for phase in (("workbook", "workbook-openpyxl") if i % 2 == 0
                      else ("workbook-openpyxl", "workbook")):
            times[phase].append(_child(phase, n_reps, n_sessions)["seconds"])
    fast, slow = (statistics.median(times[p]) for p in ("workbook", "workbook-openpyxl"))
    print(f"median {fast:.2f} s against {slow:.2f} s: rows as XML / openpyxl's cells "
          f"= {fast / slow:.3f} ({slow / fast:.2f}x as fast); load average {_load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=2000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--phase", choices=PHASES)
    parser.add_argument("--compare", type=int, metavar="ROUNDS",
                        help="rows as XML against openpyxl's cells, ROUNDS times each")
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(run_phase(args.phase, args.reps, args.sessions)))
        return
    if args.compare:
        compare(args.compare, args.reps, args.sessions)
        return

    print(f"{args.reps} reps x {args.sessions} sessions "
          f"({args.reps * args.sessions} session rows)")
    results: dict[str, dict[str, float]] = {}
    for phase in ("workbook", "normal", "write-only"):
        results[phase] = _child(phase, args.reps, args.sessions)
    normal, wo = results["normal"], results["write-only"]
    print(f"normal / write-only: time x{normal['seconds'] / wo['seconds']:.2f}, "
          f"peak memory x{normal['peak_mb'] / max(wo['peak_mb'], 0.1):.1f}")


if __name__ == "__main__":
    main()
