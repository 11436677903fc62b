"""The headers that carry people's words (Subject, From, To, Reply-To, and the API's text
for an unusable address), encoded and folded here rather than by the standard library.

Python's own folder (``email.policy.default``; seen on 3.11.7) goes wrong where a line fills
up near a non-ASCII word: it writes an empty encoded word, ``=?utf-8?q??=``, which RFC 2047
forbids (CPython gh-136052); it leaves a space at the end of a line and another at the start
of the next, which unfold into two; it splits "Sofía Nuñez" into two encoded words with only
folding space between them, which a decoder joins into "SofíaNuñez". Every rep's subject has
an em dash, so 27 of the demo's 63 subjects carried the empty word, and the issue saw them
read "coaching report  — November 2026". Here each header is laid out once, by one rule:
ASCII words as they are, each run of other words (with the spaces between them) as encoded
words of at most 75 characters, never empty, lines of at most 78, a single space wherever a
line is folded. The value is stored with ``Message.set_raw`` and written as given
(``MESSAGE_POLICY`` never refolds it), so what the outbox holds and what the SMTP server
receives are the same bytes.

One known reader still differs: Python's own parser keeps the space between two encoded
words of a display name (in a Subject it drops it, as RFC 2047 says), so a name long enough
to need two words reads back there with a space inside it; mail clients follow the RFC.
"""

from __future__ import annotations

import base64
import string
from collections.abc import Callable, Sequence
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage

# The policy every message is built and written with: the standard one, except that a value
# this module laid out is never refolded by the library (a line longer than 78 characters is
# only ever a single address, which cannot be broken).
MESSAGE_POLICY = policy.default.clone(refold_source="none")

LINE = 78  # RFC 5322: lines SHOULD be at most 78 characters
WORD = 75  # RFC 2047: an encoded word is at most 75 characters
CHARSET = "utf-8"
# RFC 2047 section 5 (3): the only characters a Q-encoded word may carry as themselves in a
# phrase (a display name); the same set keeps it valid in a Subject too.
_Q_LITERAL = frozenset(string.ascii_letters + string.digits + "!*+-/")
# RFC 5322 atext: what a word of a display name may be made of without quotes.
_ATEXT = frozenset(string.ascii_letters + string.digits + "!#$%&'*+-/=?^_`{|}~")


def _q(text: str) -> str:
    return "".join(c if c in _Q_LITERAL else "_" if c == " "
                   else "".join(f"={b:02X}" for b in c.encode(CHARSET)) for c in text)


def _b(text: str) -> str:
    return base64.b64encode(text.encode(CHARSET)).decode("ascii")


def _encoded_word(text: str, room: int) -> tuple[str, int] | None:
    """The longest start of ``text`` that fits ``room`` characters as one encoded word (Q or
    B, whichever holds more of it; Q on a tie, it reads better), and how many characters of
    ``text`` it holds; None when not even one character fits. Split between characters, never
    inside one, and never empty."""
    best: tuple[str, int] | None = None
    for kind, encode in (("q", _q), ("b", _b)):
        taken = 0
        word = ""
        while taken < len(text):
            longer = f"=?{CHARSET}?{kind}?{encode(text[:taken + 1])}?="
            if len(longer) > room:
                break
            word, taken = longer, taken + 1
        if taken and (best is None or taken > best[1]):
            best = (word, taken)
    return best


def _fold(name: str, pieces: Sequence[tuple[str, bool]]) -> str:
    """The pieces one space apart, each (text, encode): a plain word as it is, a run of words
    to encode as encoded words filling each line. A line is broken before what would pass 78
    columns (the first line counting ``Name: ``); a break is that one space, so unfolding gives
    back exactly one space between pieces. A decoder joins adjacent encoded words without the
    space between them, so a run keeps its own spaces inside the encoding."""
    lines = [""]
    used = len(name) + 2

    def place(atom: str) -> None:
        nonlocal used
        if lines[-1]:
            lines[-1] += " "
            used += 1
        lines[-1] += atom
        used += len(atom)

    def room() -> int:
        return LINE - used - (1 if lines[-1] else 0)

    def new_line() -> None:
        nonlocal used
        lines.append("")
        used = 1  # the space a folded line starts with

    for text, encode in pieces:
        if not encode:
            if lines[-1] and len(text) > room():
                new_line()
            place(text)
            continue
        whole = _encoded_word(text, WORD)
        if lines[-1] and whole is not None and whole[1] == len(text) and len(whole[0]) > room():
            # A run one encoded word can hold is never split: Python's address parser reads
            # the space between two words of a display name as part of the name.
            new_line()
        while text:
            found = _encoded_word(text, min(WORD, room()))
            if found is None:
                new_line()  # a fresh line holds 75 characters: at least one character fits
                continue
            word, taken = found
            place(word)
            text = text[taken:]
    return "\n ".join(lines)


def _pieces(words: Sequence[str], plain: Callable[[str], bool]) -> list[tuple[str, bool]]:
    """The words as they go on the line: a word ``plain`` accepts as itself, each run of the
    others, joined by their spaces, to encode."""
    pieces: list[tuple[str, bool]] = []
    run: list[str] = []
    for w in [*words, None]:
        if w is not None and not plain(w):
            run.append(w)
            continue
        if run:
            pieces.append((" ".join(run), True))
            run = []
        if w is not None:
            pieces.append((w, False))
    return pieces


def _unstructured_word(word: str) -> bool:
    """A Subject word that may stand as itself: printable ASCII, short enough for a line, and
    not something a decoder would take for an encoded word."""
    return (word.isascii() and word.isprintable() and len(word) < LINE - 1
            and "=?" not in word and "?=" not in word)


def _name_word(word: str) -> bool:
    """A display-name word that may stand as itself: an RFC 5322 atom (no quotes needed)."""
    return (all(c in _ATEXT for c in word) and len(word) < LINE - 1
            and "=?" not in word and "?=" not in word)


def text_value(name: str, text: str) -> str:
    """An unstructured header's value (the Subject), encoded and folded; ``text`` has one
    space between words (``addresses.one_line``)."""
    return _fold(name, _pieces(text.split(), _unstructured_word))


def _address_pieces(address: Address) -> list[tuple[str, bool]]:
    angle = f"<{address.addr_spec}>"
    words = address.display_name.split()
    if not words:
        return [(address.addr_spec, False)]
    if all(_name_word(w) for w in words):
        return [*((w, False) for w in words), (angle, False)]
    # A name with a special (a comma, a quote, a dot) or a non-ASCII letter is encoded whole:
    # an encoded word is one phrase word whatever it holds, so nothing in it can end the name.
    return [(" ".join(words), True), (angle, False)]


def addresses_value(name: str, addresses: Sequence[Address]) -> str:
    """An address header's value (From, To, Reply-To): each ``Name <addr>``, comma separated,
    the names encoded and folded as the Subject is."""
    pieces: list[tuple[str, bool]] = []
    for i, address in enumerate(addresses):
        mine = _address_pieces(address)
        if i < len(addresses) - 1:
            mine[-1] = (mine[-1][0] + ",", False)
        pieces.extend(mine)
    return _fold(name, pieces)


def set_text(msg: EmailMessage, name: str, text: str) -> None:
    """Set an unstructured header (the Subject) laid out by ``text_value``."""
    msg.set_raw(name, text_value(name, text))


def set_addresses(msg: EmailMessage, name: str, addresses: Address | Sequence[Address]) -> None:
    """Set an address header (From, To, Reply-To) laid out by ``addresses_value``."""
    if isinstance(addresses, Address):
        addresses = [addresses]
    msg.set_raw(name, addresses_value(name, addresses))
