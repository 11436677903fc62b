"""make messages: reporter/locale/messages.pot from the code and templates (pybabel extract,
by babel.cfg), then each shipped language's messages.po updated from it (pybabel update:
new messages come in empty for a translator, gone ones are dropped).

The .pot is written without a creation date and without line numbers, so that it changes
only when a message does and tests/test_catalogs.py can tell it is up to date.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reporter.i18n import DOMAIN, LANGUAGES, SOURCE  # noqa: E402

LOCALE = ROOT / "reporter" / "locale"
POT = LOCALE / f"{DOMAIN}.pot"
#: The names a message is marked with in Python (Jinja's i18n extension marks its own).
KEYWORDS = {
    "_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3), "N_": None,
}


#: The files' first lines: no year or author read from the machine, so a rerun is identical.
HEADER = ("# {language}: reporter's messages (reports, emails, workbook).\n"
          "# How to translate: docs/translating.md; terms: docs/glossary.md.\n#")


def extract() -> Catalog:
    """Every message of the package and its templates, as babel.cfg maps them."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    catalog = Catalog(project="reporter", domain=DOMAIN, fuzzy=False,
                      msgid_bugs_address="", copyright_holder="",
                      header_comment=HEADER.format(language="Translations template"))
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS,
            comment_tags=("Translators:",), strip_comment_tags=True):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments,
                    context=context)
    return catalog


def pot_text(catalog: Catalog) -> str:
    """The .pot as written: sorted, no creation date, locations without line numbers."""
    out = io.BytesIO()
    write_po(out, catalog, sort_output=True, omit_header=False, include_lineno=False,
             width=96)
    text = out.getvalue().decode("utf-8")
    return "\n".join(line for line in text.splitlines()
                     if not line.startswith(('"POT-Creation-Date', '"PO-Revision-Date',
                                             '"Generated-By'))) + "\n"


def po_path(tag: str) -> Path:
    return LOCALE / tag.replace("-", "_") / "LC_MESSAGES" / f"{DOMAIN}.po"


def update(tag: str, template: Catalog) -> None:
    """The language's .po brought up to the template: its translations kept, new messages
    empty, obsolete ones dropped, never fuzzy-matched (a guess is not a translation)."""
    path = po_path(tag)
    if path.exists():
        with path.open("rb") as f:
            catalog = read_po(f, locale=tag.replace("-", "_"))
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(locale=tag.replace("-", "_"), domain=DOMAIN, project="reporter",
                          fuzzy=False, header_comment=HEADER.format(language=tag))
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    out = io.BytesIO()
    write_po(out, catalog, sort_output=True, include_lineno=False, width=96,
             ignore_obsolete=True)
    text = out.getvalue().decode("utf-8")
    path.write_text("\n".join(line for line in text.splitlines()
                              if not line.startswith(('"POT-Creation-Date',
                                                      '"PO-Revision-Date'))) + "\n", "utf-8")


def main() -> None:
    catalog = extract()
    POT.write_text(pot_text(catalog), "utf-8")
    with POT.open("rb") as f:
        template = read_po(f)
    for tag in LANGUAGES:
        if tag != SOURCE:
            update(tag, template)
    print(f"{POT.relative_to(ROOT)}: {len(template)} messages")


if __name__ == "__main__":
    main()
