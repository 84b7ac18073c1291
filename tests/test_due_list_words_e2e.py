"""Every touch comes with its words, end to end: an email touch in the due list carries
its own draft (kept from one list to the next, the rep's edits with it), opened from the
item's buttons; Mark as sent completes that touch and refreshes the list; a LinkedIn touch
carries its note; the header counts what is due by kind; 50 blocks at most."""

import html
import json
from datetime import UTC, datetime

import requests
from sqlalchemy import select

from bot.db.models import EmailDraft, FollowUp, Prospect
from bot.domain.drafts import NOTE_LIMIT, count_asks
from bot.slack.due_list_view import room
from tests.logcall_helpers import log_call, message_text
from tests.slack_requests import SlackSender

FRI_0831_NY = datetime(2026, 11, 27, 13, 31, tzinfo=UTC)  # the value-add email's day
MON_0831_NY = datetime(2026, 11, 30, 13, 31, tzinfo=UTC)
NOTES = {"pain_point": "month-end close takes nine days", "objection": "budget is frozen",
         "personal_detail": "the warehouse opening in Leeds"}


def _digests(fake, user="U0001"):
    return [m for m in fake.messages_to(user)
            if any(b.get("block_id") == "digest_header" for b in m.get("blocks", []))]


def _buttons(message, action_id):
    return [e for b in message["blocks"] if b.get("block_id", "").startswith("item_")
            for e in b["elements"] if e.get("action_id") == action_id]


def _value(button) -> dict:
    return json.loads(button["value"])


def _email_touch(slack, fake, name="Dana", **extra):
    """A conversation on a cold call: the recap now, and a value-add email touch (warm
    sequence) on Fri 27 Nov, whose draft the post-log DM already offers."""
    log_call(slack, fake, name=name, company=f"{name} Co", email=f"{name.lower()}@x.example",
             outcome="connected", call_type="cold_call", **{**NOTES, **extra})


def _touch(session_factory, name="Dana", channel="email"):
    with session_factory() as session:
        return session.scalars(select(FollowUp).join(Prospect).where(
            Prospect.name == name, FollowUp.channel == channel,
            FollowUp.status == "pending")).one()


def _list_on(jobs, clock, fake, when):
    clock.set(when)
    before = len(_digests(fake))
    jobs.digest_tick(when)
    return _digests(fake)[before]


def _add_touches(session_factory, like: FollowUp, channel: str, draft: str | None, count=1):
    """More open touches on the same day as ``like`` (as scheduling would have stored)."""
    with session_factory() as session:
        for n in range(count):
            session.add(FollowUp(
                team_id=like.team_id, prospect_id=like.prospect_id, rep_id=like.rep_id,
                due_on=like.due_on, step=n + 1, channel=channel, draft=draft,
                purpose=f"{channel} {n}", status="pending", idempotency_key=f"{channel}{n}",
                window_start=like.window_start, window_end=like.window_end))
        session.commit()


def test_an_email_touch_opens_its_own_draft_from_the_list(slack, fake_slack, jobs, clock,
                                                          session_factory):
    _email_touch(slack, fake_slack)
    touch = _touch(session_factory)
    digest = _list_on(jobs, clock, fake_slack, FRI_0831_NY)
    with session_factory() as session:  # the draft the post-log DM offered is the touch's
        draft = session.scalars(select(EmailDraft).where(
            EmailDraft.template == "value_add")).one()
    assert draft.follow_up_id == touch.id
    [copy], [edit], [sent] = (_buttons(digest, a) for a in
                              ("draft_copy", "draft_edit", "draft_sent"))
    assert {_value(b)["d"] for b in (copy, edit, sent)} == {draft.id}
    assert _buttons(digest, "digest_done") == []  # an email is done by Mark as sent
    assert draft.body not in message_text(digest)  # opened from the item, never inline
    assert "Value-add email drafted" in message_text(digest)
    opened = len(fake_slack.calls_to("views.open"))
    slack.block_action("draft_copy", value=copy["value"], message=digest,
                       channel_id=digest["channel"])
    view = fake_slack.wait_for("views.open", opened + 1)[-1].response["view"]
    box = next(b for b in view["blocks"] if b.get("block_id") == "copy_text")
    assert box["element"]["initial_value"] == \
        f"To: dana@x.example\nSubject: {draft.subject}\n\n{draft.body}"


