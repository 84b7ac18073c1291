"""The morning due list end to end: scheduled ticks with an injected clock, the fake Slack
API receiving the DMs, and the rep working the queue from the message."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.db.models import Call, DigestRun, EmailDraft, FollowUp, Prospect, Rep
from tests.logcall_helpers import log_call, message_text

WED = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)  # the clock fixture's default
THU_0831_NY = datetime(2026, 11, 26, 13, 31, tzinfo=UTC)
THU_0831_BERLIN = datetime(2026, 11, 26, 7, 31, tzinfo=UTC)


def _digests(fake, user="U0001"):
    return [m for m in fake.messages_to(user)
            if any(b.get("block_id") == "digest_header" for b in m.get("blocks", []))]


def _seed(slack, fake, names=("Dana",), user="U0001", tz="America/Chicago"):
    for name in names:
        log_call(slack, fake, user_id=user, name=name, company=f"{name} Co", tz=tz,
                 phone="+1 555 0100", outcome="no_answer", call_type="post_voicemail",
                 pain_point=f"{name}'s invoices", next_step="call back Thursday")


def test_each_rep_gets_the_list_at_their_own_start_exactly_once(slack, fake_slack, jobs, clock):
    _seed(slack, fake_slack, ["Dana"], user="U0001")
    _seed(slack, fake_slack, ["Jonas"], user="U0002", tz="Europe/Berlin")
    before = len(fake_slack.calls_to("chat.postMessage"))
    report = jobs.digest_tick(THU_0831_BERLIN)  # 08:31 in Berlin, 02:31 in New York
    assert (report.sent, report.waiting) == (1, 1)
    assert len(_digests(fake_slack, "U0002")) == 1 and _digests(fake_slack, "U0001") == []
    jobs.digest_tick(THU_0831_BERLIN)  # the same tick again
    jobs.digest_tick(THU_0831_NY)
    jobs.digest_tick(THU_0831_NY)
    assert len(_digests(fake_slack, "U0001")) == 1
    assert len(_digests(fake_slack, "U0002")) == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == before + 2


def test_digest_content_and_notification_text(slack, fake_slack, jobs):
    _seed(slack, fake_slack, ["Dana"])
    jobs.digest_tick(THU_0831_NY)
    digest = _digests(fake_slack)[0]
    text = message_text(digest)
    assert digest["text"] == "1 due today: 1 call"
    for expected in ("Dana", "Dana Co", "call 2 of 6", "Last: no answer on Wed 25 Nov",
                     "+1 555 0100", "Dana's invoices", "call back Thursday",
                     "4-5 pm their time (5-6 pm yours)"):
        assert expected in text, expected


def test_order_follows_the_stored_windows_inside_the_reps_hours(slack, fake_slack, jobs):
    _seed(slack, fake_slack, ["West"], tz="America/Los_Angeles")
    _seed(slack, fake_slack, ["East"], tz="America/New_York")
    jobs.digest_tick(THU_0831_NY)
    text = message_text(_digests(fake_slack)[0])
    # 4-5 pm in LA is 7-8 pm for the New York rep, after their 6 pm: West's window is the
    # second best, 11 am-12 pm LA = 2-3 pm New York, before East's 4 pm.
    assert text.index("West") < text.index("East")
    assert "11 am-12 pm their time (2-3 pm yours)" in text


def test_nothing_due_sends_nothing(fake_slack, jobs, session_factory):
    from bot.services.reps import save_rep_profile

    save_rep_profile(session_factory, "T0001", "U0001", "America/New_York")
    report = jobs.digest_tick(THU_0831_NY)
    assert report.empty == 1 and fake_slack.calls_to("chat.postMessage") == []


def test_beyond_fifty_blocks_says_how_many_more(slack, fake_slack, jobs, session_factory):
    _seed(slack, fake_slack, ["Seed"])
    with session_factory() as session:
        seed = session.scalars(select(FollowUp)).one()
        for n in range(30):
            session.add(FollowUp(team_id="T0001", prospect_id=seed.prospect_id,
                                 rep_id=seed.rep_id, due_on=date(2026, 11, 26), step=0,
                                 channel="call", status="pending", idempotency_key=f"k{n}",
                                 window_start=seed.window_start, window_end=seed.window_end))
        session.commit()
    jobs.digest_tick(THU_0831_NY)
    call = fake_slack.calls_to("chat.postMessage")[-1]
    assert call.response["ok"] and len(call.params["blocks"]) <= 50
    assert "more. Open the bot's *Home* tab" in message_text(_digests(fake_slack)[0])


def _value_id(button) -> int:
    import json

    return json.loads(button["value"])["f"]


def _item_button(message, action_id, n=0):
    buttons = [e for b in message["blocks"] if b.get("block_id", "").startswith("item_")
               for e in b["elements"] if e.get("action_id") == action_id]
    return buttons[n]


def test_quick_outcome_logs_updates_the_message_and_offers_drafts(slack, fake_slack, jobs,
                                                                  clock, session_factory):
    _seed(slack, fake_slack, ["Dana", "Eve"])
    clock.set(THU_0831_NY)
    jobs.digest_tick(THU_0831_NY)
    digest = _digests(fake_slack)[0]
    button = _item_button(digest, "digest_connected")
    posts = len(fake_slack.calls_to("chat.postMessage"))
    slack.block_action("digest_connected", value=button["value"], message=digest,
                       channel_id=digest["channel"])
    update = fake_slack.wait_for("chat.update")[0]
    assert update.params["ts"] == digest["ts"]
    assert "Logged connected with" in message_text(update.params)
    assert message_text(update.params).count("call 2 of 6") == 1  # one item left
    fake_slack.wait_for("chat.postMessage", posts + 2)  # the log DM and the recap draft
    with session_factory() as session:
        assert session.scalar(select(Call.outcome).order_by(Call.id.desc())) == "connected"
    recap = fake_slack.messages_to("U0001")[-1]
    assert "Recap email" in message_text(recap)


def test_stale_buttons_answer_clearly_and_change_nothing(slack, fake_slack, jobs, clock,
                                                         session_factory):
    _seed(slack, fake_slack, ["Dana"])
    clock.set(THU_0831_NY)
    jobs.digest_tick(THU_0831_NY)
    digest = _digests(fake_slack)[0]
    value = _item_button(digest, "digest_no_answer")["value"]
    slack.block_action("digest_no_answer", value=value, message=digest,
                       channel_id=digest["channel"])
    fake_slack.wait_for("chat.update")
    with session_factory() as session:
        calls = session.scalar(select(Call.id).order_by(Call.id.desc()))
    slack.block_action("digest_voicemail", value=value, message=digest,
                       channel_id=digest["channel"])  # already handled
    note = fake_slack.wait_for("response_url")[-1]
    assert "already handled" in note.params["text"]
    _seed(slack, fake_slack, ["Bobs"], user="U0002")  # U0002 is a rep with work of his own
    with session_factory() as session:
        calls = session.scalar(select(Call.id).order_by(Call.id.desc()))
    fresh = _item_button(digest, "digest_no_answer")  # U0001's item, clicked by U0002
    with session_factory() as session:
        pending = session.scalar(select(FollowUp.id).join(Rep, Rep.id == FollowUp.rep_id).where(
            FollowUp.status == "pending", Rep.slack_user_id == "U0001"))
    value = fresh["value"].replace(str(_value_id(fresh)), str(pending))
    slack.block_action("digest_no_answer", value=value, message=digest, user_id="U0002",
                       channel_id=digest["channel"])
    note = fake_slack.wait_for("response_url", 2)[-1].params["text"]
    assert "belongs to another rep" in note
    with session_factory() as session:
        assert session.scalar(select(Call.id).order_by(Call.id.desc())) == calls


def test_do_not_call_makes_the_button_stale(slack, fake_slack, jobs, clock, session_factory):
    _seed(slack, fake_slack, ["Dana"])
    clock.set(THU_0831_NY)
    jobs.digest_tick(THU_0831_NY)
    digest = _digests(fake_slack)[0]
    with session_factory() as session:
        session.scalars(select(Prospect)).one().do_not_call = True
        session.commit()
    slack.block_action("digest_connected", value=_item_button(digest, "digest_connected")[
        "value"], message=digest, channel_id=digest["channel"])
    assert "do-not-call" in fake_slack.wait_for("response_url")[-1].params["text"]
    with session_factory() as session:
        assert session.scalar(select(Call.outcome).order_by(Call.id.desc())) == "no_answer"


def test_snooze_and_skip_from_the_message(slack, fake_slack, jobs, clock, session_factory):
    _seed(slack, fake_slack, ["Dana", "Eve"])
    clock.set(THU_0831_NY)
    jobs.digest_tick(THU_0831_NY)
    digest = _digests(fake_slack)[0]
    overflow = _item_button(digest, "digest_more", 0)
    snooze = next(o for o in overflow["options"] if o["value"].endswith('"s":"3bd"}'))
    slack.block_action("digest_more", selected_option=snooze, action_type="overflow",
                       message=digest, channel_id=digest["channel"])
    update = fake_slack.wait_for("chat.update")[0]
    assert "Snoozed" in message_text(update.params) and "Tue 1 Dec" in message_text(update.params)
    overflow = _item_button(digest, "digest_more", 1)
    skip = next(o for o in overflow["options"] if o["value"].endswith('"s":"skip"}'))
    slack.block_action("digest_more", selected_option=skip, action_type="overflow",
                       message=digest, channel_id=digest["channel"])
    assert "Skipped" in message_text(fake_slack.wait_for("chat.update", 2)[1].params)
    with session_factory() as session:
        statuses = sorted(session.scalars(select(FollowUp.status)).all())
    assert statuses == ["pending", "pending", "skipped"]


def test_rate_limits_server_errors_and_gone_users(slack, fake_slack, jobs, session_factory):
    fake_slack.add_user("U0004", tz="America/New_York")
    _seed(slack, fake_slack, ["Dana"], user="U0001")
    _seed(slack, fake_slack, ["Jonas"], user="U0004")
    fake_slack.add_user("U0003", tz="America/New_York")
    _seed(slack, fake_slack, ["Gone"], user="U0003")
    fake_slack.add_user("U0003", tz="America/New_York", deleted=True)  # left the company
    fake_slack.fail("chat.postMessage", retry_after=1)
    fake_slack.fail("chat.postMessage", status=500)
    before = len(fake_slack.calls_to("chat.postMessage"))
    report = jobs.digest_tick(THU_0831_NY)
    assert (report.sent, report.failed) == (2, 1)
    assert len(_digests(fake_slack, "U0001")) == 1 and len(_digests(fake_slack, "U0004")) == 1
    statuses = [c.status for c in fake_slack.calls_to("chat.postMessage")[before:]]
    assert statuses[:2] == [429, 500]  # both retried, neither lost nor doubled
    with session_factory() as session:
        assert session.scalar(select(Rep.active).where(Rep.slack_user_id == "U0003")) is False
        runs = {r.status for r in session.scalars(select(DigestRun))}
    assert runs == {"sent", "failed"}
    assert jobs.digest_tick(THU_0831_NY).sent == 0  # nobody twice, the gone rep not retried


def test_followups_command_answers_ephemerally(slack, fake_slack, clock):
    _seed(slack, fake_slack, ["Dana"])
    clock.set(THU_0831_NY)
    answer = slack.slash("/followups").json()
    assert answer["response_type"] == "ephemeral"
    assert "Dana" in message_text(answer)


def test_recap_nudge_once_after_two_hours(slack, fake_slack, jobs, clock):
    log_call(slack, fake_slack, name="Dana", company="Acme", outcome="connected",
             call_type="post_voicemail", pain_point="invoices")
    assert jobs.nudge_tick(WED.replace(hour=20)) == 0  # one hour later: not yet
    assert jobs.nudge_tick(WED.replace(hour=21, minute=1)) == 1
    assert jobs.nudge_tick(WED.replace(hour=22)) == 0  # never twice
    assert "isn't marked sent" in fake_slack.messages_to("U0001")[-2]["text"]


def test_log_details_preselects_the_prospect_and_keeps_its_cadence(slack, fake_slack, jobs,
                                                                   clock):
    _seed(slack, fake_slack, ["Dana - CFO"])
    clock.set(THU_0831_NY)
    jobs.digest_tick(THU_0831_NY)
    digest = _digests(fake_slack)[0]
    opened = len(fake_slack.calls_to("views.open"))
    slack.block_action("digest_details", value=_item_button(digest, "digest_details")["value"],
                       message=digest, channel_id=digest["channel"])
    view = fake_slack.wait_for("views.open", opened + 1)[-1].response["view"]
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["prospect"]["element"]["initial_option"]["text"]["text"] == \
        "Dana - CFO · Dana - CFO Co"
    assert blocks["call_type"]["element"]["initial_option"]["value"] == "post_voicemail"


def test_no_recap_nudge_once_the_prospect_is_do_not_call(slack, fake_slack, jobs,
                                                          session_factory):
    log_call(slack, fake_slack, name="Dana", company="Acme", outcome="connected",
             call_type="post_voicemail", pain_point="invoices")
    with session_factory() as session:
        session.scalars(select(Prospect)).one().do_not_call = True
        session.commit()
    assert jobs.nudge_tick(WED.replace(hour=21, minute=1)) == 0


def test_notes_survive_a_one_click_log_and_a_sent_resource_is_not_owed(
        slack, fake_slack, jobs, clock, session_factory):
    log_call(slack, fake_slack, name="Dana", company="Acme", outcome="no_answer",
             call_type="post_voicemail", pain_point="invoices by hand",
             resource_promised="the case study")
    clock.set(THU_0831_NY)
    jobs.digest_tick(THU_0831_NY)
    digest = _digests(fake_slack)[0]
    assert "Still owed: the case study" in message_text(digest)
    slack.block_action("digest_no_answer", value=_item_button(digest, "digest_no_answer")[
        "value"], message=digest, channel_id=digest["channel"])
    fake_slack.wait_for("chat.update")
    from bot.services.due_items import rep_due_list

    with session_factory() as session:
        session.add(EmailDraft(team_id="T0001", prospect_id=session.scalar(
            select(Prospect.id)), rep_id=session.scalar(select(Rep.id)), template="recap",
            subject="s", body="b",
            status="sent", sent_at=THU_0831_NY))
        session.commit()
    monday = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
    [item] = rep_due_list(session_factory, team_id="T0001", user_id="U0001", now=monday,
                          max_calls=6, windows=()).items
    assert item.pain_point == "invoices by hand"  # from the call that had notes
    assert item.last_outcome == "no_answer" and item.resource_owed is None


def test_a_send_that_slack_refused_is_tried_again_next_tick(slack, fake_slack, jobs,
                                                             session_factory):
    _seed(slack, fake_slack, ["Dana"])
    fake_slack.fail("chat.postMessage", status=500, times=4)  # beyond the client's retries
    first = jobs.digest_tick(THU_0831_NY)
    assert (first.sent, first.failed) == (0, 1)
    second = jobs.digest_tick(THU_0831_NY.replace(minute=32))
    assert (second.sent, second.retried) == (1, 1)
    assert jobs.digest_tick(THU_0831_NY.replace(minute=33)).sent == 0
    assert len(_digests(fake_slack)) == 1
    with session_factory() as session:
        run = session.scalars(select(DigestRun)).one()
    assert (run.status, run.attempts) == ("sent", 2)
