"""Signed inbound Slack requests (slash commands, interactivity, events) for tests.

Payload shapes follow what Slack sends and what slack_bolt reads from them.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import requests

if TYPE_CHECKING:
    from tests.slack_double import FakeSlack

VERIFICATION_TOKEN = "verification-token"  # legacy field; Bolt does not check it


def _state_values(values: dict) -> dict:
    """``{block_id: {action_id: x}}``; a non-dict ``x`` becomes a plain_text_input value."""
    return {
        block_id: {
            action_id: (v if isinstance(v, dict) else {"type": "plain_text_input", "value": v})
            for action_id, v in actions.items()
        }
        for block_id, actions in values.items()
    }


class SlackSender:
    """Sends requests to the app the way Slack does, signed with ``signing_secret``.

    With ``fake`` given, trigger ids come from ``fake.new_trigger_id()``, response_urls
    point at the fake, and views known to the fake are used as the base of view payloads.
    """

    def __init__(
        self,
        app_url: str,
        signing_secret: str,
        *,
        fake: FakeSlack | None = None,
        team_id: str = "T0001",
        api_app_id: str = "A0001",
    ):
        self.app_url, self.signing_secret, self.fake = app_url, signing_secret, fake
        self.team_id, self.api_app_id = team_id, api_app_id
        self.team_domain = "test-team"

    # -- low level
    def sign(self, body: bytes, timestamp: int) -> str:
        base = f"v0:{timestamp}:".encode() + body
        return "v0=" + hmac.new(self.signing_secret.encode(), base, hashlib.sha256).hexdigest()

    def send(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> requests.Response:
        """POST a raw body; signs it unless ``signature`` is given."""
        ts = int(time.time()) if timestamp is None else timestamp
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": self.sign(body, ts) if signature is None else signature,
        }
        return requests.post(self.app_url, data=body, headers=headers, timeout=10)

    def _form(self, fields: dict) -> requests.Response:
        return self.send(urlencode(fields).encode(), "application/x-www-form-urlencoded")

    def _payload(self, payload: dict) -> requests.Response:
        return self._form({"payload": json.dumps(payload)})

    # -- building blocks
    def _trigger_id(self, trigger_id: str | None) -> str:
        if trigger_id:
            return trigger_id
        if self.fake is not None:
            return self.fake.new_trigger_id()
        return f"{int(time.time())}.{secrets.randbelow(10**9)}.{secrets.token_hex(8)}"

    def _response_url(self) -> str:
        return self.fake.new_response_url() if self.fake else "http://127.0.0.1:9/response/0"

    def _user(self, user_id: str, team: str) -> dict:
        rec = self.fake.users.get(user_id) if self.fake else None
        name = rec["name"] if rec else user_id.lower()
        return {"id": user_id, "username": name, "name": name, "team_id": team}

    def _common(self, user_id: str, team_id: str | None) -> dict:
        team = team_id or self.team_id
        return {
            "team": {"id": team, "domain": self.team_domain},
            "user": self._user(user_id, team),
            "api_app_id": self.api_app_id,
            "token": VERIFICATION_TOKEN,
            "is_enterprise_install": False,
            "enterprise": None,
        }

    def _view(
        self,
        view_id: str,
        callback_id: str,
        private_metadata: str,
        team: str,
        values: dict | None = None,
        hash: str | None = None,
    ) -> dict:
        stored = self.fake.views.get(view_id) if self.fake else None
        view = {
            "id": view_id,
            "team_id": team,
            "type": "modal",
            "blocks": [],
            "title": {"type": "plain_text", "text": "Modal"},
            "close": None,
            "submit": None,
            "private_metadata": "",
            "clear_on_close": False,
            "notify_on_close": False,
            "root_view_id": view_id,
            "previous_view_id": None,
            "app_id": self.api_app_id,
            "external_id": "",
            "bot_id": "B0001",
            "hash": "h1",
            **copy.deepcopy(stored or {}),
        }
        view.update(
            callback_id=callback_id,
            app_installed_team_id=team,
            state={"values": _state_values(values or {})},
        )
        if private_metadata:
            view["private_metadata"] = private_metadata
        if hash is not None:
            view["hash"] = hash
        return view

    # -- slash commands
    def slash(
        self,
        command: str,
        text: str = "",
        *,
        user_id: str = "U0001",
        team_id: str | None = None,
        channel_id: str = "C0001",
        trigger_id: str | None = None,
    ) -> requests.Response:
        return self._form(
            {
                "token": VERIFICATION_TOKEN,
                "team_id": team_id or self.team_id,
                "team_domain": self.team_domain,
                "channel_id": channel_id,
                "channel_name": "directmessage" if channel_id.startswith("D") else "general",
                "user_id": user_id,
                "user_name": self._user(user_id, "")["name"],
                "command": command,
                "text": text,
                "api_app_id": self.api_app_id,
                "is_enterprise_install": "false",
                "response_url": self._response_url(),
                "trigger_id": self._trigger_id(trigger_id),
            }
        )

    # -- interactivity
    def block_action(
        self,
        action_id: str,
        *,
        value: str | None = None,
        user_id: str = "U0001",
        team_id: str | None = None,
        block_id: str = "b",
        selected_option: dict | str | None = None,
        selected_date: str | None = None,
        trigger_id: str | None = None,
        message: dict | None = None,
        view: dict | None = None,
        channel_id: str | None = None,
        action_type: str = "button",
    ) -> requests.Response:
        """A ``block_actions`` payload from a message (``message``/``channel_id``) or a view."""
        action: dict[str, Any] = {
            "type": action_type,
            "action_id": action_id,
            "block_id": block_id,
            "action_ts": f"{time.time():.6f}",
        }
        if action_type == "button":
            action["text"] = {"type": "plain_text", "text": action_id}
        if value is not None:
            action["value"] = value
        if isinstance(selected_option, str):
            selected_option = {
                "text": {"type": "plain_text", "text": selected_option},
                "value": selected_option,
            }
        if selected_option is not None:
            action["selected_option"] = selected_option
        if selected_date is not None:
            action["selected_date"] = selected_date
        payload = {
            "type": "block_actions",
            **self._common(user_id, team_id),
            "trigger_id": self._trigger_id(trigger_id),
            "actions": [action],
            "state": {"values": {}},
        }
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.get("id")}
            payload["view"] = {"state": {"values": {}}, **view}
        channel = channel_id or (message or {}).get("channel")
        if channel:
            payload["channel"] = {
                "id": channel,
                "name": "directmessage" if channel.startswith("D") else "general",
            }
        if message is not None or (channel and view is None):
            payload["container"] = {
                "type": "message",
                "message_ts": (message or {}).get("ts"),
                "channel_id": channel,
                "is_ephemeral": False,
            }
            payload["response_url"] = self._response_url()
            if message is not None:
                payload["message"] = message
        return self._payload(payload)

    def view_submission(
        self,
        callback_id: str,
        values: dict,
        *,
        private_metadata: str = "",
        user_id: str = "U0001",
        team_id: str | None = None,
        view_id: str = "V0001",
        hash: str = "h1",
        trigger_id: str | None = None,
    ) -> requests.Response:
        """``values`` is ``{block_id: {action_id: value_dict_or_str}}`` (str -> plain_text_input).

        If ``fake`` knows ``view_id`` (e.g. one returned by views.open) the stored view is
        used as the base, so ``blocks``, ``title``, ``private_metadata`` and ``hash`` match it
        (an explicit non-empty private_metadata or a hash other than "h1" still wins).
        """
        common = self._common(user_id, team_id)
        team = common["team"]["id"]
        view = self._view(
            view_id, callback_id, private_metadata, team, values, None if hash == "h1" else hash
        )
        return self._payload(
            {
                "type": "view_submission",
                **common,
                "trigger_id": self._trigger_id(trigger_id),
                "view": view,
                "response_urls": [],
            }
        )

    def view_closed(
        self,
        callback_id: str,
        *,
        private_metadata: str = "",
        user_id: str = "U0001",
        team_id: str | None = None,
    ) -> requests.Response:
        common = self._common(user_id, team_id)
        view = self._view("V0001", callback_id, private_metadata, common["team"]["id"])
        return self._payload({"type": "view_closed", **common, "view": view, "is_cleared": False})

    def options(
        self,
        action_id: str,
        value: str,
        *,
        user_id: str = "U0001",
        team_id: str | None = None,
        block_id: str = "b",
        callback_id: str = "",
        private_metadata: str = "",
    ) -> requests.Response:
        """A ``block_suggestion`` (external_select options load) payload."""
        common = self._common(user_id, team_id)
        view = self._view("V0001", callback_id, private_metadata, common["team"]["id"])
        return self._payload(
            {
                "type": "block_suggestion",
                **common,
                "action_id": action_id,
                "block_id": block_id,
                "value": value,
                "container": {"type": "view", "view_id": view["id"]},
                "view": view,
            }
        )

    # -- Events API
    def event(
        self, event: dict, *, team_id: str | None = None, event_id: str | None = None
    ) -> requests.Response:
        """Wrap ``event`` in an ``event_callback`` envelope and POST it as JSON."""
        team = team_id or self.team_id
        bot_user = self.fake.bot_user_id if self.fake else "UBOT"
        body = {
            "token": VERIFICATION_TOKEN,
            "team_id": team,
            "api_app_id": self.api_app_id,
            "event": {"event_ts": f"{time.time():.6f}", **event},
            "type": "event_callback",
            "event_id": event_id or "Ev" + secrets.token_hex(5).upper(),
            "event_time": int(time.time()),
            "is_ext_shared_channel": False,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team,
                    "user_id": bot_user,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "event_context": "4-" + secrets.token_hex(8),
        }
        return self.send(json.dumps(body).encode(), "application/json")
