"""One email per rep, PDF attached, and one digest per team manager (``run --by-team``), team
report and workbook attached, from Jinja2 templates; written to ``RUN_DIR/outbox``.

A program run's messages come from the same builders and templates: a rep's one email leads
with the program's next step (the most urgent scenario's verdict, named), then a line per
scenario; a manager's digest lists the team's 1:1 shortlist across the program, each
talking point naming its scenario.

Building is separate from sending so that a manager can read exactly what would go out
(``reporter email RUN_DIR`` writes ``.eml`` files and sends nothing) before anything does.

Every name, address and piece of feedback here came from the API, so none of it reaches a
header as raw text: addresses go through :class:`email.headerregistry.Address` (which refuses
CR/LF), the subject is collapsed to one line, both are encoded and folded by ``headers`` (not
by the library's folder, which writes invalid encoded words), the HTML body is
autoescaped, and the attachment's file name is the tool's own slug, never the rep's name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from jinja2 import Environment

from reporter.analytics import build_report
from reporter.analytics.attention import talking_point
from reporter.analytics.program import build_program
from reporter.analytics.program_team import build_program_team
from reporter.analytics.team import build_team, team_members
from reporter.cohort.snapshot import ProgramSnapshot, read_any_snapshot
from reporter.deliver.addresses import (
    NAME_CHARS,
    UNDELIVERABLE_HEADER,
    EmailSettings,
    held_back,
    one_line,
    parse_address,
    rep_address,
)
from reporter.deliver.headers import MESSAGE_POLICY, set_addresses, set_text
from reporter.deliver.manifest import (
    Manifest,
    ManifestError,
    RepEntry,
    Sendable,
    TeamEntry,
)
from reporter.files import atomic_write_bytes, own_folder, sha256_file
from reporter.format import (
    NOT_PRACTISED,
    RANK_LABELS,
    TARGET_TONES,
    TONES,
    fmt_decline,
    fmt_direction,
    fmt_grade,
    fmt_graded_good,
    fmt_item,
    fmt_ordinal,
    fmt_point_count,
    fmt_points,
    fmt_rank_gap,
    fmt_score,
    fmt_severity,
    fmt_share,
    fmt_short_day,
)
from reporter.names import SNAPSHOT, safe_stem
from reporter.render.team_pdf import (
    attention_sentence,
    change_heading,
    left_off,
    step_text,
    team_summary,
    vs_previous,
)
from reporter.render.templates import environment, template_errors
from reporter.views import (
    Manager,
    ProgramReportView,
    ProgramRepView,
    ProgramTheme,
    ReportView,
    RepView,
    ScenarioRow,
    WeakItem,
)

SUBJECT_TEMPLATE = "email/subject.txt"
TEXT_TEMPLATE = "email/body.txt"
HTML_TEMPLATE = "email/body.html"
DIGEST_SUBJECT_TEMPLATE = "email/digest_subject.txt"
DIGEST_TEXT_TEMPLATE = "email/digest.txt"
DIGEST_HTML_TEMPLATE = "email/digest.html"
TEAMS_OUTBOX = "teams"  # the digests' folder inside the outbox
OUTBOX = "outbox"
SENDABLE_STATUSES = ("ok", "empty")

FEEDBACK_CHARS = 400
SUGGESTION_CHARS = 300
HEADLINE_CHARS = 600

# -- view model for the templates ---------------------------------------------------------


@dataclass(frozen=True)
class StepView:
    """The coaching plan's next step, one line per part, as the PDF's page 1 says it."""

    kind: str  # "focus", "polish" or "keep"
    label: str  # "Discovery › Pain quantified"
    said: str | None  # the rep's own words
    suggestion: str | None  # without a leading "Try:"; the template adds its own label
    feedback: str | None  # why: the evaluator's feedback
    from_feedback: bool  # no phrasing was suggested: the step rests on the feedback


@dataclass(frozen=True)
class EmailView:
    first_name: str
    has_valid_attempt: bool
    scenario: str
    period: str  # "October 2026"
    period_finished: bool
    company: str
    headline: str  # the verdict's sentence, as page 1 of the PDF leads with it
    best: str  # "91.0 (Gold)"
    lift: str | None  # "+39.0 points since your first valid attempt"
    latest: str | None  # "61.0, 13.6 below your best" when the rep slipped
    rank_gap: str | None  # "0.4 points from Silver"
    target: str | None  # the verdict's target line, as the PDF prints it
    target_ink: str  # the target's colours, the PDF's (format.TARGET_TONES)
    target_bg: str
    attempts: str  # "5 valid of 6 sessions"
    percentile: str | None  # "88th percentile of everyone who practised"
    session_count: int
    focus: StepView | None
    pdf_filename: str
    original_recipient: str | None  # set on a --to-override trial
    language: str  # the HTML part's lang
    # A program run's email (None / empty for one scenario's): the program's name, and one
    # line per scenario, program order; the fields above are then the focus scenario's
    # (``scenario`` names it, ``headline`` is its verdict), as page 1 leads with it.
    program: str | None = None
    rows: tuple[ScenarioLine, ...] = ()
    practised: str | None = None  # "2 of 3 scenarios practised"


@dataclass(frozen=True)
class ScenarioLine:
    """One scenario of the program in the rep's email, as page 1's row says it in words."""

    scenario: str
    status: str  # "best 82.0 (Silver), 2 valid of 2 sessions, +7.0 vs September 2026"
    target: str | None  # the assignment's line, the verdict's (as the PDF prints it)


def _progress(direction: str | None, lift: float | None) -> str | None:
    """The verdict's direction with the lift (best minus first) in words: "Slipping: +4.4
    points from your first valid attempt to your best"; a best that came first says so."""
    if lift is None:
        return None
    said = (f"+{fmt_point_count(lift)} from your first valid attempt to your best" if lift > 0
            else "your best was your first valid attempt")
    label = fmt_direction(direction)
    return f"{label}: {said}" if label else said


