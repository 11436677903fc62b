"""What the PDF renderer mends in WeasyPrint and tinyhtml5, each with the upstream issue that
would retire it. ``reporter.render.pdf`` applies them; nothing else here knows about reports.

1. :func:`scope_table_headers`, a fix: a tagged PDF's /TH cells get the /Scope their HTML
   ``scope`` says. WeasyPrint writes none (Kozea/WeasyPrint#2508, open); retire it when a
   release writes /Scope (tests/test_accessibility.py's checker then passes without it).
2. :class:`_RegexCache` (:func:`fix_tinyhtml5_cache`), a fix: tinyhtml5 2.x's
   ``characters_until_regex`` stores each pattern under the wrong key, so it never hits. No
   upstream issue is named yet (CourtBouillon/tinyhtml5 is where it belongs); retire it when a
   release caches by ``(characters, opposite)``: the mend then finds its dict already working
   and changes nothing.
3. :func:`lean_html_class`, a speed-up: WeasyPrint's user-agent stylesheet styles six
   pseudo-elements on every element though only lists, footnotes and notes show them (5 to 9 %
   of a report's CPU). Part of WeasyPrint's performance work (Kozea/WeasyPrint#578, open; the
   shared computed styles of Kozea/WeasyPrint#2813 may make it moot); retire it when
   bench/bench_pdf.py shows no gain.
4. :func:`inline_custom_properties`, a speed-up: WeasyPrint resolves ``var()`` per element;
   custom properties set only on ``:root`` are substituted once (2 to 6 % of a report's CPU).
   Same performance work (Kozea/WeasyPrint#578); retire it with the same bench check.

Each checks the shape of what it mends and steps aside (the document then renders WeasyPrint's
way) when a release changes it.
"""

from __future__ import annotations

import re
from typing import Any


def scope_table_headers(document: Any, pdf: Any) -> None:
    """Give every /TH of a tagged PDF the /Scope its HTML ``scope`` attribute says.

    WeasyPrint 70 tags each ``th`` as a /TH with an /ID, and lists in each /TD's /Headers the
    row headers (``scope="row"``) and column headers (any other ``th``) of its cell, but it
    writes no /Scope on the /TH (Kozea/WeasyPrint#2508, open). PDF/UA-1 7.5 asks header cells
    for /Scope unless /Headers and /IDs settle the table; checkers that look at the header
    cells (pdfua's UA-15-003) and screen readers that walk them by row or column cannot tell a
    row header from a column header without it. WeasyPrint keeps each cell's structure
    element on the cell's box (``box.mark``) once tagged, so this sets /Scope there, with the
    rule WeasyPrint used for /Headers: /Row for ``scope="row"``, /Column otherwise. If a
    later WeasyPrint stops keeping them there this changes nothing, and the accessibility
    test, which runs an independent checker, says so.
    """
    import pydyf

    for page in document.pages:
        page_box = getattr(page, "_page_box", None)
        if page_box is None:
            return
        for box in page_box.descendants():
            mark = getattr(box, "mark", None)
            if box.element_tag != "th" or box.element is None or not isinstance(
                    mark, pydyf.Dictionary) or mark.get("S") != "/TH":
                continue
            attributes = mark.setdefault("A", pydyf.Dictionary({"O": "/Table"}))
            attributes["Scope"] = "/Row" if box.element.get("scope") == "row" else "/Column"


class _NotInlinable(Exception):
    """The stylesheet uses custom properties in a way substitution could change."""


# A document that can set custom properties of its own: a <style> element, or a style
# attribute naming one. Such a document gets the stylesheet as written.
OWN_CUSTOM_PROPERTIES = re.compile(r"<style|style=\"[^\"]*--|style='[^']*--", re.IGNORECASE)


