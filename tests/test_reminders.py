"""Draft reminders against a real database: set only by the draft's rep, only for an unsent
draft and a time within the week; claimed once however many ticks race for it."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from bot.services.access import Refused, Who
from bot.services.drafts import mark_sent
from bot.services.reminders import (
    ReminderRefused,
    change_reminder,
    claim_reminder,
    reminders_due,
    set_reminder,
)
from bot.services.touch_drafts import touch_drafts
from tests.test_touch_drafts import BOOK, NOW, RENDERER, TEAM, _email_touches, _list


def _draft(sf, user="UA"):
    rep_id, _, _ = _email_touches(sf, user=user)
    [item] = touch_drafts(sf, RENDERER, team_id=TEAM, items=_list(sf, rep_id), now=NOW)
    return item


def test_a_reminder_is_due_at_its_time_and_claimed_once(session_factory):
    item = _draft(session_factory)
    assert item.send_start is not None  # Fri 8:31 am New York: 8:45-10 am
    _, when = set_reminder(session_factory, who=Who.rep(TEAM, "UA"), draft_id=item.draft_id,
                           at=item.send_start, now=NOW)
    assert when == item.send_start
    assert reminders_due(session_factory, when - timedelta(minutes=1)) == []
    [(draft_id, team, user, due)] = reminders_due(session_factory, when)
    assert (draft_id, team, user, due) == (item.draft_id, TEAM, "UA", when)
    won = []
    threads = [threading.Thread(target=lambda: won.append(
        claim_reminder(session_factory, draft_id, due))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len([draft for draft in won if draft is not None]) == 1
    assert reminders_due(session_factory, when + timedelta(hours=1)) == []


def test_a_moment_just_past_means_now_and_a_far_one_is_refused(session_factory):
    item = _draft(session_factory)
    who = Who.rep(TEAM, "UA")
    _, when = set_reminder(session_factory, who=who, draft_id=item.draft_id,
                           at=NOW - timedelta(hours=1), now=NOW)
    assert when == NOW
    for at in (NOW - timedelta(days=1), NOW + timedelta(days=30)):
        with pytest.raises(ReminderRefused):
            set_reminder(session_factory, who=who, draft_id=item.draft_id, at=at, now=NOW)


def test_no_reminder_for_a_sent_draft_or_someone_elses(session_factory):
    item = _draft(session_factory)
    _email_touches(session_factory, user="UB")
    with pytest.raises(Refused):
        set_reminder(session_factory, who=Who.rep(TEAM, "UB"), draft_id=item.draft_id,
                     at=NOW, now=NOW)
    who = Who.rep(TEAM, "UA")
    set_reminder(session_factory, who=who, draft_id=item.draft_id, at=NOW, now=NOW)
    mark_sent(session_factory, BOOK, who=who, draft_id=item.draft_id, now=NOW)
    assert reminders_due(session_factory, NOW + timedelta(hours=1)) == []
    with pytest.raises(ReminderRefused, match="already marked as sent"):
        set_reminder(session_factory, who=who, draft_id=item.draft_id, at=NOW, now=NOW)


def test_one_service_sets_or_cancels_a_reminder_and_returns_the_draft(session_factory):
    """The "Remind me then" button and its "Cancel reminder" both call change_reminder."""
    item = _draft(session_factory)
    who = Who.rep(TEAM, "UA")
    draft = change_reminder(session_factory, who=who, draft_id=item.draft_id,
                            at=item.send_start, now=NOW)
    assert (draft.id, draft.prospect_name) == (item.draft_id, "Dana")
    assert [row[0] for row in reminders_due(session_factory, item.send_start)] == [draft.id]
    assert change_reminder(session_factory, who=who, draft_id=item.draft_id, at=None,
                           now=NOW).id == draft.id
    assert reminders_due(session_factory, item.send_start) == []
    with pytest.raises(Refused):  # cancelling is the owner's too
        change_reminder(session_factory, who=Who.rep(TEAM, "UB"), draft_id=item.draft_id,
                        at=None, now=NOW)


def test_mark_sent_says_by_name_whether_this_request_marked_it(session_factory):
    item = _draft(session_factory)
    who = Who.rep(TEAM, "UA")
    first = mark_sent(session_factory, BOOK, who=who, draft_id=item.draft_id, now=NOW)
    again = mark_sent(session_factory, BOOK, who=who, draft_id=item.draft_id, now=NOW)
    assert (first.newly, first.draft.status) == (True, "sent")
    assert (again.newly, again.draft.id) == (False, item.draft_id)
