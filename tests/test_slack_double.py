"""Tests for the fake Slack Web API (tests/slack_double.py) and SlackSender."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.error import HTTPError

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from tests.slack_double import FakeSlack, validate_blocks, validate_view
from tests.slack_requests import SlackSender


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock):
    with FakeSlack(clock=clock) as f:
        f.add_user("U0001", name="alice", real_name="Alice A")
        f.add_user("U0002", tz="Asia/Tokyo")
        f.add_user("UGONE", deleted=True)
        yield f


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=fake.bot_token, base_url=fake.url, timeout=5)


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def plain(text: str) -> dict:
    return {"type": "plain_text", "text": text}


def modal(title: str = "Follow up", blocks: list | None = None, **extra) -> dict:
    return {"type": "modal", "title": plain(title), "blocks": blocks or [section("hi")], **extra}


def error_of(fn, *args, **kwargs) -> SlackApiError:
    with pytest.raises(SlackApiError) as info:
        fn(*args, **kwargs)
    return info.value


# ---------------------------------------------------------------- happy paths


def test_auth_test(client: WebClient, fake: FakeSlack) -> None:
    resp = client.auth_test()
    assert (resp["team_id"], resp["user_id"], resp["bot_id"]) == ("T0001", "UBOT", "B0001")
    assert resp["user"] == "followup-bot" and resp["team"] == "Test Team" and resp["url"]
    call = fake.calls_to("auth.test")[0]
    assert (
        call.status == 200
        and call.response["ok"]
        and call.headers["Authorization"].endswith(fake.bot_token)
    )


@pytest.mark.parametrize("token", ["xoxb-wrong", None])
def test_invalid_auth(fake: FakeSlack, token: str | None) -> None:
    bad = WebClient(token=token, base_url=fake.url)
    assert error_of(bad.auth_test).response["error"] == "invalid_auth"
    assert (
        error_of(bad.chat_postMessage, channel="C1", text="x").response["error"] == "invalid_auth"
    )


def test_unknown_method(client: WebClient) -> None:
    assert error_of(client.api_call, "foo.bar").response["error"] == "unknown_method"


def test_users_info(client: WebClient) -> None:
    user = client.users_info(user="U0001")["user"]
    assert user["id"] == "U0001" and user["name"] == "alice" and user["team_id"] == "T0001"
    assert user["tz"] == "America/New_York" and user["tz_offset"] in (-18000, -14400)
    assert user["profile"]["real_name"] == "Alice A" and user["deleted"] is False
    assert client.users_info(user="U0002")["user"]["tz_offset"] == 9 * 3600
    assert client.users_info(user="UGONE")["user"]["deleted"] is True
    assert error_of(client.users_info, user="UNOPE").response["error"] == "user_not_found"


def test_users_info_as_get_with_query_params(fake: FakeSlack) -> None:
    resp = requests.get(
        fake.url + "users.info", params={"user": "U0001", "token": fake.bot_token}, timeout=5
    )
    assert resp.json()["user"]["id"] == "U0001"


def test_conversations_open(client: WebClient, fake: FakeSlack) -> None:
    fake.granted_scopes += ",im:write"  # the bot itself never opens conversations
    assert client.conversations_open(users="U0001")["channel"]["id"] == "DU0001"
    assert error_of(client.conversations_open, users="UNOPE").response["error"] == "user_not_found"


def test_post_message_and_messages_to(client: WebClient, fake: FakeSlack) -> None:
    first = client.chat_postMessage(channel="U0001", text="one")
    second = client.chat_postMessage(channel="DU0001", text="two", blocks=[section("two")])
    client.chat_postMessage(channel="C0001", text="elsewhere")
    assert first["channel"] == "DU0001" and float(second["ts"]) > float(first["ts"])
    assert second["message"]["blocks"] == [section("two")]
    assert [m["text"] for m in fake.messages_to("U0001")] == ["one", "two"]
    assert ("C0001", fake.calls_to("chat.postMessage")[2].response["ts"]) in fake.messages


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_post_message_errors(client: WebClient) -> None:
    assert error_of(client.chat_postMessage, channel="U0001").response["error"] == "no_text"
    assert (
        error_of(client.chat_postMessage, channel="UGONE", text="x").response["error"]
        == "account_inactive"
    )
    assert (
        error_of(client.chat_postMessage, channel="U0001", text="x" * 40001).response["error"]
        == "msg_too_long"
    )
    client.chat_postMessage(channel="U0001", text="x" * 40000)


def test_form_encoded_blocks_are_decoded(fake: FakeSlack) -> None:
    data = {"channel": "U0001", "text": "t", "blocks": json.dumps([section("b")])}
    resp = requests.post(
        fake.url + "chat.postMessage",
        data=data,
        timeout=5,
        headers={"Authorization": f"Bearer {fake.bot_token}"},
    )
    assert resp.json()["ok"] and fake.messages_to("U0001")[0]["blocks"] == [section("b")]


def test_post_ephemeral(client: WebClient, fake: FakeSlack) -> None:
    resp = client.chat_postEphemeral(channel="C0001", user="U0001", text="psst")
    assert (
        resp["message_ts"]
        and fake.ephemerals[0]["text"] == "psst"
        and fake.ephemerals[0]["user"] == "U0001"
    )


def test_chat_update(client: WebClient, fake: FakeSlack) -> None:
    posted = client.chat_postMessage(channel="U0001", text="before")
    resp = client.chat_update(channel=posted["channel"], ts=posted["ts"], text="after")
    assert resp["ts"] == posted["ts"]
    assert [m["text"] for m in fake.messages_to("U0001")] == ["after"]
    err = error_of(client.chat_update, channel=posted["channel"], ts="1.000001", text="x")
    assert err.response["error"] == "message_not_found"


def test_views_open_push_update_publish(client: WebClient, fake: FakeSlack) -> None:
    opened = client.views_open(trigger_id=fake.new_trigger_id(), view=modal(callback_id="cb"))[
        "view"
    ]
    assert opened["id"].startswith("V") and opened["hash"] and opened["state"] == {"values": {}}
    assert fake.views[opened["id"]]["callback_id"] == "cb"
    pushed = client.views_push(trigger_id=fake.new_trigger_id(), view=modal("Second"))["view"]
    assert pushed["id"] != opened["id"]
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal("Updated"))[
        "view"
    ]
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    assert fake.views[opened["id"]]["title"]["text"] == "Updated"
    home = {"type": "home", "blocks": [section("home")]}
    assert client.views_publish(user_id="U0001", view=home)["view"]["type"] == "home"
    assert fake.home_views["U0001"]["blocks"] == [section("home")]
    err = error_of(client.views_publish, user_id="U0001", view=modal())
    assert err.response["error"] == "invalid_arguments"
    err = error_of(client.views_open, trigger_id=fake.new_trigger_id(), view=home)
    assert err.response["error"] == "invalid_arguments"


def test_views_update_by_external_id_and_errors(client: WebClient, fake: FakeSlack) -> None:
    opened = client.views_open(trigger_id=fake.new_trigger_id(), view=modal(external_id="ext-1"))[
        "view"
    ]
    client.views_update(external_id="ext-1", view=modal("Via external"))
    assert fake.views[opened["id"]]["title"]["text"] == "Via external"
    err = error_of(client.views_update, view_id=opened["id"], hash=opened["hash"], view=modal())
    assert err.response["error"] == "hash_conflict"
    assert (
        error_of(client.views_update, view_id="VNOPE", view=modal()).response["error"]
        == "not_found"
    )


# ---------------------------------------------------------------- validation


def test_message_block_count_limit(client: WebClient) -> None:
    client.chat_postMessage(channel="U0001", text="ok", blocks=[section(str(i)) for i in range(50)])
    err = error_of(client.chat_postMessage, channel="U0001", text="x", blocks=[section("s")] * 51)
    assert err.response["error"] == "invalid_blocks"
    assert err.response["response_metadata"]["messages"][0].startswith("[ERROR]")


def test_section_text_limit(client: WebClient) -> None:
    client.chat_postMessage(channel="U0001", text="ok", blocks=[section("x" * 3000)])
    err = error_of(client.chat_postMessage, channel="U0001", text="x", blocks=[section("x" * 3001)])
    assert "/blocks/0/text/text" in err.response["response_metadata"]["messages"][0]


def test_modal_title_and_view_block_limits(client: WebClient, fake: FakeSlack) -> None:
    err = error_of(client.views_open, trigger_id=fake.new_trigger_id(), view=modal("x" * 25))
    assert err.response["error"] == "invalid_arguments"
    assert "/view/title/text" in err.response["response_metadata"]["messages"][0]
    client.views_open(trigger_id=fake.new_trigger_id(), view=modal("x" * 24, [section("s")] * 100))
    err = error_of(
        client.views_open, trigger_id=fake.new_trigger_id(), view=modal(blocks=[section("s")] * 101)
    )
    assert err.response["error"] == "invalid_arguments"


def test_button_text_limit(client: WebClient) -> None:
    def actions(text: str) -> list:
        return [
            {
                "type": "actions",
                "elements": [{"type": "button", "text": plain(text), "action_id": "a"}],
            }
        ]

    client.chat_postMessage(channel="U0001", text="ok", blocks=actions("x" * 75))
    err = error_of(client.chat_postMessage, channel="U0001", text="x", blocks=actions("x" * 76))
    assert err.response["error"] == "invalid_blocks"


def _select(n: int, text_len: int = 5, value_len: int = 5) -> dict:
    opts = [
        {"text": plain("t" * text_len), "value": f"{i}".ljust(value_len, "v")} for i in range(n)
    ]
    return {"type": "static_select", "action_id": "s", "options": opts}


def _input(element: dict, label: str = "Label") -> dict:
    return {"type": "input", "label": plain(label), "element": element}


@pytest.mark.parametrize(
    "blocks, surface",
    [
        ([{"type": "section", "fields": [plain("f")] * 11}], "message"),
        ([{"type": "section", "fields": [plain("f" * 3001)]}], "message"),
        ([{"type": "header", "text": plain("h" * 151)}], "message"),
        ([{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}], "message"),
        ([{"type": "context", "elements": [plain("c")] * 11}], "message"),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {"type": "button", "text": plain("b"), "action_id": f"a{i}"}
                        for i in range(26)
                    ],
                }
            ],
            "message",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [{"type": "button", "text": plain("b"), "action_id": "a"}] * 2,
                }
            ],
            "message",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [{"type": "button", "text": plain("b"), "value": "v" * 2001}],
                }
            ],
            "message",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [{"type": "button", "text": plain("b"), "url": "u" * 3001}],
                }
            ],
            "message",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [{"type": "button", "text": plain("b"), "action_id": "a" * 256}],
                }
            ],
            "message",
        ),
        ([{**section("a"), "block_id": "same"}, {**section("b"), "block_id": "same"}], "message"),
        ([{**section("a"), "block_id": "b" * 256}], "message"),
        ([_input(_select(101))], "modal"),
        ([_input(_select(1, text_len=76))], "modal"),
        ([_input(_select(1, value_len=151))], "modal"),
        ([_input({"type": "plain_text_input", "action_id": "p", "max_length": 3001})], "modal"),
        ([_input({"type": "plain_text_input", "action_id": "p", "min_length": 3001})], "modal"),
        (
            [
                _input(
                    {
                        "type": "plain_text_input",
                        "action_id": "p",
                        "max_length": 3,
                        "initial_value": "long",
                    }
                )
            ],
            "modal",
        ),
        (
            [
                _input(
                    {"type": "plain_text_input", "action_id": "p", "placeholder": plain("p" * 151)}
                )
            ],
            "modal",
        ),
        ([_input({"type": "plain_text_input", "action_id": "p"}, label="l" * 2001)], "modal"),
        ([{"type": "input", "label": plain("no element")}], "modal"),
        ([{"type": "nonsense"}], "home"),
    ],
)
def test_validate_blocks_rejects(blocks: list, surface: str) -> None:
    errors = validate_blocks(blocks, surface=surface)
    assert errors and all(e.startswith("[ERROR]") for e in errors)


def test_validate_blocks_accepts_rich_payload() -> None:
    blocks = [
        {"type": "header", "text": plain("h" * 150)},
        {
            "type": "section",
            "block_id": "s",
            "fields": [plain("f" * 3000)] * 10,
            "accessory": {
                "type": "button",
                "text": plain("b"),
                "action_id": "x",
                "value": "v" * 2000,
            },
        },
        {
            "type": "context",
            "elements": [plain("c")] * 9 + [{"type": "image", "image_url": "u", "alt_text": "a"}],
        },
        {"type": "divider"},
        _input(_select(100, text_len=75, value_len=150)),
        _input(
            {
                "type": "plain_text_input",
                "action_id": "p",
                "max_length": 3000,
                "initial_value": "ok",
            }
        ),
    ]
    assert validate_blocks(blocks, surface="modal") == []


def test_validate_view_rules() -> None:
    with_input = modal(blocks=[_input({"type": "plain_text_input", "action_id": "p"})])
    assert validate_view(with_input, expected_type="modal")
    assert validate_view({**with_input, "submit": plain("Save")}, expected_type="modal") == []
    assert validate_view({**modal(), "submit": plain("s" * 25)}, expected_type="modal")
    assert validate_view({**modal(), "private_metadata": "m" * 3001}, expected_type="modal")
    assert validate_view({**modal(), "callback_id": "c" * 256}, expected_type="modal")
    assert validate_view({"type": "modal", "blocks": []}, expected_type="modal")  # title required


# ---------------------------------------------------------------- triggers


def test_trigger_id_expiry_single_use_and_unknown(
    client: WebClient, fake: FakeSlack, clock: FakeClock
) -> None:
    fresh, stale = fake.new_trigger_id(), fake.new_trigger_id()
    clock.advance(2.9)
    client.views_open(trigger_id=fresh, view=modal())
    err = error_of(client.views_open, trigger_id=fresh, view=modal())
    assert err.response["error"] == "exchanged_trigger_id"
    clock.advance(0.2)
    assert (
        error_of(client.views_open, trigger_id=stale, view=modal()).response["error"]
        == "expired_trigger_id"
    )
    assert (
        error_of(client.views_push, trigger_id="nope", view=modal()).response["error"]
        == "invalid_trigger_id"
    )


# ---------------------------------------------------------------- faults & rate limits


def test_fail_with_error_then_recovers(client: WebClient, fake: FakeSlack) -> None:
    fake.fail("chat.postMessage", error="channel_not_found", times=2)
    for _ in range(2):
        assert (
            error_of(client.chat_postMessage, channel="U0001", text="x").response["error"]
            == "channel_not_found"
        )
    client.chat_postMessage(channel="U0001", text="x")
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [200, 200, 200]


def test_fail_with_http_500(client: WebClient, fake: FakeSlack) -> None:
    fake.fail("*", status=500)
    err = error_of(client.auth_test)
    assert err.response.status_code == 500 and fake.calls[-1].response is None
    client.auth_test()


def test_fail_with_429_retry_after(client: WebClient, fake: FakeSlack) -> None:
    fake.fail("users.info", retry_after=7)
    err = error_of(client.users_info, user="U0001")
    assert err.response.status_code == 429 and err.response.headers["Retry-After"] == "7"
    assert err.response["error"] == "ratelimited"


def test_fail_with_delay(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("auth.test", delay=0.3)
    started = time.monotonic()
    assert client.auth_test()["ok"]
    assert time.monotonic() - started >= 0.3
    slow = WebClient(token=fake.bot_token, base_url=fake.url, timeout=0.1, retry_handlers=[])
    fake.fail("auth.test", delay=0.5)
    with pytest.raises(OSError):  # socket timeout / URLError
        slow.auth_test()


def test_rate_limit(client: WebClient, fake: FakeSlack, clock: FakeClock) -> None:
    fake.set_rate_limit("chat.postMessage", per_second=0.5, burst=2)
    client.chat_postMessage(channel="U0001", text="1")
    client.chat_postMessage(channel="U0001", text="2")
    err = error_of(client.chat_postMessage, channel="U0001", text="3")
    assert err.response.status_code == 429 and err.response.headers["Retry-After"] == "2"
    assert fake.rate_limited["chat.postMessage"] == 1
    client.auth_test()  # other methods are not limited
    clock.advance(2)
    client.chat_postMessage(channel="U0001", text="4")
    assert [m["text"] for m in fake.messages_to("U0001")] == ["1", "2", "4"]


# ---------------------------------------------------------------- recording helpers


def test_wait_for(client: WebClient, fake: FakeSlack) -> None:
    threading.Timer(0.1, client.auth_test).start()
    assert len(fake.wait_for("auth.test", timeout=3)) == 1
    with pytest.raises(AssertionError, match="auth.test"):
        fake.wait_for("chat.postMessage", timeout=0.2)


def test_reset_keeps_users_and_tokens(client: WebClient, fake: FakeSlack) -> None:
    client.chat_postMessage(channel="U0001", text="x")
    fake.fail("*", error="boom")
    fake.reset()
    assert fake.calls == [] and fake.messages == {}
    assert client.users_info(user="U0001")["ok"]


def test_response_url_is_recorded(fake: FakeSlack) -> None:
    url = fake.new_response_url()
    assert requests.post(url, json={"text": "hi", "replace_original": True}, timeout=5).json()["ok"]
    assert fake.calls_to("response_url")[0].params["text"] == "hi"


# ---------------------------------------------------------------- file uploads

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 3


def test_files_upload_v2_shares_a_file_in_a_dm(client: WebClient, fake: FakeSlack) -> None:
    """The real slack_sdk flow: getUploadURLExternal, the bytes, completeUploadExternal."""
    dm = client.chat_postMessage(channel="U0001", text="Your report")["channel"]
    answer = client.files_upload_v2(channel=dm, content=PNG, filename="week.png",
                                    title="Team week", alt_txt="Connect rate by step",
                                    initial_comment="Your chart")
    file_id = answer["file"]["id"]
    assert [c.method for c in fake.calls[1:]] == [
        "files.getUploadURLExternal", "upload_url", "files.completeUploadExternal"]
    assert fake.calls_to("files.getUploadURLExternal")[0].params["length"] == str(len(PNG))
    [upload] = fake.uploads_to("U0001")
    assert upload == fake.uploads_to(dm)[0] and upload["id"] == file_id
    assert (upload["content"], upload["filename"], upload["title"]) == (PNG, "week.png",
                                                                        "Team week")
    assert upload["alt_txt"] == "Connect rate by step"
    assert upload["initial_comment"] == "Your chart" and upload["channels"] == [dm]
    _, message = fake.messages_to("U0001")  # the report's text, then the file
    assert message["text"] == "Your chart" and message["files"][0]["id"] == file_id
    assert client.files_info(file=file_id)["file"]["mimetype"] == "image/png"
    assert fake.uploads_to("U0002") == []


def test_the_upload_url_takes_a_multipart_form(client: WebClient, fake: FakeSlack) -> None:
    ticket = client.files_getUploadURLExternal(filename="a.png", length=len(PNG))
    form = {"filename": ("a.png", PNG, "image/png")}
    sent = requests.post(ticket["upload_url"], files=form, timeout=5)
    assert (sent.status_code, sent.text) == (200, f"OK - {len(PNG)}")
    client.files_completeUploadExternal(files=[{"id": ticket["file_id"], "title": "A"}],
                                        channel_id="DU0001")
    assert fake.uploads_to("U0001")[0]["content"] == PNG


def test_an_upload_of_the_wrong_length_is_refused(client: WebClient, fake: FakeSlack) -> None:
    ticket = client.files_getUploadURLExternal(filename="a.png", length=len(PNG) + 1)
    sent = requests.post(ticket["upload_url"], data=PNG, timeout=5)
    assert sent.status_code == 400 and fake.calls_to("upload_url")[0].status == 400
    files = [{"id": ticket["file_id"], "title": "A"}]
    error = error_of(client.files_completeUploadExternal, files=files, channel_id="DU0001")
    assert error.response["error"] == "file_not_found"
    assert fake.uploads_to("U0001") == [] and fake.messages_to("U0001") == []


def test_completing_an_unknown_or_unuploaded_id_fails(client: WebClient, fake: FakeSlack) -> None:
    def complete(file_id: str) -> str:
        return error_of(client.files_completeUploadExternal, files=[{"id": file_id}],
                        channel_id="DU0001").response["error"]

    assert complete("F0NEVER") == "file_not_found"
    issued = client.files_getUploadURLExternal(filename="a.png", length=3)["file_id"]
    assert complete(issued) == "file_not_found"  # issued, bytes never sent
    done = client.files_upload_v2(channel="DU0001", content=PNG, filename="b.png")
    assert complete(done["file"]["id"]) == "file_not_found"  # completes only once
    assert len(fake.uploads_to("U0001")) == 1


@pytest.mark.parametrize(("args", "error"), [
    ({"filename": "a.png", "length": 0}, "missing_argument"),
    ({"filename": "a.png", "length": -3}, "invalid_arguments"),
    ({"filename": "a.png", "length": "12kb"}, "invalid_arguments"),
    ({"filename": "a.png"}, "invalid_arguments"),
    ({"length": 12}, "invalid_arguments"),
    ({"filename": "a.png", "length": 12, "alt_txt": "x" * 1001}, "alt_txt_too_large"),
])
def test_get_upload_url_checks_its_arguments(client: WebClient, args: dict, error: str) -> None:
    answer = error_of(client.api_call, "files.getUploadURLExternal", params=args)
    assert answer.response["error"] == error


def test_alt_text_up_to_the_limit_under_either_name(client: WebClient, fake: FakeSlack) -> None:
    longest = client.files_getUploadURLExternal(filename="a.png", length=1, alt_txt="x" * 1000)
    node_name = client.api_call("files.getUploadURLExternal",
                                params={"filename": "b.png", "length": 1, "alt_text": "chart"})
    assert fake.uploads[longest["file_id"]]["alt_txt"] == "x" * 1000
    assert fake.uploads[node_name["file_id"]]["alt_txt"] == "chart"


def test_a_user_id_is_not_a_channel_id(client: WebClient, fake: FakeSlack) -> None:
    """Slack shares into a conversation: a DM's id (D...), never a user id."""
    error = error_of(client.files_upload_v2, channel="U0001", content=PNG, filename="a.png")
    assert error.response["error"] == "invalid_arguments"
    assert "^[CGDZ]" in error.response["response_metadata"]["messages"][0]
    assert fake.uploads_to("U0001") == []


