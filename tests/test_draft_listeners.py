"""The draft listeners as module-level functions: a test imports one and calls it with
Bolt's arguments by name (the app's own Deps, a real client to the Slack stand-in, an
executor that holds the work after ack so the test runs it). Also the request readers,
and that register() only wires."""

from __future__ import annotations

import ast
import inspect
import json
from dataclasses import replace

from sqlalchemy import select

from bot.app import make_client
from bot.db.models import EmailDraft, FollowUp, Prospect
from bot.slack import draft_listeners, drafts
from bot.slack.codec import decode
from bot.slack.draft_listeners import breakup_email, copy_email, mark_as_sent
from bot.slack.draft_requests import edit_state, edit_target, read_click, read_reminder
from tests.conftest import TEAM
from tests.logcall_helpers import log_call
from tests.test_drafts_e2e import FULL_NOTES, _wait_drafts


class HeldWork:
    """An executor that keeps what the listener hands it, to run (or not) in the test."""

    def __init__(self):
        self.jobs = []

    def submit(self, fn, *args):
        self.jobs.append(lambda: fn(*args))


class Recorder:
    """``ack`` or ``respond``: records how it was called."""

    def __init__(self):
        self.calls = []

    def __call__(self, *args, **kwargs):
        self.calls.append(kwargs)


def _click(action_id, value, *, trigger_id="", user="U0001"):
    return {"type": "block_actions", "team": {"id": TEAM}, "user": {"id": user},
            "trigger_id": trigger_id, "response_url": "http://127.0.0.1:9/response/0",
            "container": {"type": "message", "channel_id": "DU0001", "message_ts": "1.0"},
            "actions": [{"action_id": action_id, "value": json.dumps(value)}]}


def _call(listener, running_bot, body, **deps_changes):
    """Call ``listener`` as Bolt would; returns (ack, respond, held work)."""
    held, ack, respond = HeldWork(), Recorder(), Recorder()
    deps = replace(running_bot[1].deps, executor=held, **deps_changes)
    context = {"deps": deps, "team_id": TEAM, "user_id": body["user"]["id"]}
    listener(ack=ack, body=body, context=context, client=make_client(deps.settings),
             respond=respond)
    return ack, respond, held


def _recap(slack, fake_slack, session_factory) -> EmailDraft:
    log_call(slack, fake_slack, name="Pat Doe", company="Initech", email="pat@initech.example",
             outcome="connected", call_type="post_voicemail", **FULL_NOTES)
    _wait_drafts(fake_slack, 1)
    with session_factory() as session:
        return session.scalars(select(EmailDraft)).one()


def _do_not_call(session_factory) -> None:
    with session_factory() as session:
        session.scalars(select(Prospect)).one().do_not_call = True
        session.commit()


def test_mark_as_sent_on_a_do_not_call_prospect_says_so_and_changes_nothing(
        running_bot, slack, fake_slack, session_factory):
    draft = _recap(slack, fake_slack, session_factory)
    _do_not_call(session_factory)
    ack, respond, held = _call(mark_as_sent, running_bot,
                               _click("draft_sent", {"d": draft.id}))
    assert ack.calls == [{}] and held.jobs == []
    [note] = respond.calls
    assert note["text"] == "Pat Doe is on do-not-call: don't send this."
    assert note["response_type"] == "ephemeral" and note["replace_original"] is False
    with session_factory() as session:
        assert session.get(EmailDraft, draft.id).status == "draft"
        assert session.scalars(select(FollowUp).where(FollowUp.status == "done")).all() == []


def test_breakup_for_a_do_not_call_prospect_says_so_and_drafts_nothing(
        running_bot, slack, fake_slack, session_factory):
    draft = _recap(slack, fake_slack, session_factory)
    _do_not_call(session_factory)
    _, respond, held = _call(breakup_email, running_bot,
                             _click("draft_breakup", {"p": draft.prospect_id}))
    assert [c["text"] for c in respond.calls] == [
        "Pat Doe is on do-not-call: no more emails."]
    assert held.jobs == []
    with session_factory() as session:
        assert session.scalars(select(EmailDraft.template)).all() == ["recap"]