def _suggestion(text: str | None) -> str | None:
    text = one_line(text, SUGGESTION_CHARS)
    text = re.sub(r"^try\s*:\s*", "", text, flags=re.IGNORECASE).strip()
    return text.strip("\"“”") or None


def build_view(report: ReportView, rep: RepView, settings: EmailSettings, pdf_filename: str,
               original_recipient: str | None = None) -> EmailView:
    plan = rep.coaching
    verdict = rep.verdict
    assert verdict is not None, "build_rep sets the verdict"
    ink, bg = TONES[TARGET_TONES[plan.target.state if plan.target else "open"]]
    step = plan.next_step
    focus = None
    if step is not None:
        focus = StepView(
            kind=step.kind,
            label=one_line(fmt_item(step.criterion, step.item), NAME_CHARS),
            said=one_line(step.said, SUGGESTION_CHARS) or None,
            suggestion=_suggestion(step.try_instead),
            feedback=one_line(step.why, FEEDBACK_CHARS) or None,
            from_feedback=step.source == "feedback",
        )
    return EmailView(
        first_name=one_line(rep.first_name or rep.name, NAME_CHARS) or "there",
        has_valid_attempt=rep.has_valid_attempt,
        scenario=one_line(report.scenario.name, NAME_CHARS),
        period=one_line(report.period.prose, NAME_CHARS),
        period_finished=report.period.finished,
        company=one_line(settings.company or report.workspace_name, NAME_CHARS),
        headline=one_line(verdict.headline, HEADLINE_CHARS),
        best=_best(rep),
        lift=_progress(verdict.direction, rep.lift),
        latest=fmt_decline(plan.decline),
        rank_gap=fmt_rank_gap(verdict.rank_hint),
        target=verdict.target_line,
        target_ink=ink,
        target_bg=bg,
        attempts=_attempts(rep),
        percentile=(f"{fmt_ordinal(rep.percentile)} percentile of everyone who practised"
                    if verdict.percentile_in_headline else None),
        session_count=rep.session_count,
        focus=focus,
        pdf_filename=pdf_filename,
        original_recipient=original_recipient,
        language=settings.language,
    )


def _best(rep: RepView) -> str:
    """"91.0 (Gold)": the best score with its rank."""
    best = fmt_score(rep.best_score)
    if rep.best_rank in RANK_LABELS and rep.best_score is not None:
        best = f"{best} ({RANK_LABELS[rep.best_rank]})"
    return best


def _attempts(rep: RepView) -> str:
    """"5 valid of 6 sessions"."""
    sessions = "session" if rep.session_count == 1 else "sessions"
    return f"{rep.valid_count} valid of {rep.session_count} {sessions}"


