"""Every id that comes back from Slack (a button value, an option value, private_metadata)
or from a draft link goes through one guard: drafts and due-list items are their rep's,
prospects are the team's. Two reps (U0001 Rita, U0002 Bob) drive the real bot; rep B sends
A's ids and values the bot never wrote, and nothing changes."""

import json
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
import requests
from sqlalchemy import select

from bot.db.models import Call, EmailDraft, FollowUp, Prospect, Rep, Team
from bot.services.access import Refused, Who, owned
from bot.services.draft_links import DraftRef, _b64, _mac, make_token
from bot.services.drafts import get_draft, mark_sent
from bot.services.reps import save_rep_profile
from tests.logcall_helpers import log_call, message_text
from tests.slack_requests import SlackSender

NOTES = {"pain_point": "invoices by hand", "next_step": "a call next week"}
THU_0831_NY = datetime(2026, 11, 26, 13, 31, tzinfo=UTC)
THU_0831_BERLIN = datetime(2026, 11, 26, 7, 31, tzinfo=UTC)
TABLES = (Rep, Prospect, Call, FollowUp, EmailDraft)


@pytest.fixture(autouse=True)
def reps(session_factory):
    """Both reps known up front, so no profile fetch after a modal opens races a snapshot."""
    save_rep_profile(session_factory, "T0001", "U0001", "America/New_York", "Rita Rep")
    save_rep_profile(session_factory, "T0001", "U0002", "Europe/Berlin", "Bob Rep")


def snapshot(session_factory) -> dict:
    """Every row of every table an action could touch."""
    with session_factory() as session:
        return {model.__tablename__: sorted(session.execute(select(model.__table__)).all())
                for model in TABLES}


def side_effects(fake) -> int:
    return sum(len(fake.calls_to(m)) for m in ("views.open", "chat.update", "chat.postMessage",
                                                 "views.publish"))


def other_team_rows(session_factory) -> dict:
    """A prospect, a follow-up and a draft of another workspace (T0002)."""
    with session_factory() as session:
        session.add(Team(id="T0002"))
        session.flush()
        rep = Rep(team_id="T0002", slack_user_id="U0100", tz="UTC")
        session.add(rep)
        session.flush()
        prospect = Prospect(team_id="T0002", owner_rep_id=rep.id, name="Secret Sam")
        session.add(prospect)
        session.flush()
        follow_up = FollowUp(team_id="T0002", prospect_id=prospect.id, rep_id=rep.id,
                             due_on=THU_0831_NY.date(), idempotency_key="t2")
        draft = EmailDraft(team_id="T0002", prospect_id=prospect.id, rep_id=rep.id,
                           template="recap", subject="secret", body="secret")
        session.add_all([follow_up, draft])
        session.commit()
        return {"p": prospect.id, "f": follow_up.id, "d": draft.id}


def tampered(key: str, theirs: int, other_team: int) -> list[tuple[str | None, str]]:
    """(value, what the note must say): another rep's or team's id, and values the bot
    never wrote."""
    damaged = "isn't one I wrote"
    return [
        (json.dumps({key: theirs}), "belongs to another rep" if key != "p" else ""),
        (json.dumps({key: other_team}), "not in this workspace" if key == "p" else "exist"),
        (json.dumps({key: str(theirs)}), damaged),  # a string where an int id belongs
        (json.dumps({key: [theirs]}), damaged),
        (json.dumps({key: -theirs}), damaged),
        (json.dumps({key: theirs + 0.5}), damaged),
        (json.dumps({key: True}), damaged),
        (json.dumps({key: 2**31}), damaged),  # beyond PostgreSQL's integer
        (json.dumps({key: None}), damaged),
        ("{}", damaged),  # a missing key
        ("[1, 2]", damaged),
        ('{"' + key + '": 1', damaged),  # JSON garbage
        ("", damaged),
        (None, damaged),  # no value at all
    ]