def test_copy_opens_the_box_only_when_the_draft_has_no_page(running_bot, settings, slack,
                                                            fake_slack, session_factory):
    draft = _recap(slack, fake_slack, session_factory)
    with_page = replace(settings, public_url="https://followup.example")
    _, respond, held = _call(copy_email, running_bot,
                             _click("draft_copy", {"d": draft.id}), settings=with_page)
    assert respond.calls == [] and held.jobs == []  # a link button: the browser opens it
    opened = len(fake_slack.calls_to("views.open"))
    body = _click("draft_copy", {"d": draft.id}, trigger_id=fake_slack.new_trigger_id())
    _, respond, held = _call(copy_email, running_bot, body)
    [job] = held.jobs
    job()
    view = fake_slack.wait_for("views.open", opened + 1)[-1].response["view"]
    box = next(b for b in view["blocks"] if b.get("block_id") == "copy_text")
    assert box["element"]["initial_value"].startswith("To: pat@initech.example\nSubject: ")


def test_a_click_reads_as_a_typed_request():
    body = _click("draft_sent", {"d": 7, "l": 1})
    click = read_click({"team_id": TEAM, "user_id": "U0001"}, body)
    assert (click.who.team_id, click.who.user_id, click.draft_id) == (TEAM, "U0001", 7)
    assert (click.from_list, click.channel, click.ts) == (True, "DU0001", "1.0")
    damaged = read_click({"team_id": TEAM, "user_id": "U0001"},
                         _click("draft_sent", {"d": "7"}) | {"container": "x"})
    assert (damaged.draft_id, damaged.from_list, damaged.channel) == (None, False, None)
    context = {"team_id": TEAM, "user_id": "U0001"}
    assert read_reminder(context, _click("draft_remind", {"d": 7, "c": 1})).at is None
    at = read_reminder(context, _click("draft_remind", {"d": 7, "t": 1_800_000_000})).at
    assert at.timestamp() == 1_800_000_000
    for bad in ("soon", True, 10**30):  # unreadable: the epoch, which the service refuses
        assert read_reminder(context, _click("draft_remind", {"d": 7, "t": bad})).at \
            .timestamp() == 0


def test_the_sealed_edit_state_names_its_own_message_and_nothing_else():
    click = read_click({"team_id": TEAM, "user_id": "U0001"}, _click("draft_edit", {"d": 7}))
    meta = decode(edit_state("secret", click, 7))
    assert edit_target("secret", meta, 7, "U0001").message == ("DU0001", "1.0")
    for other in (edit_target("secret", meta, 8, "U0001"),  # another draft
                  edit_target("secret", meta, 7, "U0002"),  # another rep
                  edit_target("other secret", meta, 7, "U0001"),
                  edit_target("secret", meta | {"ts": "2.0"}, 7, "U0001")):  # moved
        assert (other.in_list, other.message) == (False, None)  # a new DM instead
    listed = read_click({"team_id": TEAM, "user_id": "U0001"},
                        _click("draft_edit", {"d": 7, "l": 1}))
    target = edit_target("secret", decode(edit_state("secret", listed, 7)), 7, "U0001")
    assert (target.in_list, target.message) == (True, None)  # the list stays a list


def test_register_only_wires_module_level_listeners():
    """No closures in register(): each line hands Bolt a function a test can import."""
    tree = ast.parse(inspect.getsource(drafts.register))
    register = tree.body[0]
    assert not [node for node in ast.walk(register) if node is not register and isinstance(
        node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)]
    wired = [node.attr for node in ast.walk(register) if isinstance(node, ast.Attribute)
             and isinstance(node.value, ast.Name) and node.value.id == "on"]
    assert len(wired) == 7
    for name in wired:
        listener = getattr(draft_listeners, name)
        assert inspect.isfunction(listener) and listener.__module__ == draft_listeners.__name__
        assert {"ack"} <= set(inspect.signature(listener).parameters)
