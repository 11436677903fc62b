"""What the template sandbox costs: the bundled report templates rendered (Jinja only, the
contexts built beforehand) by the plain environment and by the bounded sandbox a
``--templates`` folder brings (``reporter.render.templates.BoundedSandbox``).

    .venv/bin/python bench/bench_templates.py [--rounds 7] [--team-reps 2000]

1. A rep's report: every sample rep's ``rep/report.html``, each round, in both environments
   interleaved; CPU is this process's ``time.process_time``; the ratio is of the medians.
2. The largest bundled document: the team report of ``--team-reps`` reps (the sample reps
   cycled), rendered once in the sandbox: how far it stays below ``TEMPLATE_SECONDS`` and
   ``TEMPLATE_OUTPUT_CHARS``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reporter.analytics.program import of_scenario  # noqa: E402
from reporter.analytics.team import build_team  # noqa: E402
from reporter.render.options import PdfOptions  # noqa: E402
from reporter.render.pdf import PdfRenderer  # noqa: E402
from reporter.render.rep_pdf import SECTION_TEMPLATE, scenario_pages  # noqa: E402
from reporter.render.team_pdf import TEAM_TEMPLATE, build_team_context  # noqa: E402
from reporter.render.templates import (  # noqa: E402
    TEMPLATE_OUTPUT_CHARS,
    TEMPLATE_SECONDS,
    BoundedSandbox,
    context_names,
)
from tests.sample_views import sample_report  # noqa: E402


def cpu(render: Any, contexts: list[dict[str, Any]]) -> float:
    started = time.process_time()
    for context in contexts:
        render(**context)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--team-reps", type=int, default=2000)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}")
    report = sample_report()
    with tempfile.TemporaryDirectory() as empty:
        plain = PdfRenderer(PdfOptions())
        boxed = PdfRenderer(PdfOptions(templates_dir=Path(empty)))
        assert isinstance(boxed.env, BoundedSandbox) and not isinstance(plain.env, BoundedSandbox)
        # A rep's pages (rep/section.html and its partials): all of a single-scenario
        # report's template work but the title block.
        program = of_scenario(report).program
        contexts = [context_names(scenario_pages(report, rep, plain.options, plain.assets,
                                                 program, None)) for rep in report.reps]
        times: dict[str, list[float]] = {"plain": [], "sandbox": []}
        for _ in range(args.rounds):
            times["plain"].append(cpu(plain.env.get_template(SECTION_TEMPLATE).render, contexts))
            times["sandbox"].append(cpu(boxed.env.get_template(SECTION_TEMPLATE).render,
                                        contexts))
        medians = {k: statistics.median(v) for k, v in times.items()}
        per = {k: 1000 * v / len(contexts) for k, v in medians.items()}
        print(f"rep report ({len(contexts)} reps x {args.rounds} rounds): plain "
              f"{per['plain']:.1f} ms, sandbox {per['sandbox']:.1f} ms a report; "
              f"sandbox / plain = {medians['sandbox'] / medians['plain']:.2f}")

        reps = tuple(replace(rep, slug=f"bench-{i:04d}", email=f"rep{i:04d}@bench.test",
                             user_id=f"bench-{i:04d}")
                     for i, rep in ((i, report.reps[i % len(report.reps)])
                                    for i in range(args.team_reps)))
        big = replace(report, reps=reps)
        run = of_scenario(big)
        team = build_team(run)
        context = build_team_context(run, team, boxed).names()
        template = boxed.env.get_template(TEAM_TEMPLATE)
        started = time.process_time()
        html = template.render(**context)
        spent = time.process_time() - started
        plain_started = time.process_time()
        plain.env.get_template(TEAM_TEMPLATE).render(**context)
        plain_spent = time.process_time() - plain_started
        print(f"team report of {args.team_reps} reps in the sandbox: {spent:.2f} s CPU "
              f"(plain {plain_spent:.2f} s; bound {TEMPLATE_SECONDS:g} s), {len(html):,} "
              f"characters (bound {TEMPLATE_OUTPUT_CHARS:,})")


if __name__ == "__main__":
    main()