def refused(slack, fake, action_id, value, *, user, message, says, option=False):
    """Send one tampered click the way Slack does; the ephemeral note must say ``says``."""
    notes = len(fake.calls_to("response_url"))
    kwargs = ({"selected_option": {"text": {"type": "plain_text", "text": "x"},
                                   "value": value}, "action_type": "overflow"}
              if option else {"value": value})
    response = slack.block_action(action_id, user_id=user, message=message,
                                  channel_id=message["channel"], **kwargs)
    assert response.status_code == 200, (action_id, value, response.text)
    note = fake.wait_for("response_url", notes + 1)[-1].params
    assert note["response_type"] == "ephemeral" and note["replace_original"] is False
    assert "nothing was changed" in note["text"], (action_id, value, note["text"])
    assert says in note["text"], (action_id, value, note["text"])


def _button(message, action_id):
    return next(e for b in message["blocks"] for e in b.get("elements", []) or []
                if e.get("action_id") == action_id)


def _draft_id(message) -> int:
    return json.loads(_button(message, "draft_edit")["value"])["d"]


@pytest.fixture
def drafts(slack, fake_slack):
    """Rita's recap draft message and Bob's, each in its rep's DM."""
    log_call(slack, fake_slack, name="Dana Whitfield", company="Acme", outcome="connected",
             call_type="post_voicemail", **NOTES)
    log_call(slack, fake_slack, user_id="U0002", name="Bea Brown", company="Initech",
             outcome="connected", call_type="post_voicemail", **NOTES)
    mine = [m for m in fake_slack.messages_to("U0001") if "Recap email" in message_text(m)]
    bobs = [m for m in fake_slack.messages_to("U0002") if "Recap email" in message_text(m)]
    return mine[0], bobs[0]


@pytest.mark.parametrize("action_id", ["draft_copy", "draft_edit", "draft_sent"])
def test_draft_buttons_refuse_another_reps_draft_and_damaged_values(
        action_id, drafts, slack, fake_slack, session_factory):
    ritas, bobs = drafts
    other = other_team_rows(session_factory)
    before, effects = snapshot(session_factory), side_effects(fake_slack)
    for value, says in tampered("d", _draft_id(ritas), other["d"]):
        refused(slack, fake_slack, action_id, value, user="U0002", message=bobs, says=says)
    assert snapshot(session_factory) == before  # Rita's draft is not sent, no step moved
    assert side_effects(fake_slack) == effects  # no modal, no rewritten message
    assert fake_slack.messages_to("U0002")[-1] == bobs or "Dana" not in message_text(
        fake_slack.messages_to("U0002")[-1])


def test_the_owner_still_uses_her_buttons(drafts, slack, fake_slack, session_factory):
    ritas, _ = drafts
    slack.block_action("draft_sent", value=_button(ritas, "draft_sent")["value"],
                       message=ritas, channel_id=ritas["channel"])
    assert "Marked as sent" in message_text(fake_slack.wait_for("chat.update")[0].params)
    with session_factory() as session:
        assert session.scalar(select(EmailDraft.status).where(
            EmailDraft.id == _draft_id(ritas))) == "sent"


def test_edit_submission_refuses_another_reps_draft_and_damaged_metadata(
        drafts, slack, fake_slack, session_factory):
    ritas, _ = drafts
    other = other_team_rows(session_factory)
    before, effects = snapshot(session_factory), side_effects(fake_slack)
    values = {"subject": {"value": "Taken over"}, "body": {"value": "Hi, Bob wrote this."}}
    for metadata, says in tampered("d", _draft_id(ritas), other["d"]):
        answer = slack.view_submission("draft_edit", values, user_id="U0002",
                                       private_metadata=metadata or "").json()
        assert answer["response_action"] == "errors", metadata
        assert "nothing was changed" in answer["errors"]["body"]
        assert says in answer["errors"]["body"], (metadata, answer)
    own = json.dumps({"d": _draft_id(drafts[1])})
    for state in ({}, {"subject": {"value": ["Hi"]}, "body": {"value": {"x": 1}}}):
        answer = slack.view_submission("draft_edit", state, user_id="U0002",
                                       private_metadata=own).json()  # state Slack never sends
        assert answer["response_action"] == "errors"
        assert set(answer["errors"]) == {"subject", "body"}
    assert snapshot(session_factory) == before
    assert side_effects(fake_slack) == effects


