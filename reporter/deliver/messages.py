"""What every message of an outbox is made of: its sender and recipient (or the trial's
override), subject, date, a Message-ID fixed by run and recipient, bodies and attachments
checked against the manifest.

Every name, address and piece of feedback came from the API, so none of it reaches a header as
raw text: addresses go through :class:`email.headerregistry.Address` (which refuses CR/LF), the
subject is collapsed to one line, both are encoded and folded by ``headers`` (not by the
library's folder, which writes invalid encoded words), and an attachment's file name is the
tool's own slug, never the rep's name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from jinja2 import Environment

from reporter.deliver.addresses import (
    UNDELIVERABLE_HEADER,
    EmailSettings,
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
)
from reporter.files import sha256_file
from reporter.names import safe_stem
from reporter.render.templates import environment


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


def attachment(run_dir: Path, relative: str | None, sha256: str | None, what: str) -> Path:
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
class Common:
    """What every message of one outbox shares."""

    manifest: Manifest
    settings: EmailSettings
    sender: Address
    override: Address | None
    env: Environment


def addressed(common: Common, name: str, address: str) -> tuple[EmailMessage, str | None]:
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


def finish(common: Common, msg: EmailMessage, entry: Sendable, subject: str, text: str,
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


def common_for(settings: EmailSettings, manifest: Manifest) -> Common:
    sender = parse_address(settings.sender, "sender (--from)")
    override = (parse_address(settings.to_override, "--to-override")
                if settings.to_override else None)
    return Common(manifest, settings, sender, override, environment(settings.templates_dir))
