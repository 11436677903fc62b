"""The command line: click only, thin. Each command parses, calls one function, reports."""

from __future__ import annotations

import click

from reporter import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="reporter")
def cli() -> None:
    """Turn Exec roleplay-training results into coaching reports."""