def test_the_same_draft_comes_back_the_next_day_with_the_reps_edit(slack, fake_slack, jobs,
                                                                    clock, session_factory):
    _email_touch(slack, fake_slack)
    friday = _list_on(jobs, clock, fake_slack, FRI_0831_NY)
    [edit] = _buttons(friday, "draft_edit")
    opened, updates = len(fake_slack.calls_to("views.open")), len(fake_slack.calls_to(
        "chat.update"))
    slack.block_action("draft_edit", value=edit["value"], message=friday,
                       channel_id=friday["channel"])
    modal = fake_slack.wait_for("views.open", opened + 1)[-1].response["view"]
    answer = slack.view_submission("draft_edit", {
        "subject": {"value": "Dana Co: a five-day close"},
        "body": {"value": "Hi Dana,\n\nMy own words. Tuesday or Thursday?\n\nRita"},
    }, view_id=modal["id"])
    assert answer.status_code == 200 and answer.text in ("", "null")
    monday = _list_on(jobs, clock, fake_slack, MON_0831_NY)  # not sent: overdue, still there
    assert "overdue since Fri 27 Nov" in message_text(monday)
    [copy] = _buttons(monday, "draft_copy")
    assert _value(copy)["d"] == _value(edit)["d"]  # kept, not written again
    slack.block_action("draft_copy", value=copy["value"], message=monday,
                       channel_id=monday["channel"])
    view = fake_slack.wait_for("views.open", opened + 2)[-1].response["view"]
    text = next(b for b in view["blocks"] if b.get("block_id") == "copy_text")
    assert "My own words. Tuesday or Thursday?" in text["element"]["initial_value"]
    with session_factory() as session:
        assert session.scalar(select(EmailDraft.subject).where(
            EmailDraft.id == _value(copy)["d"])) == "Dana Co: a five-day close"
        assert len(session.scalars(select(EmailDraft).where(
            EmailDraft.follow_up_id.is_not(None))).all()) == 1
    # Saving the edit left Friday's list a list: no chat.update, no draft posted over it.
    assert len(fake_slack.calls_to("chat.update")) == updates
    assert any(b.get("block_id") == "digest_header"
               for b in fake_slack.messages_to("U0001")[fake_slack.messages_to(
                   "U0001").index(friday)]["blocks"])


def test_mark_as_sent_from_the_list_completes_that_touch_and_refreshes_the_list(
        slack, fake_slack, jobs, clock, session_factory):
    log_call(slack, fake_slack, name="Eve", outcome="no_answer", call_type="post_voicemail")
    _email_touch(slack, fake_slack)
    touch = _touch(session_factory)
    digest = _list_on(jobs, clock, fake_slack, FRI_0831_NY)
    assert digest["text"] == "2 due today (1 overdue): 1 call, 1 email"
    [sent] = _buttons(digest, "draft_sent")
    updates = len(fake_slack.calls_to("chat.update"))
    slack.block_action("draft_sent", value=sent["value"], message=digest,
                       channel_id=digest["channel"])
    update = fake_slack.wait_for("chat.update", updates + 1)[-1].params
    assert update["ts"] == digest["ts"]
    blocks = {b.get("block_id") for b in update["blocks"]}
    assert "digest_header" in blocks and f"text_{touch.id}" not in blocks  # a list, less one
    assert "Marked as sent: Value-add email to Dana" in message_text(update)
    assert update["text"] == "1 overdue: 1 call"
    with session_factory() as session:
        done = session.get(FollowUp, touch.id)
        draft = session.get(EmailDraft, _value(sent)["d"])
        following = session.scalars(select(FollowUp).where(
            FollowUp.prospect_id == touch.prospect_id, FollowUp.status == "pending")).one()
    assert (done.status, draft.status) == ("done", "sent")
    assert (following.channel, following.draft) == ("email", "objection")  # moved on
    # Its day comes: the next email touch is written from the latest notes, then shown.
    later = _list_on(jobs, clock, fake_slack, datetime.combine(
        following.due_on, datetime.min.time(), UTC).replace(hour=13, minute=31))
    [copy] = _buttons(later, "draft_copy")
    with session_factory() as session:
        objection = session.get(EmailDraft, _value(copy)["d"])
    assert (objection.template, objection.follow_up_id) == ("objection", following.id)
    assert NOTES["objection"] in objection.body


