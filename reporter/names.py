"""Names that are safe in files and links: the one place they are made and checked.

Every name a run writes comes from text the API sent (a rep's name, a group's, a scenario's
slug), so each is folded here to characters no file system or link can misread: the slugs of
reps and teams (``rep_slug``, ``team_slug``), the parts of a run folder (``safe_component``),
a rep's PDF path (``target_path``), an outbox file's stem (``safe_stem``) and a workbook's link
(``is_safe_link``). The file names of a run folder sit here too, so that the pipeline, the
render pool and the mailer agree on them. Standard library only: every stage may import it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path
from typing import Final

#: What a run is, as its snapshot's ``kind``, its manifest's ``run.kind`` and its report's
#: ``ProgramInfo.kind`` say: one scenario's, or a program's (several scenarios).
SCENARIO_RUN: Final = "scenario"
PROGRAM_RUN: Final = "program"
#: The longest folded name a slug keeps, before its hash suffix.
SLUG_MAX = 40
#: The longest part of a run folder's path (``safe_component``).
COMPONENT_MAX = 60

# -- a run folder's files -------------------------------------------------------------------
SNAPSHOT = "snapshot.json"
REPS_DIR = "reps"
TEAM_PDF = "team.pdf"
TEAM_XLSX = "team.xlsx"
TEAMS_DIR = "teams"
#: Of a rerun in which some reps' reports failed: each one's report from the run it replaced.
KEPT_DIR = "previous-reports"
#: Added to a program's folder name when it equals one of its scenarios' (``run_dir_for``).
PROGRAM_SUFFIX = "-program"
#: Beside the run folders of one OUT: the send record per person per period.
SENT_DIR = ".sent"

_SAFE_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,150}")
_SAFE_LINK = re.compile(r"^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*/)*[A-Za-z0-9_-][A-Za-z0-9._-]*\.pdf$")


def _short_hash(text: str, length: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def ascii_fold(value: str) -> str:
    """Text folded to a slug: ASCII (NFKD, the rest dropped), lowercase, every run of other
    characters one "-", at most SLUG_MAX characters; "" when nothing is left."""
    ascii_ = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:SLUG_MAX].strip("-")


def team_slug(name: str, group_id: str) -> str:
    """A team's folder name: its group's name folded (``ascii_fold``); a name that folds to
    nothing (CJK, Arabic) becomes ``team-<8 hex of the group id>``."""
    return ascii_fold(name) or "team-" + _short_hash(group_id, 8)


def rep_slug(name: str, email: str) -> str:
    """A file-safe, stable, unique name for a rep's files: ``<ascii-name>-<8 hex>``.

    The name is folded to ASCII (NFKD, non-ASCII dropped), lowercased, every run of
    characters outside [a-z0-9] becomes one "-", trimmed to 40 characters. When
    nothing is left (a CJK or Arabic name, or none) the email's local part stands
    in, so a manager can still tell the files apart; "rep" when that is empty too.
    The suffix is the first 8 hex digits of sha256(email.casefold()), so two reps
    with the same name get different files and a rerun gets the same ones. The
    result matches ``[a-z0-9][a-z0-9-]*``: no "/", no "..", never a leading ".".
    """
    words = ascii_fold(name or "") or ascii_fold((email or "").partition("@")[0]) or "rep"
    return f"{words}-{_short_hash((email or '').casefold(), 8)}"


def safe_component(value: str, fallback: str) -> str:
    """A folder name from untrusted text: ASCII letters, digits, dot, dash, underscore."""
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")[:COMPONENT_MAX]
    return text or fallback


def safe_stem(slug: str, email: str, prefix: str) -> str:
    """A file stem from a slug read back from a manifest (which anyone may have edited): the
    slug when it is safe, else ``<prefix><12 hex of the address>``."""
    if _SAFE_STEM.fullmatch(slug) and ".." not in slug:
        return slug
    return prefix + _short_hash(email, 12)


def target_path(out_dir: Path, slug: str) -> Path:
    """``out_dir/reps/<slug>.pdf``, refusing any slug that would land elsewhere."""
    reps_dir = (Path(out_dir) / REPS_DIR).resolve()
    if not slug or slug in (".", "..") or "/" in slug or "\\" in slug or "\x00" in slug:
        raise ValueError(f"unsafe report file name {slug!r}")
    path = (reps_dir / f"{slug}.pdf").resolve()
    if path.parent != reps_dir:
        raise ValueError(f"report path for {slug!r} escapes {reps_dir}")
    return path


def is_safe_link(target: str) -> bool:
    """Whether ``target`` is a relative path to a PDF that stays below the workbook's folder."""
    return (
        isinstance(target, str)
        and bool(_SAFE_LINK.match(target))
        and ".." not in target.split("/")
    )
