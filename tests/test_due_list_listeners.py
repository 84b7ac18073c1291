"""The due list's listeners are module-level functions: register() only wires them, a test
imports and calls them, and each reads a typed request (read_click) before its one
service call. The end-to-end behaviour is in test_digest_e2e.py."""

import re
from datetime import UTC, datetime

import pytest

import bot.slack.due_list as due_listeners
from bot.domain.model import Outcome
from bot.services.due_items import DueAction, Verb
from bot.slack import ids
from bot.slack.codec import encode
from bot.slack.context import DEPS_KEY
from bot.slack.due_list import followups_command, move_item, read_click
from tests.conftest import TEAM
from tests.logcall_helpers import log_call

THU_0831_NY = datetime(2026, 11, 26, 13, 31, tzinfo=UTC)


class Wiring:
    """Stands in for the Bolt app: records what register() wires to what."""

    def __init__(self):
        self.wired = []

    def action(self, matcher):
        return lambda listener: self.wired.append((matcher, listener)) or listener

    command = action


def test_register_wires_module_level_listeners_only():
    wiring = Wiring()
    due_listeners.register(wiring, None)
    for _matcher, listener in wiring.wired:
        assert "<locals>" not in listener.__qualname__, listener.__qualname__
        assert getattr(due_listeners, listener.__name__) is listener
    matchers = [m for m, _ in wiring.wired]
    for action_id in (ids.DIGEST_CONNECTED, ids.DIGEST_VOICEMAIL, ids.DIGEST_NO_ANSWER):
        assert any(isinstance(m, re.Pattern) and m.match(action_id) for m in matchers)
    assert {ids.FOLLOWUPS_COMMAND, ids.DIGEST_DETAILS, ids.DIGEST_DONE,
            ids.DIGEST_MORE} <= {m for m in matchers if isinstance(m, str)}


def _click(action_id, value, *, option=False):
    action = {"action_id": action_id}
    if option:
        action["selected_option"] = {"value": encode(value)}
    else:
        action["value"] = encode(value)
    body = {"type": "block_actions", "user": {"id": "U0001"}, "actions": [action],
            "response_url": "https://hooks.slack.example/response"}
    return body, action


@pytest.mark.parametrize("action_id, value, option, expected", [
    (ids.DIGEST_CONNECTED, {"f": 7}, False, DueAction(TEAM, "U0001", 7, Verb.LOG,
                                                      outcome=Outcome.CONNECTED)),
    (ids.DIGEST_NO_ANSWER, {"f": 7}, False, DueAction(TEAM, "U0001", 7, Verb.LOG,
                                                      outcome=Outcome.NO_ANSWER)),
    (ids.DIGEST_DETAILS, {"f": 7}, False, DueAction(TEAM, "U0001", 7, Verb.DETAILS)),
    (ids.DIGEST_DONE, {"f": 7}, False, DueAction(TEAM, "U0001", 7, Verb.DONE)),
    (ids.DIGEST_MORE, {"f": 7, "s": "skip"}, True, DueAction(TEAM, "U0001", 7, Verb.SKIP)),
    (ids.DIGEST_MORE, {"f": 7, "s": "3bd"}, True, DueAction(TEAM, "U0001", 7, Verb.SNOOZE,
                                                            choice="3bd")),
    (ids.DIGEST_MORE, {"f": 7, "s": 3}, True, DueAction(TEAM, "U0001", 7, Verb.SNOOZE)),
    (ids.DIGEST_DONE, {"f": "7"}, False, DueAction(TEAM, "U0001", None, Verb.DONE)),
], ids=["connected", "no-answer", "details", "done", "skip", "snooze", "odd-choice",
        "id-as-text"])
def test_read_click_types_the_request(action_id, value, option, expected):
    body, action = _click(action_id, value, option=option)
    assert read_click({"team_id": TEAM, "user_id": "U0001"}, body, action) == expected


def test_a_listener_called_directly_tells_a_refusal_where_the_rep_clicked(running_bot):
    body, action = _click(ids.DIGEST_DONE, {"f": 4242})
    acks, told = [], []
    context = {DEPS_KEY: running_bot[1].deps, "team_id": TEAM, "user_id": "U0001"}
    move_item(ack=lambda **kw: acks.append(kw), body=body, context=context, client=None,
              respond=lambda **kw: told.append(kw), action=action)
    assert acks == [{}]
    assert told == [{"text": "That follow-up doesn't exist any more; nothing was changed.",
                     "response_type": "ephemeral", "replace_original": False}]


def test_followups_called_directly_answers_in_its_ack(slack, fake_slack, running_bot, clock):
    log_call(slack, fake_slack, name="Dana", outcome="no_answer", call_type="post_voicemail")
    clock.set(THU_0831_NY)
    acks = []
    context = {DEPS_KEY: running_bot[1].deps, "team_id": TEAM, "user_id": "U0001"}
    followups_command(ack=lambda **kw: acks.append(kw), body={}, context=context)
    [answer] = acks
    assert answer["response_type"] == "ephemeral"
    assert "Dana" in str([block.to_dict() for block in answer["blocks"]])
