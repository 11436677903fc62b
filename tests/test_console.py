"""Messages on stderr: text from the API never reaches a terminal raw."""

from __future__ import annotations

from reporter.console import Console, printable


def test_escapes_terminal_sequences_line_breaks_and_bidi_overrides():
    hostile = "Ann \x1b]0;owned\x07\x1b[31mRed\r\nwarning: forged \u202eevil"
    shown = printable(hostile)
    assert shown == ("Ann \\x1b]0;owned\\x07\\x1b[31mRed\\x0d\\x0awarning: forged "
                     "\\u202eevil")
    assert shown.isprintable()


def test_leaves_ordinary_names_alone():
    for name in ("Zoë Müller-Łukasiewicz", "王小明", "فاطمة الزهراء", "O'Brien <ob@x.example>"):
        assert printable(name) == name


def test_every_console_message_is_escaped(capsys):
    console = Console(verbose=True)
    console.warn("bob\x1b[2J@acme.example: no sessions")
    console.info("done\rforged")
    console.detail("detail\nsecond line")
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\r" not in err
    assert err.splitlines() == ["warning: bob\\x1b[2J@acme.example: no sessions",
                                "done\\x0dforged", "detail\\x0asecond line"]
