"""Reading a file someone uploaded to Slack (``files:read``): files.info, then its
``url_private_download`` fetched with the bot token.

The token goes only to Slack's own file host (or the API host the bot is configured with,
for the stand-in), never through a redirect: Slack answers a token it does not accept with
a sign-in page, which is refused here rather than read as a CSV.
"""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit

from slack_sdk.errors import SlackApiError

MAX_BYTES = 10 * 2**20  # about 60,000 contacts; more is a file to split
SLACK_FILE_HOSTS = frozenset({"files.slack.com"})


class FileProblem(Exception):
    """The file cannot be read; the message says why, for the person who uploaded it."""


@dataclass(frozen=True)
class SlackFile:
    id: str
    name: str
    data: bytes


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: PLR0913
        raise FileProblem("Slack sent the file somewhere else; it was not downloaded")


def _allowed(url: str, api_url: str) -> bool:
    parts, api = urlsplit(url), urlsplit(api_url)
    if parts.scheme == "https" and parts.hostname in SLACK_FILE_HOSTS:
        return True
    return (parts.scheme, parts.hostname, parts.port) == (api.scheme, api.hostname, api.port)


def read_uploaded_file(client, file_id: str, user_id: str) -> SlackFile:
    """The file ``user_id`` uploaded (someone else's is refused: the id came with a
    request, so its owner is checked)."""
    try:
        info = client.files_info(file=file_id)["file"]
    except SlackApiError as exc:
        error = exc.response.get("error")
        if error == "missing_scope":
            raise FileProblem("The bot may not read files yet: an admin must add the "
                              "files:read scope and reinstall the app.") from None
        raise FileProblem(f"Slack would not give me that file ({error}).") from None
    if info.get("user") != user_id:
        raise FileProblem("That file was uploaded by someone else.")
    if (info.get("size") or 0) > MAX_BYTES:
        raise FileProblem(f"The file is larger than {MAX_BYTES // 2**20} MB: split it.")
    url = info.get("url_private_download") or ""
    if not _allowed(url, client.base_url):
        raise FileProblem("Slack gave a download address that is not Slack's.")
    request = urllib.request.Request(  # noqa: S310 - _allowed() checked scheme and host
        url, headers={"Authorization": f"Bearer {client.token}"})
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=30) as answer:
            if answer.headers.get_content_type() == "text/html":
                raise FileProblem("Slack answered with a sign-in page instead of the file: "
                                  "the app needs the files:read scope (reinstall it).")
            data = answer.read(MAX_BYTES + 1)
    except (HTTPError, URLError, TimeoutError, ValueError) as exc:  # InvalidURL too
        raise FileProblem(f"The download from Slack failed ({exc}).") from None
    if len(data) > MAX_BYTES:
        raise FileProblem(f"The file is larger than {MAX_BYTES // 2**20} MB: split it.")
    return SlackFile(file_id, str(info.get("name") or "file.csv"), data)
