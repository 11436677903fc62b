"""How every figure is written, once: PDF, charts, emails, workbook and CSV all use these.

A score reads "68.5" or "91.0" (always one decimal, so a column of scores lines up and "91"
never looks rounder than "90.6"), points carry their sign ("+4.0", "−2.5", "±0.0"), ranks and
grades have one label each, dates read "Oct 3, 2026", months "October 2026". The
workbook keeps numbers as numbers with the Excel formats below; CSV writes plain numbers
rounded to CSV_DECIMALS. Pure functions: no I/O.

Words and figures are written in the active language (``reporter.i18n``): its catalog for the
words, Babel (CLDR) for decimals, percentages and dates ("68,5", "30 %", "30. November 2026").
A number is rounded here first, the same in every language, and only then written by Babel.
The label tables hold English (``N_``) and are translated where looked up. CSV files are written
with English active, so they keep the fixed English contract.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from babel.dates import format_date, format_skeleton
from babel.lists import format_list
from babel.numbers import format_decimal, format_percent

from reporter.i18n import N_, active, clauses, gettext, ngettext, pgettext

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from reporter.views import Comparison, Decline, Pattern, RankGap, Target, WeakItem

#: The labels below are English (``N_``): translate where shown, ``gettext(RANK_LABELS[r])``,
#: or through the fmt_* function of each table.
RANK_LABELS = {"gold": N_("Gold"), "silver": N_("Silver"), "bronze": N_("Bronze"),
               "unranked": N_("Unranked")}
GRADE_SYMBOLS = {"good": "✓", "mid": "~", "bad": "✗", "not_relevant": "–"}
#: A rubric item's grade (the evaluator's: good, mid or bad).
GRADE_LABELS = {"good": N_("Good"), "mid": N_("Mid"), "bad": N_("Bad"),
                "not_relevant": N_("Not relevant")}
#: Exec's skill proficiency tiers in words; under three observations Exec gives no score.
TIER_LABELS = {"excellent": N_("Excellent"), "proficient": N_("Proficient"),
               "developing": N_("Developing"), "needs_work": N_("Needs work"),
               "insufficient_data": N_("Not enough practice yet")}
#: A program's scenario without a session, and a skill with no observation at all (no tier,
#: told apart from too few).
NOT_PRACTISED = N_("Not practised")

#: Excel number formats for the workbook's columns.
XLSX_SCORE = "0.0"
XLSX_INT = "0"
XLSX_MINUTES = "0.0"
XLSX_POINTS = "+0.0;-0.0;0.0"
XLSX_PERCENT = "0%"
XLSX_PERCENT1 = "0.0%"
XLSX_DATETIME = "yyyy-mm-dd hh:mm"
XLSX_DATE = "yyyy-mm-dd"
#: Decimals a CSV number keeps.
CSV_DECIMALS = 2
#: Decimals each Excel number format shows: a cell's value is rounded to them, so the formula
#: bar shows the figure the cell shows (72.9, not 72.89999999999999).
XLSX_DECIMALS: dict[str, int] = {
    XLSX_SCORE: 1, XLSX_INT: 0, XLSX_MINUTES: 1, XLSX_POINTS: 1,
    XLSX_PERCENT: 2, XLSX_PERCENT1: 3,
}
#: How urgent a rep's attention reason is (AttentionReason.severity), as a word.
SEVERITY_LABELS = {3: N_("High"), 2: N_("Medium"), 1: N_("Low")}
#: A rep with a best score this period and none the last, where a change would be shown.
NEW_REP_LABEL = N_("New")
#: The verdict's direction in words (tiles, chart captions, the workbook, the email).
DIRECTION_LABELS = {"improving": N_("Improving"), "holding": N_("Holding steady"),
                    "slipping": N_("Slipping")}
#: The report's colours, one definition: report.css's variables and the email's inline styles
#: are both filled from here. (text, background) per tone.
TONES: dict[str, tuple[str, str]] = {
    "good": ("#1a7f37", "#d5eedb"), "mid": ("#8a5a00", "#fbe9bd"),
    "bad": ("#b4261b", "#f7d0cb"), "nr": ("#6b7480", "#eceff3"),
}
#: A target's state (``Target.state``) and the tone it is shown in, PDF and email alike.
TARGET_TONES = {"met": "good", "open": "mid", "past_due": "bad", "did_not_pass": "bad"}
ASSIGNMENT_STATUS_LABELS = {
    "not_started": N_("Not started"), "in_progress": N_("In progress"),
    "completed": N_("Completed"), "past_due": N_("Past due"),
    "did_not_pass": N_("Did not pass"), "none": N_("No assignment"),
}
#: Whether a rep has a session in a scenario of a program (the workbook's Scenarios sheet).
PRACTISED_LABELS = {True: N_("Practised"), False: NOT_PRACTISED}
#: The CLDR date length a language writes a day in ("Nov 30, 2026" in English); any other
#: language writes it long ("30 de noviembre de 2026", "30. November 2026", "2026年11月30日"),
#: since a medium date there is all digits or abbreviations.
DAY_STYLES = {"en": "medium"}
DAY_STYLE = "long"


def _decimal(shown: str) -> str:
    """A number already rounded in Python ("68.5"), written the active language's way."""
    return format_decimal(Decimal(shown), "0.0", locale=active().locale)


