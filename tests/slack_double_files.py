"""Slack's file upload flow, for the stand-in in tests/slack_double.py (a mixin of FakeSlack).

slack_sdk's ``WebClient.files_upload_v2`` makes three requests, and so does this fake:

1. ``files.getUploadURLExternal`` (filename, length, optional alt text) answers an
   ``upload_url`` on the fake's own HTTP server and a ``file_id``;
2. a POST of the bytes to that URL (slack_sdk sends them raw; Slack also takes a multipart
   form, as curl ``-F`` sends it): stored when their count is the announced ``length``;
3. ``files.completeUploadExternal`` (``files`` a JSON list of ``{id, title}``, ``channel_id``
   or ``channels``, ``initial_comment``, ``thread_ts``) shares the file: a message with the
   file lands in the channel, as Slack posts one, and ``uploads_to`` lists it.

Where Slack documents no exact answer, the stand-in picks a strict one and says so: an upload
whose byte count differs from its ``length`` gets HTTP 400 and is not stored, and completing
an id that was never issued, never uploaded, uploaded with the wrong length, belongs to
another workspace or was completed already answers ``file_not_found``.

``files.upload`` was retired in 2025: it answers ``method_deprecated``. The methods check the
token's scopes (``granted_scopes``) the way Slack does, answering ``missing_scope``.
"""

from __future__ import annotations

import json
import re
import secrets
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from typing import Any

ALT_TEXT_MAX = 1000  # Slack: alt_txt_too_large beyond 1000 characters
UPLOAD_PATH = "/upload/v1/"
# Slack checks channel_id against ^[CGDZ][A-Z0-9]{8,}$ (a user id is refused); the
# stand-in's own ids ("DU0001") are shorter, so only the first letter is held to it.
_CHANNEL_ID = re.compile(r"^[CGDZ][A-Z0-9]+$")
_CHANNEL_ID_ERROR = ("[ERROR] input must match regex pattern: ^[CGDZ][A-Z0-9]{8,}$ "
                     "[json-pointer:/channel_id]")
_MIMETYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
              "gif": "image/gif", "csv": "text/csv", "txt": "text/plain", "pdf": "application/pdf"}
# Any one of these scopes lets a bot token call the method.
NEEDED_SCOPES = {
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
    "conversations.open": ("im:write", "mpim:write", "channels:manage", "groups:write"),
}


def _fail(error: str, messages: list[str] | None = None) -> None:
    from tests.slack_double import SlackError  # imported late: slack_double imports us

    raise SlackError(error, messages)


def _length(value: Any) -> int:
    """``length`` as Slack reads it: a whole number of bytes, more than zero."""
    if value is None or value == "":
        _fail("invalid_arguments", ["[ERROR] missing required field: length "
                                    "[json-pointer:/length]"])
    if isinstance(value, bool) or not re.fullmatch(r"-?\d+", str(value).strip()):
        _fail("invalid_arguments", ["[ERROR] must be an integer [json-pointer:/length]"])
    length = int(str(value).strip())
    if length == 0:
        _fail("missing_argument")  # Slack's documented answer to a length of 0
    if length < 0:
        _fail("invalid_arguments", ["[ERROR] must be a positive integer "
                                    "[json-pointer:/length]"])
    return length