def inline_custom_properties(css: str) -> str:
    """``css`` with each ``var(--name)`` replaced by the value ``:root`` gives it, or ``css``
    unchanged when that could change any computed value.

    WeasyPrint resolves ``var()`` per element and per document: every declaration that uses
    one is parsed and validated again for each element it applies to (2 to 6 % of a report's
    CPU with report.css's 99 uses). Custom properties that are only ever set on ``:root`` have
    one value everywhere, so substituting it once, when a worker builds its stylesheet, gives
    the same styles. Anything else (a custom property set elsewhere, ``var()`` with a
    fallback or an unknown name, a definition using ``var()``) leaves the text as written.
    ``@page`` rules are left alone: WeasyPrint does not resolve custom properties there.
    """
    import tinycss2
    from tinycss2.ast import AtRule, Declaration, FunctionBlock, Node, QualifiedRule

    def significant(tokens: list[Node]) -> list[Node]:
        return [t for t in tokens if t.type not in ("whitespace", "comment")]

    def uses_var(tokens: list[Node]) -> bool:
        return any(isinstance(t, FunctionBlock) and (t.lower_name == "var"
                                                     or uses_var(t.arguments))
                   or t.type in ("() block", "[] block", "{} block") and uses_var(t.content)
                   for t in tokens)

    def is_root(rule: Node) -> bool:
        return (isinstance(rule, QualifiedRule)
                and tinycss2.serialize(rule.prelude).strip() == ":root")

    rules = tinycss2.parse_stylesheet(css, skip_comments=True)
    values: dict[str, list[Node]] = {}
    for rule in rules:
        if is_root(rule):
            for item in tinycss2.parse_blocks_contents(rule.content, skip_comments=True,
                                                      skip_whitespace=True):
                if isinstance(item, Declaration) and item.name.startswith("--"):
                    if uses_var(item.value) or item.important:
                        return css
                    values[item.name] = significant(item.value)
    if not values:
        return css

    def substitute(tokens: list[Node]) -> list[Node]:
        out: list[Node] = []
        for token in tokens:
            if isinstance(token, FunctionBlock) and token.lower_name == "var":
                arguments = significant(token.arguments)
                if len(arguments) != 1 or arguments[0].type != "ident" or \
                        arguments[0].value not in values:
                    raise _NotInlinable(tinycss2.serialize([token]))
                out.extend(values[arguments[0].value])
            elif isinstance(token, FunctionBlock):
                out.append(FunctionBlock(token.source_line, token.source_column, token.name,
                                         substitute(token.arguments)))
            elif token.type in ("() block", "[] block", "{} block") and uses_var(token.content):
                raise _NotInlinable(tinycss2.serialize([token]))
            else:
                out.append(token)
        return out

    def rule_text(rule: Node, in_root: bool) -> str:
        if isinstance(rule, AtRule):
            if rule.lower_at_keyword == "media" and rule.content is not None:
                inner = tinycss2.parse_rule_list(rule.content, skip_comments=True)
                return (f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{"
                        + "\n".join(rule_text(r, False) for r in inner) + "}")
            if rule.lower_at_keyword not in ("page", "font-face", "import", "charset",
                                             "namespace", "counter-style"):
                raise _NotInlinable(f"@{rule.at_keyword}")
            if rule.lower_at_keyword != "page" and uses_var(rule.content or []):
                raise _NotInlinable(f"@{rule.at_keyword}")
            return tinycss2.serialize([rule])
        if not isinstance(rule, QualifiedRule):
            return tinycss2.serialize([rule])
        declarations = []
        for item in tinycss2.parse_blocks_contents(rule.content, skip_comments=True,
                                                      skip_whitespace=True):
            if not isinstance(item, Declaration):
                raise _NotInlinable("nested rule")  # CSS nesting: keep it simple
            if item.name.startswith("--"):
                if not in_root:
                    raise _NotInlinable(item.name)
                declarations.append(tinycss2.serialize([item]))
                continue
            value = tinycss2.serialize(substitute(item.value)).strip()
            declarations.append(f"{item.name}: {value}"
                                + (" !important" if item.important else ""))
        return f"{tinycss2.serialize(rule.prelude).strip()} {{ {'; '.join(declarations)} }}"

    try:
        return "\n".join(rule_text(rule, is_root(rule)) for rule in rules)
    except _NotInlinable:
        return css


class _RegexCache(dict[tuple[Any, bool], "re.Pattern[str]"]):
    """tinyhtml5's ``characters_until_regex``, made to actually cache.

    tinyhtml5 2.x stores each compiled pattern under the wrong key (a chained assignment
    rebinds ``characters`` before the key is built), so every ``chars_until`` call rebuilds
    its pattern: about a quarter of WeasyPrint's HTML parsing time. Filling misses here, with
    the very pattern tinyhtml5 would build, makes its lookup hit.
    """

    def __missing__(self, key: tuple[Any, bool]) -> re.Pattern[str]:
        characters, opposite = key
        ranges = "".join(f"\\x{ord(character):02x}" for character in characters)
        pattern = self[key] = re.compile(f"[{ranges if opposite else '^' + ranges}]+")
        return pattern


def fix_tinyhtml5_cache() -> None:
    from tinyhtml5 import inputstream

    current = getattr(inputstream, "characters_until_regex", None)
    if isinstance(current, dict) and not isinstance(current, _RegexCache):
        inputstream.characters_until_regex = _RegexCache()


# The rules of WeasyPrint's user-agent stylesheet for pseudo-elements it styles on every
# element, though only list items (::marker), footnotes and notes ever show them.
_EVERY_ELEMENT_PSEUDO_RULES = re.compile(
    r"^::(?:marker|footnote-call|footnote-marker|note-call|note-marker|note-callback) "
    r"\{[^{}]*\}\n", re.MULTILINE)
# A document (or stylesheet) in which one of those pseudo-elements could show.
LISTS_OR_NOTES = re.compile(r"<li\b|<summary\b|list-item|footnote|note\(|::marker",
                             re.IGNORECASE)


def lean_html_class() -> Any:
    """``weasyprint.HTML`` with a user-agent stylesheet lacking the six rules above, or None.

    Those rules give each element six pseudo-element styles that WeasyPrint computes and
    never uses unless the document has list items, footnotes or notes: about 2,100 styles for
    a 3-page report, 5 to 9 % of its CPU (bench/README.md). A report without any of them
    prints the same bytes with or without the rules. If WeasyPrint's stylesheet or its
    private ``_ua_stylesheets`` hook change shape, this returns None and documents get
    WeasyPrint's own stylesheet.
    """
    from weasyprint import CSS, HTML
    from weasyprint import html as weasy_html
    from weasyprint.css.counters import CounterStyle

    full = getattr(weasy_html, "UA", None)
    if not isinstance(full, str) or not callable(getattr(HTML, "_ua_stylesheets", None)):
        return None
    lean, removed = _EVERY_ELEMENT_PSEUDO_RULES.subn("", full)
    if removed != 6:
        return None
    # Its @counter-style rules go to a dict of their own: documents keep WeasyPrint's.
    sheet = CSS(string=lean, counter_style=CounterStyle())

    class LeanHTML(HTML):
        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            return super()._ua_stylesheets(forms) if forms else [sheet]

    return LeanHTML