def scenario_line(row: ScenarioRow) -> ScenarioLine:
    """The rep in one scenario of the program, in a few words: their best and its change, or
    that they have not practised it; the assignment's line beside it."""
    rep = row.rep
    name = one_line(row.scenario.name, NAME_CHARS)
    if rep is None or rep.session_count == 0:
        status = NOT_PRACTISED
    elif not rep.has_valid_attempt:
        status = f"{_attempts(rep)}, no valid attempt"
    else:
        status = f"best {_best(rep)}, {_attempts(rep)}"
        compared = rep.comparison
        if compared is not None and compared.change is not None:
            status += f", {fmt_points(compared.change)} vs {compared.period_title}"
    target = rep.verdict.target_line if rep is not None and rep.verdict else None
    return ScenarioLine(scenario=name, status=status, target=target)


def build_program_view(report: ProgramReportView, rep: ProgramRepView,
                       settings: EmailSettings, pdf_filename: str,
                       original_recipient: str | None = None) -> EmailView:
    """A program rep's email: the focus scenario's view (``build_view`` on that scenario's
    report, as page 1 leads with its verdict), the program, and a line per scenario."""
    rows = tuple(scenario_line(row) for row in rep.rows)
    practised = f"{len(rep.practised)} of {len(rep.rows)} scenarios practised"
    program = one_line(report.program.name, NAME_CHARS)
    focus = rep.focus
    if focus is not None and focus.rep is not None:
        view = build_view(report.part(focus.scenario.id), focus.rep, settings, pdf_filename,
                          original_recipient)
    else:  # nothing practised, nothing assigned: the lines say so, no verdict to lead with
        view = EmailView(
            first_name=one_line(rep.first_name or rep.name, NAME_CHARS) or "there",
            has_valid_attempt=False, scenario=program,
            period=one_line(report.period.prose, NAME_CHARS),
            period_finished=report.period.finished,
            company=one_line(settings.company or report.workspace_name, NAME_CHARS),
            headline="", best=fmt_score(None), lift=None, latest=None, rank_gap=None,
            target=None, target_ink=TONES[TARGET_TONES["open"]][0],
            target_bg=TONES[TARGET_TONES["open"]][1], attempts="", percentile=None,
            session_count=0, focus=None, pdf_filename=pdf_filename,
            original_recipient=original_recipient, language=settings.language)
    return replace(view, program=program, rows=rows, practised=practised,
                   has_valid_attempt=rep.has_valid_attempt)


# -- messages -----------------------------------------------------------------------------


def message_id(manifest: Manifest, entry: Sendable, domain: str, override: str | None) -> str:
    """A Message-ID fixed by (run, rep or team): rebuilding the outbox gives every message the
    same id.

    A trial (override) gets a different id: mail clients merge messages with equal ids, and
    the trial copy must not hide the real one from whoever received both.
    """
    run = manifest.run
    slug = entry.slug if isinstance(entry, RepEntry) else f"team:{entry.slug}"
    parts = ("reporter-email-v1", manifest.subject, str(run.get("period", "")),
             str(run.get("generated_at", "")), slug, entry.email.lower(),
             (override or "").lower())
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:40]
    return f"<{digest}.reporter@{domain}>"


def safe_slug(entry: Sendable) -> str:
    """The file stem for an entry's attachment and .eml; the slug when it is safe, else a hash."""
    return safe_stem(entry.slug, entry.email, "rep-" if isinstance(entry, RepEntry) else "team-")


def _attachment(run_dir: Path, relative: str | None, sha256: str | None, what: str) -> Path:
    """A file the manifest lists, inside the run folder and matching its checksum."""
    if not relative:
        raise ManifestError(f"{what}: no file in the manifest")
    root = run_dir.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or path == root:
        raise ManifestError(f"{what} leaves the run folder: {relative!r}")
    if not path.is_file():
        raise ManifestError(f"{what} is missing: {relative}")
    if sha256 and sha256_file(path) != sha256:
        # A stale manifest would mail someone a report that is not the one it describes.
        raise ManifestError(f"{what} does not match the manifest's checksum: {relative}; "
                            "rerun the report")
    return path


@dataclass(frozen=True)
class _Common:
    """What every message of one outbox shares."""

    manifest: Manifest
    settings: EmailSettings
    sender: Address
    override: Address | None
    env: Environment