def fmt_score(value: float | None) -> str:
    if value is None:
        return "–"
    return _decimal(f"{value:.1f}")


def fmt_points(value: float | None) -> str:
    if value is None:
        return "–"
    shown = f"{abs(value):.1f}"
    sign = "±" if shown == f"{0.0:.1f}" else "+" if value > 0 else "−"
    return f"{sign}{_decimal(shown)}"


def fmt_point_count(value: float) -> str:
    """A distance in points, for prose: "0.4 points", "1.0 point"."""
    shown = f"{abs(value):.1f}"
    # Translators: %(points)s is a number of points with one decimal, "0.4" or "1.0".
    return ngettext("%(points)s point", "%(points)s points", 1 if shown == "1.0" else 2,
                    points=_decimal(shown))


def fmt_share(value: float | None) -> str:
    if value is None:
        return "–"
    shown = f"{value * 100:.0f}"
    return format_percent(Decimal(shown) / 100, locale=active().locale)


def fmt_ordinal(value: float | None) -> str:
    """ "1st", "2nd", "3rd", "11th", "21st": the active language's CLDR ordinal category of
    the number picks the message."""
    if value is None:
        return "–"
    n = int(round(value))
    category = active().locale.ordinal_form(n)
    # Translators: an ordinal number ("1st", "21st"), for the numbers CLDR's ordinal rules
    # of your language put in the category "one"; %(num)s is the number.
    if category == "one":
        return pgettext("ordinal one", "%(num)sst", num=n)
    # Translators: an ordinal number ("2nd", "22nd"), CLDR ordinal category "two".
    if category == "two":
        return pgettext("ordinal two", "%(num)snd", num=n)
    # Translators: an ordinal number ("3rd", "23rd"), CLDR ordinal category "few".
    if category == "few":
        return pgettext("ordinal few", "%(num)srd", num=n)
    # Translators: an ordinal number ("4th", "11th"), CLDR ordinal category "other" (and
    # "many"): the only form in many languages ("%(num)s." in German).
    return pgettext("ordinal other", "%(num)sth", num=n)


