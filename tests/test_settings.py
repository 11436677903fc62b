"""Settings resolved once: flags > environment > TOML file > defaults, into typed dataclasses."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporter.cohort.program import ProgramSelection
from reporter.cohort.selection import SelectionError
from reporter.config import ConfigError
from reporter.deliver.addresses import parse_address
from reporter.settings import (
    DEFAULT_SENDER,
    EmailFlags,
    FetchFlags,
    ProgramFlags,
    RenderFlags,
    SelectionFlags,
    email_settings,
    fetch_settings,
    render_settings,
    run_settings,
)

KEY = "exec_live_" + "A" * 40


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in ("EXEC_API_KEY", "EXEC_API_URL", "REPORTER_RATE_LIMIT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EXEC_API_KEY", KEY)
    monkeypatch.chdir(tmp_path)
    return {"EXEC_API_KEY": KEY}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "reporter.toml"
    path.write_text(text)
    return path


def test_flags_beat_the_environment_which_beats_the_file(env, tmp_path):
    config = write(tmp_path, 'scenario = "from-file"\nmonth = "2026-09"\nmax_requests = 50\n'
                             '[api]\nrate_limit = 30\nurl = "https://file.example/rest/v1"\n'
                             'retry_delay = 0.25\n')
    got = fetch_settings(config, SelectionFlags(month="2026-10"), FetchFlags(), "run",
                         env | {"EXEC_API_URL": "https://env.example/rest/v1"})
    assert got.scenario == "from-file"
    assert got.period.label == "2026-10"
    assert got.api.base_url == "https://env.example/rest/v1"
    assert got.api.rate_limit == 30 and got.max_requests == 50
    assert got.api.retry_delay == 0.25
    flagged = fetch_settings(config, SelectionFlags(scenario="flag", since="2026-10-02"),
                             FetchFlags(max_requests=7), "run", env)
    assert flagged.scenario == "flag" and flagged.max_requests == 7
    assert flagged.period.start.day == 2  # --since hides the file's month


def test_the_program_is_chosen_one_way_by_flags_then_by_the_file(env, tmp_path):
    """--scenario once is the single-scenario run; twice, a program of exactly those; with
    a program option every argument is an EMAIL; the file's keys choose when no flag does."""
    config = write(tmp_path, 'collection = "core-sales"\n')
    got = fetch_settings(config, SelectionFlags(), FetchFlags(), "run", env)
    assert got.program == ProgramSelection("collection", ("core-sales",)) and got.scenario == ""
    once = fetch_settings(config, SelectionFlags(), FetchFlags(), "run", env,
                          program=ProgramFlags(scenarios=("disc",)))
    assert once.program is None and once.scenario == "disc"
    listed = fetch_settings(config, SelectionFlags(scenario="a@x.test", emails=("b@x.test",)),
                            FetchFlags(), "fetch", env,
                            program=ProgramFlags(scenarios=("disc", "cold")))
    assert listed.program == ProgramSelection("scenarios", ("disc", "cold"))
    assert listed.selection.emails == ("a@x.test", "b@x.test")
    assigned = fetch_settings(config, SelectionFlags(), FetchFlags(), "sync", env,
                              program=ProgramFlags(assigned=True))
    assert assigned.program == ProgramSelection("assigned")
    plain = fetch_settings(config, SelectionFlags(scenario="disc"), FetchFlags(), "run", env)
    assert plain.program is None and plain.scenario == "disc"  # the argument beats the file
    both = write(tmp_path, 'collection = "core-sales"\nassigned = true\n')
    with pytest.raises(SelectionError, match=r"reporter.toml: collection and assigned choose "
                                             r"the scenarios two ways: keep one of scenario, "
                                             r"scenarios, collection or assigned$"):
        fetch_settings(both, SelectionFlags(), FetchFlags(), "run", env)
    many = write(tmp_path, 'scenarios = ["a", "b"]\n')
    assert fetch_settings(many, SelectionFlags(), FetchFlags(), "run", env).program == (
        ProgramSelection("scenarios", ("a", "b")))
    with pytest.raises(ConfigError, match="'assigned' must be true or false"):
        fetch_settings(write(tmp_path, 'assigned = "yes"\n'), SelectionFlags(), FetchFlags(),
                       "run", env)


def test_defaults_when_nothing_is_given(env, tmp_path):
    got = run_settings(None, SelectionFlags(scenario="s"), FetchFlags(), RenderFlags())
    assert got.fetch.selection.mode == "all" and got.fetch.api.rate_limit == 60
    assert got.fetch.api.retry_delay == 0.5  # the first retry's longest wait, doubled after
    assert got.render.pdf and got.render.xlsx and not got.render.csv
    assert got.render.out == Path("output") and got.render.pdf_options.paper == "A4"


