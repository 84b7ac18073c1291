"""Reading a CRM export, the pure part: headers, rows, flags, zones, delimiters, and the
spreadsheet-safe cell escape the export writes and the import strips."""

from __future__ import annotations

import pytest

from bot.domain.crm_import import (
    HeaderError,
    map_headers,
    parse_mapping,
    read_flag,
    read_row,
    sniff_delimiter,
)
from bot.domain.crm_zones import WINDOWS_ZONES, read_zone
from bot.domain.csv_cells import escape_cell, unescape_cell
from bot.services.import_values import known_zones

HUBSPOT = ["Record ID", "First Name", "Last Name", "Email", "Phone Number",
           "Mobile Phone Number", "Company Name", "Job Title", "Time Zone", "Country/Region",
           "Lifecycle Stage"]
SALESFORCE = ["Contact ID", "Salutation", "First Name", "Last Name", "Title", "Account Name",
              "Email", "Phone", "Mobile", "Mailing Country", "Email Opt Out", "Do Not Call",
              "Contact Owner"]


def test_hubspot_headers_map_to_fields_and_unknown_ones_are_listed():
    columns = map_headers(HUBSPOT)
    assert columns.fields["first_name"] == (1,) and columns.fields["company"] == (6,)
    assert columns.fields["phone"] == (4, 5)  # Phone Number first, then the mobile
    assert columns.fields["time_zone"] == (8,) and columns.fields["country"] == (9,)
    assert columns.unknown == ("Record ID", "Lifecycle Stage")


def test_salesforce_headers_map_to_fields_owner_is_known_but_unused():
    columns = map_headers(SALESFORCE)
    assert columns.fields["company"] == (5,) and columns.fields["title"] == (4,)
    assert columns.fields["do_not_call"] == (11,) and columns.fields["email_opt_out"] == (10,)
    assert columns.fields["owner"] == (12,)
    assert columns.unknown == ("Contact ID", "Salutation")


def test_headers_match_whatever_their_case_spacing_and_punctuation():
    columns = map_headers(["  FIRST NAME", "last_name", "E-Mail", "company name "])
    assert set(columns.fields) == {"first_name", "last_name", "email", "company"}


def test_map_adds_and_overrides_a_column_and_can_drop_one():
    mapping = parse_mapping(["Kontakt=name", "Firma=company", "Email=ignore",
                             "Phone Number=", "Mobile Phone Number=phone"])
    columns = map_headers(["Kontakt", "Firma", "Email", "Phone Number",
                           "Mobile Phone Number"], mapping)
    assert columns.fields == {"name": (0,), "company": (1,), "phone": (4,)}
    assert columns.unknown == ()


@pytest.mark.parametrize(("items", "words"), [
    (["Header"], 'write it as "Header=field"'),
    (["=name"], 'write it as "Header=field"'),
    (["Header=nickname"], "unknown field 'nickname'"),
])
def test_a_malformed_map_is_refused_with_the_fields_there_are(items, words):
    with pytest.raises(ValueError, match=words):
        parse_mapping(items)


def test_a_map_naming_a_missing_column_and_a_file_without_names_are_refused():
    with pytest.raises(HeaderError, match="does not have: 'nope'"):
        map_headers(["Name"], parse_mapping(["Nope=email"]))
    with pytest.raises(HeaderError, match="no column holds the name"):
        map_headers(["Email", "Company"])


def _row(**cells):
    headers = list(cells)
    return read_row(list(cells.values()), map_headers(headers), 7)


def test_a_row_joins_first_and_last_name_and_keeps_unicode():
    row, problems = _row(**{"First Name": " Ömer ", "Last Name": "Çelik",
                            "Company Name": "深圳物流", "Email": "omer@example.com.tr"})
    assert problems == [] and row.line == 7
    assert (row.name, row.company, row.email) == ("Ömer Çelik", "深圳物流", "omer@example.com.tr")
    assert (row.phone, row.title, row.do_not_call, row.email_opt_out) == (None, None, False,
                                                                           False)


def test_a_full_name_column_wins_and_a_single_last_name_is_a_name():
    assert _row(Name="Dana Whitfield", **{"First Name": "D"})[0].name == "Dana Whitfield"
    assert _row(**{"First Name": "", "Last Name": "Cher"})[0].name == "Cher"


