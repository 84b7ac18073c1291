""""Remind me then", end to end against the Slack stand-in: the due list shows the best
time to send a cadence email (both zones) and the button; the bot's own tick DMs the draft
as it is at that moment (edits included), once; nothing once it is marked sent; a click
from another rep changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.db.models import EmailDraft
from tests.logcall_helpers import message_text
from tests.test_due_list_words_e2e import (
    FRI_0831_NY,
    _buttons,
    _digests,
    _email_touch,
    _list_on,
    _touch,
    _value,
)

SEND_AT = datetime(2026, 11, 27, 13, 45, tzinfo=UTC)  # Fri 8:45 am in New York


def _drafts_dm(fake, user="U0001"):
    return [m for m in fake.messages_to(user)
            if any(b.get("block_id") == "draft_text" for b in m.get("blocks", []))]


def _remind_from(slack, fake, digest, *, user_id="U0001"):
    [remind] = _buttons(digest, "draft_remind")
    updates = len(fake.calls_to("chat.update"))
    slack.block_action("draft_remind", value=remind["value"], message=digest,
                       channel_id=digest["channel"], user_id=user_id)
    return remind, updates


def test_the_list_shows_the_best_send_time_and_a_reminder_button(slack, fake_slack, jobs,
                                                                 clock, session_factory):
    _email_touch(slack, fake_slack)
    digest = _list_on(jobs, clock, fake_slack, FRI_0831_NY)
    text = message_text(digest)
    # 8:31 in New York (the rep's zone too): the 8-10 am window, from the next quarter.
    assert "Best time to send: Fri 27 Nov, 8:45-10 am (your time too)" in text
    [remind] = _buttons(digest, "draft_remind")
    assert remind["text"]["text"] == "Remind me then"
    assert _value(remind)["t"] == int(SEND_AT.timestamp())
    items = [b for b in digest["blocks"] if b.get("block_id", "").startswith(("text_", "item_"))]
    assert len(items) == 2  # still two blocks per item


def test_the_reminder_dms_the_current_draft_once(slack, fake_slack, jobs, clock,
                                                 session_factory):
    _email_touch(slack, fake_slack)
    touch = _touch(session_factory)
    digest = _list_on(jobs, clock, fake_slack, FRI_0831_NY)
    _, updates = _remind_from(slack, fake_slack, digest)
    listed = fake_slack.wait_for("chat.update", updates + 1)[-1].params
    assert ":bell: I'll DM you this draft at 8:45 am (your time)" in message_text(listed)
    assert [b["text"]["text"] for b in _buttons(listed, "draft_remind")] == ["Cancel reminder"]
    with session_factory() as session:  # the rep edits the draft before the moment comes
        draft = session.scalars(select(EmailDraft).where(
            EmailDraft.follow_up_id == touch.id)).one()
        draft.body = draft.body.replace("Hi Dana,", "Hi Dana, edited later,")
        session.commit()
    before = len(_drafts_dm(fake_slack))
    assert jobs.reminder_tick(SEND_AT.replace(minute=44)) == 0  # not yet
    assert jobs.reminder_tick(SEND_AT) == 1
    [reminded] = _drafts_dm(fake_slack)[before:]
    assert "Hi Dana, edited later," in message_text(reminded)
    assert any("good time to send your email to Dana" in m.get("text", "")
               for m in fake_slack.messages_to("U0001"))
    assert jobs.reminder_tick(SEND_AT.replace(minute=50)) == 0  # once


def test_nothing_once_it_is_marked_sent_or_cancelled(slack, fake_slack, jobs, clock,
                                                     session_factory):
    _email_touch(slack, fake_slack)
    digest = _list_on(jobs, clock, fake_slack, FRI_0831_NY)
    _, updates = _remind_from(slack, fake_slack, digest)
    listed = fake_slack.wait_for("chat.update", updates + 1)[-1].params
    [cancel] = _buttons(listed, "draft_remind")
    slack.block_action("draft_remind", value=cancel["value"], message=listed,
                       channel_id=listed["channel"])
    again = fake_slack.wait_for("chat.update", updates + 2)[-1].params
    assert "Reminder cancelled" in message_text(again)
    assert jobs.reminder_tick(SEND_AT) == 0
    _, updates = _remind_from(slack, fake_slack, again)  # set again, then send it
    listed = fake_slack.wait_for("chat.update", updates + 1)[-1].params
    [sent] = _buttons(listed, "draft_sent")
    slack.block_action("draft_sent", value=sent["value"], message=listed,
                       channel_id=listed["channel"])
    fake_slack.wait_for("chat.update", updates + 2)
    assert jobs.reminder_tick(SEND_AT) == 0
    with session_factory() as session:
        assert session.scalars(select(EmailDraft.remind_at).where(
            EmailDraft.template == "value_add")).one() is None


def test_another_reps_click_sets_nothing(slack, fake_slack, jobs, clock, session_factory):
    _email_touch(slack, fake_slack)
    digest = _list_on(jobs, clock, fake_slack, FRI_0831_NY)
    before = len(_digests(fake_slack))
    _remind_from(slack, fake_slack, digest, user_id="U0002")
    fake_slack.wait_for("response_url")
    with session_factory() as session:
        assert session.scalars(select(EmailDraft.remind_at).where(
            EmailDraft.template == "value_add")).one() is None
    assert jobs.reminder_tick(SEND_AT) == 0 and len(_digests(fake_slack)) == before