def test_a_crafted_message_location_never_rewrites_another_message(
        drafts, slack, fake_slack, session_factory):
    """Edit's modal carries the message to rewrite; it is the container of Bob's own click,
    sealed. Pointing it at Rita's message (with or without the seal) rewrites nothing of
    hers: Bob's edit is saved and arrives as a new message in his own DM."""
    ritas, bobs = drafts
    opened = len(fake_slack.calls_to("views.open"))  # the fixture opened /logcall modals
    slack.block_action("draft_edit", value=_button(bobs, "draft_edit")["value"],
                       user_id="U0002", message=bobs, channel_id=bobs["channel"])
    view = fake_slack.wait_for("views.open", opened + 1)[-1].response["view"]
    meta = json.loads(view["private_metadata"])
    assert (meta["c"], meta["ts"]) == (bobs["channel"], bobs["ts"])
    ritas_before = fake_slack.messages[(ritas["channel"], ritas["ts"])]
    crafted = [{**meta, "c": ritas["channel"], "ts": ritas["ts"]},
               {k: v for k, v in meta.items() if k != "mac"} | {"c": ritas["channel"],
                                                                "ts": ritas["ts"]}]
    for n, metadata in enumerate(crafted, start=1):
        posts = len(fake_slack.calls_to("chat.postMessage"))
        body = f"Hi Bea,\n\nEdit number {n}. Tuesday or Thursday?\n\nBob"
        answer = slack.view_submission("draft_edit", {"subject": {"value": "Invoices"},
                                                      "body": {"value": body}},
                                       user_id="U0002", private_metadata=json.dumps(metadata))
        assert answer.status_code == 200 and answer.text in ("", "null"), answer.text
        post = fake_slack.wait_for("chat.postMessage", posts + 1)[-1]
        assert post.params["channel"] == "U0002" and f"Edit number {n}" in message_text(
            post.params)
    assert fake_slack.calls_to("chat.update") == []
    assert fake_slack.messages[(ritas["channel"], ritas["ts"])] == ritas_before
    with session_factory() as session:
        assert session.scalar(select(EmailDraft.body).where(
            EmailDraft.id == _draft_id(bobs))).startswith("Hi Bea,\n\nEdit number 2")
        assert "Bob" not in session.scalar(select(EmailDraft.body).where(
            EmailDraft.id == _draft_id(ritas)))


def test_the_genuine_edit_rewrites_the_message_it_came_from(drafts, slack, fake_slack):
    _, bobs = drafts
    opened = len(fake_slack.calls_to("views.open"))
    slack.block_action("draft_edit", value=_button(bobs, "draft_edit")["value"],
                       user_id="U0002", message=bobs, channel_id=bobs["channel"])
    view = fake_slack.wait_for("views.open", opened + 1)[-1].response["view"]
    slack.view_submission("draft_edit", {"subject": {"value": "Invoices"},
                                         "body": {"value": "Hi Bea,\n\nShorter.\n\nBob"}},
                          user_id="U0002", view_id=view["id"])
    update = fake_slack.wait_for("chat.update")[0]
    assert (update.params["channel"], update.params["ts"]) == (bobs["channel"], bobs["ts"])


