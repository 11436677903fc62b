"""Whether ``reporter render`` keeps two processes busy to the end: the whole command with
``--jobs 1`` against ``--jobs 2``, interleaved, as a ratio.

    .venv/bin/python bench/bench_render_tail.py [--snapshot FILE] [--pairs 3] [--reps 30]

Issue 23, 8: the pool alone reached about 1.9x on 2 cores while the whole command reached
1.6x, because the team report, the longest job, was drawn last by one process while the other
waited. The pool is now handed the team reports first; this script measures what the command
as a user runs it reaches: ``reporter render SNAPSHOT --no-xlsx --jobs N`` in a process of its
own (start-up, imports, workers, every PDF, the manifest), from a folder with no
``reporter.toml``, each pair in alternating order (1 then 2, then 2 then 1) so that drift in
the machine's speed hits both alike. The ratio quoted is the median of the pairs' ratios.

Without ``--snapshot`` it fetches the demo's workspace (``reporter demo``'s seed, last month,
every participant; ``--reps`` changes its size) from the built-in sandbox over loopback.

Each run's CPU seconds (the command and its workers) are printed beside its wall time: a
``--jobs 2`` run whose CPU is not about twice its wall time did not get two cores (another
program had the second one), whatever the pool does. Each run also prints when ``team.pdf``,
the first and the last rep's PDF were written, and when the command ended, counted from its
start: with ``--jobs 2``, a team report written near the end, long after the reps, is a
serial tail; one written early means the pool was busy to the end. The first PDF's time is
the serial head (start-up, snapshot, analytics, and with ``--jobs 2`` the workers' own
start-up). The load average is printed before and after (the machine is shared: compare
ratios inside one run, not times between runs).

Each pair also measures what the machine gives two processes at that moment
(``bench_pdf.machine_ceiling``: two pure-Python loops in two processes against one process
running them in turn) and the CPU time the hypervisor gave other guests while the pair ran
(steal, from ``/proc/stat``): a pair whose ceiling is 1.6x cannot show 1.8x, whatever the
command does. The last line compares the command's median with the ceiling's.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pdf import machine_ceiling  # noqa: E402

from reporter import demo, pipeline  # noqa: E402
from reporter.cohort.selection import Selection, parse_period  # noqa: E402
from reporter.exec_api import ApiKey  # noqa: E402
from reporter.names import TEAM_PDF  # noqa: E402
from reporter.sandbox import (  # noqa: E402
    SandboxServer,
    create_app,
    generate_workspace,
    make_api_key,
)
from reporter.settings import ApiSettings, FetchSettings  # noqa: E402


def demo_snapshot(folder: Path, reps: int) -> Path:
    """The demo's workspace (``reps`` reps), fetched as ``reporter demo`` fetches it."""
    workspace = generate_workspace(seed=demo.SEED, reps=reps)
    key = make_api_key(demo.SEED)
    scenario = next(s.slug for s in workspace.scenarios if not s.archived)
    app = create_app(workspace, api_key=key, rate_limit=None, daily_limit=None)
    path = folder / "snapshot.json"
    with SandboxServer(app) as server:
        api = ApiSettings(key=ApiKey(key), base_url=server.base_url, rate_limit=100_000,
                          cache_dir=folder / "cache", usage_dir=folder / "cache")
        pipeline.fetch(FetchSettings(api=api, scenario=scenario, selection=Selection("all"),
                                     period=parse_period("last")), path)
    return path


def render(snapshot: Path, jobs: int, out: Path, cwd: Path) -> tuple[float, float, Path]:
    """Seconds the whole ``reporter render`` took, the CPU seconds it and its workers used,
    and its run folder."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "reporter.cli", "render", str(snapshot), "--no-xlsx",
         "--jobs", str(jobs), "--out", str(out), "-q"],
        cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"render --jobs {jobs} failed ({done.returncode}): {done.stderr.strip()}")
    [manifest] = out.rglob("manifest.json")
    return seconds, _children_cpu() - cpu, manifest.parent


def _children_cpu() -> float:
    """User and system CPU seconds of the finished child processes (workers included: the
    command waits for them)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timeline(run_dir: Path, started: float, seconds: float) -> str:
    """When team.pdf and the last rep's PDF were written, from the command's start."""
    team = (run_dir / TEAM_PDF).stat().st_mtime - started
    reps = sorted(p.stat().st_mtime - started for p in (run_dir / "reps").glob("*.pdf"))
    return (f"team.pdf at {team:5.1f} s, reps' PDFs {reps[0]:5.1f}..{reps[-1]:5.1f} s "
            f"({len(reps)}), command ended at {seconds:5.1f} s")


def steal_seconds() -> float:
    """CPU seconds the hypervisor has given other guests since boot, all CPUs (0 off Linux)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snapshot", type=Path, help="a snapshot (default: the demo's)")
    parser.add_argument("--pairs", type=int, default=3, help="interleaved pairs (default 3)")
    parser.add_argument("--reps", type=int, default=demo.REPS,
                        help=f"reps of the demo's workspace, without --snapshot ({demo.REPS})")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-render-tail-") as tmp:
        folder = Path(tmp)
        snapshot = args.snapshot.resolve() if args.snapshot else demo_snapshot(folder, args.reps)
        print(f"snapshot {snapshot}; {os.cpu_count()} CPUs; load average {load()}")
        ratios, ceilings = [], []
        for pair in range(args.pairs):
            times: dict[int, float] = {}
            stolen = steal_seconds()
            for jobs in ((1, 2) if pair % 2 == 0 else (2, 1)):
                started = time.time()
                seconds, cpu, run_dir = render(snapshot, jobs, folder / f"out-{pair}-{jobs}",
                                               folder)
                times[jobs] = seconds
                print(f"pair {pair + 1} --jobs {jobs}: {seconds:6.2f} s ({cpu:5.1f} s CPU)   "
                      f"{timeline(run_dir, started, seconds)}")
            ratios.append(times[1] / times[2])
            stolen = steal_seconds() - stolen
            ceilings.append(machine_ceiling(2))
            print(f"pair {pair + 1}: --jobs 1 / --jobs 2 = {ratios[-1]:.2f}x; the machine's "
                  f"ceiling for two processes {ceilings[-1]:.2f}x; {stolen:.1f} s stolen "
                  f"(load {load()})")
        print(f"median ratio {statistics.median(ratios):.2f}x over {len(ratios)} pairs "
              f"({', '.join(f'{r:.2f}' for r in ratios)}); load average now {load()}")
        print(f"median ceiling {statistics.median(ceilings):.2f}x "
              f"({', '.join(f'{c:.2f}' for c in ceilings)})")


if __name__ == "__main__":
    main()