@pytest.mark.parametrize(("cells", "reason"), [
    ({"First Name": "", "Last Name": ""}, "no name"),
    ({"First Name": "\u200b\u200b", "Last Name": "\u3164"}, "no name"),
    ({"First Name": "Pat", "Email": "pat@@example"}, "invalid email 'pat@@example'"),
    ({"First Name": "Pat", "Email": "not an email"}, "invalid email"),
    ({"First Name": "P" * 121}, "name longer than 120 characters"),
    ({"First Name": "Pat", "Do Not Call": "maybe"}, "Do Not Call is 'maybe', expected yes"),
    ({"First Name": "Pat", "Email Opt Out": "?"}, "Email Opt Out is '?'"),
])
def test_bad_rows_say_why(cells, reason):
    row, problems = _row(**cells)
    assert row is None and any(reason in problem for problem in problems), problems


def test_every_reason_of_a_bad_row_is_given():
    _, problems = _row(**{"First Name": "", "Email": "x@", "Do Not Call": "perhaps"})
    assert len(problems) == 3


@pytest.mark.parametrize(("value", "flag"), [
    ("Yes", True), ("true", True), ("1", True), ("X", True), ("checked", True),
    ("", False), ("No", False), ("FALSE", False), ("0", False),
])
def test_crm_checkboxes(value, flag):
    assert read_flag(value) is flag


def test_a_formula_escape_is_stripped_from_every_cell():
    row, _ = _row(**{"First Name": "'=Ann", "Phone Number": "'+1 555 0100",
                     "Company Name": "'plain"})
    assert (row.name, row.phone, row.company) == ("=Ann", "+1 555 0100", "'plain")


@pytest.mark.parametrize("value", ["=SUM(A1:A9)", "+1 555", "-5", "@cmd", "\tx", "'=x",
                                   "''+y", "'", "'plain", "plain", "", "a=b"])
def test_escape_and_unescape_are_exact_inverses(value):
    escaped = escape_cell(value)
    assert escaped[:1] not in {"=", "+", "-", "@", "\t"}
    assert unescape_cell(escaped) == value


@pytest.mark.parametrize(("line", "separator"), [
    ("First Name,Last Name,Email", ","),
    ("First Name;Last Name;Email", ";"),
    ('"Name, full";Email;Company', ";"),
    ("First Name\tLast Name", "\t"),
    ("Name", ","),
])
def test_the_separator_is_sniffed_from_the_header_line(line, separator):
    assert sniff_delimiter(line) == separator


@pytest.mark.parametrize(("written", "zone"), [
    ("America/New_York", "America/New_York"),
    ("america/new_york", "America/New_York"),
    ("(GMT-05:00) Eastern Time (US & Canada)", "America/New_York"),
    ("(UTC-05:00) Eastern Time (US & Canada)", "America/New_York"),
    ("(GMT-05:00) Eastern Standard Time (America/New_York)", "America/New_York"),
    ("Eastern Standard Time", "America/New_York"),
    ("america_slash_new_york", "America/New_York"),
    ("EST", "America/New_York"),
    ("(GMT-08:00) Pacific Time (US & Canada)", "America/Los_Angeles"),
    ("(GMT+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Berlin"),
    ("(GMT) Greenwich Mean Time : Dublin, Edinburgh, Lisbon, London", "Europe/London"),
    ("(GMT+05:30) Chennai, Kolkata, Mumbai, New Delhi", "Asia/Kolkata"),
    ("(GMT+08:00) Beijing, Chongqing, Hong Kong, Urumqi", "Asia/Shanghai"),
    ("(GMT+10:00) Canberra, Melbourne, Sydney", "Australia/Sydney"),
    ("(GMT+03:00) Istanbul", "Europe/Istanbul"),
])
def test_crm_time_zones_are_read_as_iana_names(written, zone):
    assert read_zone(written, known_zones()) == zone


@pytest.mark.parametrize("written", ["GMT-05:00", "Mars/Olympus", "(GMT+04:00) Somewhere",
                                     "Eastern", ""])
def test_what_names_no_zone_is_unreadable(written):
    assert read_zone(written, known_zones()) is None


def test_every_zone_in_the_windows_table_is_a_real_iana_zone():
    assert set(WINDOWS_ZONES) <= set(known_zones().values())
