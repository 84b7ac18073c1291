"""Driving the /logcall modal end to end: open it, fill it like a rep, submit it."""

from __future__ import annotations

from bot.domain.model import NoteField
from tests.slack_double import FakeSlack
from tests.slack_requests import SlackSender


def open_modal(slack: SlackSender, fake: FakeSlack, text: str = "", *, user_id="U0001",
               team_id=None) -> dict:
    """Send /logcall and return the view the bot opened (after any views.update)."""
    before = len(fake.calls_to("views.open"))
    response = slack.slash("/logcall", text, user_id=user_id, team_id=team_id)
    assert response.status_code == 200, response.text
    call = fake.wait_for("views.open", before + 1)[-1]
    assert call.response["ok"], call.response
    return call.response["view"]


def block_ids(view: dict) -> list[str]:
    return [block.get("block_id", "") for block in view["blocks"]]


def tz_block(view: dict) -> str:
    return next(b for b in block_ids(view) if b.startswith("new_tz"))


def form_values(view: dict, *, name="", company="", email="", phone="", tz=None,
                prospect_id=None, call_type="cold_call", outcome="connected",
                next_date: str | None = None, **notes: str) -> dict:
    """State values as Slack sends them for this modal."""
    values: dict = {
        "new_name": {"value": name}, "new_company": {"value": company},
        "new_email": {"value": email}, "new_phone": {"value": phone},
        tz_block(view): {"value": tz if tz is not None else _initial(view, tz_block(view))},
        "call_type": {"value": {"type": "static_select",
                                "selected_option": {"value": call_type}}},
        "outcome": {"value": {"type": "radio_buttons",
                              "selected_option": {"value": outcome} if outcome else None}},
        "prospect": {"prospect": {"type": "external_select", "selected_option": (
            {"value": str(prospect_id), "text": {"type": "plain_text", "text": "x"}}
            if prospect_id else None)}},
    }
    for field in NoteField:
        values[field.value] = {"value": notes.get(field.value, "")}
    date_block = next(b for b in view["blocks"] if b.get("block_id") == "next_date")
    chosen = next_date if next_date is not None else date_block["element"].get("initial_date")
    values["next_date"] = {"value": {"type": "datepicker", "selected_date": chosen}}
    return values


def _initial(view: dict, block_id: str) -> str:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return block["element"].get("initial_value", "")


def submit(slack: SlackSender, view: dict, *, user_id="U0001", team_id=None, **fields):
    return slack.view_submission("logcall", form_values(view, **fields), view_id=view["id"],
                                 user_id=user_id, team_id=team_id)


def log_call(slack, fake, *, user_id="U0001", team_id=None, text="", **fields):
    """Open the modal, submit it, and wait for the DM; returns (response, dm)."""
    view = open_modal(slack, fake, text, user_id=user_id, team_id=team_id)
    before = len(fake.messages_to(user_id))
    posts = len(fake.calls_to("chat.postMessage"))
    publishes = len(fake.calls_to("views.publish"))
    response = submit(slack, view, user_id=user_id, team_id=team_id, **fields)
    assert response.status_code == 200, response.text
    assert response.text in ("", "null") or "errors" not in response.json(), response.text
    fake.wait_for("chat.postMessage", posts + 1)
    fake.wait_for("views.publish", publishes + 1)  # App Home refreshes after every log
    return response, fake.messages_to(user_id)[before]


def message_text(message: dict) -> str:
    parts = [message.get("text", "")]
    for block in message.get("blocks", []):
        text = block.get("text")
        if isinstance(text, dict):
            parts.append(text.get("text", ""))
        for element in block.get("elements", []) or []:
            if isinstance(element, dict) and isinstance(element.get("text"), str):
                parts.append(element["text"])
    return "\n".join(parts)


def second_workspace(start_bot, fake: FakeSlack, team: str = "T0002") -> SlackSender:
    """Another workspace: its own deployment (a bot token of that team, so the bot serves
    that team only) over the same database. Returns a sender signing as that team."""
    from tests.conftest import SIGNING_SECRET

    fake.add_token(f"xoxb-{team.lower()}-token", team_id=team)
    url, _ = start_bot(slack_bot_token=f"xoxb-{team.lower()}-token")
    return SlackSender(f"{url}/slack/events", SIGNING_SECRET, fake=fake, team_id=team)
