"""Regenerate the pictures the README and docs/reports.md show, from the demo: ``make sample``.

Runs ``reporter demo`` (with the example config's ``[teams]``) into a temporary folder, then
turns page 1 of seven reports into PNGs in ``examples/``: the report the demo tells a newcomer
to open first (``sample-report.png``) and six contrasting reps (an improver, a decliner, a rep
with one attempt, a past-due rep with no valid attempt, a rep whose target Exec counts met
from an earlier month, and a rep whose latest fell below a best that had risen); and every
page of one team's report (``team-report-<page>.png``), a team whose pages carry none of the
sandbox's hostile texts. From the demo's program run (the main collection): page 1 of one rep's
program report (``program-report.png``, a rep who practised every scenario) and the page of
the program's ``team.pdf`` holding the rep x skill tiers (``program-skills.png``).
``examples/samples.json`` records which reps and team they are and the sha256 of the report
templates they were drawn with; a test fails when the templates change and the pictures do not.

Needs ``pdftoppm`` (poppler-utils; ``make sample`` installs it).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from reporter import analytics
from reporter.analytics.program import build_program
from reporter.cohort.snapshot import read_snapshot
from reporter.config import load_config
from reporter.deliver.manifest import read_manifest
from reporter.demo import demo
from reporter.names import SNAPSHOT
from reporter.settings import team_specs
from reporter.views import RepView

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TEMPLATES = ROOT / "reporter" / "templates"
STAMP = EXAMPLES / "samples.json"
RESOLUTION = "70"  # dpi: legible on GitHub, about 100 KB a page
CONFIG = EXAMPLES / "reporter.toml"


def templates_digest(folder: Path = TEMPLATES) -> str:
    """sha256 over the PDF templates' names and bytes, in name order (the emails' folder
    draws no sample, so it is left out)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.relative_to(folder).parts[0] != "email" \
                and path.suffix in (".html", ".css"):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _pick(reps: list[RepView], test: Callable[[RepView], bool],
          key: Callable[[RepView], float], hostile: set[str]) -> RepView:
    fitting = [r for r in reps if test(r) and r.email not in hostile]
    if not fitting:
        raise SystemExit("the demo has no rep for one of the samples")
    return max(fitting, key=key)


def _page_one(pdf: Path, png: Path) -> None:
    stem = png.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", RESOLUTION, "-f", "1", "-l", "1",
                    "-singlefile", str(pdf), str(stem)], check=True)


def _team_pages(run_dir: Path, teams: list[str]) -> list[str]:
    """Every page of the first team report without hostile text, as team-report-<n>.png."""
    for slug in teams:
        pdf = run_dir / "teams" / slug / "team.pdf"
        text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                              text=True).stdout
        if "<" in text or "=HYPERLINK" in text:
            continue
        for old in EXAMPLES.glob("team-report-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-png", "-r", RESOLUTION, str(pdf),
                        str(EXAMPLES / "team-report")], check=True)
        return [slug, *sorted(p.name for p in EXAMPLES.glob("team-report-*.png"))]
    raise SystemExit("every team report of the demo carries a hostile text")


def _hostile(reps: list[RepView]) -> set[str]:
    """The reps whose reports carry the sandbox's hostile texts: they stay out of pictures."""
    return {r.email for r in reps if any(
        "<" in (m.quote + (m.feedback or "")) or "=" in m.quote for m in r.feedback_examples)}


def _program_pictures(run_dir: Path) -> dict[str, str]:
    """Page 1 of a program report (a rep who practised every scenario, whose report carries
    no hostile text) and the program team report's page with the skill tiers."""
    report = build_program(read_snapshot(run_dir / SNAPSHOT))
    hostile = {e for part in report.parts for e in _hostile(list(part.reps))}
    fitting = [r for r in report.reps if r.coverage == "all" and r.email not in hostile]
    if not fitting:
        raise SystemExit("the demo's program has no rep who practised every scenario")
    rep = max(fitting, key=lambda r: (sum(s.tier is not None for s in r.skills), r.name))
    _page_one(run_dir / "reps" / f"{rep.slug}.pdf", EXAMPLES / "program-report.png")
    team = run_dir / "team.pdf"
    text = subprocess.run(["pdftotext", str(team), "-"], check=True, capture_output=True,
                          text=True).stdout
    page = next(i for i, t in enumerate(text.split("\f"), 1) if "Skills across the team" in t)
    subprocess.run(["pdftoppm", "-png", "-r", RESOLUTION, "-f", str(page), "-l", str(page),
                    "-singlefile", str(team), str(EXAMPLES / "program-skills")], check=True)
    print(f"examples/program-report.png: {rep.name}; examples/program-skills.png: page {page}")
    return {"program-report.png": rep.name, "program-skills.png": f"team.pdf page {page}"}


def main() -> int:
    if shutil.which("pdftoppm") is None:
        print("pdftoppm is missing: install poppler-utils (make sample does)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        done = demo(Path(tmp) / "demo", teams=team_specs(load_config(CONFIG)))
        run_dir = done.run.run_dir
        report = analytics.build_report(read_snapshot(run_dir / SNAPSHOT))
        reps = list(report.reps)
        by_slug = {r.slug: r for r in reps}
        featured = by_slug[done.featured.stem] if done.featured else reps[0]
        # Reps whose reports carry the sandbox's hostile texts stay out of the pictures.
        hostile = _hostile(reps)
        samples = {
            "sample-report.png": featured,
            "rep-improver.png": featured,
            "rep-decliner.png": _pick(
                reps, lambda r: r.coaching.decline is not None,
                lambda r: r.coaching.decline.drop if r.coaching.decline else 0.0, hostile),
            "rep-one-attempt.png": _pick(
                reps, lambda r: r.valid_count == 1, lambda r: r.session_count, hostile),
            "rep-past-due.png": _pick(
                reps, lambda r: r.valid_count == 0 and bool(r.coaching.target)
                and r.coaching.target.past_due, lambda r: r.session_count, hostile),
            "rep-met-earlier.png": _pick(
                reps, lambda r: bool(r.coaching.target) and r.coaching.target.met
                and r.coaching.target.reached is False, lambda r: r.valid_count, hostile),
        }
        # Slipping after a rise (the best above the first, the latest well below the best),
        # another rep than the decliner and the met-earlier one when the demo has one.
        taken = {r.email for r in samples.values()}
        samples["rep-fell-below-best.png"] = _pick(
            reps, lambda r: r.trend == "slipping" and (r.lift or 0) > 0,
            lambda r: (r.email not in taken) + (r.lift or 0) / 100, hostile)
        for name, rep in samples.items():
            _page_one(run_dir / "reps" / f"{rep.slug}.pdf", EXAMPLES / name)
            print(f"examples/{name}: {rep.name}")
        slugs = [t.slug for t in read_manifest(run_dir).teams]
        team, *pictures = _team_pages(run_dir, slugs)
        print(f"examples/team-report-*.png: {team}, {len(pictures)} pages")
        if done.program is None:
            raise SystemExit("the demo ran no program")
        program = _program_pictures(done.program.run_dir)
    STAMP.write_text(json.dumps({
        "templates_sha256": templates_digest(),
        "reps": {name: rep.name for name, rep in samples.items()},
        "team": {"slug": team, "pages": pictures},
        "program": program,
    }, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"examples/{STAMP.name}: templates {templates_digest()[:12]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