def test_upload_methods_need_their_scopes(client: WebClient, fake: FakeSlack) -> None:
    fake.granted_scopes = "commands,chat:write,users:read,files:read"
    no_files = error_of(client.files_getUploadURLExternal, filename="a.png", length=1)
    assert (no_files.response["error"], no_files.response["needed"]) == ("missing_scope",
                                                                        "files:write")
    assert error_of(client.conversations_open,
                    users="U0001").response["error"] == "missing_scope"
    fake.granted_scopes += ",files:write,im:write"
    assert client.files_upload_v2(channel="DU0001", content=PNG, filename="a.png")["ok"]


@pytest.mark.filterwarnings("ignore:client.files_upload\\(\\) may cause")
def test_files_upload_was_retired(client: WebClient) -> None:
    error = error_of(client.files_upload, content="x", channels="DU0001", filename="a.txt")
    assert error.response["error"] == "method_deprecated"


def test_a_failing_upload_url_stops_the_flow(client: WebClient, fake: FakeSlack) -> None:
    """slack_sdk posts the bytes with urllib: a refused upload raises urllib's HTTPError."""
    fake.fail("upload_url", status=500)
    with pytest.raises(HTTPError, match="500"):
        client.files_upload_v2(channel="DU0001", content=PNG, filename="a.png")
    assert fake.calls_to("files.completeUploadExternal") == []
    fake.reset()
    assert fake.uploads == {}


