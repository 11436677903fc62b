"""Where one worker's CPU goes: cProfile over one warmed-up renderer drawing --count reports.

    .venv/bin/python bench/profile_pdf.py [--count 40] [--out /tmp/pdf.prof] [--top 25]

The typical 3-page sample reps are rendered in turn, as a pool worker would (one
``PdfRenderer``, warmed up, not profiled). The phases are WeasyPrint's own steps, read from the
profile's cumulative times, as shares of the whole render (``rep_pdf.render_rep``); cProfile's
overhead inflates Python-heavy steps against C ones (Pango, zlib, HarfBuzz), so the shares are a
guide and ``bench_pdf.py`` gives the real milliseconds. The raw profile is kept in ``--out`` for
``python -m pstats``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reporter.render.options import PdfOptions  # noqa: E402
from reporter.render.pdf import PdfRenderer  # noqa: E402
from tests.sample_views import sample_report  # noqa: E402
from tests.support import scenario_rep_pdf  # noqa: E402

# (label, file suffix, function name), each a cumulative time inside a rep's render.
# Indented labels are parts of the phase above them.
PHASES = (
    ("Jinja template", "reporter/render/rep_pdf.py", "rep_html"),
    ("HTML parse (tinyhtml5)", "weasyprint/__init__.py", "__init__"),
    ("CSS cascade (selectors, computed styles)", "weasyprint/document.py",
     "_build_layout_context"),
    ("box tree", "formatting_structure/build.py", "build_formatting_structure"),
    ("layout (pagination, tables, lines)", "weasyprint/layout/__init__.py", "layout_document"),
    ("  text: Pango shaping, font matching, line breaks", "text/line_break.py",
     "split_first_line"),
    ("drawing pages (PDF operators)", "weasyprint/document.py", "paint"),
    ("  SVG charts", "weasyprint/svg/__init__.py", "draw"),
    ("font subsetting (HarfBuzz)", "weasyprint/pdf/fonts.py", "build_fonts_dictionary"),
    ("PDF/UA structure tags", "weasyprint/pdf/tags.py", "add_tags"),
    ("PDF serialisation and compression", "pydyf/__init__.py", "write"),
)


def cumulative(stats: pstats.Stats, suffix: str, name: str) -> float:
    """Cumulative seconds of the function, counting only calls made outside SVG drawing (the
    SVG phase counts its own text)."""
    table = stats.stats  # type: ignore[attr-defined]
    seconds = 0.0
    for (file, _line, func), (_cc, _nc, _tt, ct, callers) in table.items():
        if func == name and file.endswith(suffix):
            seconds += ct - sum(c[3] for (caller, _l, _f), c in callers.items()
                                if "/svg/" in caller and "/svg/" not in suffix)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--out", type=Path, default=Path("/tmp/pdf.prof"))
    parser.add_argument("--top", type=int, default=25, help="also print the top N by own time")
    args = parser.parse_args()

    report = sample_report()
    renderer = PdfRenderer(PdfOptions())
    renderer.warm_up()
    typical = [rep for rep in report.reps if scenario_rep_pdf(renderer, report, rep)[1] == 3]
    profile = cProfile.Profile()
    profile.enable()
    for index in range(args.count):
        scenario_rep_pdf(renderer, report, typical[index % len(typical)])
    profile.disable()
    profile.dump_stats(args.out)

    stats = pstats.Stats(str(args.out))
    total = cumulative(stats, "reporter/render/rep_pdf.py", "render_rep")
    print(f"{args.count} reports ({len(typical)} typical reps in turn), "
          f"{1000 * total / args.count:.0f} ms/report under cProfile")
    accounted = 0.0
    for label, suffix, name in PHASES:
        seconds = cumulative(stats, suffix, name)
        if not label.startswith(" "):
            accounted += seconds
        print(f"  {label:50s} {100 * seconds / total:5.1f} %  "
              f"{1000 * seconds / args.count:6.1f} ms")
    print(f"  {'other (metadata, links, bookkeeping)':50s} "
          f"{100 * (total - accounted) / total:5.1f} %")
    if args.top:
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
