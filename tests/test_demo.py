"""The whole demo output, read back as a rep and a manager would: one coaching plan everywhere.

``reporter demo`` runs once for the session (conftest's ``demo_run``). Every rep's next step is
read from the PDF's page 1, the first "Focus on" card from the PDF's later pages, the
workbook's and the CSV's columns, and the email; they must all name the same item. Every
pattern card's quoted feedback must come from a session that graded that item the way the card
says (mid or bad for a focus area, good for a strength), checked against the snapshot the demo
fetched."""

from __future__ import annotations

import csv
import json
import re
import subprocess
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from reporter.format import fmt_score
from tests.support import EXAMPLE_CONFIG, DemoRun, mirrored_rows, pdftotext, read_csv

pytestmark = pytest.mark.slow

# Page-1 call-out label, as printed (the label is upper-cased by the stylesheet).
STEP_LABEL = re.compile(r"(YOUR ONE THING FOR NEXT TIME|KEEP DOING THIS)(?: · graded \w+)?\s")
#: The item a step is about, from its one line: "Keep doing: A › B", "A › B (Nov 9): try …".
STEP_ITEM = re.compile(r"^(?:Keep doing: )?(.+? › .+?)(?: \(|:|$)")
CARD_MEASURE = re.compile(r"^Graded good (\d+) of (\d+)$")
CARD_FEEDBACK = re.compile(r"^([A-Z][a-z]{2} \d{1,2}), graded (good|mid|bad): (.+)$")
A4_WIDTH = 595  # points; the pattern columns split the page in two
DROP = re.compile(r"Fell ([\d.]+) points? from a best of")


@dataclass(frozen=True)
class Card:
    item: str
    criterion: str
    day: str | None
    grade: str | None
    feedback: str | None


def pdf_pages(pdf: Path) -> int:
    """The page count pdfinfo reads."""
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True,
                          text=True).stdout
    [pages] = re.findall(r"^Pages:\s+(\d+)$", info, re.M)
    return int(pages)