# ---------------------------------------------------------------- SlackSender


def test_sign_matches_slack_sdk_verifier() -> None:
    sender = SlackSender("http://127.0.0.1:9/slack/events", "s3cret")
    body, ts = b"payload=%7B%7D", int(time.time())
    assert SignatureVerifier("s3cret").is_valid(body, ts, sender.sign(body, ts))
    assert not SignatureVerifier("other").is_valid(body, ts, sender.sign(body, ts))


@pytest.fixture
def bolt(fake: FakeSlack):
    """A real slack_bolt App behind a tiny HTTP server, talking to the fake."""
    slack_bolt = pytest.importorskip("slack_bolt")
    from slack_bolt.request import BoltRequest

    app = slack_bolt.App(
        client=WebClient(token=fake.bot_token, base_url=fake.url),
        signing_secret="s3cret",
        process_before_response=True,
    )
    seen: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            resp = app.dispatch(BoltRequest(body=body, headers=dict(self.headers.items())))
            data = (resp.body or "").encode()
            self.send_response(resp.status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    yield app, SlackSender(url, "s3cret", fake=fake), seen
    server.shutdown()
    server.server_close()


def test_sender_payloads_drive_a_real_bolt_app(bolt, fake: FakeSlack) -> None:
    app, sender, seen = bolt
    form = {
        "type": "modal",
        "callback_id": "cb",
        "title": plain("Follow up"),
        "submit": plain("Save"),
        "private_metadata": "meta",
        "blocks": [_input({"type": "plain_text_input", "action_id": "a"}) | {"block_id": "b"}],
    }

    @app.command("/followup")
    def on_command(ack, body, client):
        ack()
        seen["command_text"] = body["text"]
        client.views_open(trigger_id=body["trigger_id"], view=form)

    @app.view("cb")
    def on_submit(ack, view, body, client):
        ack()
        seen["submitted"] = (view["state"]["values"]["b"]["a"]["value"], view["private_metadata"])
        client.chat_postMessage(channel=body["user"]["id"], text="saved")

    @app.view_closed("cb")
    def on_closed(ack):
        ack()
        seen["closed"] = True

    @app.action("btn")
    def on_button(ack, action, respond):
        ack()
        seen["button"] = action["value"]
        respond("clicked")

    @app.action("choose")
    def on_choose(ack, action, body):
        ack()
        seen["chosen"] = (
            action["selected_option"]["value"],
            body["view"]["id"],
            body["container"]["type"],
        )

    @app.options("pick")
    def on_options(ack, payload):
        ack(options=[{"text": plain(payload["value"]), "value": "v1"}])

    @app.event("app_home_opened")
    def on_home(event, client):
        client.views_publish(
            user_id=event["user"], view={"type": "home", "blocks": [section("home")]}
        )

    assert sender.slash("/followup", "tomorrow").status_code == 200
    view_id = fake.wait_for("views.open")[0].response["view"]["id"]
    assert sender.view_submission("cb", {"b": {"a": "note"}}, view_id=view_id).status_code == 200
    assert seen["submitted"] == ("note", "meta") and fake.messages_to("U0001")[0]["text"] == "saved"
    assert sender.view_closed("cb").status_code == 200 and seen["closed"]
    message = fake.messages_to("U0001")[0]
    assert sender.block_action("btn", value="42", message=message).status_code == 200
    assert seen["button"] == "42" and fake.wait_for("response_url")[0].params["text"] == "clicked"
    view = fake.views[view_id]
    assert sender.block_action(
        "choose", selected_option="opt", view=view, action_type="static_select"
    ).ok
    assert seen["chosen"] == ("opt", view_id, "view")
    resp = sender.options("pick", "que")
    assert resp.json()["options"][0]["text"]["text"] == "que"
    assert (
        sender.event({"type": "app_home_opened", "user": "U0001", "tab": "home"}).status_code == 200
    )
    assert fake.home_views["U0001"]["blocks"] == [section("home")]
    assert seen["command_text"] == "tomorrow"
    assert (
        sender.send(
            b"command=%2Ffollowup", "application/x-www-form-urlencoded", signature="v0=bad"
        ).status_code
        == 401
    )