def _addressed(common: _Common, name: str, address: str) -> tuple[EmailMessage, str | None]:
    """A message from the sender to ``address`` (or the override), and, on a trial, who it
    was written for. An unusable address marks the message undeliverable instead."""
    msg = EmailMessage(policy=MESSAGE_POLICY)
    set_addresses(msg, "From", common.sender)
    undeliverable = None
    original = None
    try:
        recipient = rep_address(name, address)
        original = str(recipient)
    except ValueError as exc:
        recipient = None
        undeliverable = f"invalid recipient address: {exc}"
    if common.override is not None:
        set_addresses(msg, "To", common.override)
        # An unusable address is the API's text, perhaps not ASCII: laid out as the Subject is.
        set_text(msg, "X-Original-To",
                 recipient.addr_spec if recipient else one_line(address, 200))
    elif recipient is not None:
        set_addresses(msg, "To", recipient)
    else:
        set_text(msg, UNDELIVERABLE_HEADER, one_line(undeliverable, 300))
    return msg, (one_line(original or address, 300) if common.override else None)


def _finish(common: _Common, msg: EmailMessage, entry: Sendable, subject: str, text: str,
            html: str, attachments: Sequence[tuple[Path, str, str, str]]) -> EmailMessage:
    """Subject, date, id, bodies and attachments ((path, maintype, subtype, file name))."""
    prefix = one_line(common.settings.subject_prefix, 60)
    subject = one_line(subject, 250)
    set_text(msg, "Subject", f"{prefix} {subject}" if prefix else subject)
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = message_id(common.manifest, entry, common.sender.domain,
                                   common.override.addr_spec if common.override else None)
    # Tells auto-responders and vacation replies not to answer a report run.
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    for path, maintype, subtype, filename in attachments:
        msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype,
                           filename=filename)
    return msg


def _build_one(run_dir: Path, view_of: Callable[[str, str | None], EmailView], name: str,
               entry: RepEntry, common: _Common, reply_to: Sequence[Address]) -> EmailMessage:
    pdf_path = _attachment(run_dir, entry.pdf, entry.sha256, f"PDF for {entry.email}")
    stem = safe_slug(entry)
    msg, original = _addressed(common, name, entry.email)
    if reply_to:
        set_addresses(msg, "Reply-To", reply_to)
    view = view_of(f"{stem}.pdf", original)
    env = common.env
    return _finish(common, msg, entry, env.get_template(SUBJECT_TEMPLATE).render(v=view),
                   env.get_template(TEXT_TEMPLATE).render(v=view),
                   env.get_template(HTML_TEMPLATE).render(v=view),
                   [(pdf_path, "application", "pdf", f"{stem}.pdf")])


def _common(settings: EmailSettings, manifest: Manifest) -> _Common:
    sender = parse_address(settings.sender, "sender (--from)")
    override = (parse_address(settings.to_override, "--to-override")
                if settings.to_override else None)
    return _Common(manifest, settings, sender, override, environment(settings.templates_dir))


def _managers(manifest: Manifest) -> dict[str, list[Address]]:
    """group name -> its managers' addresses, for the Reply-To of their reps' emails."""
    out: dict[str, list[Address]] = {}
    for team in manifest.teams:
        try:
            address = rep_address(team.name, team.email)
        except ValueError:
            continue  # the digest itself is marked undeliverable; no Reply-To from it
        if address not in out.setdefault(team.group, []):
            out[team.group].append(address)
    return out


