"""Each rep in their own language: the demo's Spanish and German scenarios give their reps a
PDF and an email in that language (CLDR dates and decimal commas, no English label), the
managers' outputs stay in the configured language, the CSVs are the same bytes whatever the
languages, and page 1 of every demo report holds in German and Japanese what it holds in
English."""

from __future__ import annotations

import csv
import email
import email.policy
import json
import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from pypdf import PdfReader

from reporter import i18n
from reporter.analytics.localized import build_views
from reporter.analytics.team import build_team
from reporter.cohort.snapshot import read_snapshot
from reporter.languages import OutputLanguages, resolve
from reporter.render.options import PdfOptions
from reporter.render.pdf import PdfRenderer
from reporter.render.pool import program_header
from reporter.render.rep_pdf import render_rep
from reporter.render.team_pdf import render_team
from tests.support import DemoRun, overlapping_words, pdftotext
from tests.test_pages import read_pages

ROOT = Path(__file__).resolve().parent.parent
#: The last day of the demo's month, as each language writes a date.
LAST_DAY = {"es": "30 de noviembre de 2026", "de": "30. November 2026"}
MONTH = {"es": "noviembre de 2026", "de": "November 2026"}


def english_labels(tag: str) -> list[str]:
    """English messages a report could print as they are (no placeholder, two words or
    more, long enough not to be a word of the language too) whose translation differs."""
    with (ROOT / "reporter/locale" / tag.replace("-", "_") / "LC_MESSAGES/messages.po").open(
            "rb") as f:
        catalog = read_po(f)
    out = []
    for m in catalog:
        if not m.id or isinstance(m.id, tuple) or "%" in m.id or "\n" in m.id:
            continue
        text = " ".join(m.id.split())
        if len(text) >= 12 and " " in text and m.string and " ".join(m.string.split()) != text:
            out.append(text)
    return out


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.slow
@pytest.mark.parametrize("tag", ["es", "de"])
def test_the_reps_of_a_scenario_in_another_language_get_their_pdf_in_it(
        demo_run: DemoRun, tag: str) -> None:
    folder = demo_run.spoken[tag]
    pdfs = sorted(folder.glob("reps/*.pdf"))
    assert len(pdfs) >= 8
    labels = english_labels(tag)
    best = {r["email"]: r["best_score"] for r in csv.DictReader(
        (folder / "reps.csv").open(encoding="utf-8"))}
    manifest = json.loads((folder / "manifest.json").read_text())
    for entry in manifest["reps"]:
        if not entry.get("pdf"):
            continue
        pdf = folder / entry["pdf"]
        text = flat(pdftotext(pdf))
        assert PdfReader(pdf).trailer["/Root"]["/Lang"] == tag
        assert overlapping_words(pdf) == [], pdf.name
        assert MONTH[tag] in text, pdf.name
        assert [label for label in labels if label in text] == [], pdf.name
        score = best.get(entry["email"])
        if score:  # the CSV's "72.5" is "72,5" on the page
            assert f"{float(score):.1f}".replace(".", ",") in text, pdf.name
    dated = [flat(pdftotext(p)) for p in pdfs]
    assert any(LAST_DAY[tag] in t for t in dated) or any(
        re.search(r"\d{1,2}\.? (?:de )?\w+ (?:de )?2026", t) for t in dated)


@pytest.mark.slow
@pytest.mark.parametrize("tag", ["es", "de"])
def test_their_email_is_in_it_too_and_the_managers_outputs_are_not(
        demo_run: DemoRun, tag: str) -> None:
    folder = demo_run.spoken[tag]
    labels = english_labels(tag)
    reps = {e["email"] for e in json.loads((folder / "manifest.json").read_text())["reps"]}
    seen = 0
    for eml in sorted((folder / "outbox").glob("*.eml")):
        msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        to = msg["X-Original-To"] or msg["To"]
        html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
        plain = flat(msg.get_body(("plain",)).get_content())  # type: ignore[union-attr]
        assert any(r in str(to) for r in reps), eml.name
        seen += 1
        assert f'lang="{tag}"' in html
        assert [label for label in labels if label in plain or label in str(msg["Subject"])] \
            == [], eml.name
        assert MONTH[tag] in plain or MONTH[tag] in str(msg["Subject"]), eml.name
    assert seen >= 8
    # The managers' outputs: their [teams] entry names no language, so the configured one's.
    digests = sorted((folder / "outbox" / "teams").glob("*.eml"))
    assert len(digests) == 3
    for eml in digests:
        msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        assert 'lang="en"' in msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
        assert "November 2026" in str(msg["Subject"]), eml.name
    for pdf in [folder / "team.pdf", *sorted((folder / "teams").glob("*/team.pdf"))]:
        assert PdfReader(pdf).trailer["/Root"]["/Lang"] == "en", pdf