def test_mark_as_sent_from_followups_rewrites_that_ephemeral_list(slack, fake_slack, clock,
                                                                   session_factory):
    _email_touch(slack, fake_slack)
    clock.set(FRI_0831_NY)
    answer = slack.slash("/followups").json()
    [sent] = _buttons(answer, "draft_sent")
    slack.block_action("draft_sent", value=sent["value"], channel_id="DU0001")
    reply = fake_slack.wait_for("response_url")[-1].params
    assert reply["replace_original"] is True
    assert "Marked as sent" in message_text(reply) and "Nothing due today" in reply["text"]
    with session_factory() as session:
        assert session.scalars(select(FollowUp.status).where(
            FollowUp.channel == "email", FollowUp.draft == "value_add")).one() == "done"


def test_a_linkedin_touch_carries_a_short_note_to_copy(slack, fake_slack, jobs, clock,
                                                       session_factory):
    _email_touch(slack, fake_slack)
    _add_touches(session_factory, _touch(session_factory), "linkedin", "linkedin_note")
    digest = _list_on(jobs, clock, fake_slack, FRI_0831_NY)
    assert digest["text"] == "2 due today: 1 email, 1 LinkedIn note"
    notes = [b for b in _buttons(digest, "draft_copy") if b["text"]["text"] == "Copy note"]
    assert len(notes) == 1 and "url" not in notes[0]
    assert len(_buttons(digest, "digest_done")) == 1  # the LinkedIn step is marked Done
    opened = len(fake_slack.calls_to("views.open"))
    slack.block_action("draft_copy", value=notes[0]["value"], message=digest,
                       channel_id=digest["channel"])
    view = fake_slack.wait_for("views.open", opened + 1)[-1].response["view"]
    assert view["title"]["text"] == "Copy note"
    text = next(b for b in view["blocks"]
                if b.get("block_id") == "copy_text")["element"]["initial_value"]
    assert "Leeds" in text and "Subject" not in text and "To:" not in text
    assert len(text) <= NOTE_LIMIT and count_asks(text) == 0


def test_with_public_url_copy_email_links_to_the_draft_page(start_bot, fake_slack, settings,
                                                            clock, session_factory):
    from bot.app import make_client
    from bot.scheduler import Jobs

    url, app = start_bot(public=True)
    sender = SlackSender(f"{url}/slack/events", "test-signing-secret", fake=fake_slack)
    _email_touch(sender, fake_slack)
    _add_touches(session_factory, _touch(session_factory), "linkedin", "linkedin_note")
    jobs = Jobs(app.deps, make_client(settings, retry_rate_limits=False))
    digest = _list_on(jobs, clock, fake_slack, FRI_0831_NY)
    links = {b["text"]["text"]: b.get("url") for b in _buttons(digest, "draft_copy")}
    assert links["Copy email"].startswith(f"{url}/drafts/")
    assert links["Copy note"] is None  # a note is always copied from the text box
    note = next(b for b in _buttons(digest, "draft_copy") if b["text"]["text"] == "Copy note")
    opened = len(fake_slack.calls_to("views.open"))
    sender.block_action("draft_copy", value=note["value"], message=digest,
                        channel_id=digest["channel"])
    assert fake_slack.wait_for("views.open", opened + 1)[-1].response["view"]["title"][
        "text"] == "Copy note"
    page = requests.get(links["Copy email"], timeout=30)
    with session_factory() as session:
        body = session.scalars(select(EmailDraft.body).where(
            EmailDraft.template == "value_add")).one()
    assert page.status_code == 200 and html.escape(body.splitlines()[0]) in page.text


def test_fifty_blocks_at_most_with_many_email_touches(slack, fake_slack, jobs, clock,
                                                      session_factory):
    _email_touch(slack, fake_slack)
    _add_touches(session_factory, _touch(session_factory), "email", "social_proof", count=30)
    digest = _list_on(jobs, clock, fake_slack, FRI_0831_NY)
    call = fake_slack.calls_to("chat.postMessage")[-1]
    assert call.response["ok"] and len(call.params["blocks"]) <= 50
    assert digest["text"] == "31 due today: 31 emails"
    assert "…and 8 more" in message_text(digest)
    shown = _buttons(digest, "draft_sent")
    assert len(shown) == room() == 23
    with session_factory() as session:  # the words of the touches shown, not of the rest
        linked = session.scalars(select(EmailDraft.id).where(
            EmailDraft.follow_up_id.is_not(None))).all()
    assert sorted(linked) == sorted(_value(b)["d"] for b in shown)
