"""bot/slack/uploads.py against the Slack stand-in, over real HTTP with slack_sdk."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.slack.uploads import ALT_TEXT_MAX, upload_png
from tests.slack_double import FakeSlack

PNG = b"\x89PNG\r\n\x1a\n" + b"chart bytes" * 100


@pytest.fixture
def client(fake_slack: FakeSlack) -> WebClient:
    return WebClient(token=fake_slack.bot_token, base_url=fake_slack.url, timeout=5)


def _upload(client: WebClient, **overrides) -> str:
    args = dict(filename="team-week.png", title="Team 2026-W48",
                alt_text="Connect rate by call step and per rep", comment="Your *team* chart")
    dm = client.chat_postMessage(channel="U0001", text="Your report")["channel"]
    return upload_png(client, dm, overrides.pop("png", PNG), **(args | overrides))


def test_the_png_lands_in_the_users_dm_with_its_alt_text(client, fake_slack):
    file_id = _upload(client)
    assert fake_slack.calls_to("conversations.open") == []  # no im:write needed
    [upload] = fake_slack.uploads_to("U0001")
    assert upload["id"] == file_id and upload["content"] == PNG
    assert (upload["filename"], upload["title"]) == ("team-week.png", "Team 2026-W48")
    assert upload["alt_txt"] == "Connect rate by call step and per rep"
    assert upload["initial_comment"] == "Your *team* chart"
    assert fake_slack.messages_to("U0001")[-1]["files"][0]["id"] == file_id
    assert fake_slack.uploads_to("U0002") == []


def test_long_alt_text_is_cut_to_slacks_limit(client, fake_slack):
    """Slack answers alt_txt_too_large beyond 1000 characters: the text is cut, not lost."""
    words = "Call 1 connects 4/9 (44%). " * 80
    _upload(client, alt_text=words)
    alt = fake_slack.uploads_to("U0001")[0]["alt_txt"]
    assert len(alt) <= ALT_TEXT_MAX and alt.endswith("…") and alt.startswith("Call 1 connects")


@pytest.mark.parametrize("alt_text", ["", "   ", "\u200b"])
def test_a_picture_without_alt_text_is_not_sent(client, fake_slack, alt_text):
    with pytest.raises(ValueError, match="alt text"):
        _upload(client, alt_text=alt_text)
    assert fake_slack.uploads_to("U0001") == []


def test_only_png_bytes_are_sent(client, fake_slack):
    with pytest.raises(ValueError, match="PNG"):
        _upload(client, png=b"GIF89a...")
    assert fake_slack.uploads_to("U0001") == []


@pytest.mark.parametrize("channel", ["U0001", "", None, "#general"])
def test_a_user_id_or_a_name_is_not_a_conversation(client, fake_slack, channel):
    with pytest.raises(ValueError, match="conversation id"):
        upload_png(client, channel, PNG, filename="a.png", title="t", alt_text="a chart")
    assert fake_slack.calls_to("files.getUploadURLExternal") == []


def test_a_token_without_files_write_surfaces_as_slacks_error(client, fake_slack):
    """Before the app is reinstalled with the new scope, the caller gets missing_scope."""
    fake_slack.granted_scopes = "commands,chat:write,users:read,files:read"
    with pytest.raises(SlackApiError) as info:
        _upload(client)
    assert info.value.response["error"] == "missing_scope"
    assert fake_slack.uploads_to("U0001") == []


def test_a_refused_upload_is_a_slack_request_error(client, fake_slack):
    """slack_sdk posts the bytes with urllib; its HTTPError becomes a slack_sdk error."""
    fake_slack.fail("upload_url", status=503)
    with pytest.raises(SlackRequestError, match="503"):
        _upload(client)
    assert fake_slack.calls_to("files.completeUploadExternal") == []
    assert [m.get("files") for m in fake_slack.messages_to("U0001")] == [None]  # the text
