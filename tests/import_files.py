"""CRM exports shaped as HubSpot and Salesforce write them, for the import tests."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.config import Settings
from bot.services.cadences import load_cadence_book
from bot.services.importer import ImportRequest, bytes_source, import_prospects
from tests.conftest import TEAM

NOW = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)  # Wednesday 2 pm in New York
BOOK = load_cadence_book(Settings())


def crlf(*lines: str) -> str:
    return "\r\n".join(lines) + "\r\n"


# HubSpot: comma-separated, a BOM, its own header names, true/false checkboxes, the owner
# by name, columns the bot has no use for.
HUBSPOT = crlf(
    "Record ID,First Name,Last Name,Email,Phone Number,Mobile Phone Number,Company Name,"
    "Job Title,Time Zone,Country/Region,Contact owner,Lifecycle Stage,"
    "Unsubscribed from all email",
    "5101,Ömer,Çelik,omer.celik@example.com.tr,+90 212 555 0101,,深圳物流,Procurement Lead,"
    "(GMT+03:00) Istanbul,Turkey,Rita Rep,lead,false",
    '5102,Dana,Whitfield,dana@acme.example,"+1 (212) 555-0102",,"Acme Logistics, Inc.",'
    "VP Operations,america_slash_new_york,United States,Rita Rep,opportunity,false",
    '5103,Hiroshi,Tanaka,h.tanaka@example.jp,,+81 3 5555 0103,Tanaka Shoji,,'
    '"(GMT+09:00) Osaka, Sapporo, Tokyo",Japan,Rita Rep,lead,false',
)

# Salesforce from a German locale: semicolons, a BOM, 0/1 checkboxes, Windows zone names.
SALESFORCE = crlf(
    "Contact ID;Salutation;First Name;Last Name;Title;Account Name;Email;Phone;Mobile;"
    "Mailing Country;Time Zone;Email Opt Out;Do Not Call;Contact Owner",
    "0035g00000A1;Herr;Jürgen;Groß;Einkauf;Müller & Söhne GmbH;j.gross@mueller.example;"
    "+49 30 5555 0101;;Germany;(GMT+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna;"
    "0;0;Rita Rep",
    "0035g00000A2;Ms.;Li;Na;CEO;深圳物流;li.na@example.cn;;+86 755 5555 0102;China;"
    "(GMT+08:00) Beijing, Chongqing, Hong Kong, Urumqi;1;0;Rita Rep",
    "0035g00000A3;Mr.;Sam;Block;;Quiet Ltd;sam@quiet.example;+44 20 5555 0103;;UK;"
    "GMT Standard Time;0;1;Rita Rep",
)


def encode(text: str, *, bom: bool = True) -> bytes:
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def run_import(session_factory, text: str, *, rep: str = "U0001", dry_run: bool = False,
               now: datetime = NOW, bom: bool = True, book=BOOK, **request):
    request.setdefault("default_tz", "America/New_York")
    return import_prospects(session_factory, book, bytes_source(encode(text, bom=bom)),
                            ImportRequest(team_id=TEAM, rep_user_id=rep, **request), now,
                            dry_run=dry_run)
