"""The language an output is written in: gettext catalogs for its words, Babel (CLDR) for its
dates, numbers, percentages and lists.

Every sentence builder and template asks the *active* language (a context variable, so each
thread, task and worker process has its own) and an output sets it around what it writes::

    with use("es"):
        html = render(...)        # "30 de noviembre de 2026", "68,5", Spanish words

Nothing here reads a clock or the network; a catalog is read from the package (``locale/``)
the first time its language is used in a process, compiled in memory (``babel.messages``:
no compiled ``.mo`` is committed), and kept. Messages are whole sentences with named
placeholders (``%(name)s``), formatted after translation, so a translator may reorder them:

    gettext("Your best is %(gap)s.", gap=...)
    ngettext("%(num)s valid attempt", "%(num)s valid attempts", n)   # num=n is given

English is the source language: its catalog is empty and every message is its own msgid.
"""

from __future__ import annotations

import gettext as _gettext
import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from babel import Locale

#: The source language: every msgid is English.
SOURCE = "en"
#: The languages shipped with a complete catalog, as BCP 47 tags (the PDF's /Lang, the HTML
#: parts' lang). A catalog lives in reporter/locale/<babel name>/LC_MESSAGES/messages.po.
LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es", "pt-BR", "ja")
#: The gettext domain, and where the catalogs are in the package.
DOMAIN = "messages"
LOCALE_PACKAGE = "reporter.locale"

#: Exec's scenario ``language`` names (as its app writes them) to BCP 47 tags: the one table.
#: A name not here is not guessed at: the rep's language falls back to the configuration's,
#: with one warning for the run (``reporter.languages``).
EXEC_LANGUAGES: dict[str, str] = {
    "english": "en", "english (us)": "en", "english (uk)": "en-GB", "american english": "en",
    "british english": "en-GB",
    "german": "de", "deutsch": "de",
    "french": "fr", "français": "fr", "francais": "fr",
    "spanish": "es", "español": "es", "espanol": "es", "castilian": "es",
    "portuguese": "pt-BR", "brazilian portuguese": "pt-BR", "portuguese (brazil)": "pt-BR",
    "português": "pt-BR", "portugues": "pt-BR",
    "japanese": "ja", "日本語": "ja",
    "italian": "it", "dutch": "nl", "polish": "pl", "swedish": "sv", "danish": "da",
    "norwegian": "nb", "finnish": "fi", "chinese": "zh", "korean": "ko", "arabic": "ar",
    "hebrew": "he", "russian": "ru", "turkish": "tr", "hindi": "hi",
}

_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


def exec_language(name: str | None) -> str | None:
    """The BCP 47 tag of an Exec language name ("Spanish" -> "es"); a tag itself ("es-MX")
    as it is; None for no name or a name the table does not know."""
    if not name or not name.strip():
        return None
    key = " ".join(name.split()).casefold()
    if key in EXEC_LANGUAGES:
        return EXEC_LANGUAGES[key]
    return tag_of(name) if _TAG.match(name.strip()) else None


def tag_of(value: str) -> str | None:
    """``value`` as a BCP 47 tag in its usual case ("pt_br" -> "pt-BR"), or None when it is
    not a language tag Babel knows."""
    try:
        locale = Locale.parse(value.strip().replace("-", "_"))
    except (ValueError, TypeError, LookupError):
        return None
    return "-".join(p for p in (locale.language, locale.script, locale.territory) if p)


def shipped(tag: str | None) -> str | None:
    """The shipped language that writes ``tag``: itself, or its language without the region
    ("es-MX" -> "es", "pt" -> "pt-BR", "en-GB" -> "en"); None when none does."""
    if not tag:
        return None
    if tag in LANGUAGES:
        return tag
    base = tag.split("-")[0]
    return next((lang for lang in LANGUAGES if lang.split("-")[0] == base), None)


def _catalog_name(tag: str) -> str:
    return tag.replace("-", "_")


@dataclass(frozen=True)
class Language:
    """One output language: its tag (BCP 47), its CLDR locale and its translations."""

    tag: str
    locale: Locale = field(compare=False)
    translations: _gettext.NullTranslations = field(compare=False, repr=False)

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return self.translations.pgettext(context, message)

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return self.translations.npgettext(context, singular, plural, n)


def catalog_text(tag: str) -> str | None:
    """A shipped language's .po file, as text; None for English (the source) or a language
    without one."""
    if tag == SOURCE:
        return None
    path = resources.files(LOCALE_PACKAGE) / _catalog_name(tag) / "LC_MESSAGES" / f"{DOMAIN}.po"
    return path.read_text("utf-8") if path.is_file() else None


