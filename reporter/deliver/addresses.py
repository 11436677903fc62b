"""Who a message is from and to: the user's email settings and the addresses they give,
checked when settings are read, before anything is written or sent.

Apart from the outbox (which loads the templates) so that settings can check an address
without loading Jinja.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from pathlib import Path

from reporter.errors import ConfigError
from reporter.render.options import PdfOptions
from reporter.views import ProgramRepView

# Set on a message whose rep address cannot be used; send_all records it and sends nothing.
UNDELIVERABLE_HEADER = "X-Reporter-Undeliverable"
NAME_CHARS = 120

_SAFE_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,250}[A-Za-z0-9])?")
# Bidirectional overrides can make a display name read as a different person in a header.
_BIDI_CONTROLS = dict.fromkeys(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]
)


class EmailConfigError(ConfigError):
    """A sender or override address from the user that is not one valid address."""


@dataclass
class EmailSettings:
    sender: str  # "Name <addr>" or "addr"
    to_override: str | None = None  # a trial: every message goes here instead
    subject_prefix: str | None = None
    templates_dir: Path | None = None  # holds email/*.txt|html that replace the bundled ones
    company: str | None = None
    # The configured language: the HTML part's lang is the message's, refined by this tag when
    # it names a region of it (i18n.document_tag), as the PDFs' /Lang is.
    language: str = PdfOptions.language
    # A rep no longer a member of the workspace gets no email unless this says so.
    email_former_members: bool = False


def held_back(rep: ProgramRepView, settings: EmailSettings) -> bool:
    """Whether the rep's email is held back: they are no longer a member of the workspace
    (their report is still written) and the configuration does not ask to email them."""
    return not rep.is_member and not settings.email_former_members



def one_line(text: str | None, limit: int) -> str:
    """Printable text on one line: control and bidi characters out, whitespace collapsed."""
    if not text:
        return ""
    text = text.translate(_BIDI_CONTROLS)
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)
    text = " ".join(text.split())
    if len(text) > limit:
        text = (text[:limit].rsplit(" ", 1)[0] or text[:limit]).rstrip(",;:.") + "…"
    return text


def _ascii_domain(domain: str) -> str:
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"domain {domain!r} cannot be used in an address") from None
    if not _SAFE_DOMAIN.fullmatch(ascii_domain) or "." not in ascii_domain:
        raise ValueError(f"domain {domain!r} cannot be used in an address")
    return ascii_domain


def rep_address(name: str, email_address: str) -> Address:
    """The rep's mailbox; ValueError for anything that is not one plain ASCII address."""
    local, at, domain = email_address.strip().rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f"{email_address!r} is not an email address")
    if not local.isascii() or any(c.isspace() or ord(c) < 32 or c in '<>(),;:"\\[]'
                                  for c in local):
        raise ValueError(f"{email_address!r} is not an address this tool can send to")
    try:
        return Address(display_name=one_line(name, NAME_CHARS), username=local,
                       domain=_ascii_domain(domain))
    except Exception as exc:  # the header parser raises several unrelated types
        raise ValueError(f"{email_address!r} is not an email address ({exc})") from None


def parse_address(text: str, what: str) -> Address:
    """One address from the user ("Name <addr>" or "addr"), or EmailConfigError naming ``what``."""
    if not text or "\r" in text or "\n" in text:
        raise EmailConfigError(f"{what}: {text!r} is not an email address")
    try:
        header = policy.default.header_factory("To", text)
        addresses = header.addresses
    except Exception:  # the header parser raises several unrelated types
        raise EmailConfigError(f"{what}: {text!r} is not an email address") from None
    if len(addresses) != 1 or header.defects:
        raise EmailConfigError(f"{what}: {text!r} must be exactly one email address")
    found = addresses[0]
    try:
        return rep_address(found.display_name, found.addr_spec)
    except ValueError as exc:
        raise EmailConfigError(f"{what}: {exc}") from None