def test_breakup_is_team_wide_but_refuses_damaged_values(drafts, slack, fake_slack,
                                                         session_factory):
    ritas, bobs = drafts
    other = other_team_rows(session_factory)
    with session_factory() as session:
        dana = session.scalar(select(Prospect.id).where(Prospect.name == "Dana Whitfield"))
    before, effects = snapshot(session_factory), side_effects(fake_slack)
    for value, says in tampered("p", dana, other["p"])[1:]:
        refused(slack, fake_slack, "draft_breakup", value, user="U0002", message=bobs,
                says=says)
    assert snapshot(session_factory) == before and side_effects(fake_slack) == effects
    posts = len(fake_slack.calls_to("chat.postMessage"))
    slack.block_action("draft_breakup", value=json.dumps({"p": dana}), user_id="U0002",
                       message=bobs, channel_id=bobs["channel"])  # a team-mate's prospect
    post = fake_slack.wait_for("chat.postMessage", posts + 1)[-1]
    assert post.params["channel"] == "U0002" and "Breakup email" in message_text(post.params)
    with session_factory() as session:
        breakup = session.scalars(select(EmailDraft).where(
            EmailDraft.template == "breakup")).one()
        assert breakup.rep_id == session.scalar(select(Rep.id).where(
            Rep.slack_user_id == "U0002"))  # Bob's draft, about the team's prospect


@pytest.fixture
def due_lists(slack, fake_slack, jobs, clock):
    """Rita's and Bob's due-list DMs, each with one call due."""
    log_call(slack, fake_slack, name="Dana", company="Acme", tz="America/New_York",
             outcome="no_answer", call_type="post_voicemail")
    log_call(slack, fake_slack, user_id="U0002", name="Bea", company="Initech",
             tz="America/New_York", outcome="no_answer", call_type="post_voicemail")
    jobs.digest_tick(THU_0831_BERLIN)  # Bob's morning
    clock.set(THU_0831_NY)
    jobs.digest_tick(THU_0831_NY)  # Rita's
    lists = {}
    for user in ("U0001", "U0002"):
        lists[user] = next(m for m in fake_slack.messages_to(user)
                           if any(b.get("block_id") == "digest_header" for b in m["blocks"]))
    return lists


def _item_id(message) -> int:
    block = next(b for b in message["blocks"] if b.get("block_id", "").startswith("item_"))
    return int(block["block_id"].removeprefix("item_"))


@pytest.mark.parametrize("action_id", ["digest_connected", "digest_voicemail",
                                       "digest_no_answer", "digest_details", "digest_done"])
def test_due_list_buttons_refuse_another_reps_item_and_damaged_values(
        action_id, due_lists, slack, fake_slack, session_factory):
    other = other_team_rows(session_factory)
    before, effects = snapshot(session_factory), side_effects(fake_slack)
    for value, says in tampered("f", _item_id(due_lists["U0001"]), other["f"]):
        refused(slack, fake_slack, action_id, value, user="U0002",
                message=due_lists["U0002"], says=says)
    assert snapshot(session_factory) == before  # no call logged, no step done
    assert side_effects(fake_slack) == effects  # no modal, no list rewritten


@pytest.mark.parametrize("choice", ["tomorrow", "3bd", "next_week", "skip"])
def test_snooze_and_skip_refuse_another_reps_item_and_damaged_values(
        choice, due_lists, slack, fake_slack, session_factory):
    other = other_team_rows(session_factory)
    before, effects = snapshot(session_factory), side_effects(fake_slack)
    for value, says in tampered("f", _item_id(due_lists["U0001"]), other["f"]):
        data = json.loads(value) if value and value.startswith("{") and value.endswith("}") \
            else None
        if isinstance(data, dict):  # the overflow option carries the choice too
            value = json.dumps({**data, "s": choice})
        refused(slack, fake_slack, "digest_more", value, user="U0002",
                message=due_lists["U0002"], says=says, option=True)
    assert snapshot(session_factory) == before  # Rita's item neither moved nor skipped
    assert side_effects(fake_slack) == effects


