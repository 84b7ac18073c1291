"""The one country validator (modal, App Home, HOLIDAY_COUNTRY) and the team's holiday
country, stored in a real database (SQLite file, or PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.config import SettingsError, load_settings
from bot.db.models import Rep, Team
from bot.services.countries import UnknownCountry, country_label, country_name, parse_country
from bot.services.team_settings import holiday_country, set_holiday_country
from tests.conftest import TEAM


@pytest.mark.parametrize(("typed", "stored"), [
    ("US", "US"), ("us", "US"), ("  de ", "DE"), ("AE", "AE"),
    ("GB-SCT", "GB-SCT"), ("gb-sct", "GB-SCT"), ("US-CA", "US-CA"),
    ("Germany", "DE"), ("germany", "DE"), ("United Arab Emirates", "AE"),
    ("united_kingdom", "GB"), ("UnitedStates", "US"), ("Hong Kong", "HK"),
    ("Curaçao", "CW"), ("DEU", "DE"), ("usa", "US"),
    ("", None), ("   ", None), (None, None),
])
def test_codes_and_names_become_the_stored_code(typed, stored):
    assert parse_country(typed) == stored


@pytest.mark.parametrize("typed", [
    "XX", "GB-XYZ", "DE-ZZ", "Narnia", "U S", "US-", "-US", "GB-SCOT", "Germany-BY",
    "DE-Augsburg",  # the library knows it, but it is no code and would not fit the column
    "X" * 65, "Germany" + " " * 60, 5, ["US"], {"code": "US"},
])
def test_anything_else_is_an_unknown_country(typed):
    with pytest.raises(UnknownCountry):
        parse_country(typed)
    assert issubclass(UnknownCountry, ValueError)


def test_codes_only_takes_no_names():
    assert parse_country("gb-sct", names=False) == "GB-SCT"
    for name in ("Germany", "DEU", "united states"):
        with pytest.raises(UnknownCountry):
            parse_country(name, names=False)


def test_every_stored_code_fits_the_column():
    """prospects.country and teams.holiday_country are String(8)."""
    from bot.services.countries import _supported

    longest = max(len(code) + 1 + len(sub) for code, subs in _supported().items()
                  for sub in subs)
    assert longest <= 8
    assert all(len(parse_country(f"{code}-{sub}")) <= 8
               for code, subs in _supported().items() for sub in subs)


def test_labels_name_the_country_and_the_code():
    assert country_label("US") == "United States (US)"
    assert country_label("DE") == "Germany (DE)"
    assert country_label("GB-SCT") == "United Kingdom, Scotland (GB-SCT)"
    assert country_label("US-CA") == "United States, California (US-CA)"
    assert country_name("BA") == "Bosnia and Herzegovina"
    assert country_name("HK") == "Hong Kong"


def test_every_supported_country_has_a_name_that_reads_back():
    from bot.services.countries import _supported

    for code in _supported():
        name = country_name(code)
        assert name != code, code
        assert parse_country(name) == code, name


# -- HOLIDAY_COUNTRY goes through the same validator (codes only)

def test_holiday_country_setting_uses_the_validator():
    def load(value):
        return load_settings({"HOLIDAY_COUNTRY": value}, dotenv=None).holiday_country

    assert load("gb-sct") == "GB-SCT" and load("AE") == "AE" and load("") is None
    for bad in ("XX", "GB-XYZ", "Germany", "x" * 200):
        with pytest.raises(SettingsError, match="HOLIDAY_COUNTRY") as error:
            load(bad)
        assert len(str(error.value)) < 200


# -- the team's holiday country

def _teams(session_factory) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(Team))


def test_a_team_without_a_row_has_no_holiday_country(session_factory):
    assert holiday_country(session_factory, TEAM) is None
    assert _teams(session_factory) == 0


def test_setting_the_holiday_country_stores_the_code(session_factory):
    assert set_holiday_country(session_factory, TEAM, "united kingdom") == "GB"
    assert holiday_country(session_factory, TEAM) == "GB"
    assert set_holiday_country(session_factory, TEAM, "gb-sct") == "GB-SCT"
    assert holiday_country(session_factory, TEAM) == "GB-SCT"
    assert holiday_country(session_factory, "T0002") is None  # per team
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Rep)) == 0  # no rep made


def test_an_unknown_country_saves_nothing(session_factory):
    set_holiday_country(session_factory, TEAM, "DE")
    with pytest.raises(UnknownCountry):
        set_holiday_country(session_factory, TEAM, "Narnia")
    assert holiday_country(session_factory, TEAM) == "DE"
    with pytest.raises(UnknownCountry):
        set_holiday_country(session_factory, "T0002", "XX")
    assert _teams(session_factory) == 1  # and made no team


@pytest.mark.parametrize("empty", ["", "  ", None])
def test_empty_clears_it(session_factory, empty):
    set_holiday_country(session_factory, TEAM, "US")
    assert set_holiday_country(session_factory, TEAM, empty) is None
    assert holiday_country(session_factory, TEAM) is None
