"""format.py writes its figures in the active language: English pinned byte for byte, and
Babel's forms for a language given without a catalog (the hooks, not the translations)."""

from __future__ import annotations

import gettext
from datetime import date, datetime
from decimal import Decimal

import babel
from babel.numbers import format_percent

from reporter import format as fmt
from reporter import i18n
from reporter.analytics.figures import period_title
from reporter.i18n import use


def bare(tag: str) -> i18n.Language:
    """A language with Babel's locale and no catalog: its words stay English."""
    return i18n.Language(tag=tag, locale=babel.Locale.parse(tag.replace("-", "_")),
                         translations=gettext.NullTranslations())


def test_english_figures_stay_as_they_were() -> None:
    with use("en"):
        assert fmt.fmt_score(68.5) == "68.5" and fmt.fmt_score(91) == "91.0"
        assert fmt.fmt_score(-0.04) == "-0.0"
        assert [fmt.fmt_points(v) for v in (4, -2.5, 0.01, None)] == ["+4.0", "−2.5", "±0.0", "–"]
        assert [fmt.fmt_point_count(v) for v in (0.4, 1.0, 0.96, -1.04, 2)] == [
            "0.4 points", "1.0 point", "1.0 point", "1.0 point", "2.0 points"]
        assert fmt.fmt_share(0.3) == "30%" and fmt.fmt_share(0.125) == "12%"
        assert [fmt.fmt_ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111)] == [
            "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd",
            "101st", "111th"]
        assert fmt.fmt_day(date(2026, 11, 30)) == "Nov 30, 2026"
        assert fmt.fmt_day(date(2026, 10, 3)) == "Oct 3, 2026"
        assert fmt.fmt_short_day(datetime(2026, 11, 9, 23, 30)) == "Nov 9"
        assert fmt.fmt_minutes(45) == "45 min" and fmt.fmt_minutes(65) == "1 h 05 min"
        assert fmt.fmt_attempts_left(1) == "1 more attempt required"
        assert fmt.fmt_attempts_left(2) == "2 more attempts required"
        moments = [datetime(2026, 11, 28, 9), datetime(2026, 11, 28, 10), datetime(2026, 11, 29)]
        assert fmt.fmt_attempt_days(moments) == ["Nov 28, 1st", "Nov 28, 2nd", "Nov 29"]
        assert fmt.fmt_session(moments[1], moments) == "Nov 28, 2nd session"
        assert fmt.fmt_rank("silver") == "Silver" and fmt.fmt_grade(None) == "Not graded"
        assert fmt.fmt_new_rep() == "New" and fmt.fmt_not_practised() == "Not practised"
        start = datetime(2026, 10, 3)
        assert period_title("2026-11", datetime(2026, 11, 1), datetime(2026, 12, 1)) == \
            "November 2026"
        assert period_title("x", start, datetime(2026, 10, 21)) == "Oct 3, 2026 to Oct 20, 2026"


def test_german_numbers_and_dates_come_from_babel() -> None:
    with use(bare("de")):
        assert fmt.fmt_score(68.5) == "68,5"
        assert fmt.fmt_points(-2.5) == "−2,5" and fmt.fmt_points(0.0) == "±0,0"
        assert fmt.fmt_point_count(0.4) == "0,4 points"  # no catalog: English words
        assert fmt.fmt_share(0.3) == format_percent(Decimal("0.3"), locale="de") == "30\xa0%"
        assert fmt.fmt_day(date(2026, 11, 30)) == "30. November 2026"
        assert fmt.fmt_month(date(2026, 11, 1)) == "November 2026"
        assert fmt.fmt_ordinal(1) == "1th"  # German has one ordinal category: "other"


def test_rounding_is_the_same_in_every_language() -> None:
    for value in (0.05, 0.15, 0.25, 68.45, 2.675):
        with use("en"):
            english = fmt.fmt_score(value)
        with use(bare("de")):
            assert fmt.fmt_score(value) == english.replace(".", ","), value