def build_messages(run_dir: Path, report: ReportView | ProgramReportView, manifest: Manifest,
                   settings: EmailSettings) -> list[tuple[Sendable, EmailMessage]]:
    """One message per rep whose status is ok or empty and who has a PDF, in manifest order,
    then one digest per team manager (``build_digests``). A program's report (its run's
    manifest) gives each rep one message about the whole program (``build_program_view``).

    A rep in a team of a ``--by-team`` run gets a Reply-To of their team's manager, so that
    an answer to the report reaches the person who coaches them. A former member of the
    workspace gets none (``held_back``) unless ``email_former_members`` asks for it.

    Raises EmailConfigError for a bad sender/override address, ManifestError when the
    manifest and the run folder disagree (missing PDF, wrong checksum, unknown rep): stopping
    beats mailing someone the wrong report. A rep whose own address is unusable still gets a
    message (in the outbox, for a human to fix) marked undeliverable; send_all records it.
    """
    run_dir = Path(run_dir)
    common = _common(settings, manifest)
    managers = _managers(manifest)
    reps: dict[tuple[str, str], RepView | ProgramRepView] = {
        (r.slug, r.email.lower()): r for r in report.reps}
    out: list[tuple[Sendable, EmailMessage]] = []
    for entry in manifest.reps:
        if entry.status not in SENDABLE_STATUSES or not entry.pdf:
            continue
        rep = reps.get((entry.slug, entry.email.lower()))
        if rep is None:
            raise ManifestError(f"{entry.email} is in the manifest but not in the snapshot; "
                                "the run folder is inconsistent, rerun the report")
        if held_back(rep, settings):
            continue
        reply_to: list[Address] = []
        for address in (a for g in rep.groups for a in managers.get(g, [])):
            if address not in reply_to:
                reply_to.append(address)
        with template_errors():
            out.append((entry, _build_one(run_dir, _view_of(report, rep, settings), rep.name,
                                          entry, common, reply_to)))
    out.extend(build_digests(run_dir, report, manifest, common))
    return out


def run_report(run_dir: Path, manifest: Manifest) -> ReportView | ProgramReportView:
    """The report as the run drew it: its snapshot (a scenario's or a program's), at the
    moment the run was generated (what "practised N days ago" counts from), not at the
    moment of mailing. The messages of the folder are built from it."""
    snapshot = read_any_snapshot(Path(run_dir) / SNAPSHOT)
    if isinstance(snapshot, ProgramSnapshot):
        return build_program(snapshot, generated_at=manifest.generated_at)
    return build_report(snapshot, generated_at=manifest.generated_at)


def _view_of(report: ReportView | ProgramReportView, rep: RepView | ProgramRepView,
             settings: EmailSettings) -> Callable[[str, str | None], EmailView]:
    """The rep's email view, given its attachment's name and a trial's original recipient."""
    if isinstance(report, ProgramReportView):
        assert isinstance(rep, ProgramRepView)
        return lambda pdf, original: build_program_view(report, rep, settings, pdf, original)
    assert isinstance(rep, RepView)
    return lambda pdf, original: build_view(report, rep, settings, pdf, original)


# -- the managers' digests ------------------------------------------------------------------


@dataclass(frozen=True)
class DigestRow:
    """One rep on the 1:1 shortlist, as the team report's page 1 lists them."""

    name: str  # as the team's lists name them (email beside an equal name, former member)
    severity: str  # "High", "Medium"
    reason: str  # the talking point: "Did not pass Silver by Nov 30, 2026"
    best: str
    latest: str
    change: str  # vs the previous period: "+3.0", "New", "–"
    step: str | None  # the rep's next step, from their own report


@dataclass(frozen=True)
class DigestTheme:
    """One item to coach the team on, with its moment from a call."""

    label: str  # "Discovery › Budget"
    graded: str  # "graded good 12 of 40 (30%); 9 of 12 reps graded mid or bad at least once"
    quote: str | None
    by: str | None  # "Ana Rep, Oct 2, graded bad"
    why: str | None
    try_instead: str | None


@dataclass(frozen=True)
class DigestView:
    manager: str  # the manager's first name, for the greeting
    team: str
    scenario: str
    period: str
    company: str
    summary: str  # the team in one sentence: the team report's first
    change_label: str  # "vs Sep 2026" or "Change"
    rows: tuple[DigestRow, ...]  # the 1:1 shortlist, most urgent first
    left_off: int  # high-severity reps not on the shortlist (its cap), first under watch
    watch: tuple[str, ...]  # "keep an eye on": "Name: reason; reason", one line each
    theme: tuple[DigestTheme, ...]  # what to coach the team on
    pdf_filename: str
    xlsx_filename: str | None
    original_recipient: str | None
    language: str  # the HTML part's lang
    program: bool = False  # a program run's digest: ``scenario`` is the program's name


def _theme(item: WeakItem) -> DigestTheme:
    quote = item.quote
    return DigestTheme(
        label=one_line(fmt_item(item.criterion, item.item), NAME_CHARS),
        graded=(f"graded good {fmt_graded_good(item.good, item.graded)} "
                f"({fmt_share(item.good_share)}); {item.reps_weak} of {item.reps_graded} reps "
                "graded mid or bad at least once"),
        quote=one_line(quote.quote, SUGGESTION_CHARS) or None if quote else None,
        by=(one_line(f"{item.quote_by}, {fmt_short_day(quote.created_at)}, graded "
                      f"{fmt_grade(quote.grade).lower()}", NAME_CHARS) if quote else None),
        why=one_line(quote.feedback, FEEDBACK_CHARS) or None if quote else None,
        try_instead=one_line(quote.suggestion, SUGGESTION_CHARS) or None if quote else None,
    )


