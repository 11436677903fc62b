from __future__ import annotations

import pytest

from reporter.config import ConfigError, load_config


def test_config_file_values_and_relative_paths(tmp_path):
    f = tmp_path / "reporter.toml"
    f.write_text('scenario = "discovery"\nroster = "team.csv"\n[branding]\ncompany = "Acme"\n'
                 '[email]\nsmtp_port = 2525\npace_seconds = 0.5\n')
    cfg = load_config(f)
    assert cfg.get("scenario") == "discovery"
    assert cfg.resolve_path(cfg.get("roster")) == tmp_path / "team.csv"
    assert cfg.branding["company"] == "Acme" and cfg.email["smtp_port"] == 2525


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('scenaryo = "x"\n', "unknown key 'scenaryo'"),
        ('[branding]\ncolour = "red"\n', "unknown key 'branding.colour'"),
        ('[smtp]\nhost = "x"\n', "unknown section [smtp]"),
        ("jobs = \"four\"\n", "'jobs' must be a whole number"),
        ("csv = 1\n", "'csv' must be true or false"),
        ("scenario = \n", "is not valid TOML"),
    ],
)
def test_config_errors_name_the_key(tmp_path, text, message):
    f = tmp_path / "reporter.toml"
    f.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(f)
    assert message in str(info.value) and str(f) in str(info.value)


def test_missing_explicit_config_is_an_error_but_absent_default_is_not(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")
    monkeypatch.chdir(tmp_path)
    assert load_config(None).values == {}
    (tmp_path / "reporter.toml").write_text('month = "2026-09"\n')
    assert load_config(None).get("month") == "2026-09"


def test_the_example_config_and_roster_are_valid():
    from pathlib import Path

    from reporter.cohort.selection import read_roster

    examples = Path(__file__).resolve().parent.parent / "examples"
    cfg = load_config(examples / "reporter.toml")
    assert cfg.get("scenario") and cfg.branding["accent"].startswith("#")
    emails, invalid = read_roster(cfg.resolve_path(cfg.get("roster")))
    # Pasted forms (case and spaces, "Name <address>", two to a cell with ";") all read.
    assert emails == ["amelie.durand@northwind.example", "juergen.mueller@northwind.example",
                      "xiaoming.wang@northwind.example", "sofia.nunez@northwind.example",
                      "hanako.sato@northwind.example"] and invalid == []
