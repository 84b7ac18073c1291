from pathlib import Path

import pytest

from bot.config import DEFAULT_DATABASE_URL, SettingsError, load_settings


def load(env, dotenv=None):
    return load_settings(env, dotenv=dotenv)


def test_defaults_need_nothing():
    settings = load({})
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.default_timezone == "UTC"
    assert settings.public_url is None


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"SLACK_BOT_TOKEN": "xoxp-user-token"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_APP_TOKEN": "xoxb-wrong"}, "SLACK_APP_TOKEN"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"SLACK_API_URL": "not a url"}, "SLACK_API_URL"),
        ({"PUBLIC_URL": "ftp://bot.example.com"}, "PUBLIC_URL"),
        ({"DEFAULT_TIMEZONE": "Mars/Olympus"}, "DEFAULT_TIMEZONE"),
        ({"DEFAULT_TIMEZONE": "localtime"}, "DEFAULT_TIMEZONE"),
        ({"DATABASE_URL": "postgresql://u@h:notaport/db"}, "DATABASE_URL"),
        ({"HOLIDAY_COUNTRY": "XX"}, "HOLIDAY_COUNTRY"),
        ({"HOLIDAY_COUNTRY": "GB-XYZ"}, "HOLIDAY_COUNTRY"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"MAX_CALL_ATTEMPTS": "six"}, "MAX_CALL_ATTEMPTS"),
        ({"CALL_WINDOWS": "4pm-5pm"}, "CALL_WINDOWS"),
        ({"HOLIDAY_COUNTRY": "Germany"}, "HOLIDAY_COUNTRY"),
        ({"CADENCE_FILE": "/nonexistent/cadences.yml"}, "CADENCE_FILE"),
        ({"TEMPLATES_DIR": "/nonexistent/templates"}, "TEMPLATES_DIR"),
        ({"DIGEST_CUTOFF": "noon"}, "DIGEST_CUTOFF"),
        ({"DIGEST_WHEN_EMPTY": "maybe"}, "DIGEST_WHEN_EMPTY"),
        ({"DRAFT_TTL_DAYS": "0"}, "DRAFT_TTL_DAYS"),
        ({"MANAGER_IDS": "U024BE7LH, @mia"}, "MANAGER_IDS"),
        ({"MANAGER_IDS": "C024BE7LH"}, "MANAGER_IDS"),
    ],
)
def test_malformed_setting_is_named(env, names):
    with pytest.raises(SettingsError, match=names):
        load(env)


@pytest.mark.parametrize("url", [
    "postgres://", "postgresql://", "postgresql://u@db.example.com", "postgresql://u@h/",
    "postgresql:///followup", "postgres://u:secret@/followup", "sqlite://", "sqlite:///",
])
def test_database_url_without_a_database_or_host_is_refused(url):
    with pytest.raises(SettingsError, match="DATABASE_URL names no") as raised:
        load({"DATABASE_URL": url})
    assert "secret" not in str(raised.value)


def test_database_url_for_a_local_socket_is_accepted():
    url = load({"DATABASE_URL": "postgresql:///followup?host=/var/run/postgresql"}).database_url
    assert url == "postgresql+psycopg:///followup?host=/var/run/postgresql"


def test_postgres_urls_get_the_psycopg_driver():
    assert load({"DATABASE_URL": "postgres://u@h/db"}).database_url == "postgresql+psycopg://u@h/db"
    assert load({"DATABASE_URL": "postgresql://u@h/db"}).database_url.startswith(
        "postgresql+psycopg://")


def test_dotenv_is_read_and_environment_wins(tmp_path: Path):
    dotenv = tmp_path / ".env"
    dotenv.write_text('# comment\nexport DEFAULT_TIMEZONE="Europe/Berlin"\nLOG_LEVEL=debug\n')
    settings = load({"LOG_LEVEL": "warning"}, dotenv=dotenv)
    assert settings.default_timezone == "Europe/Berlin"
    assert settings.log_level == "WARNING"


def test_broken_dotenv_line_names_file_and_line(tmp_path: Path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("GOOD=1\nthis is not a setting\n")
    with pytest.raises(SettingsError, match=r"\.env:2"):
        load({}, dotenv=dotenv)


def test_require_slack_names_what_each_mode_needs():
    with pytest.raises(SettingsError, match="SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET"):
        load({}).require_slack(socket_mode=False)
    with pytest.raises(SettingsError, match="SLACK_APP_TOKEN"):
        load({"SLACK_BOT_TOKEN": "xoxb-1"}).require_slack(socket_mode=True)
    load({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}).require_slack(
        socket_mode=False)


def test_real_holiday_calendars_are_accepted():
    assert load({"HOLIDAY_COUNTRY": "gb-sct"}).holiday_country == "GB-SCT"
    assert load({"HOLIDAY_COUNTRY": "US"}).holiday_country == "US"


def test_call_windows_parse():
    settings = load({"CALL_WINDOWS": "15:30-16:30, 10:00-11:00"})
    assert [(a.hour, a.minute, b.hour) for a, b in settings.call_windows] == [
        (15, 30, 16), (10, 0, 11)]


def test_manager_ids_are_slack_user_ids_once_each_in_order():
    assert load({"MANAGER_IDS": " U024BE7LH,W0ABC12, ,U024BE7LH"}).manager_ids == (
        "U024BE7LH", "W0ABC12")
    assert load({}).manager_ids == ()


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires",
                                  "localtime", "posixrules", "Factory", "Mars/Olympus", ""])
def test_one_zone_check_for_settings_reps_and_imports(zone):
    from bot.config import is_iana_zone
    from bot.services.import_values import read_time_zone
    from bot.services.rep_settings import is_iana_zone as rep_zone

    assert rep_zone(zone) == is_iana_zone(zone)
    assert (read_time_zone(zone) == zone) == is_iana_zone(zone)
