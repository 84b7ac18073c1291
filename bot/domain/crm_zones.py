"""Time zones as CRMs write them, read as IANA names.

HubSpot, Salesforce and Outlook-style exports write a zone in one of these shapes:
"America/New_York"; "(GMT-05:00) Eastern Time (US & Canada)" (Windows display names);
"(GMT-05:00) Eastern Standard Time (America/New_York)" (Salesforce); "Eastern Standard
Time" (Windows ids); "america_slash_new_york" (HubSpot's internal value); "EST".
A bare offset ("GMT-05:00") is not a zone (it has no daylight saving rules): unreadable.

Standard library only; which names are real IANA zones is passed in (``known``: casefolded
name -> name), so the caller's validator stays the one definition.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_OFFSET_PREFIX = re.compile(r"^\(?\s*(?:gmt|utc)\s*(?:[+\-\u2212]\s*\d{1,2}(?::?\d{2})?)?\s*\)?\s*",
                            re.IGNORECASE)
_IANA_IN_PARENS = re.compile(r"\(([A-Za-z_]+(?:/[A-Za-z0-9_+\-]+)+)\)")

# Windows time zones as HubSpot, Salesforce and Outlook label them: the display name
# (without its "(GMT-05:00) " prefix) and the Windows id, each -> the IANA zone CLDR
# names for it ("001" territory). The common ones; anything else is a warning.
WINDOWS_ZONES: dict[str, tuple[str, ...]] = {
    "America/New_York": ("Eastern Time (US & Canada)", "Eastern Standard Time",
                         "Eastern Time", "US/Eastern"),
    "America/Chicago": ("Central Time (US & Canada)", "Central Standard Time", "Central Time"),
    "America/Denver": ("Mountain Time (US & Canada)", "Mountain Standard Time",
                       "Mountain Time"),
    "America/Phoenix": ("Arizona", "US Mountain Standard Time"),
    "America/Los_Angeles": ("Pacific Time (US & Canada)", "Pacific Standard Time",
                            "Pacific Time"),
    "America/Anchorage": ("Alaska", "Alaskan Standard Time"),
    "Pacific/Honolulu": ("Hawaii", "Hawaiian Standard Time"),
    "America/Halifax": ("Atlantic Time (Canada)", "Atlantic Standard Time"),
    "America/St_Johns": ("Newfoundland", "Newfoundland Standard Time"),
    "America/Regina": ("Saskatchewan", "Canada Central Standard Time"),
    "America/Indiana/Indianapolis": ("Indiana (East)", "US Eastern Standard Time"),
    "America/Mexico_City": ("Guadalajara, Mexico City, Monterrey",
                            "Central Standard Time (Mexico)"),
    "America/Bogota": ("Bogota, Lima, Quito, Rio Branco", "Bogota, Lima, Quito",
                       "SA Pacific Standard Time"),
    "America/Caracas": ("Caracas", "Venezuela Standard Time"),
    "America/Santiago": ("Santiago", "Pacific SA Standard Time"),
    "America/Sao_Paulo": ("Brasilia", "E. South America Standard Time"),
    "America/Argentina/Buenos_Aires": ("City of Buenos Aires", "Buenos Aires",
                                       "Buenos Aires, Georgetown", "Argentina Standard Time"),
    "UTC": ("Coordinated Universal Time", "UTC", "GMT", "Z"),
    "Europe/London": ("Dublin, Edinburgh, Lisbon, London", "GMT Standard Time",
                      "Greenwich Mean Time : Dublin, Edinburgh, Lisbon, London"),
    "Atlantic/Reykjavik": ("Monrovia, Reykjavik", "Greenwich Standard Time"),
    "Europe/Berlin": ("Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna",
                      "W. Europe Standard Time"),
    "Europe/Paris": ("Brussels, Copenhagen, Madrid, Paris", "Romance Standard Time"),
    "Europe/Budapest": ("Belgrade, Bratislava, Budapest, Ljubljana, Prague",
                        "Central Europe Standard Time"),
    "Europe/Warsaw": ("Sarajevo, Skopje, Warsaw, Zagreb", "Central European Standard Time"),
    "Africa/Lagos": ("West Central Africa", "W. Central Africa Standard Time"),
    "Europe/Bucharest": ("Athens, Bucharest", "GTB Standard Time",
                         "Athens, Bucharest, Istanbul"),
    "Europe/Kyiv": ("Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius",
                    "Helsinki, Kiev, Riga, Sofia, Tallinn, Vilnius", "FLE Standard Time"),
    "Asia/Jerusalem": ("Jerusalem", "Israel Standard Time"),
    "Africa/Cairo": ("Cairo", "Egypt Standard Time"),
    "Africa/Johannesburg": ("Harare, Pretoria", "South Africa Standard Time"),
    "Europe/Istanbul": ("Istanbul", "Turkey Standard Time"),
    "Europe/Moscow": ("Moscow, St. Petersburg", "Moscow, St. Petersburg, Volgograd",
                      "Russian Standard Time"),
    "Africa/Nairobi": ("Nairobi", "E. Africa Standard Time"),
    "Asia/Riyadh": ("Kuwait, Riyadh", "Arab Standard Time"),
    "Asia/Baghdad": ("Baghdad", "Arabic Standard Time"),
    "Asia/Tehran": ("Tehran", "Iran Standard Time"),
    "Asia/Dubai": ("Abu Dhabi, Muscat", "Arabian Standard Time"),
    "Asia/Kabul": ("Kabul", "Afghanistan Standard Time"),
    "Asia/Karachi": ("Islamabad, Karachi", "Pakistan Standard Time"),
    "Asia/Kolkata": ("Chennai, Kolkata, Mumbai, New Delhi", "India Standard Time"),
    "Asia/Kathmandu": ("Kathmandu", "Nepal Standard Time"),
    "Asia/Dhaka": ("Dhaka", "Bangladesh Standard Time"),
    "Asia/Bangkok": ("Bangkok, Hanoi, Jakarta", "SE Asia Standard Time"),
    "Asia/Shanghai": ("Beijing, Chongqing, Hong Kong, Urumqi", "China Standard Time"),
    "Asia/Singapore": ("Kuala Lumpur, Singapore", "Singapore Standard Time"),
    "Australia/Perth": ("Perth", "W. Australia Standard Time"),
    "Asia/Taipei": ("Taipei", "Taipei Standard Time"),
    "Asia/Tokyo": ("Osaka, Sapporo, Tokyo", "Tokyo Standard Time"),
    "Asia/Seoul": ("Seoul", "Korea Standard Time"),
    "Australia/Adelaide": ("Adelaide", "Cen. Australia Standard Time"),
    "Australia/Darwin": ("Darwin", "AUS Central Standard Time"),
    "Australia/Brisbane": ("Brisbane", "E. Australia Standard Time"),
    "Australia/Sydney": ("Canberra, Melbourne, Sydney", "AUS Eastern Standard Time"),
    "Australia/Hobart": ("Hobart", "Tasmania Standard Time"),
    "Pacific/Auckland": ("Auckland, Wellington", "New Zealand Standard Time"),
}

# Abbreviations CRMs write for US zones. "EST", "MST" and "HST" are also legacy IANA
# names, but fixed offsets without daylight saving: the person meant the region.
ABBREVIATIONS = {
    "est": "America/New_York", "edt": "America/New_York", "et": "America/New_York",
    "cst": "America/Chicago", "cdt": "America/Chicago", "ct": "America/Chicago",
    "mst": "America/Denver", "mdt": "America/Denver", "mt": "America/Denver",
    "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles", "pt": "America/Los_Angeles",
    "akst": "America/Anchorage", "hst": "Pacific/Honolulu",
}


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


_BY_LABEL = {_squash(label): zone for zone, labels in WINDOWS_ZONES.items()
             for label in labels}


def read_zone(text: str, known: Mapping[str, str]) -> str | None:
    """The IANA zone a CRM's time zone cell names, or None when it names none we can read.

    >>> known = {"america/new_york": "America/New_York", "asia/tokyo": "Asia/Tokyo"}
    >>> read_zone("(GMT-05:00) Eastern Time (US & Canada)", known)
    'America/New_York'
    >>> read_zone("america_slash_new_york", known)
    'America/New_York'
    >>> read_zone("(UTC+09:00) Osaka, Sapporo, Tokyo", known)
    'Asia/Tokyo'
    >>> read_zone("GMT-05:00", known) is None
    True
    """
    text = " ".join(text.split())
    if not text:
        return None
    if text.casefold() in ABBREVIATIONS:
        return ABBREVIATIONS[text.casefold()]
    direct = known.get(text.casefold().replace("_slash_", "/"))
    if direct:
        return direct
    inside = _IANA_IN_PARENS.search(text)
    if inside and inside.group(1).casefold() in known:
        return known[inside.group(1).casefold()]
    label = _squash(_OFFSET_PREFIX.sub("", text, count=1))
    if label in _BY_LABEL:
        return _BY_LABEL[label]
    label = _squash(text)
    return _BY_LABEL.get(label) if label else None
