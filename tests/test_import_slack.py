"""App Home "Import prospects" end to end: the real bot, signed requests, and the Slack
stand-in serving the uploaded file (files.info, then url_private_download with the token)."""

from __future__ import annotations

import requests
from sqlalchemy import func, select

from bot.db.models import FollowUp, Prospect, Rep
from bot.slack.import_view import CALL_TYPE_BLOCK, FILE_BLOCK, VALUE
from tests.conftest import BOT_TOKEN
from tests.import_files import HUBSPOT, crlf, encode
from tests.logcall_helpers import message_text
from tests.test_app_home import _open_home


def _count(session_factory, model) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def _open_modal(slack, fake) -> dict:
    assert slack.block_action("home_import", user_id="U0001").status_code == 200
    return fake.wait_for("views.open")[0].response["view"]


def _values(file: dict | None, call_type: str = "cold_call") -> dict:
    files = [file] if file else []
    return {FILE_BLOCK: {VALUE: {"type": "file_input", "files": files}},
            CALL_TYPE_BLOCK: {VALUE: {"type": "static_select",
                                      "selected_option": {"value": call_type}}}}


def _check(slack, fake, file: dict | None, *, user="U0001", call_type="cold_call") -> dict:
    """Submit the upload modal; returns the view the bot put in its place after the check
    (as the stand-in stores it, with its id)."""
    view = _open_modal(slack, fake)
    answer = slack.view_submission("import_upload", _values(file, call_type), user_id=user,
                                   view_id=view["id"]).json()
    assert answer["response_action"] == "update"
    assert "Checking the file" in message_text(answer["view"])
    fake.wait_for("views.update")
    return fake.views[view["id"]]


def test_home_offers_import_and_it_opens_a_csv_file_input(slack, fake_slack):
    _open_home(slack, fake_slack)
    home = fake_slack.home_views["U0001"]
    actions = next(b for b in home["blocks"] if b.get("block_id") == "home_actions")
    assert [e["action_id"] for e in actions["elements"]] == ["home_log_call", "home_import"]
    view = _open_modal(slack, fake_slack)
    block = next(b for b in view["blocks"] if b.get("block_id") == FILE_BLOCK)
    assert block["element"]["type"] == "file_input"
    assert (block["element"]["filetypes"], block["element"]["max_files"]) == (["csv"], 1)


def test_the_dry_run_is_shown_in_the_modal_then_import_writes(slack, fake_slack,
                                                              session_factory):
    file = fake_slack.add_file("U0001", "hubspot-contacts.csv", encode(HUBSPOT))
    checked = _check(slack, fake_slack, file, call_type="signal_triggered")
    text = message_text(checked)
    assert "3 new, 0 already present, 0 bad, 0 warnings" in text
    assert "Columns not used: Record ID, Lifecycle Stage" in text
    assert checked["submit"]["text"] == "Import"
    assert _count(session_factory, Prospect) == 0  # a dry run writes nothing
    [download] = fake_slack.wait_for("files.download")
    assert download.status == 200
    assert download.headers["Authorization"] == f"Bearer {BOT_TOKEN}"

    answer = slack.view_submission("import_confirm", {}, view_id=checked["id"]).json()
    assert answer["response_action"] == "update" and "Importing" in message_text(answer["view"])
    done = fake_slack.wait_for("views.update", 2)[1].params["view"]
    assert "Imported. 3 first touch(es)" in message_text(done)
    with session_factory() as session:
        owner = session.scalars(select(Rep)).one()
        prospects = session.scalars(select(Prospect)).all()
    assert (owner.slack_user_id, owner.tz, owner.tz_known) == ("U0001", "America/New_York",
                                                               True)
    assert {p.cadence for p in prospects} == {"inbound"}
    assert _count(session_factory, FollowUp) == 3
    fake_slack.wait_for("views.publish")  # App Home shows them at once
    assert "Ömer Çelik" in message_text(fake_slack.home_views["U0001"])


def test_bad_rows_are_listed_escaped_and_nothing_can_be_imported(slack, fake_slack,
                                                                 session_factory):
    text = crlf("First Name,Last Name,Email", "Ann,Lee,<b>ann@lee</b>", ",,x@y.example",
                "Bo,Chan,bo@chan.example")
    file = fake_slack.add_file("U0001", "bad <rows>.csv", encode(text))
    checked = _check(slack, fake_slack, file)
    shown = message_text(checked)
    assert "line 2: invalid email '&lt;b&gt;ann@lee&lt;/b&gt;'" in shown
    assert "line 3: no name" in shown and "bad &lt;rows&gt;.csv" in shown
    assert "<b>" not in shown
    assert "submit" not in checked or checked["submit"] is None
    assert _count(session_factory, Prospect) == 0


def test_a_file_someone_else_uploaded_is_refused(slack, fake_slack, session_factory):
    file = fake_slack.add_file("U0002", "theirs.csv", encode(HUBSPOT))
    checked = _check(slack, fake_slack, file)
    assert "uploaded by someone else" in message_text(checked)
    assert fake_slack.calls_to("files.download") == []
    assert _count(session_factory, Prospect) == 0


def test_without_files_read_the_modal_says_to_reinstall(slack, fake_slack, session_factory):
    file = fake_slack.add_file("U0001", "contacts.csv", encode(HUBSPOT))
    fake_slack.fail("files.info", error="missing_scope")
    checked = _check(slack, fake_slack, file)
    assert "files:read" in message_text(checked) and "reinstall" in message_text(checked)


def test_no_file_is_a_field_error(slack, fake_slack):
    view = _open_modal(slack, fake_slack)
    answer = slack.view_submission("import_upload", _values(None), view_id=view["id"]).json()
    assert answer == {"response_action": "errors", "errors": {FILE_BLOCK: "Choose a CSV file."}}


def test_the_stand_in_serves_a_file_only_to_its_teams_token(fake_slack):
    file = fake_slack.add_file("U0001", "contacts.csv", b"Name\r\nAnn\r\n")
    url = file["url_private_download"]
    good = requests.get(url, headers={"Authorization": f"Bearer {BOT_TOKEN}"}, timeout=10)
    assert (good.status_code, good.content) == (200, b"Name\r\nAnn\r\n")
    for headers in ({}, {"Authorization": "Bearer xoxb-wrong"}):
        page = requests.get(url, headers=headers, timeout=10)
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")


def test_the_token_goes_only_to_slacks_own_file_host(slack, fake_slack, session_factory):
    elsewhere = fake_slack.url.replace("127.0.0.1", "localhost") + "files/contacts.csv"
    file = fake_slack.add_file("U0001", "contacts.csv", encode(HUBSPOT), url=elsewhere)
    checked = _check(slack, fake_slack, file)
    assert "not Slack's" in message_text(checked)
    assert fake_slack.calls_to("files.download") == []