def _day_of(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def fmt_day(value: date | None) -> str:
    if value is None:
        return "–"
    lang = active()
    return format_date(_day_of(value), DAY_STYLES.get(lang.tag, DAY_STYLE), locale=lang.locale)


def fmt_short_day(value: date | None) -> str:
    """ "Nov 30", "30 nov", "11月30日"."""
    return "–" if value is None else format_skeleton("MMMd", _day_of(value),
                                                      locale=active().locale)


def fmt_month(value: date) -> str:
    """A month as a period's title: "November 2026", "noviembre de 2026", "2026年11月"."""
    return format_skeleton("yMMMM", _day_of(value), locale=active().locale)


def fmt_minutes(value: float | None) -> str:
    if value is None:
        return "–"
    minutes = int(round(value))
    if minutes < 60:
        # Translators: a duration in minutes, "45 min".
        return gettext("%(minutes)s min", minutes=minutes)
    # Translators: a duration, "1 h 05 min" (%(minutes)s is always two digits).
    return gettext("%(hours)s h %(minutes)s min", hours=minutes // 60,
                   minutes=str(minutes % 60).zfill(2))


def fmt_attempt_days(moments: Sequence[datetime]) -> list[str]:
    """Column headings for attempts in time order: "Nov 28" for the day's only attempt,
    "Nov 28, 2nd" when the day had several, so three attempts on one day are told apart."""
    per_day: dict[tuple[int, int, int], int] = {}
    for m in moments:
        per_day[(m.year, m.month, m.day)] = per_day.get((m.year, m.month, m.day), 0) + 1
    seen: dict[tuple[int, int, int], int] = {}
    out = []
    for m in moments:
        day = (m.year, m.month, m.day)
        seen[day] = seen.get(day, 0) + 1
        label = fmt_short_day(m)
        # Translators: a column heading for the second (third...) attempt on one day:
        # %(day)s is a short date ("Nov 28"), %(ordinal)s an ordinal ("2nd").
        out.append(label if per_day[day] == 1 else gettext(
            "%(day)s, %(ordinal)s", day=label, ordinal=fmt_ordinal(seen[day])))
    return out


def fmt_session(at: datetime, moments: Sequence[datetime]) -> str:
    """A session named by its day, "Nov 9", and by its place in that day when the day had
    several sessions among ``moments`` (the rep's sessions): "Nov 9, 2nd session"."""
    same = sorted(m for m in moments if (m.year, m.month, m.day) == (at.year, at.month, at.day))
    if len(same) < 2 or at not in same:
        return fmt_short_day(at)
    # Translators: %(day)s is a short date ("Nov 9"), %(ordinal)s an ordinal ("2nd"): the
    # rep's second session that day.
    return gettext("%(day)s, %(ordinal)s session", day=fmt_short_day(at),
                   ordinal=fmt_ordinal(same.index(at) + 1))


def fmt_clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _label(table: Mapping[Any, str], key: object, default: str | None = None) -> str | None:
    """``table[key]`` translated; ``default`` (as given) for a key not in it."""
    label = table.get(key)
    return default if label is None else gettext(label)


def fmt_direction(direction: str | None) -> str | None:
    """ "Improving", "Holding steady", "Slipping"; None without a direction."""
    return _label(DIRECTION_LABELS, direction or "")


def fmt_rank(rank: str | None) -> str:
    return _label(RANK_LABELS, rank or "") or gettext("No rank")


def fmt_tier(tier: str | None) -> str:
    """ "Needs work" for "needs_work", "Not enough practice yet" for "insufficient_data",
    NOT_PRACTISED for no observation; an unknown tier as the API wrote it."""
    return fmt_not_practised() if tier is None else _label(TIER_LABELS, tier, tier) or tier


def fmt_not_practised() -> str:
    """ "Not practised" (NOT_PRACTISED), in the active language."""
    return gettext(NOT_PRACTISED)


def fmt_new_rep() -> str:
    """ "New" (NEW_REP_LABEL): a rep with a best this period and none the last."""
    return gettext(NEW_REP_LABEL)


def fmt_severity(severity: int) -> str:
    """ "High", "Medium", "Low"; "" when nothing needs attention (severity 0)."""
    return _label(SEVERITY_LABELS, severity, "") or ""


def severity_labels() -> dict[int, str]:
    """SEVERITY_LABELS in the active language (a template's legend)."""
    return {severity: gettext(label) for severity, label in SEVERITY_LABELS.items()}


def fmt_names(names: Sequence[str]) -> str:
    """Names listed as the language lists them (CLDR): "Discovery, Pricing, and Close" in
    English, "Discovery, Pricing und Close" in German, "Discovery、Pricing、Close" in Japanese."""
    return format_list(list(names), style="standard", locale=active().locale) if names else ""


def fmt_assignment_status(status: str | None) -> str | None:
    """ "In progress" for "in_progress"; an unknown status as the API wrote it."""
    return None if status is None else _label(ASSIGNMENT_STATUS_LABELS, status, status)


def fmt_counted_status(status: str) -> str:
    """A status after its count ("5 completed"): a word of its own in each language, since
    lower-casing a label is English only (German keeps its nouns capital)."""
    # Translators: an assignment status after a count ("5 completed", "2 past due"): in
    # lower case where the language writes it so.
    counted = {"not_started": pgettext("after a count", "not started"),
               "in_progress": pgettext("after a count", "in progress"),
               "completed": pgettext("after a count", "completed"),
               "past_due": pgettext("after a count", "past due"),
               "did_not_pass": pgettext("after a count", "did not pass"),
               "none": pgettext("after a count", "no assignment")}
    return counted.get(status) or fmt_assignment_status(status) or status


def fmt_practised(practised: bool) -> str:
    """ "Practised" or "Not practised": a rep's session in one scenario of a program."""
    return gettext(PRACTISED_LABELS[practised])


def fmt_grade_symbol(grade: str | None) -> str:
    return GRADE_SYMBOLS.get(grade or "", "")


def fmt_grade(grade: str | None) -> str:
    return _label(GRADE_LABELS, grade or "") or gettext("Not graded")


def grade_labels() -> dict[str, str]:
    """GRADE_LABELS in the active language (a template's legend)."""
    return {grade: gettext(label) for grade, label in GRADE_LABELS.items()}


def fmt_item(criterion: str, item: str) -> str:
    """A rubric item with its criterion, the same in every output: "Discovery › Budget"."""
    return f"{criterion} › {item}"


def fmt_top_item(patterns: Sequence[Pattern]) -> str | None:
    """The first pattern's item ("Discovery › Budget"), None when there is none."""
    return fmt_item(patterns[0].criterion, patterns[0].item) if patterns else None


def fmt_graded_good(good: int, graded: int) -> str:
    """How an item was graded, one way everywhere (rubric column, pattern cards, workbook)."""
    # Translators: how often a rubric item was graded good: "3 of 4" (gradings).
    return gettext("%(good)s of %(graded)s", good=good, graded=graded)


def fmt_weak_item(item: WeakItem) -> str:
    """A team's weak item in figures, one way in the team report and a program's theme:
    "Graded good 12 of 40 (30%); 9 of 12 reps graded mid or bad at least once"."""
    # Translators: a team's rubric item: %(good)s of %(graded)s gradings were good
    # (%(share)s is that share, "30%"); %(weak)s of %(reps)s reps had it graded mid or bad.
    return ngettext("Graded good %(good)s of %(graded)s (%(share)s); %(weak)s of %(reps)s reps "
                    "graded mid or bad at least once",
                    "Graded good %(good)s of %(graded)s (%(share)s); %(weak)s of %(reps)s reps "
                    "graded mid or bad at least once", item.reps_graded,
                    good=item.good, graded=item.graded, share=fmt_share(item.good_share),
                    weak=item.reps_weak, reps=item.reps_graded)


def fmt_attempts_left(count: int) -> str:
    """ "1 more attempt required", "2 more attempts required"."""
    return ngettext("%(num)s more attempt required", "%(num)s more attempts required", count)


def _target_status(target: Target, rank: str | None) -> str:
    """The head of an open (not met) target's line: what it is, by when."""
    day = fmt_day(target.due) if target.due else None
    if target.did_not_pass:
        if rank and day:
            # Translators: %(rank)s is a rank ("Silver"), %(day)s a date ("Oct 31, 2026").
            return gettext("Did not pass %(rank)s by %(day)s", rank=rank, day=day)
        if rank:
            return gettext("Did not pass %(rank)s", rank=rank)
        if day:
            return gettext("Did not pass the assignment by %(day)s", day=day)
        return gettext("Did not pass the assignment")
    if target.past_due:
        if rank and day:
            # Translators: %(day)s is the assignment's due date, %(rank)s its required rank.
            return gettext("Past due since %(day)s (target %(rank)s)", day=day, rank=rank)
        if day:
            return gettext("Past due since %(day)s", day=day)
        if rank:
            return gettext("Past due (target %(rank)s)", rank=rank)
        return gettext("Past due")
    return _target_head(rank, day)


def _target_head(rank: str | None, day: str | None) -> str:
    if rank and day:
        # Translators: an assignment's target: %(rank)s is the required rank ("Silver"),
        # %(day)s its due date ("Oct 31, 2026").
        return gettext("Target: %(rank)s by %(day)s", rank=rank, day=day)
    if rank:
        return gettext("Target: %(rank)s", rank=rank)
    if day:
        return gettext("Target: complete the assignment by %(day)s", day=day)
    return gettext("Target: complete the assignment")


def _target_met(rank: str | None, day: str | None) -> str:
    if rank and day:
        # Translators: an assignment's target, met: %(rank)s is the required rank ("Silver"),
        # %(day)s its due date ("Oct 31, 2026").
        return gettext("Target: %(rank)s by %(day)s — met", rank=rank, day=day)
    if rank:
        return gettext("Target: %(rank)s — met", rank=rank)
    if day:
        return gettext("Target: complete the assignment by %(day)s — met", day=day)
    return gettext("Target: complete the assignment — met")


def fmt_target(target: Target | None, best: float | None = None) -> str | None:
    """The assignment in one line, as Exec has it; ``best`` is the period's best shown beside.

    "met" only when Exec says completed: "Target: Silver by Oct 31, 2026 — met", or, when the
    period's best is below the required rank (it was reached earlier), "Target met in Exec:
    Silver, best 76.0 on this assignment". Otherwise what is left, the rank and the attempts:
    "Target: Silver by Oct 31, 2026 — 4.4 points short; 2 more attempts required", "Past due
    since Oct 31, 2026 (target Silver) — ...", "Did not pass Silver by Oct 31, 2026 — ...".
    Exec's best on the assignment, when it differs from the period's, is labelled as such.
    Each part is a whole message: the head, each clause of what is left (joined with "; "),
    and the line with its tail.
    """
    if target is None or (target.required_rank is None and target.due is None
                          and target.status is None):
        return None
    rank = fmt_rank(target.required_rank) if target.required_rank else None
    if target.met:
        if target.required_rank and target.reached is not True:
            if target.assignment_best is not None:
                # Translators: %(rank)s is the required rank ("Silver"), %(score)s the rep's
                # best score on the assignment in Exec ("76.0").
                return gettext("Target met in Exec: %(rank)s, best %(score)s on this assignment",
                               rank=rank, score=fmt_score(target.assignment_best))
            return gettext("Target met in Exec: %(rank)s", rank=rank)
        return _target_met(rank, fmt_day(target.due) if target.due else None)
    line = _target_status(target, rank)
    left: list[str] = []
    if target.points_short is not None:
        # Translators: how far the best is below the required rank: %(points)s is "4.4 points".
        left.append(gettext("%(points)s short", points=fmt_point_count(target.points_short)))
    elif target.reached and rank:
        left.append(gettext("%(rank)s reached", rank=rank))
    elif best is None and target.required_rank:
        # A best on the assignment without a valid attempt here was made before the period.
        left.append(gettext("no valid attempt yet") if target.assignment_best is None
                    else gettext("no valid attempt this period"))
    if target.attempts_left:
        left.append(fmt_attempts_left(target.attempts_left))
    if not left and not target.did_not_pass and not target.past_due:
        left.append(gettext("not yet marked complete in Exec"))
    if left:
        # Translators: a target's line: %(target)s says what it is ("Target: Silver by Oct 31,
        # 2026"), %(left)s what is left ("4.4 points short; 2 more attempts required").
        line = gettext("%(target)s — %(left)s", target=line, left=clauses(left))
    if target.assignment_best is not None:
        score = fmt_score(target.assignment_best)
        if best is None:
            # Translators: %(line)s is a target's line, %(score)s the rep's best on the
            # assignment in Exec, made before the report's period.
            line = gettext("%(line)s (best on this assignment %(score)s, before this period)",
                           line=line, score=score)
        else:
            # Translators: %(line)s is a target's line, %(score)s the rep's best on the
            # assignment in Exec.
            line = gettext("%(line)s (best on this assignment %(score)s)", line=line,
                           score=score)
    return line


def fmt_decline(decline: Decline | None) -> str | None:
    """The latest score against the best, for "Your latest scored ...": "61.0, 13.6 below
    your best"."""
    if decline is None:
        return None
    # Translators: follows "Your latest scored": %(latest)s is the latest score, %(drop)s
    # how many points it is below the best ("61.0, 13.6 below your best").
    return gettext("%(latest)s, %(drop)s below your best", latest=fmt_score(decline.latest),
                   drop=fmt_score(decline.drop))


def fmt_comparison(comparison: Comparison | None) -> str | None:
    """The rep against the previous period in one line, each figure named by its period (page
    1 speaks of this period beside it): "September 2026: best 71.2; October 2026: +3.0", or
    "New since September 2026" for a rep with no best score then."""
    if comparison is None or (comparison.previous_best is None and not comparison.is_new):
        return None
    if comparison.is_new:
        # Translators: %(period)s is the previous period ("September 2026").
        return gettext("New since %(period)s: no valid attempt then",
                       period=comparison.period_title)
    best = fmt_score(comparison.previous_best)
    if comparison.change is None:
        # Translators: %(period)s is the previous period ("September 2026"), %(score)s the
        # rep's best score in it.
        return gettext("%(period)s: best %(score)s", period=comparison.period_title, score=best)
    change = fmt_points(comparison.change)
    if comparison.current_title:
        # Translators: %(period)s is the previous period ("September 2026"), %(score)s the
        # rep's best in it; %(now)s is this period ("October 2026"), %(change)s the change
        # of the best since ("+3.0").
        return gettext("%(period)s: best %(score)s; %(now)s: %(change)s",
                       period=comparison.period_title, score=best,
                       now=comparison.current_title, change=change)
    # Translators: as "%(period)s: best %(score)s; %(now)s: %(change)s", this period unnamed.
    return gettext("%(period)s: best %(score)s; now: %(change)s",
                   period=comparison.period_title, score=best, change=change)


def fmt_rank_gap(gap: RankGap | None) -> str | None:
    """ "0.4 points from Silver" """
    if gap is None:
        return None
    # Translators: %(points)s is a distance ("0.4 points"), %(rank)s the next rank ("Silver").
    return gettext("%(points)s from %(rank)s", points=fmt_point_count(gap.points),
                   rank=fmt_rank(gap.rank))


def clip(text: str | None, limit: int) -> str:
    """Shorten long API text at a word boundary so one answer cannot push a section over."""
    if not text:
        return ""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(",;:.") + "…"


#: A phrasing longer than its room is shortened at a sentence end; the sentences kept fill at
#: least this share of the room, so "Understood." never stands alone for a longer phrasing.
PHRASING_MIN_SHARE = 0.5
#: ... and a phrasing is given up to this many times its room to end a sentence, before it is
#: clipped at a word like any other text (an endless one-sentence text from the API).
PHRASING_ROOM = 2
#: A sentence: up to its end mark (and a closing quote or bracket) before a space and a word
#: that does not start in lower case ("e.g. this" goes on), or up to the end of the text.
_SENTENCE = re.compile(r"\S.*?(?:[.!?…]+[\"'”’)\]]*(?=\s+(?![a-z])|$)|$)")


def clip_phrasing(text: str | None, limit: int) -> str:
    """A phrasing to try, shortened only at a sentence end, never mid-sentence: whole when it
    fits in ``limit``; else its first sentences, as many as fit (at least PHRASING_MIN_SHARE
    of ``limit``, a longer first sentence given the room), then " …"; a sentence longer than
    PHRASING_ROOM times ``limit`` is clipped at a word (``clip``)."""
    if not text:
        return ""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    kept = ""
    for sentence in _SENTENCE.findall(text):
        longer = f"{kept} {sentence}".strip()
        if len(longer) > limit and len(kept) >= limit * PHRASING_MIN_SHARE:
            break
        kept = longer
    if len(kept) > limit * PHRASING_ROOM:
        return clip(text, limit)
    return kept if kept == text else f"{kept} …"


def csv_number(value: float) -> str:
    """A computed number for a CSV field: plain, rounded to CSV_DECIMALS, never a formula."""
    return repr(round(value, CSV_DECIMALS))