def digest_view(report: ReportView, entry: TeamEntry, settings: EmailSettings,
                stem: str, original: str | None) -> DigestView:
    """The digest of one team, from the same team view the team report was drawn from: the
    team in one sentence, the 1:1 shortlist with talking points, what to coach the team on,
    the reps to keep an eye on, and what is attached."""
    chosen = set(entry.members)
    members = ([r for r in report.reps if r.user_id in chosen] if chosen
               else team_members(report.reps, entry.group))  # a manifest from before members
    team = build_team(members, name=entry.group,
                      slug=entry.slug, group=entry.group,
                      manager=Manager(entry.name, entry.email))
    return DigestView(
        manager=one_line((entry.name.split() or [entry.email])[0], NAME_CHARS),
        team=one_line(team.name, NAME_CHARS),
        scenario=one_line(report.scenario.name, NAME_CHARS),
        period=one_line(report.period.prose, NAME_CHARS),
        company=one_line(settings.company or report.workspace_name, NAME_CHARS),
        summary=one_line(team_summary(team, report), 600),
        change_label=change_heading(report),
        rows=tuple(DigestRow(
            name=one_line(team.label(rep), NAME_CHARS),
            severity=fmt_severity(rep.severity),
            reason=one_line(talking_point(rep), FEEDBACK_CHARS),
            best=fmt_score(rep.best_score), latest=fmt_score(rep.latest_score),
            change=vs_previous(rep.comparison),
            step=one_line(step_text(rep), SUGGESTION_CHARS) or None,
        ) for rep in team.shortlist),
        left_off=left_off(team),
        watch=tuple(one_line(f"{team.label(rep)}: "
                              + "; ".join(r.text for r in rep.attention), FEEDBACK_CHARS)
                    for rep in team.watchlist),
        theme=tuple(_theme(w) for w in team.weakest),
        pdf_filename=f"{stem}.pdf",
        xlsx_filename=f"{stem}.xlsx" if entry.xlsx else None,
        original_recipient=original,
        language=settings.language,
    )


def program_digest_view(report: ProgramReportView, entry: TeamEntry, settings: EmailSettings,
                        stem: str, original: str | None) -> DigestView:
    """The digest of one team of a program run: the team's 1:1 shortlist across the program
    (the program's attention order, each talking point naming its scenario; best, latest and
    change are the focus scenario's, the one the next step is about), the reps to keep an
    eye on, what to coach the team on (the team's themes, by the rule its team report reads),
    and what is attached."""
    chosen = set(entry.members)
    team = build_program_team(report, [r for r in report.reps
                                       if (r.user_id in chosen if chosen
                                           else entry.group in r.groups)])
    focus_parts = [p for p in report.parts if p.previous_period] or list(report.parts)
    n = len(team.reps)
    summary = (f"{n - team.coverage['none']} of {n} rep{'' if n == 1 else 's'} practised in "
               f"{report.period.prose}, {team.coverage['all']} of them every scenario of "
               f"{report.program.name}. {attention_sentence(team)}")

    def row(rep: ProgramRepView) -> DigestRow:
        focus = rep.focus.rep if rep.focus else None
        step = step_text(focus) if focus else None
        return DigestRow(
            name=one_line(team.label(rep), NAME_CHARS),
            severity=fmt_severity(rep.severity),
            reason=one_line(talking_point(rep), FEEDBACK_CHARS),
            best=fmt_score(focus.best_score if focus else None),
            latest=fmt_score(focus.latest_score if focus else None),
            change=vs_previous(focus.comparison if focus else None),
            step=(one_line(f"{rep.focus.scenario.name}: {step}", SUGGESTION_CHARS)
                  if rep.focus and step else None))

    return DigestView(
        manager=one_line((entry.name.split() or [entry.email])[0], NAME_CHARS),
        team=one_line(entry.group, NAME_CHARS),
        scenario=one_line(report.program.name, NAME_CHARS),
        period=one_line(report.period.prose, NAME_CHARS),
        company=one_line(settings.company or report.workspace_name, NAME_CHARS),
        summary=one_line(summary, 600),
        change_label=change_heading(focus_parts[0]) if focus_parts else "Change",
        rows=tuple(row(r) for r in team.shortlist),
        left_off=left_off(team),
        watch=tuple(one_line(f"{team.label(r)}: " + "; ".join(a.text for a in r.attention),
                             FEEDBACK_CHARS)
                    for r in team.watchlist),
        theme=tuple(program_theme(t) for t in team.themes),
        pdf_filename=f"{stem}.pdf",
        xlsx_filename=f"{stem}.xlsx" if entry.xlsx else None,
        original_recipient=original,
        language=settings.language,
        program=True,
    )


