"""One draft per touch, against a real database (SQLite file, or PostgreSQL with
TEST_DATABASE_URL): written once however many lists are built at once, kept for its touch,
completing exactly that touch when sent, and following the touch to a rep who takes it
over."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.config import Settings
from bot.db.models import EmailDraft, FollowUp
from bot.services.access import Who
from bot.services.cadences import load_cadence_book
from bot.services.draft_templates import DraftRenderer
from bot.services.drafts import get_draft, mark_sent
from bot.services.due_list import due_list_for
from bot.services.touch_drafts import touch_drafts, touch_kind
from tests.test_digest_service import TEAM, add_call, add_follow_up, add_prospect, add_rep

FRI = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 13, 31, tzinfo=UTC)
RENDERER = DraftRenderer()
BOOK = load_cadence_book(Settings())


def _email_touches(sf, drafts=("value_add",), user="UA"):
    rep_id = add_rep(sf, user)
    prospect = add_prospect(sf, rep_id, "Dana", email="dana@x.example")
    add_call(sf, rep_id, prospect, datetime(2026, 11, 25, 19, tzinfo=UTC), "connected",
             pain_point="month-end close takes nine days", objection="budget is frozen")
    touches = []
    for kind in drafts:
        touch = add_follow_up(sf, rep_id, prospect, FRI, channel="email")
        with sf() as session:
            session.get(FollowUp, touch).draft = kind
            session.commit()
        touches.append(touch)
    return rep_id, prospect, touches


def _list(sf, rep_id):
    return due_list_for(sf, TEAM, rep_id, FRI, 6, now=NOW, rep_tz="America/New_York")


def _drafts(sf):
    with sf() as session:
        return session.scalars(select(EmailDraft).order_by(EmailDraft.id)).all()


def test_the_touch_kind_comes_from_its_step_or_its_channels_default():
    assert touch_kind("email", "objection") == "objection"
    assert touch_kind("email", None) == "value_add"
    assert touch_kind("email", "linkedin_note") == "value_add"
    assert touch_kind("linkedin", None) == "linkedin_note"
    assert touch_kind("call", None) is None


def test_a_list_writes_the_draft_once_and_then_reads_it(session_factory):
    rep_id, _, [touch] = _email_touches(session_factory, ("objection",))
    [item] = touch_drafts(session_factory, RENDERER, team_id=TEAM,
                          items=_list(session_factory, rep_id), now=NOW)
    [draft] = _drafts(session_factory)
    assert (item.draft_id, draft.follow_up_id, draft.template) == (draft.id, touch, "objection")
    assert "budget is frozen" in draft.body  # from the prospect's latest notes
    [again] = _list(session_factory, rep_id)
    assert again.draft_id == draft.id  # the due list reads it (no new draft)
    [read] = touch_drafts(session_factory, RENDERER, team_id=TEAM, items=[again], now=NOW)
    assert read.draft_id == again.draft_id  # only the send time is added (issue 16)
    assert replace(read, send_start=None, send_end=None) == again
    assert len(_drafts(session_factory)) == 1


def test_a_list_built_on_a_stale_read_takes_the_draft_written_meanwhile(session_factory):
    """Another process wrote the draft between this list's read and its write: the unique
    follow_up_id refuses a second one, and this list shows the first."""
    rep_id, _, _ = _email_touches(session_factory)
    stale = _list(session_factory, rep_id)
    [first] = touch_drafts(session_factory, RENDERER, team_id=TEAM, items=stale, now=NOW)
    [second] = touch_drafts(session_factory, RENDERER, team_id=TEAM, items=stale, now=NOW)
    assert stale[0].draft_id is None and first.draft_id == second.draft_id is not None
    assert len(_drafts(session_factory)) == 1


def test_lists_built_at_the_same_moment_share_one_draft_per_touch(session_factory):
    rep_id, _, touches = _email_touches(session_factory, ("value_add", "social_proof"))
    stale = _list(session_factory, rep_id)
    start, results, errors = threading.Barrier(4), [], []

    def build():
        try:
            start.wait(timeout=60)
            results.append([i.draft_id for i in touch_drafts(
                session_factory, RENDERER, team_id=TEAM, items=stale, now=NOW)])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=build) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and len(results) == 4
    assert len({tuple(r) for r in results}) == 1 and None not in results[0]
    assert sorted(d.follow_up_id for d in _drafts(session_factory)) == sorted(touches)


def test_mark_sent_completes_exactly_the_touch_its_draft_belongs_to(session_factory):
    """Two email touches open for one prospect: sending the later one's draft completes
    that one, not 'the earliest pending email step'."""
    rep_id, _, [early, late] = _email_touches(session_factory, ("value_add", "social_proof"))
    items = touch_drafts(session_factory, RENDERER, team_id=TEAM,
                         items=_list(session_factory, rep_id), now=NOW)
    late_draft = next(i.draft_id for i in items if i.follow_up_id == late)
    draft, newly = mark_sent(session_factory, BOOK, who=Who.rep(TEAM, "UA"),
                             draft_id=late_draft, now=NOW)
    assert newly and draft.follow_up_id == late
    with session_factory() as session:
        assert session.get(FollowUp, late).status == "done"
        assert session.get(FollowUp, early).status == "pending"
        assert session.scalar(select(FollowUp.id).where(
            FollowUp.idempotency_key.like("draft:%"))) is None  # not an extra touch


def test_a_draft_whose_touch_was_handled_is_an_extra_touch_when_sent(session_factory):
    rep_id, _, [touch] = _email_touches(session_factory)
    [item] = touch_drafts(session_factory, RENDERER, team_id=TEAM,
                          items=_list(session_factory, rep_id), now=NOW)
    with session_factory() as session:
        session.get(FollowUp, touch).status = "skipped"
        session.commit()
    mark_sent(session_factory, BOOK, who=Who.rep(TEAM, "UA"), draft_id=item.draft_id, now=NOW)
    with session_factory() as session:
        assert session.get(FollowUp, touch).status == "skipped"
        extra = session.scalars(select(FollowUp).where(FollowUp.status == "done")).one()
    assert extra.purpose == "Email sent: value_add"


def test_a_taken_over_touch_brings_its_draft_to_the_new_rep(session_factory):
    rep_id, _, [touch] = _email_touches(session_factory)
    [item] = touch_drafts(session_factory, RENDERER, team_id=TEAM,
                          items=_list(session_factory, rep_id), now=NOW)
    other = add_rep(session_factory, "UB")
    with session_factory() as session:  # what a take-over does to the open touches
        session.get(FollowUp, touch).rep_id = other
        session.commit()
    [theirs] = _list(session_factory, other)
    assert theirs.draft_id is None  # not theirs yet: the old rep's buttons would refuse
    [ready] = touch_drafts(session_factory, RENDERER, team_id=TEAM, items=[theirs], now=NOW)
    assert ready.draft_id == item.draft_id
    assert get_draft(session_factory, Who.rep(TEAM, "UB"), ready.draft_id).rep_id == other
    assert len(_drafts(session_factory)) == 1


def test_no_words_for_calls_or_touches_no_longer_open(session_factory):
    rep_id, prospect, [touch] = _email_touches(session_factory)
    call = add_follow_up(session_factory, rep_id, prospect, FRI)
    items = _list(session_factory, rep_id)
    with session_factory() as session:
        session.get(FollowUp, touch).status = "done"
        session.commit()
    result = touch_drafts(session_factory, RENDERER, team_id=TEAM, items=items, now=NOW)
    assert {i.follow_up_id: i.draft_id for i in result} == {touch: None, call: None}
    assert _drafts(session_factory) == []
