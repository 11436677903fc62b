"""One email per rep, PDF attached, and one digest per team manager (``run --by-team``), team
report and workbook attached, from Jinja2 templates; written to ``RUN_DIR/outbox``.

A program run's messages come from the same builders and templates: a rep's one email leads
with the program's next step (the most urgent scenario's verdict, named), then a line per
scenario; a manager's digest lists the team's 1:1 shortlist across the program, each
talking point naming its scenario.

The modules by job: ``email_view`` (the rep's email as its templates receive it),
``messages`` (addresses, headers, attachments), ``digests`` (the managers'), ``rebuild`` (the
report of a run folder, from its snapshot); this one puts them together and writes the outbox.

Building is separate from sending so that a manager can read exactly what would go out
(``reporter email RUN_DIR`` writes ``.eml`` files and sends nothing) before anything does.

Every name, address and piece of feedback here came from the API, so none of it reaches a
header as raw text: addresses go through :class:`email.headerregistry.Address` (which refuses
CR/LF), the subject is collapsed to one line, both are encoded and folded by ``headers`` (not
by the library's folder, which writes invalid encoded words), the HTML body is
autoescaped, and the attachment's file name is the tool's own slug, never the rep's name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

from reporter.analytics.localized import RunViews, as_views
from reporter.deliver.addresses import (
    EmailSettings,
    held_back,
    rep_address,
)
from reporter.deliver.digests import build_digests
from reporter.deliver.email_view import EmailView, view_of
from reporter.deliver.headers import MESSAGE_POLICY, set_addresses
from reporter.deliver.manifest import (
    Manifest,
    ManifestError,
    RepEntry,
    Sendable,
    TeamEntry,
)
from reporter.deliver.messages import Common, addressed, attachment, common_for, finish, safe_slug
from reporter.files import atomic_write_bytes, own_folder
from reporter.i18n import use
from reporter.render.templates import template_errors
from reporter.views import (
    ProgramReportView,
    ProgramRepView,
)

SUBJECT_TEMPLATE = "email/subject.txt"
TEXT_TEMPLATE = "email/body.txt"
HTML_TEMPLATE = "email/body.html"
TEAMS_OUTBOX = "teams"  # the digests' folder inside the outbox
OUTBOX = "outbox"
SENDABLE_STATUSES = ("ok", "empty")


def _build_one(run_dir: Path, view_of: Callable[[str, str | None], EmailView], name: str,
               entry: RepEntry, common: Common, reply_to: Sequence[Address]) -> EmailMessage:
    pdf_path = attachment(run_dir, entry.pdf, entry.sha256, f"PDF for {entry.email}")
    stem = safe_slug(entry)
    msg, original = addressed(common, name, entry.email)
    if reply_to:
        set_addresses(msg, "Reply-To", reply_to)
    view = view_of(f"{stem}.pdf", original)
    env = common.env
    return finish(common, msg, entry, env.get_template(SUBJECT_TEMPLATE).render(v=view),
                   env.get_template(TEXT_TEMPLATE).render(v=view),
                   env.get_template(HTML_TEMPLATE).render(v=view),
                   [(pdf_path, "application", "pdf", f"{stem}.pdf")])


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


def build_messages(run_dir: Path, views: RunViews | ProgramReportView, manifest: Manifest,
                   settings: EmailSettings) -> list[tuple[Sendable, EmailMessage]]:
    """One message per rep whose status is ok or empty and who has a PDF, in manifest order,
    then one digest per team manager (``build_digests``). A program's report (its run's
    manifest) gives each rep one message about the whole program (``build_view``).

    A rep in a team of a ``--by-team`` run gets a Reply-To of their team's manager, so that
    an answer to the report reaches the person who coaches them. A former member of the
    workspace gets none (``held_back``) unless ``email_former_members`` asks for it.

    Raises EmailConfigError for a bad sender/override address, ManifestError when the
    manifest and the run folder disagree (missing PDF, wrong checksum, unknown rep): stopping
    beats mailing someone the wrong report. A rep whose own address is unusable still gets a
    message (in the outbox, for a human to fix) marked undeliverable; send_all records it.
    """
    run_dir = Path(run_dir)
    views = as_views(views)
    common = common_for(settings, manifest)
    managers = _managers(manifest)
    # Each rep's view and report in their own language, the one their PDF is in.
    reps: dict[tuple[str, str], tuple[ProgramReportView, ProgramRepView]] = {
        (r.slug, r.email.lower()): (own, r) for own, r in views.own()}
    out: list[tuple[Sendable, EmailMessage]] = []
    for entry in manifest.reps:
        if entry.status not in SENDABLE_STATUSES or not entry.pdf:
            continue
        found = reps.get((entry.slug, entry.email.lower()))
        if found is None:
            raise ManifestError(f"{entry.email} is in the manifest but not in the snapshot; "
                                "the run folder is inconsistent, rerun the report")
        report, rep = found
        if held_back(rep, settings):
            continue
        reply_to: list[Address] = []
        for address in (a for g in rep.groups for a in managers.get(g, [])):
            if address not in reply_to:
                reply_to.append(address)
        with template_errors(), use(report.language):
            out.append((entry, _build_one(run_dir, view_of(report, rep, settings), rep.name,
                                          entry, common, reply_to)))
    out.extend(build_digests(run_dir, views, manifest, common))
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