def program_theme(theme: ProgramTheme) -> DigestTheme:
    """A program's coaching theme as the digest lists it: a skill, or a rubric item named
    after the scenario it comes from ("Objection Handling: Budget", as the attention texts
    name theirs); its line of plain words as the graded line."""
    label = f"{theme.scenario}: {theme.name}" if theme.scenario else theme.name
    return DigestTheme(label=one_line(label, NAME_CHARS),
                       graded=one_line(theme.detail, FEEDBACK_CHARS),
                       quote=None, by=None, why=None, try_instead=None)


def build_digests(run_dir: Path, report: ReportView | ProgramReportView, manifest: Manifest,
                  common: _Common) -> list[tuple[Sendable, EmailMessage]]:
    """One digest per team of a ``--by-team`` run: the summary in the body (plain text and
    HTML say the same), the team's PDF and workbook attached, no link to anything."""
    out: list[tuple[Sendable, EmailMessage]] = []
    env = common.env
    for entry in manifest.teams:
        if not entry.pdf:
            continue  # --no-pdf, or its PDF failed (listed by the run): nothing to send
        stem = "team-" + safe_slug(entry)
        files = [(_attachment(run_dir, entry.pdf, entry.sha256, f"team report of {entry.group}"),
                  "application", "pdf", f"{stem}.pdf")]
        if entry.xlsx:
            files.append((_attachment(run_dir, entry.xlsx, entry.xlsx_sha256,
                                      f"team workbook of {entry.group}"), "application",
                          "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          f"{stem}.xlsx"))
        msg, original = _addressed(common, entry.name, entry.email)
        with template_errors():
            view = (program_digest_view(report, entry, common.settings, stem, original)
                    if isinstance(report, ProgramReportView)
                    else digest_view(report, entry, common.settings, stem, original))
            out.append((entry, _finish(
                common, msg, entry, env.get_template(DIGEST_SUBJECT_TEMPLATE).render(d=view),
                env.get_template(DIGEST_TEXT_TEMPLATE).render(d=view),
                env.get_template(DIGEST_HTML_TEMPLATE).render(d=view), files)))
    return out


def outbox_path(run_dir: Path, entry: Sendable) -> Path:
    """``outbox/<rep slug>.eml``, or ``outbox/teams/<team slug>.eml`` for a digest."""
    outbox = Path(run_dir) / OUTBOX
    if isinstance(entry, TeamEntry):
        outbox = outbox / TEAMS_OUTBOX
    return outbox / f"{safe_slug(entry)}.eml"


def write_outbox(run_dir: Path, messages: Sequence[tuple[Sendable, EmailMessage]]) -> list[Path]:
    """Write each message to its ``outbox_path`` (atomically) and return the paths.

    Older .eml files that this build did not produce are removed, so the outbox always shows
    exactly what a send would send now. A symlink standing for the outbox (or its teams/) is
    replaced by a real folder, never followed: nothing outside the run folder is touched.
    """
    outbox = own_folder(Path(run_dir) / OUTBOX)
    teams = outbox / TEAMS_OUTBOX
    if teams.is_symlink() or any(isinstance(entry, TeamEntry) for entry, _ in messages):
        own_folder(teams)
    paths = []
    for entry, msg in messages:
        path = outbox_path(run_dir, entry)
        atomic_write_bytes(path, msg.as_bytes(policy=MESSAGE_POLICY))
        paths.append(path)
    keep = set(paths)
    for stale in (*outbox.glob("*.eml"), *(outbox / TEAMS_OUTBOX).glob("*.eml")):
        if stale not in keep:
            stale.unlink(missing_ok=True)
    return paths
