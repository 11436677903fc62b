"""What a PDF is drawn with (paper, branding, language, tagging), checked when made.

Apart from the renderer so that settings can build and check them without loading what
draws: ``reporter fetch`` and ``sync`` never import WeasyPrint or Jinja.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from reporter.config import PAPER_SIZES

_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
PDF_UA = "pdf/ua-1"



@dataclass(frozen=True)
class Branding:
    """Company name, logo file and accent colour from the configuration's branding section."""

    company: str | None = None
    logo: Path | None = None
    accent: str = "#1f6feb"

    def __post_init__(self) -> None:
        if not isinstance(self.accent, str) or not _HEX_COLOUR.fullmatch(self.accent):
            raise ValueError(
                f"branding accent must be a CSS hex colour like #1f6feb or #16a, "
                f"got {self.accent!r}"
            )
        if self.logo is not None and not Path(self.logo).is_file():
            raise ValueError(f"logo file not found: {self.logo}")


def check_language(tag: str) -> str:
    """``tag`` if it is a language tag (BCP 47: en, fr-CA), else ValueError: the PDFs' /Lang
    and the emails' ``lang`` both print it."""
    if not isinstance(tag, str) or not _LANGUAGE.fullmatch(tag):
        raise ValueError(f"language must be a language tag like en or fr-CA, got {tag!r}")
    return tag


@dataclass(frozen=True)
class PdfOptions:
    paper: str = "A4"  # "A4" | "letter"
    transcripts: bool = False
    branding: Branding = field(default_factory=Branding)
    templates_dir: Path | None = None
    language: str = "en"  # the document language (BCP 47), for screen readers and hyphens
    # Tagged PDF/UA-1: structure, reading order and text alternatives for assistive technology.
    tagged: bool = True
    # The run writes workbooks too: the team report may send a reader to one.
    workbook: bool = True

    def __post_init__(self) -> None:
        if str(self.paper).lower() not in PAPER_SIZES:
            raise ValueError(f"paper must be A4 or letter, got {self.paper!r}")
        check_language(self.language)

    @property
    def pdf_variant(self) -> str | None:
        """WeasyPrint's ``pdf_variant``: PDF/UA-1 when tagged."""
        return PDF_UA if self.tagged else None



