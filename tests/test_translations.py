"""The gettext catalogs: every message translated in every shipped language, with the
placeholders of its English, and the .pot as the code and templates have it today."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from reporter import i18n

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "reporter" / "locale"
OTHERS = [tag for tag in i18n.LANGUAGES if tag != i18n.SOURCE]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _catalog(tag: str):  # noqa: ANN202
    text = i18n.catalog_text(tag)
    assert text is not None, f"no catalog for {tag}"
    return read_po(io.StringIO(text), locale=tag.replace("-", "_"))


def _pot():  # noqa: ANN202
    return read_po(io.StringIO((LOCALE / "messages.pot").read_text("utf-8")))


def _ids(message: Message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _strings(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _names(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def untranslated(catalog, template) -> list[str]:  # noqa: ANN001
    """The template's messages the catalog lacks, leaves empty (any plural form) or marks
    fuzzy."""
    out = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        if found is None or found.fuzzy or not all(s.strip() for s in _strings(found)):
            out.append(f"{message.context or ''}|{_ids(message)[0]}")
    return out


def placeholder_errors(catalog) -> list[str]:  # noqa: ANN001
    """Translations whose placeholders are not the English message's: one missing (a
    figure the reader never sees) or one the English has not (a KeyError at render)."""
    out = []
    for message in catalog:
        if not message.id:
            continue
        wanted = set().union(*(_names(i) for i in _ids(message)))
        for form in _strings(message):
            if not form:
                continue
            have = _names(form)
            # A plural's singular may say "one" in words instead of %(num)s.
            missing = wanted - have - ({"num"} if message.pluralizable else set())
            if missing or have - wanted:
                out.append(f"{_ids(message)[0]!r}: {sorted(missing)} missing, "
                           f"{sorted(have - wanted)} unknown in {form!r}")
    return out


@pytest.mark.parametrize("tag", OTHERS)
def test_every_message_is_translated(tag: str) -> None:
    assert untranslated(_catalog(tag), _pot()) == []


@pytest.mark.parametrize("tag", OTHERS)
def test_translations_keep_the_placeholders(tag: str) -> None:
    assert placeholder_errors(_catalog(tag)) == []


@pytest.mark.parametrize("tag", OTHERS)
def test_catalog_compiles_with_its_plural_rule(tag: str) -> None:
    lang = i18n.language(tag)
    assert lang.tag == tag
    catalog = _catalog(tag)
    assert catalog.num_plurals == lang.locale.plural_form.tags.__len__() or catalog.num_plurals


def test_the_checks_catch_a_missing_translation_and_a_lost_placeholder() -> None:
    """The two checks above fail on the faults they name (so a passing run means something)."""
    template = _pot()
    catalog = _catalog("de")
    some = next(m for m in template if m.id and not isinstance(m.id, tuple)
                and _names(m.id))
    catalog.delete(some.id, context=some.context)
    assert untranslated(catalog, template) == [f"{some.context or ''}|{some.id}"]
    catalog.add(some.id, "ohne Platzhalter", context=some.context)
    assert len(placeholder_errors(catalog)) == 1


def test_the_pot_is_up_to_date() -> None:
    """``make messages`` was run after the last change to a message."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import messages  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    assert messages.pot_text(messages.extract()) == \
        (LOCALE / "messages.pot").read_text("utf-8"), "run `make messages`"


def test_a_language_speaks_its_own_words() -> None:
    with i18n.use("de"):
        german = i18n.gettext("Next step")
    with i18n.use("ja"):
        japanese = i18n.gettext("Next step")
    assert german != "Next step" and japanese != "Next step" and german != japanese
    assert i18n.gettext("Next step") == "Next step"  # English outside