def compile_catalog(po_text: str) -> _gettext.GNUTranslations:
    """A .po file's text compiled in memory (what ``pybabel compile`` writes to disk)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalog = read_po(io.StringIO(po_text))
    mo = io.BytesIO()
    write_mo(mo, catalog, use_fuzzy=False)
    mo.seek(0)
    return _gettext.GNUTranslations(mo)


@cache
def language(tag: str) -> Language:
    """The shipped language ``tag`` names, its catalog compiled once a process; a tag that
    is not shipped is written in English (``shipped`` says which tags are)."""
    tag = shipped(tag) or SOURCE
    text = catalog_text(tag)
    translations = compile_catalog(text) if text is not None else _gettext.NullTranslations()
    return Language(tag=tag, locale=Locale.parse(_catalog_name(tag)), translations=translations)


_active: ContextVar[Language | None] = ContextVar("reporter_language", default=None)


def active() -> Language:
    """The language outputs are being written in now (English unless ``use`` says)."""
    return _active.get() or language(SOURCE)


def document_tag(configured: str | None) -> str:
    """The tag an output names as its language (PDF ``/Lang``, HTML ``lang``): the language it
    is written in now, refined by the configured tag when that is a region of it ("fr-CA" for
    a French report), never a language the words are not in."""
    tag = active().tag
    return configured if configured and shipped(configured) == tag else tag


@contextmanager
def use(tag: str | Language) -> Iterator[Language]:
    """Write in ``tag`` inside the block (a shipped language; another tag writes English)."""
    lang = tag if isinstance(tag, Language) else language(tag)
    token = _active.set(lang)
    try:
        yield lang
    finally:
        _active.reset(token)


def _filled(text: str, variables: dict[str, Any]) -> str:
    return text % variables if variables else text


def gettext(message: str, /, **variables: Any) -> str:
    """``message`` in the active language, its ``%(name)s`` placeholders filled."""
    return _filled(active().gettext(message), variables)


def ngettext(singular: str, plural: str, n: int, /, **variables: Any) -> str:
    """The form for ``n`` in the active language; ``%(num)s`` is ``n`` unless given."""
    variables.setdefault("num", n)
    return _filled(active().ngettext(singular, plural, n), variables)


def pgettext(context: str, message: str, /, **variables: Any) -> str:
    """``message`` in ``context`` (one English word with two meanings in another language)."""
    return _filled(active().pgettext(context, message), variables)


def npgettext(context: str, singular: str, plural: str, n: int, /, **variables: Any) -> str:
    variables.setdefault("num", n)
    return _filled(active().npgettext(context, singular, plural, n), variables)


def clauses(items: Sequence[str]) -> str:
    """Clauses of one sentence, each after the last with the language's separator ("; " in
    English, "、" in Japanese): a translator sets it, as a sentence's own punctuation."""
    # Translators: what separates two clauses of one sentence ("4.4 points short; 2 more
    # attempts required"); keep the space after it where the language has one.
    return pgettext("between clauses", "; ").join(items)


def sentences(*parts: str) -> str:
    """Sentences one after another, as the language spaces them (a space in English, none
    in Japanese)."""
    text = ""
    for part in (p for p in parts if p):
        # Translators: two sentences of one paragraph, one after the other: a space between
        # them, or none where the language sets none (Japanese).
        text = pgettext("two sentences", "%(first)s %(second)s", first=text,
                        second=part) if text else part
    return text


def full_stop(sentence: str) -> str:
    """A sentence built without its end, ended as the language ends one ("." or "。")."""
    # Translators: ends a sentence written without its full stop (%(sentence)s).
    return gettext("%(sentence)s.", sentence=sentence)


def quoted(text: str, plain: bool = False) -> str:
    """Words someone said, in the language's quotation marks: “…” in English, „…“ in
    German, « … » in French, 「…」 in Japanese. ``plain``: for a plain-text email, where
    English keeps its straight quotes."""
    if plain:
        # Translators: a quotation in a plain-text email: your language's quotation marks
        # around %(quote)s (English keeps straight quotes there).
        return pgettext("quotation marks, plain text", '"%(quote)s"', quote=text)
    # Translators: a quotation: your language's quotation marks around %(quote)s.
    return pgettext("quotation marks", "“%(quote)s”", quote=text)


def display_width(text: str) -> int:
    """The columns ``text`` takes in a fixed-width font: two for a wide character (Japanese
    kana and kanji, full-width forms), none for a combining mark, one for the rest; the
    plain-text emails line their values up by it."""
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def N_(message: str) -> str:  # noqa: N802 (gettext's name for a marker)
    """Marks ``message`` for the catalog where it is defined (a table of labels); it is
    translated where it is shown: ``gettext(LABELS[key])``."""
    return message


_ = gettext