@pytest.mark.parametrize(("text", "message"), [
    ("jobs = 0\n", "jobs must be a whole number of at least 1, got 0"),
    ("max_requests = -1\n", "max_requests must be a whole number of at least 1, got -1"),
    ('paper = "A5"\n', "paper must be A4 or letter"),
    ('[branding]\naccent = "red"\n', "[branding] branding accent must be a CSS hex colour"),
    ("[api]\nrate_limit = 0\n", "[api] rate_limit must be a whole number of at least 1, got 0"),
    ("[api]\nretry_delay = -1\n", "[api] retry_delay must be 0 or more, got -1"),
    ('[branding]\nlogo = "nope.png"\n', "[branding] logo file not found: "),
])
def test_config_values_are_checked_with_the_flags_ranges(env, tmp_path, text, message):
    config = write(tmp_path, 'scenario = "s"\n' + text)
    with pytest.raises(ConfigError) as info:
        run_settings(config, SelectionFlags(), FetchFlags(), RenderFlags())
    assert message in str(info.value)
    assert info.value.exit_code == 2


def test_one_way_to_choose_reps(env, tmp_path):
    with pytest.raises(SelectionError, match="choose reps one way"):
        fetch_settings(None, SelectionFlags(scenario="s", emails=("a@b.example",), group="x"),
                       FetchFlags(), "run", env)
    with pytest.raises(SelectionError, match="which scenario"):
        fetch_settings(None, SelectionFlags(), FetchFlags(), "run", env)


def test_render_settings_take_templates_and_paper_from_the_file(env, tmp_path):
    (tmp_path / "tpl").mkdir()
    config = write(tmp_path, 'paper = "letter"\ntemplates = "tpl"\ncsv = true\n')
    got = render_settings(config, RenderFlags(no_xlsx=True))
    assert got.pdf_options.paper == "letter" and got.csv and not got.xlsx
    assert got.pdf_options.templates_dir == tmp_path / "tpl"
    assert got.pdf_options.language == "en" and got.pdf_options.tagged  # on by default


def test_render_settings_take_the_language_and_tagging_from_the_file(env, tmp_path):
    config = write(tmp_path, 'language = "de-CH"\ntagged_pdf = false\n')
    got = render_settings(config, RenderFlags())
    assert (got.pdf_options.language, got.pdf_options.tagged) == ("de-CH", False)
    bad = write(tmp_path, 'language = "Deutsch (Schweiz)"\n')
    with pytest.raises(ConfigError, match="language must be a language tag"):
        render_settings(bad, RenderFlags())


def test_email_settings_check_everything_before_anything_is_written(env, tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    with pytest.raises(SelectionError, match="is not a run folder"):
        email_settings(None, run_dir, EmailFlags())
    (run_dir / "manifest.json").write_text("{}")
    with pytest.raises(SelectionError, match="--send needs --smtp-host"):
        email_settings(None, run_dir, EmailFlags(send=True, sender="me@acme.example"))
    assert list(run_dir.iterdir()) == [run_dir / "manifest.json"]
    (tmp_path / "tpl").mkdir()
    config = write(tmp_path, 'templates = "tpl"\n')
    got = email_settings(config, run_dir, EmailFlags())
    assert got.smtp is None and got.message.sender == DEFAULT_SENDER
    assert str(parse_address(DEFAULT_SENDER, "sender"))  # the default passes our own check
    assert got.message.templates_dir == tmp_path / "tpl"  # the config's templates reach emails
    assert got.message.email_former_members is False  # former members held back by default
    asked = write(tmp_path, '[email]\nemail_former_members = true\n')
    assert email_settings(asked, run_dir, EmailFlags()).message.email_former_members is True


@pytest.mark.parametrize(("text", "message"), [
    ('[email]\nsmtp_port = 70000\n', "[email] smtp_port must be from 1 to 65535, got 70000"),
    ('[email]\npace_seconds = -1\n', "[email] pace_seconds must be 0 or more, got -1"),
])
def test_send_settings_are_checked_before_anything_is_written(env, tmp_path, text, message):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "manifest.json").write_text("{}")
    config = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        email_settings(config, run_dir, EmailFlags(send=True, smtp_host="127.0.0.1",
                                                   sender="me@acme.example"))


def test_every_value_of_the_file_is_checked_when_it_is_read(env, tmp_path):
    """Issue 23, 3: ``[email] security`` was only checked at send time, after the outbox was
    written; now the file's model refuses it on reading, as it does every other value."""
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "manifest.json").write_text("{}")
    config = write(tmp_path, '[email]\nsecurity = "tls"\n')
    with pytest.raises(ConfigError) as info:
        email_settings(config, run_dir, EmailFlags())
    assert str(info.value) == (f"{config}: [email] security must be one of starttls, ssl, "
                               "none, got 'tls'")
    assert info.value.exit_code == 2 and list(run_dir.iterdir()) == [run_dir / "manifest.json"]


def test_an_environment_limit_is_checked_by_the_same_model_and_named(env, tmp_path,
                                                                      monkeypatch):
    monkeypatch.setenv("REPORTER_RATE_LIMIT", "0")
    with pytest.raises(ConfigError, match="^REPORTER_RATE_LIMIT must be a whole number of at "
                                          "least 1, got 0$"):
        fetch_settings(None, SelectionFlags(scenario="s"), FetchFlags(), "run")
    monkeypatch.setenv("REPORTER_RATE_LIMIT", "fast")
    with pytest.raises(ConfigError, match="^REPORTER_RATE_LIMIT must be a whole number, got "
                                          "'fast'$"):
        fetch_settings(None, SelectionFlags(scenario="s"), FetchFlags(), "run")