def column_cards(pdf: Path, pages: int, heading: str, left: bool) -> list[Card]:
    """The pattern cards under ``heading`` ("Keep doing" / "Focus on"), in order."""
    x, width = (0, A4_WIDTH // 2) if left else (A4_WIDTH // 2, A4_WIDTH - A4_WIDTH // 2)
    for page in range(2, pages + 1):
        text = pdftotext(pdf, "-f", str(page), "-l", str(page), "-r", "72", "-x", str(x),
                         "-y", "0", "-W", str(width), "-H", "842")
        if heading not in text:
            continue
        lines = [ln.strip() for ln in text.split(heading, 1)[1].splitlines() if ln.strip()]
        cards = []
        for i, line in enumerate(lines):
            if CARD_MEASURE.match(line) and i >= 2:
                fb = CARD_FEEDBACK.match(lines[i + 1]) if i + 1 < len(lines) else None
                cards.append(Card(lines[i - 2], lines[i - 1], fb and fb[1], fb and fb[2],
                                  fb and fb[3]))
        return cards
    return []


@pytest.fixture
def demo(demo_run: DemoRun) -> Path:
    return demo_run.folder


def test_demo_end_to_end(demo_run: DemoRun) -> None:
    """``reporter demo`` (the session's one run): a run folder of PDFs, workbook and outbox,
    and the report to open first named on stdout."""
    assert "open first:" in demo_run.stdout and ".pdf" in demo_run.stdout
    assert sorted(p.parent for p in demo_run.out.rglob("manifest.json")) == sorted(
        [demo_run.folder, demo_run.program, *demo_run.spoken.values()])
    assert len(list((demo_run.folder / "reps").glob("*.pdf"))) >= 20
    assert (demo_run.folder / "cohort.xlsx").is_file()
    assert len(list((demo_run.folder / "outbox").glob("*.eml"))) >= 20


README = Path(__file__).resolve().parent.parent / "README.md"
DEMO_OUTPUT = re.compile(r"<!-- demo-output:start -->\n```\n(.*?)```\n<!-- demo-output:end -->",
                         re.S)


def test_the_demo_prints_the_readmes_figures(demo_run: DemoRun) -> None:
    """The demo's moment is fixed (``reporter.demo.NOW``), so its summary lines are the same
    on any day: the README shows them, and they must be what it prints (seconds aside, and
    ``--out`` as ``make demo`` names it)."""
    [block] = DEMO_OUTPUT.findall(README.read_text(encoding="utf-8"))
    printed = [re.sub(r", [\d.]+ s$", "", line).replace(str(demo_run.out), "output/demo")
               for line in demo_run.stderr.splitlines()
               if line.startswith(("done:", "outbox:"))]
    assert printed == block.splitlines()


def _flat(text: str) -> str:
    """Whitespace as one space, and a word a line break hyphenated joined again."""
    return re.sub(r"-\s+", "-", " ".join(text.split()))


def _letters(text: str) -> str:
    """The text without spaces or hyphens: pdftotext joins a word hyphenated at a line's end
    without its hyphen ("Current-state" reads "Currentstate")."""
    return re.sub(r"[\s\-]", "", text)


def test_the_next_step_is_the_same_in_every_output(demo: Path) -> None:
    manifest = json.loads((demo / "manifest.json").read_text())
    sheet = load_workbook(demo / "cohort.xlsx", read_only=True)["Reps"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    book = {r[header.index("Email")]: r for r in rows[1:]}
    with (demo / "reps.csv").open(encoding="utf-8-sig", newline="") as fh:
        table = {r["email"]: r for r in csv.DictReader(fh)}
    mails = {}
    for eml in (demo / "outbox").glob("*.eml"):
        msg = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
        mails[msg["To"].addresses[0].addr_spec] = msg.get_body(("plain",)).get_content()

    checked = 0
    for entry in manifest["reps"]:
        if entry["status"] != "ok":
            continue
        pdf = demo / entry["pdf"]
        page1 = pdftotext(pdf, "-f", "1", "-l", "1")
        found = STEP_LABEL.search(page1)
        assert found, f"{entry['email']}: no next step on page 1"
        focus = column_cards(pdf, entry["pages"], "Focus on", left=False)
        row = book[entry["email"]]
        top_focus = row[header.index("Top focus area")]
        # One line, the same words in the workbook, the CSV, page 1 and the email.
        line = row[header.index("Next step")]
        assert line == table[entry["email"]]["next_step"]
        assert _letters(line) in _letters(page1), entry["email"]
        item = STEP_ITEM.match(line)
        assert item, line
        step = item[1]
        if row[header.index("Name")].endswith("(former member)"):
            assert entry["email"] not in mails  # held back: email_former_members is off
        else:
            # The email words the step as page 1 labels it: a fix, or a strength to keep.
            label = found[1].capitalize()
            assert f"\n{label}: {line}\n" in mails[entry["email"]], entry["email"]
        if focus:
            first = f"{focus[0].criterion} › {focus[0].item}"
            assert step == first == top_focus == table[entry["email"]]["top_focus_area"], (
                entry["email"])
        else:  # nothing to fix: the step polishes a strength, and no output claims a focus
            assert top_focus is None and table[entry["email"]]["top_focus_area"] == ""
        checked += 1
    assert checked >= 20


def test_every_pdf_holds_its_reps_name_and_best_score(demo: Path) -> None:
    """Each of the cohort's reports, read back: the rep's name and best score on page 1, as
    many pages as the manifest says. Read by poppler (pdftotext, pdfinfo): a seventh of
    pypdf's time, and every name in its order, right-to-left and CJK ones too."""
    run_dir = demo
    manifest = json.loads((run_dir / "manifest.json").read_text())
    snapshot = json.loads((run_dir / "snapshot.json").read_text())
    ok = [r for r in manifest["reps"] if r["status"] == "ok" and r.get("pdf")]
    assert len(ok) >= 20
    for entry in ok:
        first_page = " ".join(pdftotext(run_dir / entry["pdf"], "-f", "1", "-l", "1").split())
        rep = next(r for r in snapshot["reps"] if r["user"]["email"] == entry["email"])
        user = rep["user"]
        name = " ".join(f"{user['first_name'] or ''} {user['last_name'] or ''}".split())
        assert name and name in first_page, entry["email"]
        scores = [s["score"] for s in rep["sessions"] if s["is_valid_attempt"]
                  and s["score"] is not None]
        if scores:  # the best score as the report writes it, as a whole token
            assert re.search(rf"(?<![\d.]){re.escape(fmt_score(max(scores)))}(?![\d])",
                             first_page), entry["email"]
        assert pdf_pages(run_dir / entry["pdf"]) == entry["pages"]


def _grades(snapshot: dict[str, Any], email: str) -> list[tuple[str, str, str, str, str]]:
    """(day "Oct 9", criterion, item, grade, feedback) of every graded item of a rep's valid
    sessions."""
    rep = next(r for r in snapshot["reps"] if r["user"]["email"] == email)
    out = []
    for s in rep["sessions"]:
        if not s.get("is_valid_attempt") or s.get("score") is None:
            continue
        when = datetime.fromisoformat(s["created_at"].replace("Z", "+00:00"))
        for criterion in s.get("evaluations") or ():
            for item in criterion["items"]:
                feedback = " ".join((item.get("feedback") or "").split())
                out.append((f"{when:%b} {when.day}", criterion["criterion_name"], item["name"],
                            item.get("grade") or "", feedback))
    return out


def test_every_card_quotes_feedback_given_with_its_grade(demo: Path) -> None:
    manifest = json.loads((demo / "manifest.json").read_text())
    snapshot = json.loads((demo / "snapshot.json").read_text())
    cards_seen = 0
    for entry in manifest["reps"]:
        if entry["status"] != "ok":
            continue
        graded = _grades(snapshot, entry["email"])
        pdf = demo / entry["pdf"]
        for heading, left, allowed in (("Keep doing", True, {"good"}),
                                       ("Focus on", False, {"mid", "bad"})):
            for card in column_cards(pdf, entry["pages"], heading, left):
                if card.feedback is None:
                    continue
                assert card.grade in allowed, (entry["email"], heading, card)
                shown = card.feedback.rstrip("…")[:40]
                assert any(day == card.day and crit == card.criterion and item == card.item
                           and grade == card.grade and text.startswith(shown)
                           for day, crit, item, grade, text in graded), (entry["email"], card)
                cards_seen += 1
    assert cards_seen >= 60


def test_the_demo_opens_on_an_ordinary_report(demo_run: DemoRun) -> None:
    """The report a newcomer is told to open first holds none of the sandbox's hostile texts,
    which stay on other reps' reports; it is an improving rep's, with a next step."""
    demo, printed = demo_run.folder, demo_run.stdout
    found = re.search(r"open first: (\S+\.pdf)", printed)
    assert found, printed
    text = pdftotext(Path(found[1]))
    assert "<" not in text and "=HYPERLINK" not in text and "file://" not in text
    assert "you improved by" in text and "YOUR ONE THING FOR NEXT TIME" in text
    hostile = [p for p in (demo / "reps").glob("*.pdf") if "file://" in pdftotext(p)]
    assert hostile, "the hostile texts must still be in the demo"


def attention_sheet(book: Path) -> list[tuple[str, str, str]]:
    """(rep, reasons, severity) rows of a workbook's first sheet, top to bottom."""
    ws = load_workbook(book, read_only=True)["Needs attention"]
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    return [(r[header.index("Rep")], r[header.index("Reasons")], r[header.index("Severity")])
            for r in rows[1:]]


def attention_lists(book: Path) -> list[tuple[str, str, str, str]]:
    """(rep, list, reasons, severity) rows of a workbook's Needs attention sheet."""
    ws = load_workbook(book, read_only=True)["Needs attention"]
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    return [(r[header.index("Rep")], r[header.index("List")], r[header.index("Reasons")],
             r[header.index("Severity")]) for r in rows[1:]]


def test_needs_attention_puts_past_due_and_big_falls_before_one_attempt_reps(demo: Path) -> None:
    """On the sandbox's seeded workspace: past due without a valid attempt first, then the
    reps who fell more than 10 points, all before anyone flagged for one attempt; at most
    five on the 1:1 shortlist, first; and the team report's page 1 lists them in that order."""
    rows = attention_sheet(demo / "cohort.xlsx")
    past_due = [i for i, (_, why, _) in enumerate(rows)
                if re.match(r"Past due since .+, no valid attempt", why)]
    fell = [i for i, (_, why, _) in enumerate(rows)
            if (m := DROP.search(why)) and float(m[1]) > 10]
    one_only = [i for i, (_, why, _) in enumerate(rows) if "Only one valid attempt" in why]
    assert len(past_due) >= 2 and past_due == list(range(len(past_due)))
    assert fell and one_only and max(past_due + fell) < min(one_only)
    assert [sev for _, _, sev in rows] == sorted(
        (sev for _, _, sev in rows), key=["High", "Medium", "Low"].index)
    lists = [kind for _, kind, _, _ in attention_lists(demo / "cohort.xlsx")]
    short = lists.count("1:1 shortlist")
    assert 0 < short <= 5 and lists[:short] == ["1:1 shortlist"] * short
    page_one = " ".join(pdftotext(demo / "team.pdf", "-f", "1", "-l", "1").split())
    names = [name for name, _, _ in rows[:short]]
    positions = [page_one.index(name) for name in names]
    assert positions == sorted(positions), names
    assert "What to coach the team on" in page_one


def test_each_team_gets_its_folder_and_its_manager_one_digest(demo: Path) -> None:
    import tomllib

    teams = tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8"))["teams"]
    manifest = json.loads((demo / "manifest.json").read_text())
    assert sorted(t["group"] for t in manifest["teams"]) == sorted(teams)
    digests = sorted((demo / "outbox" / "teams").glob("*.eml"))
    assert len(digests) == len(teams)
    for entry in manifest["teams"]:
        folder = demo / "teams" / entry["slug"]
        assert (folder / "team.pdf").is_file() and (folder / "team.xlsx").is_file()
        raw = (demo / "outbox" / "teams" / f"{entry['slug']}.eml").read_bytes()
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert message["To"].addresses[0].addr_spec == teams[entry["group"]]["email"]
        body = message.get_body(("plain",)).get_content()
        # The digest lists the team workbook's 1:1 shortlist, in its order.
        rows = attention_lists(folder / "team.xlsx")
        assert len(rows) == entry["needs_attention"]
        names = [name for name, kind, _, _ in rows if kind == "1:1 shortlist"]
        listed = re.findall(r"^\d+\. (.+) \((?:High|Medium|Low)\)$", body, re.M)
        assert listed == names and len(listed) <= 5
        first_page = " ".join(pdftotext(folder / "team.pdf", "-f", "1", "-l", "1").split())
        assert entry["group"] in first_page and "Book a 1:1 with" in first_page


def test_the_demo_runs_its_main_collection_as_one_program(demo_run: DemoRun) -> None:
    """Issue 24, 8: the demo's second run is the main collection as a program: one PDF and
    one email per rep across its scenarios, the program's team report and skills.csv."""
    program = demo_run.program
    manifest = json.loads((program / "manifest.json").read_text())
    assert manifest["run"]["kind"] == "program"
    assert len(manifest["run"]["scenarios"]) >= 3
    reps = manifest["reps"]
    emails = [r["email"] for r in reps]
    assert len(emails) == len(set(emails)) >= 20
    assert sorted(p.name for p in (program / "reps").glob("*.pdf")) == sorted(
        Path(r["pdf"]).name for r in reps)
    messages = list((program / "outbox").glob("*.eml"))  # the digests are in outbox/teams
    assert len(reps) - len(messages) == 1  # the former member is held back, as in a scenario's
    with (program / "skills.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    skills = {r["skill"] for r in rows}
    assert len(rows) == len(reps) * len(skills) and len(skills) >= 3
    assert (program / "team.pdf").is_file()
    assert "A program run" in demo_run.stdout


def test_the_demos_workbooks_and_csv_files_reconcile(demo_run: DemoRun) -> None:
    """Issue 32, 6, on the demo's two runs (a scenario's, a program's): every sheet that
    mirrors a CSV holds its rows (the Feedback sheet had 1,073 rows and feedback.csv 1,096);
    the Overview's counts say which sessions; About's times are in order and its period end
    is the last day; a rep with no best in either month is not "false" new."""
    for folder, sheets in ((demo_run.folder, {"Feedback", "Sessions", "Reps"}),
                           (demo_run.program, {"Feedback", "Sessions", "Reps", "Skills"})):
        mirrored = mirrored_rows(folder)
        assert set(mirrored) == sheets
        for title, (sheet, from_csv) in mirrored.items():
            assert sheet == from_csv, (folder.name, title)
        book = load_workbook(folder / "cohort.xlsx")
        about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True) if r and r[0]}
        assert about["Data fetched at (UTC)"] <= about["Generated at (UTC)"]
        assert about["Period end (UTC, inclusive)"] == datetime(2026, 11, 30)
        overview = [r[0] for r in book["Overview"].iter_rows(values_only=True) if r and r[0]]
        assert "Sessions, valid or not" in overview and "Valid attempts" in overview
        assert not {"Sessions", "Practice minutes", "Reps"} & set(overview)
        reps = read_csv(folder / "reps.csv")
        neither = [r for r in reps if not r["best_score"] and not r["previous_best"]]
        assert neither and all(r["is_new"] == "" for r in neither)
    sessions = read_csv(demo_run.folder / "sessions.csv")
    overview = {r[0]: r[1:] for r in load_workbook(demo_run.folder / "cohort.xlsx")[
        "Overview"].iter_rows(values_only=True) if r and r[0]}
    assert overview["Sessions, valid or not"][0] == len(sessions)
    assert overview["Valid attempts"][0] == sum(s["is_valid"] == "true" for s in sessions)