def test_number_verified_is_team_wide_and_resumes_the_owners_calls(
        slack, fake_slack, session_factory):
    _, dm = log_call(slack, fake_slack, name="Wendy", company="Wrongco", outcome="wrong_number",
                     call_type="post_voicemail")  # calls only: nothing pending until verified
    value = _button(dm, "prospect_verified")["value"]
    other = other_team_rows(session_factory)
    _, bobs_dm = log_call(slack, fake_slack, user_id="U0002", name="Bea", outcome="no_answer",
                          call_type="post_voicemail")
    before, effects = snapshot(session_factory), side_effects(fake_slack)
    for bad, says in tampered("p", json.loads(value)["p"], other["p"])[1:]:
        refused(slack, fake_slack, "prospect_verified", bad, user="U0002", message=bobs_dm,
                says=says)
    assert snapshot(session_factory) == before and side_effects(fake_slack) == effects
    notes = len(fake_slack.calls_to("response_url"))
    slack.block_action("prospect_verified", value=value, user_id="U0002", message=bobs_dm,
                       channel_id=bobs_dm["channel"])  # Bob fixed Rita's prospect's number
    assert "Calls to Wendy can resume" in fake_slack.wait_for(
        "response_url", notes + 1)[-1].params["text"]
    with session_factory() as session:
        wendy = session.scalars(select(Prospect).where(Prospect.name == "Wendy")).one()
        rita = session.scalar(select(Rep.id).where(Rep.slack_user_id == "U0001"))
        pending = session.scalars(select(FollowUp).where(
            FollowUp.prospect_id == wendy.id, FollowUp.status == "pending",
            FollowUp.channel == "call")).all()
    assert wendy.needs_verified_number is False
    assert [f.rep_id for f in pending] == [rita]  # the owner's call, not Bob's


