"""The speech predicate: what may stand as advice, and what is only shown escaped."""

from __future__ import annotations

import pytest

from reporter.analytics.moments import is_speech
from reporter.sandbox.text import CONTROL_TEXT, HOSTILE_FORMULAS, HOSTILE_HTML, LONG_LINE


@pytest.mark.parametrize("quote", [
    *HOSTILE_HTML, *HOSTILE_FORMULAS, LONG_LINE,
    "Sure, let me share <b>this</b>", "check https://exec.com/s/1 later",
    "www.acme.example/pricing",
    "alert(1)", "if (x) { return y; }", "=SUM(A1:A3)", "  =1+1", "", "   ", "1234 5678", None,
    "I'll send it &amp; follow up",
])
def test_markup_urls_code_and_formulas_are_not_speech(quote):
    assert not is_speech(quote)


@pytest.mark.parametrize("quote", [
    "So what does a typical week look like for your team?",
    "I understand - budgets are tight (everyone says so).",
    "Could we look at this again on the 3rd? That's 2-3 weeks out.",
    "Fair enough; it's your call.",
    "- Right, and who else signs off?",
    "小明说：我们下周再谈。",
    "ما هي أولوياتك لهذا الربع؟",
    CONTROL_TEXT,
    "I'd say 5 < 7 any day, and the price > last year's.",
])
def test_what_people_say_is_speech(quote):
    assert is_speech(quote)
