"""Importing a CRM export on a real database: HubSpot and Salesforce files, all or nothing,
idempotent, and every new prospect on its rep's cadence with a stored first touch."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.db.models import FollowUp, Prospect, Rep, Team
from bot.domain.model import CallType, Channel, FollowUpStatus, Outcome
from bot.domain.timing import local_date
from bot.services.calls import LogCall, NewProspect, log_call
from bot.services.due_list import due_list_for
from bot.services.importer import ImportFileError
from bot.services.prospects import home_for, search_prospects
from bot.services.reps import ensure_rep
from bot.services.uow import unit_of_work
from tests.conftest import TEAM
from tests.import_files import BOOK, HUBSPOT, NOW, SALESFORCE, crlf, run_import


def _count(session_factory, model) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def _prospects(session_factory) -> dict[str, Prospect]:
    with session_factory() as session:
        return {p.name: p for p in session.scalars(select(Prospect))}


def _touches(session_factory, name: str) -> list[FollowUp]:
    with session_factory() as session:
        return list(session.scalars(select(FollowUp).join(Prospect, Prospect.id ==
                                                          FollowUp.prospect_id)
                                    .where(Prospect.name == name).order_by(FollowUp.id)))


def _rep(session_factory, user="U0001") -> Rep:
    with session_factory() as session:
        return session.scalars(select(Rep).where(Rep.slack_user_id == user)).one()


# -- real-shaped files


def test_a_hubspot_export_becomes_the_reps_prospects(session_factory):
    report = run_import(session_factory, HUBSPOT)
    assert report.summary() == "3 new, 0 already present, 0 bad, 0 warnings"
    assert report.written and report.bad == [] and report.delimiter == ","
    assert report.unknown_columns == ("Record ID", "Lifecycle Stage")
    stored = _prospects(session_factory)
    omer = stored["Ömer Çelik"]
    assert (omer.company, omer.email, omer.phone, omer.title) == (
        "深圳物流", "omer.celik@example.com.tr", "+90 212 555 0101", "Procurement Lead")
    assert (omer.tz, omer.country, omer.name_key, omer.company_key) == (
        "Europe/Istanbul", "TR", "ömer çelik", "深圳物流")
    assert (stored["Dana Whitfield"].tz, stored["Dana Whitfield"].country) == (
        "America/New_York", "US")
    assert stored["Dana Whitfield"].company == "Acme Logistics, Inc."
    tanaka = stored["Hiroshi Tanaka"]
    assert (tanaka.phone, tanaka.tz, tanaka.country) == ("+81 3 5555 0103", "Asia/Tokyo", "JP")
    rep = _rep(session_factory)
    assert {p.owner_rep_id for p in stored.values()} == {rep.id}
    assert {p.cadence for p in stored.values()} == {"cold_outbound"}
    assert _count(session_factory, FollowUp) == 3 == report.first_touches


def test_a_salesforce_export_with_semicolons_and_checkboxes(session_factory):
    report = run_import(session_factory, SALESFORCE, call_type=CallType.SIGNAL_TRIGGERED)
    assert report.summary() == "3 new, 0 already present, 0 bad, 0 warnings"
    assert report.delimiter == ";" and report.unknown_columns == ("Contact ID", "Salutation")
    stored = _prospects(session_factory)
    jurgen = stored["Jürgen Groß"]
    assert (jurgen.company, jurgen.tz, jurgen.country, jurgen.title) == (
        "Müller & Söhne GmbH", "Europe/Berlin", "DE", "Einkauf")
    assert (stored["Li Na"].tz, stored["Li Na"].country) == ("Asia/Shanghai", "CN")
    assert stored["Li Na"].email_opt_out and not stored["Li Na"].do_not_call
    sam = stored["Sam Block"]
    assert (sam.do_not_call, sam.status, sam.country, sam.tz) == (
        True, "do_not_call", "GB", "Europe/London")
    assert _touches(session_factory, "Sam Block") == []  # do not call: no touch at all
    assert {p.cadence for p in stored.values() if not p.do_not_call} == {"inbound"}


def test_no_bom_crlf_or_lf_and_a_quoted_newline_keep_line_numbers_as_rows(session_factory):
    text = ('First Name,Last Name,Company\n"Ann","Lee","Multi\nline Co"\n,,Nobody Inc\n')
    report = run_import(session_factory, text, bom=False)
    assert [str(p) for p in report.bad] == ["line 3: no name"]  # the spreadsheet's row 3


# -- all or nothing


def test_any_bad_row_writes_nothing_and_every_bad_row_is_listed(session_factory):
    text = crlf("First Name,Last Name,Email,Company Name",
                "Ann,Lee,ann@lee.example,Lee Co",
                ",,nobody@example.com,Ghost Co",
                "Bo,Chan,bo at chan,Chan Co",
                "Cy,Dee,ANN@lee.example,Dee Co",
                "\u200b,\u200b,,Blank Co",
                "Ed,Fox,ed@fox.example,Fox Co")
    report = run_import(session_factory, text)
    assert [str(p) for p in report.bad] == [
        "line 3: no name", "line 4: invalid email 'bo at chan'",
        "line 5: the same email as line 2", "line 6: no name"]
    assert report.summary() == "2 new, 0 already present, 4 bad, 0 warnings"
    assert not report.written
    for model in (Prospect, FollowUp, Rep, Team):
        assert _count(session_factory, model) == 0


def test_a_dry_run_counts_and_writes_nothing(session_factory):
    run_import(session_factory, HUBSPOT)
    more = HUBSPOT + "5104,Zoë,Brandt,zoe@brandt.example,,,Brandt AG,,Nowhere/Zone,DE,,,no\r\n"
    report = run_import(session_factory, more, dry_run=True)
    assert report.summary() == "1 new, 3 already present, 0 bad, 1 warning"
    assert [str(w) for w in report.warnings] == [
        "line 5: time zone 'Nowhere/Zone' not recognised: using the rep's (America/New_York)"]
    assert not report.written and _count(session_factory, Prospect) == 3


def test_a_file_that_is_not_utf8_or_has_no_name_column_is_refused(session_factory):
    with pytest.raises(ImportFileError, match="not UTF-8"):
        from bot.services.importer import ImportRequest, bytes_source, import_prospects

        import_prospects(session_factory, BOOK,
                         bytes_source("Name\r\nJos\xe9\r\n".encode("cp1252")),
                         ImportRequest(team_id=TEAM, rep_user_id="U0001"), NOW)
    with pytest.raises(ImportFileError, match="no column holds the name"):
        run_import(session_factory, "Email,Company\r\na@b.example,B\r\n")
    with pytest.raises(ImportFileError, match="empty"):
        run_import(session_factory, "")
    assert _count(session_factory, Prospect) == 0


# -- idempotent


def test_importing_the_same_file_again_adds_nobody(session_factory):
    run_import(session_factory, HUBSPOT.replace("dana@acme.example", "Dana@Acme.Example"))
    touches = _count(session_factory, FollowUp)
    again = run_import(session_factory, HUBSPOT)  # the same email in another case
    assert again.summary() == "0 new, 3 already present, 0 bad, 0 warnings"
    assert again.written and again.first_touches == 0
    assert _count(session_factory, Prospect) == 3 and _count(session_factory, FollowUp) == touches


def test_without_an_email_the_same_name_and_company_is_already_present(session_factory):
    run_import(session_factory, HUBSPOT)
    text = crlf("First Name,Last Name,Company Name", "ÖMER,ÇELIK,深圳物流", "Ömer,Çelik,Other Co")
    report = run_import(session_factory, text)
    assert report.summary() == "1 new, 1 already present, 0 bad, 0 warnings"


def test_a_prospect_logged_by_hand_without_email_is_found_by_an_import_with_one(
        session_factory):
    log_call(session_factory, LogCall(TEAM, "U0001", "America/New_York", CallType.COLD_CALL,
                                      Outcome.NO_ANSWER, "s1",
                                      new_prospect=NewProspect("Dana Whitfield",
                                                               "Acme Logistics, Inc.")),
             BOOK, NOW)
    report = run_import(session_factory, HUBSPOT)
    assert report.summary() == "2 new, 1 already present, 0 bad, 0 warnings"


def test_a_repeated_row_without_email_is_imported_once(session_factory):
    text = crlf("Name,Company,Do Not Call", "Pat Doe,Doe Co,no", "PAT DOE,doe co,no")
    report = run_import(session_factory, text)
    assert report.summary() == "1 new, 1 already present, 0 bad, 1 warning"
    assert str(report.warnings[0]) == ("line 3: the same name and company as line 2 and no "
                                       "email: imported once")
    assert _count(session_factory, Prospect) == 1
    conflicting = crlf("Name,Company,Do Not Call", "Al Roe,Roe Co,no", "Al Roe,Roe Co,yes")
    assert [p.line for p in run_import(session_factory, conflicting).bad] == [3]


# -- ready to work


def test_the_first_touch_is_scheduled_as_a_logged_call_would_schedule_it(session_factory):
    run_import(session_factory, HUBSPOT)
    # The same prospect, entered by logging an unanswered cold call at the same moment.
    log_call(session_factory, LogCall(TEAM, "U0002", "America/New_York", CallType.COLD_CALL,
                                      Outcome.NO_ANSWER, "s1",
                                      new_prospect=NewProspect("Dana Twin", "Twin Co",
                                                               tz="America/New_York",
                                                               country="US")),
             BOOK, NOW)
    [imported], [logged] = _touches(session_factory, "Dana Whitfield"), \
        _touches(session_factory, "Dana Twin")
    assert (imported.step, imported.channel, imported.due_on) == (0, "email", logged.due_on)
    assert imported.due_on.isoformat() == "2026-11-27"  # day 1 is Thanksgiving: Friday
    assert (imported.window_start, imported.window_end) == (logged.window_start,
                                                             logged.window_end)
    assert imported.idempotency_key.startswith("import:") and imported.draft == "intro"
    dana = _prospects(session_factory)["Dana Whitfield"]
    assert (dana.cadence_started_on.isoformat(), dana.call_attempts, dana.status) == (
        "2026-11-25", 0, "active")


def test_new_prospects_show_up_in_search_app_home_and_the_due_list(session_factory):
    run_import(session_factory, HUBSPOT)
    assert [o.name for o in search_prospects(session_factory, TEAM, "ömer")] == ["Ömer Çelik"]
    assert [o.name for o in search_prospects(session_factory, TEAM, "深圳")] == ["Ömer Çelik"]
    home = home_for(session_factory, TEAM, "U0001", NOW)
    listed = {t.prospect_name for t in home.due_today + home.upcoming}
    assert listed == {"Ömer Çelik", "Dana Whitfield", "Hiroshi Tanaka"}
    rep = _rep(session_factory)
    [dana_touch] = _touches(session_factory, "Dana Whitfield")
    day = local_date(dana_touch.window_start, rep.tz)
    due = due_list_for(session_factory, TEAM, rep.id, day, 6, now=NOW, rep_tz=rep.tz)
    assert "Dana Whitfield" in {item.prospect_name for item in due}


def test_a_new_rep_is_created_with_the_default_zone_not_yet_known(session_factory):
    run_import(session_factory, HUBSPOT, rep="U0042", default_tz="Europe/Berlin")
    rep = _rep(session_factory, "U0042")
    assert (rep.team_id, rep.tz, rep.tz_known) == (TEAM, "Europe/Berlin", False)


def test_no_rep_gets_more_than_per_day_first_touches_a_day(session_factory):
    rows = [f"Person {i},Co {i},p{i}@example.com" for i in range(11)]
    report = run_import(session_factory, crlf("Name,Company,Email", *rows[:7]), per_day=3)
    assert report.first_touches == 7
    more = run_import(session_factory, crlf("Name,Company,Email", *rows), per_day=3)
    assert more.summary() == "4 new, 7 already present, 0 bad, 0 warnings"
    rep = _rep(session_factory)
    with session_factory() as session:
        starts = session.scalars(select(FollowUp.window_start)).all()
    days = Counter(local_date(start, rep.tz) for start in starts)
    assert sum(days.values()) == 11 and max(days.values()) == 3  # earlier imports count
    assert all(day.isoweekday() <= 5 for day in days)  # the rep's working days


def test_an_unreadable_zone_or_country_falls_back_to_the_reps_and_the_teams(session_factory):
    with unit_of_work(session_factory) as session:
        ensure_rep(session, TEAM, "U0001", "Europe/Berlin")
    text = crlf("Name,Time Zone,Country", "Pat Doe,Mars/Olympus,Narnia", "Al Roe,,")
    report = run_import(session_factory, text)
    assert [str(w) for w in report.warnings] == [
        "line 2: time zone 'Mars/Olympus' not recognised: using the rep's (Europe/Berlin)",
        "line 2: country 'Narnia' not recognised: using the team's holidays"]
    stored = _prospects(session_factory)
    assert [(stored[n].tz, stored[n].country) for n in ("Pat Doe", "Al Roe")] == [
        ("Europe/Berlin", None), ("Europe/Berlin", None)]
    assert report.written


# -- safe: do not call and email opt-out


def _dnc_file(flag: str) -> str:
    return crlf("Name,Email,Do Not Call", f"Dana Whitfield,dana@acme.example,{flag}")


def test_do_not_call_is_set_by_a_reimport_and_never_cleared(session_factory):
    run_import(session_factory, _dnc_file("no"))
    [touch] = _touches(session_factory, "Dana Whitfield")
    assert touch.status == "pending"
    marked = run_import(session_factory, _dnc_file("Yes"))
    assert (marked.summary(), marked.marked_do_not_call) == (
        "0 new, 1 already present, 0 bad, 0 warnings", 1)
    dana = _prospects(session_factory)["Dana Whitfield"]
    assert (dana.do_not_call, dana.status) == (True, "do_not_call")
    assert [t.status for t in _touches(session_factory, "Dana Whitfield")] == ["cancelled"]
    cleared = run_import(session_factory, _dnc_file("no"))
    assert cleared.marked_do_not_call == 0
    assert _prospects(session_factory)["Dana Whitfield"].do_not_call is True
    assert [t.status for t in _touches(session_factory, "Dana Whitfield")] == ["cancelled"]


def test_email_opt_out_means_no_email_touch_ever(session_factory):
    text = crlf("Name,Email,Email Opt Out", "Li Na,li.na@example.cn,1")
    run_import(session_factory, text)
    [first] = _touches(session_factory, "Li Na")
    assert first.channel == Channel.LINKEDIN.value and first.step == 1  # the intro is skipped
    li = _prospects(session_factory)["Li Na"]
    # A conversation moves her to the warm cadence (emails, then a call): only the call.
    result = log_call(session_factory, LogCall(TEAM, "U0001", "America/New_York",
                                               CallType.COLD_CALL, Outcome.CONNECTED, "s1",
                                               prospect_id=li.id), BOOK, NOW)
    assert result.next_touch.channel is Channel.CALL
    pending = [t for t in _touches(session_factory, "Li Na") if t.status == "pending"]
    assert [t.channel for t in pending] == ["call"]


def test_opting_out_later_cancels_pending_email_touches(session_factory):
    run_import(session_factory, crlf("Name,Email", "Ann Lee,ann@lee.example"))
    [intro] = _touches(session_factory, "Ann Lee")
    assert intro.channel == "email" and intro.status == "pending"
    report = run_import(session_factory, crlf("Name,Email,Email Opt Out",
                                              "Ann Lee,ann@lee.example,yes"))
    assert report.marked_opt_out == 1
    assert [t.status for t in _touches(session_factory, "Ann Lee")] == ["cancelled"]
    assert _prospects(session_factory)["Ann Lee"].email_opt_out is True


def test_the_spreading_starts_later_cadences_whole(session_factory):
    rows = [f"Person {i},p{i}@example.com" for i in range(3)]
    run_import(session_factory, crlf("Name,Email", *rows), per_day=1)
    with session_factory() as session:
        started = sorted(session.scalars(select(Prospect.cadence_started_on)))
    assert started[0] == NOW.date() and started[-1] > started[0]
    assert (started[-1] - started[0]) < timedelta(days=10)
    assert _count(session_factory, FollowUp) == 3
    with session_factory() as session:
        statuses = set(session.scalars(select(FollowUp.status)))
    assert statuses == {FollowUpStatus.PENDING.value}


def test_moving_an_opted_out_cadence_on_without_a_call_skips_its_emails(session_factory):
    from bot.services.touches import advance_cadence, verify_number

    run_import(session_factory, crlf("Name,Email,Email Opt Out", "Li Na,li.na@example.cn,1"))
    [linkedin] = _touches(session_factory, "Li Na")
    for expected in ("call", "call"):  # LinkedIn, Call 1, (value-add email skipped), Call 2
        with unit_of_work(session_factory) as session:
            handled = session.get(FollowUp, linkedin.id)
            handled.status = FollowUpStatus.DONE.value
            prospect = session.get(Prospect, handled.prospect_id)
            touch, _ = advance_cadence(session, BOOK, prospect, handled.rep_id, handled, NOW)
            assert touch.channel.value == expected
        linkedin = _touches(session_factory, "Li Na")[-1]
    assert linkedin.step == 4  # cold outbound's "Call 2: a different angle"
    with unit_of_work(session_factory) as session:
        li = session.scalars(select(Prospect)).one()
        li.needs_verified_number = True
        for touch in session.scalars(select(FollowUp)):
            touch.status = FollowUpStatus.CANCELLED.value
    _, touch = verify_number(session_factory, BOOK, team_id=TEAM, prospect_id=li.id,
                             user_id="U0001", now=NOW)
    assert touch.channel is Channel.LINKEDIN  # not the intro email due first


@pytest.mark.parametrize("second", [
    HUBSPOT.replace("Tanaka Shoji", "Tanaka Trading"),  # a cell edited
    HUBSPOT + ",,,,,,,,,,,,\r\n5104,,,,,,,,,,,,\r\n",  # a bad row added
])
def test_a_file_that_changes_between_the_check_and_the_write_writes_nothing(session_factory,
                                                                             second):
    import io

    from bot.services.importer import ImportRequest, import_prospects
    from tests.import_files import encode

    texts = iter([HUBSPOT, second])

    def opener():
        return io.TextIOWrapper(io.BytesIO(encode(next(texts))), encoding="utf-8-sig",
                                newline="")

    with pytest.raises(ImportFileError, match="the file changed"):
        import_prospects(session_factory, BOOK, opener,
                         ImportRequest(team_id=TEAM, rep_user_id="U0001"), NOW)
    for model in (Prospect, FollowUp, Rep, Team):
        assert _count(session_factory, model) == 0