def home_action(slack, fake, action: dict, user: str) -> dict:
    """A change on the App Home tab as Slack sends it (no response_url: the answer is the
    re-published home); returns that home."""
    before = len(fake.calls_to("views.publish"))
    payload = {
        "type": "block_actions", "team": {"id": "T0001", "domain": "test-team"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T0001"},
        "api_app_id": "A0001", "token": "verification-token", "trigger_id": fake.new_trigger_id(),
        "container": {"type": "view", "view_id": "VHOME"},
        "view": {"id": "VHOME", "type": "home", "blocks": [], "state": {"values": {}}},
        "actions": [{"action_ts": f"{time.time():.6f}", "block_id": "b", **action}],
    }
    response = slack.send(urlencode({"payload": json.dumps(payload)}).encode(),
                          "application/x-www-form-urlencoded")
    assert response.status_code == 200, response.text
    fake.wait_for("views.publish", before + 1)
    return fake.home_views[user]


@pytest.mark.parametrize("action", [
    {"type": "checkboxes", "action_id": "home_digest_days",
     "selected_options": [{"text": {"type": "plain_text", "text": "x"}, "value": "9"}]},
    {"type": "checkboxes", "action_id": "home_digest_days", "selected_options": ["1", "2"]},
    {"type": "checkboxes", "action_id": "home_digest_days", "selected_options": "135"},
    {"type": "checkboxes", "action_id": "home_digest_days",
     "selected_options": [{"value": "12"}]},
    {"type": "timepicker", "action_id": "home_digest_time", "selected_time": 930},
    {"type": "timepicker", "action_id": "home_digest_time", "selected_time": "25:99"},
    {"type": "button", "action_id": "home_digest_toggle", "value": '{"on": "no"}'},
    {"type": "button", "action_id": "home_digest_toggle", "value": "[true]"},
    {"type": "button", "action_id": "home_digest_toggle"},
])
def test_app_home_actions_refuse_values_the_bot_never_wrote(action, slack, fake_slack,
                                                            session_factory):
    before = snapshot(session_factory)
    home = home_action(slack, fake_slack, action, "U0002")
    assert snapshot(session_factory) == before
    text = message_text(home)
    assert "nothing was saved" in text or "Pick a time" in text
    assert fake_slack.calls_to("chat.postMessage") == []  # no "something went wrong" DM


# -- The draft page: the token (team + draft, signed) is the identity the guard checks.

def test_a_draft_link_shows_and_marks_that_one_draft_only(start_bot, fake_slack,
                                                          session_factory):
    url, _ = start_bot(public=True)
    sender = SlackSender(f"{url}/slack/events", "test-signing-secret", fake=fake_slack)
    log_call(sender, fake_slack, name="Dana Whitfield", company="Acme", outcome="connected",
             call_type="post_voicemail", **NOTES)
    log_call(sender, fake_slack, user_id="U0002", name="Bea Brown", company="Initech",
             outcome="connected", call_type="post_voicemail", **NOTES)
    ritas = next(m for m in fake_slack.messages_to("U0001") if "Recap" in message_text(m))
    link = _button(ritas, "draft_copy")["url"]
    page = requests.get(link, timeout=5)
    assert page.status_code == 200 and "Dana" in page.text and "Bea" not in page.text
    assert requests.post(f"{link}/sent", timeout=5, allow_redirects=False).status_code == 303
    with session_factory() as session:
        statuses = dict(session.execute(select(Prospect.name, EmailDraft.status).join(
            EmailDraft, EmailDraft.prospect_id == Prospect.id)).all())
    assert statuses == {"Dana Whitfield": "sent", "Bea Brown": "draft"}


def test_a_link_identity_reaches_its_own_draft_and_no_other(drafts, session_factory, clock):
    ritas, bobs = drafts
    mine, theirs = _draft_id(ritas), _draft_id(bobs)
    holder = Who.link("T0001", mine)
    assert get_draft(session_factory, holder, mine).id == mine
    before = snapshot(session_factory)
    from bot.config import Settings
    from bot.services.cadences import load_cadence_book

    book = load_cadence_book(Settings())
    for attempt in (lambda: get_draft(session_factory, holder, theirs),
                    lambda: mark_sent(session_factory, book, who=holder, draft_id=theirs,
                                      now=clock())):
        with pytest.raises(Refused, match="belongs to another rep"):
            attempt()
    with session_factory() as session, pytest.raises(Refused):
        owned(session, holder, FollowUp, 1)  # a link names a draft, never a follow-up
    assert snapshot(session_factory) == before


def _signed(payload) -> str:
    """A token signed with the real secret around a payload make_token never writes."""
    body = _b64(json.dumps(payload).encode())
    return f"{body}.{_mac('test-signing-secret', body)}"


def test_draft_links_the_bot_never_wrote_are_404_never_500(start_bot, clock):
    url, _ = start_bot(public=True)
    later = int((clock() + timedelta(days=1)).timestamp())
    tokens = [_signed(p) for p in (["7", "T0001", later], [[7], "T0001", later],
                                   [7, 5, later], [7, "T0001", "soon"], [2**40, "T0001", later],
                                   [-1, "T0001", later], {"d": 7}, [7, "T0001"])]
    tokens += ["é.é", "%00", make_token("test-signing-secret", DraftRef(999, "T0001"),
                                         clock(), timedelta(days=1))]
    for token in tokens:
        assert requests.get(f"{url}/drafts/{token}", timeout=5).status_code == 404, token
        assert requests.post(f"{url}/drafts/{token}/sent", timeout=5).status_code == 404, token


@pytest.mark.parametrize("damage", [str, lambda d: True, float, lambda d: -d, lambda d: 0,
                                    lambda d: 2**31, lambda d: None, lambda d: [d]])
def test_the_guard_itself_refuses_what_is_not_an_id(damage, drafts, session_factory):
    """Callers that skip the codec (the draft page, a service) get the same answer."""
    draft_id = _draft_id(drafts[0])
    with session_factory() as session:
        for who in (Who.rep("T0001", "U0001"), Who.link("T0001", draft_id)):
            with pytest.raises(Refused, match="isn't one I wrote"):
                owned(session, who, EmailDraft, damage(draft_id))