def _files_arg(value: Any) -> list[dict]:
    """``files``: a JSON array (slack_sdk sends it as a string) of objects with an ``id``."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            _fail("invalid_arguments", ["[ERROR] must be a JSON array [json-pointer:/files]"])
    if not isinstance(value, list) or not value:
        _fail("invalid_arguments", ["[ERROR] must provide at least 1 items "
                                    "[json-pointer:/files]"])
    for i, item in enumerate(value):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            _fail("invalid_arguments", [f"[ERROR] missing required field: id "
                                        f"[json-pointer:/files/{i}/id]"])
    return value


def upload_body(raw: bytes, content_type: str) -> bytes | None:
    """The file's bytes in an upload POST: the body itself, or the form part that carries a
    filename when it is multipart; None when a form has no file."""
    if not content_type.lower().startswith("multipart/form-data"):
        return raw
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    form = BytesParser(policy=HTTP).parsebytes(head + raw)
    for part in form.iter_parts():
        if part.get_filename() is not None:
            return part.get_payload(decode=True) or b""
    return None


class FileUploads:
    """The upload methods of FakeSlack; they run with its lock held, like every method."""

    uploads: dict[str, dict]  # file_id -> record, from getUploadURLExternal on

    # -- test-facing
    def uploads_to(self, channel_or_user: str) -> list[dict]:
        """Files shared into a channel, or into a user's DM when given a user id: records
        with id, filename, title, alt_txt, content (bytes), initial_comment, thread_ts."""
        target = channel_or_user
        if target[:1] in ("U", "W"):
            target = "D" + target
        with self._lock:  # type: ignore[attr-defined]
            return [dict(rec) for rec in self.uploads.values()
                    if rec["state"] == "shared" and target in rec["channels"]]

    def _missing_scope(self, method: str) -> dict | None:
        needed = NEEDED_SCOPES.get(method)
        granted_text = self.granted_scopes  # type: ignore[attr-defined]
        if needed is None or granted_text is None:
            return None
        granted = {scope.strip() for scope in granted_text.split(",")}
        if granted & set(needed):
            return None
        return {"ok": False, "error": "missing_scope", "needed": ",".join(needed),
                "provided": granted_text}

    # -- step 1
    def _api_files_getUploadURLExternal(self, p: dict, team: str) -> dict:
        filename = str(p.get("filename") or "")
        if not filename:
            _fail("invalid_arguments", ["[ERROR] missing required field: filename "
                                        "[json-pointer:/filename]"])
        length = _length(p.get("length"))
        alt = p.get("alt_txt", p.get("alt_text"))
        if alt is not None and len(str(alt)) > ALT_TEXT_MAX:
            _fail("alt_txt_too_large")
        file_id = f"F{next(self._seq):08d}"  # type: ignore[attr-defined]
        token = secrets.token_urlsafe(12)
        self.uploads[file_id] = dict(
            id=file_id, team=team, filename=filename, length=length,
            alt_txt=None if alt is None else str(alt), snippet_type=p.get("snippet_type"),
            token=token, content=None, state="pending", channels=[])
        return {"upload_url": f"{self.base_url}{UPLOAD_PATH}{token}",  # type: ignore[attr-defined]
                "file_id": file_id}

    # -- step 2 (plain HTTP, no token: the URL itself is the permission)
    def _serve_upload(self, req: BaseHTTPRequestHandler, path: str, raw: bytes) -> None:
        from tests.slack_double import Call

        headers = dict(req.headers.items())
        fault = self._take_fault("upload_url")  # type: ignore[attr-defined]
        with self._lock:  # type: ignore[attr-defined]
            status, text, rec = self._receive(path[len(UPLOAD_PATH):], raw, headers, fault)
            params = {"file_id": rec and rec["id"], "bytes": len(raw)}
            self.calls.append(Call("upload_url", params, headers, status, None,  # type: ignore[attr-defined]
                                   self._clock(), rec and rec["team"]))  # type: ignore[attr-defined]
            self._cond.notify_all()  # type: ignore[attr-defined]
        data = text.encode()
        req.send_response(status)
        req.send_header("Content-Type", "text/plain; charset=utf-8")
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        req.wfile.write(data)

    def _receive(self, token: str, raw: bytes, headers: dict,
                 fault: Any) -> tuple[int, str, dict | None]:
        rec = next((u for u in self.uploads.values() if u["token"] == token), None)
        if fault is not None and fault.status is not None:
            return fault.status, f"{fault.status} fake error", rec
        if rec is None or rec["state"] == "shared":
            return 404, "upload URL not found", rec
        data = upload_body(raw, headers.get("Content-Type") or headers.get("content-type") or "")
        if data is None:
            return 400, "the form carries no file", rec
        if len(data) != rec["length"]:
            return 400, f"expected {rec['length']} bytes, received {len(data)}", rec
        rec["content"], rec["state"] = data, "uploaded"
        return 200, f"OK - {len(data)}", rec

    # -- step 3
    def _share_targets(self, p: dict) -> list[str]:
        targets: list[str] = []
        channel_id = p.get("channel_id")
        if channel_id:
            if not _CHANNEL_ID.match(str(channel_id)):
                _fail("invalid_arguments", [_CHANNEL_ID_ERROR])
            targets.append(str(channel_id))
        targets += [c for c in str(p.get("channels") or "").split(",") if c]  # ids or users
        resolved = [self._resolve_channel(c) for c in targets]  # type: ignore[attr-defined]
        if p.get("thread_ts") and len(resolved) != 1:
            _fail("invalid_arguments", ["[ERROR] thread_ts needs exactly one channel"])
        return list(dict.fromkeys(resolved))

    def _api_files_completeUploadExternal(self, p: dict, team: str) -> dict:
        wanted = _files_arg(p.get("files"))
        channels = self._share_targets(p)
        records = []
        for item in wanted:
            rec = self.uploads.get(item["id"])
            if rec is None or rec["team"] != team or rec["state"] != "uploaded":
                _fail("file_not_found")
            records.append((rec, item))
        for rec, item in records:
            rec.update(title=item.get("title") or rec["filename"], state="shared",
                       channels=channels, initial_comment=p.get("initial_comment"),
                       thread_ts=p.get("thread_ts"), user=self.bot_user_id)  # type: ignore[attr-defined]
            self._keep_file(rec)
        for channel in channels:
            self._post_share(channel, [rec for rec, _ in records], p)
        return {"files": [self._file_json(self.files[rec["id"]])  # type: ignore[attr-defined]
                          | {"title": rec["title"]} for rec, _ in records]}

    def _keep_file(self, rec: dict) -> None:
        """The shared file, as files.info and its download address know it."""
        kind = rec["filename"].rsplit(".", 1)[-1].lower() if "." in rec["filename"] else ""
        self.files[rec["id"]] = dict(  # type: ignore[attr-defined]
            id=rec["id"], name=rec["filename"], user=rec["user"], team=rec["team"],
            filetype=kind, mimetype=_MIMETYPES.get(kind, "application/octet-stream"),
            size=len(rec["content"]), content=rec["content"], url=None)

    def _post_share(self, channel: str, records: list[dict], p: dict) -> None:
        ts = self._new_ts()  # type: ignore[attr-defined]
        message = {
            "type": "message", "subtype": "file_share", "upload": True,
            "text": p.get("initial_comment") or "",
            "files": [self._file_json(self.files[r["id"]]) for r in records],  # type: ignore[attr-defined]
            "user": self.bot_user_id, "bot_id": self.bot_id,  # type: ignore[attr-defined]
            "channel": channel, "ts": ts,
        }
        if p.get("thread_ts"):
            message["thread_ts"] = p["thread_ts"]
        self.messages[(channel, ts)] = message  # type: ignore[attr-defined]
        for rec in records:
            rec["ts"] = ts

    def _api_files_upload(self, p: dict, team: str) -> dict:
        _fail("method_deprecated")  # retired in 2025: files_upload_v2 is the way
        return {}
