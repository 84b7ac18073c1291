"""A picture into someone's DM, with Slack's current upload flow (scope ``files:write``).

``files.upload`` was retired in 2025. slack_sdk's ``files_upload_v2`` makes the three
requests that replace it: ``files.getUploadURLExternal`` (name, byte count, alt text), a
POST of the bytes to the URL it answered, and ``files.completeUploadExternal``, which shares
the file into a channel. That last call takes a conversation id and refuses a user id: the
caller passes the DM's id, which the answer to its own ``chat.postMessage`` to the user
carries (``channel``: ``D...``), so no ``conversations.open`` and no ``im:write`` scope.

Alt text is required: it is what a screen reader says instead of the picture. Slack refuses
more than 1000 characters (``alt_txt_too_large``), so longer text is cut, on a grapheme
boundary, with an ellipsis.

Failures are slack_sdk's exceptions, for the caller to judge: ``SlackApiError`` when a
method answers an error (``missing_scope`` before the app is reinstalled with the new
scopes), ``SlackRequestError`` when Slack could not be reached or refused the bytes.
slack_sdk posts the bytes with urllib, whose HTTPError (and any other OSError, a time-out
too) would otherwise escape as a different kind of error; it is turned into a
SlackRequestError here, so a caller catches two classes, not five.
"""

from __future__ import annotations

from slack_sdk.errors import SlackRequestError

from bot.domain.text import has_visible_text
from bot.slack.text import clip

ALT_TEXT_MAX = 1000  # characters; files.getUploadURLExternal answers alt_txt_too_large beyond
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def alt_text_for_slack(text: str) -> str:
    """``text`` as Slack takes it: at most 1000 characters. ValueError when nothing
    visible is left: a picture without a description shuts screen reader users out."""
    if not has_visible_text(text):
        raise ValueError("alt text is required: describe what the picture shows")
    return clip(text.strip(), ALT_TEXT_MAX)


def upload_png(client, channel: str, png: bytes, *, filename: str, title: str,
               alt_text: str, comment: str | None = None) -> str:
    """Share ``png`` in the conversation ``channel`` (a DM's ``D...`` id); Slack's file id.

    ``comment`` is the message that introduces the file, as mrkdwn: user text in it must
    already be escaped (bot.slack.text). Nothing is sent when ``png`` is not a PNG, the
    alt text is blank or ``channel`` is not a conversation id (ValueError)."""
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("upload_png needs PNG bytes")
    if not isinstance(channel, str) or channel[:1] not in ("C", "G", "D", "Z"):
        raise ValueError(f"upload_png needs a conversation id, got {channel!r}")
    alt = alt_text_for_slack(alt_text)
    try:
        answer = client.files_upload_v2(channel=channel, content=png, filename=filename,
                                        title=title, alt_txt=alt, initial_comment=comment)
    except OSError as exc:  # urllib's HTTPError / URLError, time-outs, refused connections
        raise SlackRequestError(f"the upload to Slack failed: {exc}") from exc
    return answer["file"]["id"]