def test_the_csvs_are_the_same_bytes_whatever_the_languages(demo_run: DemoRun,
                                                            tmp_path: Path) -> None:
    """The Spanish run's tables rendered again with German as every language: reps.csv and
    the others are byte for byte the ones the run wrote."""
    from reporter.pipeline import render
    from reporter.settings import RenderSettings

    folder = demo_run.spoken["es"]
    snapshot = folder / "snapshot.json"
    german = RenderSettings(pdf=False, xlsx=True, csv=True, out=tmp_path,
                            pdf_options=PdfOptions(language="de"))
    outcome = render(snapshot, german)
    written = sorted(p.name for p in folder.glob("*.csv") if p.name != "manifest.csv")
    assert written and set(written) <= {p.name for p in outcome.run_dir.glob("*.csv")}
    for name in written:
        assert (outcome.run_dir / name).read_bytes() == (folder / name).read_bytes(), name


def test_the_languages_are_decided_in_the_documented_order() -> None:
    warned: list[str] = []
    langs = resolve(configured="fr", roster={"Ana@x.test": "es"},
                    teams=[("DACH", "de"), ("Italia", "it")],
                    scenario_languages=["Japanese"], warn=warned.append)
    assert langs.rep("ana@x.test", ["DACH"]) == "es"  # the roster first
    assert langs.rep("bo@x.test", ["dach"]) == "de"  # then the [teams] group
    assert langs.rep("cy@x.test", ["Italia"]) == "ja"  # "it" is not shipped: the scenario's
    assert langs.manager(None) == "fr" and langs.manager("de") == "de"
    assert len(warned) == 1 and "'it'" in warned[0]
    mixed = resolve(configured=None, roster={}, teams=[],
                    scenario_languages=["Spanish", "German", "Klingon", "Klingon"],
                    warn=warned.append)
    assert mixed.rep("a@x.test") == "en"  # a program of several languages: the configured
    assert sum("Klingon" in w for w in warned) == 1  # said once
    assert resolve(configured="pt", roster={}, teams=[], scenario_languages=[None],
                   warn=warned.append).rep("a@x.test") == "pt-BR"
    assert OutputLanguages.from_json(langs.to_json()) == langs


def _page_one(pdf: Path | bytes) -> tuple[int, int]:
    """What page 1 holds: its headings and its figures (charts)."""
    first = read_pages(pdf)[0].body
    headings = {r.elements[r.types.index(t)] for r in first for t in r.types
                if re.fullmatch(r"/H[1-6]", t)}
    figures = {r.elements[r.types.index("/Figure")] for r in first if "/Figure" in r.types}
    return len(headings), len(figures)


@pytest.mark.slow
@pytest.mark.parametrize("tag", [t for t in i18n.LANGUAGES if t != i18n.SOURCE])
def test_page_one_of_every_demo_report_fits_in_a_longer_language(
        demo_run: DemoRun, tag: str) -> None:
    """The demo's scenario reports drawn again in ``tag``: page 1 holds the headings and
    charts it holds in English (the rep's standing and progress). A report may run a page
    longer in a longer language; its first page may not lose what it says. No word of a
    report or of the team report is drawn over its neighbour (a heading wider than its
    column, a tile's label), in any language. German and
    Japanese (the longest and the other script) draw the program's reports too, whose
    first page is the program at a glance (the suite's time: a program report is 6 pages)."""
    renderer = PdfRenderer(PdfOptions())
    problems = []
    programs = [demo_run.program] if tag in ("de", "ja") else []
    for folder in (demo_run.folder, *programs):
        manifest = json.loads((folder / "manifest.json").read_text())
        snapshot = read_snapshot(folder / "snapshot.json")
        views = build_views(snapshot, OutputLanguages(default=tag),
                            generated_at=datetime.fromisoformat(manifest["run"]["generated_at"]))
        pdfs = {e["email"]: folder / e["pdf"] for e in manifest["reps"] if e.get("pdf")}
        drawn_count = 0
        for report, rep in views.own():
            if rep.email not in pdfs:
                continue
            with i18n.use(report.language):
                drawn, _ = render_rep(renderer, replace(report, reps=()), rep)
            drawn_count += 1
            english, local = _page_one(pdfs[rep.email]), _page_one(drawn)
            if english != local:
                problems.append(f"{folder.name}/{rep.slug}: English {english}, {tag} {local}")
            problems += [f"{folder.name}/{rep.slug}: {o}" for o in overlapping_words(drawn)]
        assert drawn_count >= 20, folder
        with i18n.use(tag):  # the team report: its tables' headings in their columns
            team, _ = render_team(renderer, program_header(views.default),
                                  build_team(views.default))
        problems += [f"{folder.name}/team: {o}" for o in overlapping_words(team)]
    assert not problems, "\n".join(problems)