def test_other_languages_write_long_days_and_their_months() -> None:
    with use(bare("es")):
        assert fmt.fmt_day(date(2026, 11, 30)) == "30 de noviembre de 2026"
        assert fmt.fmt_month(date(2026, 11, 1)) == "noviembre de 2026"
    with use(bare("ja")):
        assert fmt.fmt_day(date(2026, 11, 30)) == "2026年11月30日"
        assert fmt.fmt_short_day(date(2026, 11, 30)) == "11月30日"
        assert fmt.fmt_month(date(2026, 11, 1)) == "2026年11月"
    with use(bare("fr")):
        assert fmt.fmt_share(0.3) == format_percent(Decimal("0.3"), locale="fr")


def test_lists_clauses_and_sentences_follow_the_languages_punctuation() -> None:
    """A list of names, the clauses of one sentence and two sentences of a paragraph, each
    as the language writes them: Japanese joins with 、, ends with 。 and sets no space."""
    names = ["Discovery", "Pricing", "Close"]
    with use("en"):
        assert fmt.fmt_names(names) == "Discovery, Pricing, and Close"
        assert i18n.clauses(["4.4 points short", "2 more attempts required"]) == (
            "4.4 points short; 2 more attempts required")
        assert i18n.sentences("One.", "", "Two.") == "One. Two."
        assert i18n.full_stop("7 of 12 reps improved") == "7 of 12 reps improved."
        assert fmt.fmt_counted_status("in_progress") == "in progress"
        assert i18n.quoted("Hi") == "“Hi”" and i18n.quoted("Hi", plain=True) == '"Hi"'
    with use("fr"):
        assert i18n.quoted("Bonjour") == "«\u00a0Bonjour\u00a0»"  # never a lone « at a line's end
    with use("de"):
        assert i18n.quoted("Hallo") == "„Hallo“" == i18n.quoted("Hallo", plain=True)
        assert fmt.fmt_names(names) == "Discovery, Pricing und Close"
        assert fmt.fmt_counted_status("in_progress") == "in Bearbeitung"  # the noun stays
    with use("ja"):
        assert fmt.fmt_names(names) == "Discovery、Pricing、Close"
        assert i18n.clauses(["a", "b"]) == "a、b"
        assert i18n.sentences("一。", "二。") == "一。二。"
        assert i18n.full_stop("完了") == "完了。"
        assert i18n.quoted("はい") == "「はい」"


def test_the_plain_text_labels_line_up_by_display_width() -> None:
    """The emails' label macro pads to the group's widest translated label; a Japanese
    character takes two columns of a fixed-width font, so it counts two."""
    from reporter.render.templates import environment

    assert i18n.display_width("ベストスコア:") == 13 and i18n.display_width("Best:") == 5
    env = environment(None)
    template = env.from_string(
        '{% from "email/labels.txt" import label %}'
        '{% set group = [_("Best score"), _("Valid attempts")] %}'
        '{{ label(_("Best score"), group, 2) }}|\n{{ label(_("Valid attempts"), group, 2) }}|')
    for tag in ("en", "es", "ja"):
        with use(tag):
            first, second = template.render().splitlines()
        assert i18n.display_width(first) == i18n.display_width(second), (tag, first, second)
        assert second.endswith("：  |" if tag == "ja" else ":  |"), tag  # two spaces after


def test_a_template_joins_sentences_escaping_each_once() -> None:
    """``then`` in an HTML template: a translated sentence (already escaped) and plain text
    joined to it come out escaped once, never twice; with no space in Japanese."""
    from reporter.render.templates import environment

    template = environment(None).from_string(
        '{{ _("Hi %(name)s,", name=who) | then(extra) }}')
    with use("en"):
        assert template.render(who="<b>", extra="Tom & Jo.") == "Hi &lt;b&gt;, Tom &amp; Jo."
        ended = environment(None).from_string(
            '{{ _("%(num)s of %(reps)s", num=who, reps=2) | full_stop }} '
            '{{ [_("%(num)s of %(reps)s", num=who, reps=2), extra] | clauses }} '
            '{{ extra | quoted }}')
        assert ended.render(who="<b>", extra="Tom & Jo") == (
            "&lt;b&gt; of 2. &lt;b&gt; of 2; Tom &amp; Jo “Tom &amp; Jo”")
    with use("ja"):
        assert template.render(who="A", extra="B") == "Aさん、こんにちは。B"
