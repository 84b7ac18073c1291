"""A fake Slack Web API served over real HTTP, for tests.

``slack_sdk.WebClient(token=fake.bot_token, base_url=fake.url)`` works against it
unmodified. Every call is recorded in ``fake.calls``; state (messages, views, home
tabs) is kept so tests can assert on what the app would have shown to users.
"""

from __future__ import annotations

import itertools
import json
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit
from zoneinfo import ZoneInfo

from tests.slack_double_files import UPLOAD_PATH, FileUploads

# ---------------------------------------------------------------- validation

MAX_BLOCKS = {"message": 50, "modal": 100, "home": 100}
PLAIN = ("plain_text",)
ANY_TEXT = ("plain_text", "mrkdwn")
_NO_CHECK_BLOCKS = {"divider", "image", "rich_text", "file", "video", "markdown", "call"}


def _err(msg: str, ptr: str) -> str:
    return f"[ERROR] {msg} [json-pointer:{ptr}]"


def _maxlen(value: Any, n: int, ptr: str) -> list[str]:
    if value is not None and len(str(value)) > n:
        return [_err(f"must be less than {n + 1} characters", ptr)]
    return []


def _items(items: Any, ptr: str, most: int, least: int = 0) -> list[str]:
    if not isinstance(items, list):
        return [_err("must be an array", ptr)]
    if len(items) > most:
        return [_err(f"must provide no more than {most} items", ptr)]
    if len(items) < least:
        return [_err(f"must provide at least {least} items", ptr)]
    return []


def _text(
    obj: Any, ptr: str, max_len: int, kinds: tuple[str, ...] = ANY_TEXT, required: bool = True
) -> list[str]:
    """Validate a composition text object (``{"type": "plain_text", "text": ...}``)."""
    if obj is None:
        return [_err("missing required field", ptr)] if required else []
    if not isinstance(obj, dict) or obj.get("type") not in kinds:
        return [_err(f"must be a text object of type {' or '.join(kinds)}", ptr)]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [_err("must be a non-empty string", ptr + "/text")]
    return _maxlen(text, max_len, ptr + "/text")


def _options(opts: Any, ptr: str, kinds: tuple[str, ...]) -> list[str]:
    errs = _items(opts, ptr, 100)
    for i, opt in enumerate(opts if isinstance(opts, list) else []):
        opt = opt if isinstance(opt, dict) else {}
        errs += _text(opt.get("text"), f"{ptr}/{i}/text", 75, kinds)
        errs += _maxlen(opt.get("value"), 150, f"{ptr}/{i}/value")
    return errs


def _element(el: Any, ptr: str) -> list[str]:
    """Validate an interactive element (button, select, input, ...)."""
    if not isinstance(el, dict) or not isinstance(el.get("type"), str):
        return [_err("must be an element object with a type", ptr)]
    kind = el["type"]
    errs = _maxlen(el.get("action_id"), 255, ptr + "/action_id")
    if kind == "button":
        errs += _text(el.get("text"), ptr + "/text", 75, PLAIN)
        errs += _maxlen(el.get("value"), 2000, ptr + "/value")
        errs += _maxlen(el.get("url"), 3000, ptr + "/url")
    if "placeholder" in el:
        errs += _text(el["placeholder"], ptr + "/placeholder", 150, PLAIN)
    if kind == "plain_text_input":
        max_len, min_len = el.get("max_length"), el.get("min_length")
        for key, val in (("max_length", max_len), ("min_length", min_len)):
            if val is not None and (not isinstance(val, int) or val > 3000):
                errs.append(_err("must be an integer no greater than 3000", f"{ptr}/{key}"))
        initial = el.get("initial_value")
        if isinstance(max_len, int) and isinstance(initial, str) and len(initial) > max_len:
            errs.append(_err("must be no longer than max_length", ptr + "/initial_value"))
    kinds = PLAIN if kind.endswith("_select") or kind == "overflow" else ANY_TEXT
    if "options" in el:
        errs += _options(el["options"], ptr + "/options", kinds)
    for i, group in enumerate(el.get("option_groups") or []):
        errs += _options((group or {}).get("options"), f"{ptr}/option_groups/{i}/options", kinds)
    return errs


def _section(b: dict, p: str) -> list[str]:
    if "text" not in b and "fields" not in b:
        return [_err("must provide either text or fields", p)]
    errs = _text(b.get("text"), p + "/text", 3000, required=False)
    if "fields" in b:
        errs += _items(b["fields"], p + "/fields", 10, 1)
        for i, f in enumerate(b["fields"] if isinstance(b["fields"], list) else []):
            errs += _text(f, f"{p}/fields/{i}", 3000)
    if "accessory" in b:
        errs += _element(b["accessory"], p + "/accessory")
    return errs


def _context(b: dict, p: str) -> list[str]:
    errs = _items(b.get("elements"), p + "/elements", 10, 1)
    for i, el in enumerate(b.get("elements") if isinstance(b.get("elements"), list) else []):
        if not (isinstance(el, dict) and el.get("type") == "image"):
            errs += _text(el, f"{p}/elements/{i}", 3000)
    return errs


def _actions(b: dict, p: str) -> list[str]:
    errs = _items(b.get("elements"), p + "/elements", 25, 1)
    seen: set[str] = set()
    for i, el in enumerate(b.get("elements") if isinstance(b.get("elements"), list) else []):
        errs += _element(el, f"{p}/elements/{i}")
        aid = el.get("action_id") if isinstance(el, dict) else None
        if aid is not None and aid in seen:
            errs.append(
                _err(f"action_id {aid!r} is not unique in block", f"{p}/elements/{i}/action_id")
            )
        seen.add(aid)
    return errs


def _input(b: dict, p: str) -> list[str]:
    errs = _text(b.get("label"), p + "/label", 2000, PLAIN)
    errs += _text(b.get("hint"), p + "/hint", 2000, PLAIN, required=False)
    if "element" not in b:
        return errs + [_err("missing required field: element", p + "/element")]
    return errs + _element(b["element"], p + "/element")


_BLOCK_CHECKS: dict[str, Callable[[dict, str], list[str]]] = {
    "section": _section,
    "header": lambda b, p: _text(b.get("text"), p + "/text", 150, PLAIN),
    "context": _context,
    "actions": _actions,
    "input": _input,
}


def validate_blocks(
    blocks: Any, *, surface: str = "message", pointer: str = "/blocks"
) -> list[str]:
    """Return Slack-style ``[ERROR] ...`` messages for ``blocks`` on ``surface``
    ("message", "modal" or "home"); an empty list means the blocks are valid."""
    errs = _items(blocks, pointer, MAX_BLOCKS[surface])
    seen: set[str] = set()
    for i, b in enumerate(blocks if isinstance(blocks, list) else []):
        p = f"{pointer}/{i}"
        if not isinstance(b, dict) or not isinstance(b.get("type"), str):
            errs.append(_err("must be a block object with a type", p))
            continue
        bid = b.get("block_id")
        if bid is not None:
            errs += _maxlen(bid, 255, p + "/block_id")
            if bid in seen:
                errs.append(_err(f"block_id {bid!r} is not unique", p + "/block_id"))
            seen.add(bid)
        check = _BLOCK_CHECKS.get(b["type"])
        if check:
            errs += check(b, p)
        elif b["type"] not in _NO_CHECK_BLOCKS:
            errs.append(_err(f"unsupported block type {b['type']!r}", p + "/type"))
    return errs


def validate_view(view: Any, *, expected_type: str) -> list[str]:
    """Validate a view payload ("modal" or "home") the way views.* do."""
    if not isinstance(view, dict):
        return [_err("must be a view object", "/view")]
    if view.get("type") != expected_type:
        return [_err(f"must be {expected_type!r}", "/view/type")]
    errs: list[str] = []
    if expected_type == "modal":
        errs += _text(view.get("title"), "/view/title", 24, PLAIN)
        for key in ("submit", "close"):
            errs += _text(view.get(key), f"/view/{key}", 24, PLAIN, required=False)
        blocks = view.get("blocks") if isinstance(view.get("blocks"), list) else []
        if "submit" not in view and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks
        ):
            errs.append(
                _err("must provide submit when the view contains input blocks", "/view/submit")
            )
    errs += _maxlen(view.get("private_metadata"), 3000, "/view/private_metadata")
    errs += _maxlen(view.get("callback_id"), 255, "/view/callback_id")
    errs += _maxlen(view.get("external_id"), 255, "/view/external_id")
    return errs + validate_blocks(view.get("blocks"), surface=expected_type, pointer="/view/blocks")


# ---------------------------------------------------------------- the fake


@dataclass
class Call:
    """One recorded request to the fake."""

    method: str
    params: dict
    headers: dict
    status: int
    response: dict | None
    at: float  # when the fake had answered (bench/: after it checked the Block Kit)
    team: str | None = None  # the workspace whose token made the call
    received_at: float | None = None  # when the fake had read the whole request


@dataclass
class _Fault:
    method: str
    error: str | None
    status: int | None
    retry_after: int | None
    delay: float | None
    remaining: int


class SlackError(Exception):
    """Raised by method handlers to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, messages: list[str] | None = None):
        super().__init__(error)
        self.error, self.messages = error, messages


class FakeSlack(FileUploads):
    """Threaded fake of the Slack Web API on 127.0.0.1 (see module docstring); the file
    upload flow is in tests/slack_double_files.py."""

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-test-token",  # noqa: S107
        team_id: str = "T0001",
        team_name: str = "Test Team",
        bot_user_id: str = "UBOT",
        trigger_ttl: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.bot_token, self.team_id, self.team_name = bot_token, team_id, team_name
        self.bot_user_id, self.bot_id, self.trigger_ttl = bot_user_id, "B0001", trigger_ttl
        # What auth.test reports as granted (the x-oauth-scopes header); None: no header.
        self.granted_scopes: str | None = ("commands,chat:write,users:read,files:read,"
                                           "files:write")
        self._clock = clock
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._seq = itertools.count(1)
        self.tokens: dict[str, str] = {bot_token: team_id}  # token -> team_id
        self.users: dict[str, dict] = {}  # user_id -> raw record
        self.calls: list[Call] = []
        self.messages: dict[tuple[str, str], dict] = {}
        self.ephemerals: list[dict] = []
        self.views: dict[str, dict] = {}
        self.home_views: dict[str, dict] = {}
        self.files: dict[str, dict] = {}  # file_id -> record (add_file, shared uploads)
        self.uploads: dict[str, dict] = {}  # file_id -> upload record (slack_double_files)
        self.rate_limited: dict[str, int] = {}
        self._faults: list[_Fault] = []
        # (method, team or None for all) -> [rate, burst, tokens, last]
        self._buckets: dict[tuple[str, str | None], list[float]] = {}
        self._triggers: dict[str, list] = {}  # trigger_id -> [issued_at, used]
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = self.url = ""

    # -- lifecycle
    def start(self) -> FakeSlack:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake._serve(self)

            do_GET = do_POST

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.url = self.base_url + "/api/"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)  # type: ignore[union-attr]
            self._server = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- test-facing helpers
    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 30.0) -> list[Call]:
        """Block until at least ``count`` calls to ``method`` were recorded. The timeout is
        a guard against hangs, not a speed target (those live in bench/)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(found := self.calls_to(method)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected >= {count} call(s) to {method!r} within {timeout}s, got "
                        f"{len(found)}; calls so far: {[c.method for c in self.calls]}"
                    )
                self._cond.wait(left)
            return found

    def reset(self) -> None:
        """Forget calls, faults, rate limits, triggers, messages and views."""
        with self._lock:
            for coll in (
                self.calls,
                self.messages,
                self.ephemerals,
                self.views,
                self.home_views,
                self.files,
                self.uploads,
                self.rate_limited,
                self._faults,
                self._buckets,
                self._triggers,
            ):
                coll.clear()

    def add_token(self, token: str, team_id: str | None = None) -> None:
        self.tokens[token] = team_id or self.team_id

    def add_user(
        self,
        user_id: str,
        *,
        team_id: str | None = None,
        tz: str = "America/New_York",
        name: str | None = None,
        real_name: str | None = None,
        deleted: bool = False,
        is_bot: bool = False,
        is_admin: bool = False,
        is_owner: bool = False,
    ) -> dict:
        """Register a user; returns the object users.info will answer with."""
        with self._lock:
            self.users[user_id] = dict(
                id=user_id,
                team_id=team_id or self.team_id,
                tz=tz,
                name=name or user_id.lower(),
                real_name=real_name or f"User {user_id}",
                deleted=deleted,
                is_bot=is_bot,
                is_admin=is_admin,
                is_owner=is_owner,
            )
            return self._user_json(self.users[user_id])

    def add_file(self, user_id: str, name: str, content: bytes, *, filetype: str = "csv",
                 team_id: str | None = None, url: str | None = None) -> dict:
        """A file ``user_id`` uploaded; returns the file object as a file_input's state
        carries it (id, name, url_private_download, ...). ``url``: files.info names that
        download address instead of the stand-in's own."""
        with self._lock:
            file_id = f"F{next(self._seq):08d}"
            team = team_id or self.team_id
            self.files[file_id] = dict(id=file_id, name=name, user=user_id, team=team,
                                       filetype=filetype, size=len(content), content=content,
                                       url=url)
            return self._file_json(self.files[file_id])

    def _file_json(self, rec: dict) -> dict:
        url = rec["url"] or (f"{self.base_url}/files-pri/{rec['team']}-{rec['id']}/download/"
                             f"{quote(rec['name'])}")
        return {k: rec[k] for k in ("id", "name", "user", "filetype", "size")} | {
            "mimetype": rec.get("mimetype", "text/csv"), "url_private": url,
            "url_private_download": url}

    def new_trigger_id(self) -> str:
        """Issue a trigger id, valid for ``trigger_ttl`` seconds and a single use."""
        with self._lock:
            n = next(self._seq)
            trigger_id = f"{n}.{1000 + n}.{secrets.token_hex(8)}"
            self._triggers[trigger_id] = [self._clock(), False]
            return trigger_id

    def new_response_url(self) -> str:
        """A response_url on this fake; POSTs to it are recorded as method "response_url"."""
        return f"{self.url}response_url/{next(self._seq)}"

    def fail(
        self,
        method: str,
        *,
        error: str | None = None,
        status: int | None = None,
        retry_after: int | None = None,
        delay: float | None = None,
        times: int = 1,
    ) -> None:
        """Queue a fault for the next ``times`` calls to ``method`` ("*" = any method)."""
        with self._lock:
            self._faults.append(_Fault(method, error, status, retry_after, delay, times))

    def set_rate_limit(self, method: str, per_second: float, burst: int = 1, *,
                       team_id: str | None = None) -> None:
        """Token-bucket limit ``method``; excess calls get HTTP 429 + Retry-After. With
        ``team_id``, the allowance is that workspace's (whichever process calls with its
        token), as Slack's posting cap is; without, one bucket for every caller."""
        with self._lock:
            self._buckets[(method, team_id)] = [per_second, burst, float(burst), self._clock()]

    def posts_per_team(self) -> dict[str, int]:
        """Messages chat.postMessage accepted, per workspace."""
        with self._lock:
            found: dict[str, int] = {}
            for call in self.calls:
                if call.method == "chat.postMessage" and (call.response or {}).get("ok"):
                    found[call.team or ""] = found.get(call.team or "", 0) + 1
            return found

    def messages_to(self, user_id: str) -> list[dict]:
        with self._lock:
            return [m for (ch, _), m in self.messages.items() if ch == "D" + user_id]

    # -- HTTP plumbing
    def _serve(self, req: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(req.path)
        raw = req.rfile.read(int(req.headers.get("Content-Length") or 0))
        received = self._clock()
        if parts.path.startswith(UPLOAD_PATH):
            return self._serve_upload(req, parts.path, raw)
        params: dict[str, Any] = dict(parse_qsl(parts.query, keep_blank_values=True))
        ctype = req.headers.get("Content-Type", "")
        if raw and "json" in ctype:
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            params.update(body if isinstance(body, dict) else {})
        elif raw and "x-www-form-urlencoded" in ctype:
            params.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        for key in ("blocks", "view", "attachments"):
            if isinstance(params.get(key), str):
                try:
                    params[key] = json.loads(params[key])
                except ValueError:
                    pass
        path = parts.path
        if path.startswith("/files-pri/"):
            return self._serve_file(req, path)
        if path.startswith(("/api/response_url/", "/response/")):
            method, params["response_id"] = "response_url", path.rsplit("/", 1)[1]
        else:
            method = path[len("/api/") :] if path.startswith("/api/") else path
        status, body, headers = self._handle(method, params, dict(req.headers.items()),
                                             received=received)
        data = (json.dumps(body) if isinstance(body, dict) else body).encode("utf-8")
        req.send_response(status)
        kind = "application/json" if isinstance(body, dict) else "text/plain"
        req.send_header("Content-Type", f"{kind}; charset=utf-8")
        for key, value in headers.items():
            req.send_header(key, value)
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        try:
            req.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # client gave up (e.g. timed out)
            pass

    def _serve_file(self, req: BaseHTTPRequestHandler, path: str) -> None:
        """A file's url_private_download: its bytes for a token of its team. Anything else
        gets what Slack gives it: a 200 sign-in page in HTML, not the file."""
        headers = dict(req.headers.items())
        auth = headers.get("Authorization") or headers.get("authorization") or ""
        with self._lock:
            team = self.tokens.get(auth[7:] if auth.startswith("Bearer ") else "")
            key = path.split("/")[2] if path.count("/") >= 3 else ""
            rec = next((f for f in self.files.values() if f"{f['team']}-{f['id']}" == key),
                       None)
            if rec is not None and team == rec["team"]:
                status, data, kind = 200, rec["content"], rec.get("mimetype", "text/csv")
            elif rec is None and team is not None:
                status, data, kind = 404, b"file not found", "text/plain"
            else:
                status, data, kind = 200, b"<!DOCTYPE html><title>Sign in</title>", "text/html"
            self.calls.append(Call("files.download", {"path": path}, headers, status, None,
                                   self._clock()))
            self._cond.notify_all()
        req.send_response(status)
        req.send_header("Content-Type", f"{kind}; charset=utf-8")
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        req.wfile.write(data)

    def _take_fault(self, method: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.method in (method, "*"):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _handle(self, method: str, params: dict, headers: dict, *,
                received: float | None = None) -> tuple[int, dict | str, dict]:
        fault = self._take_fault(method)
        if fault and fault.delay:
            time.sleep(fault.delay)
        with self._lock:
            try:
                status, body, extra = self._answer(method, params, headers, fault)
            except Exception as e:  # a bug in the fake: answer 500 instead of dropping the socket
                status, body, extra = 500, f"fake slack crashed: {e!r}", {}
            self.calls.append(
                Call(
                    method,
                    params,
                    headers,
                    status,
                    body if isinstance(body, dict) else None,
                    self._clock(),
                    self._team_of(params, headers),
                    received,
                )
            )
            self._cond.notify_all()
        return status, body, extra

    def _answer(
        self, method: str, params: dict, headers: dict, fault: _Fault | None
    ) -> tuple[int, dict | str, dict]:
        if fault and fault.retry_after is not None:
            return (
                429,
                {"ok": False, "error": "ratelimited"},
                {"Retry-After": str(fault.retry_after)},
            )
        if fault and fault.status is not None:
            body = (
                {"ok": False, "error": fault.error} if fault.error else f"{fault.status} fake error"
            )
            return fault.status, body, {}
        if fault and fault.error:
            return 200, {"ok": False, "error": fault.error}, {}
        team = self._team_of(params, headers)
        bucket = self._buckets.get((method, team)) or self._buckets.get((method, None))
        if bucket:
            rate, burst, tokens, last = bucket
            now = self._clock()
            tokens = min(burst, tokens + (now - last) * rate)
            if tokens < 1:
                bucket[2:] = [tokens, now]
                self.rate_limited[method] = self.rate_limited.get(method, 0) + 1
                wait = max(1, math.ceil((1 - tokens) / rate))
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(wait)}
            bucket[2:] = [tokens - 1, now]
        if method == "response_url":
            return 200, {"ok": True}, {}
        if team is None:
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method"}, {}
        if missing := self._missing_scope(method):
            return 200, missing, {}
        try:
            extra = ({"x-oauth-scopes": self.granted_scopes}
                     if method == "auth.test" and self.granted_scopes is not None else {})
            return 200, {"ok": True, **handler(params, team)}, extra
        except SlackError as e:
            body: dict[str, Any] = {"ok": False, "error": e.error}
            if e.messages:
                body["response_metadata"] = {"messages": e.messages}
            return 200, body, {}

    def _team_of(self, params: dict, headers: dict) -> str | None:
        auth = headers.get("Authorization") or headers.get("authorization") or ""
        return self.tokens.get(params.get("token") or (auth[7:] if auth.startswith("Bearer ")
                                                       else ""))

    # -- method implementations (called with the lock held)
    def _user_json(self, rec: dict) -> dict:
        try:
            now = datetime.now(ZoneInfo(rec["tz"]))
            offset, label = int(now.utcoffset().total_seconds()), now.tzname()  # type: ignore[union-attr]
        except Exception:
            offset, label = 0, rec["tz"]
        keys = ("id", "team_id", "name", "real_name", "deleted", "is_bot", "tz")
        return {
            **{k: rec[k] for k in keys},
            "is_admin": rec.get("is_admin", False),
            "is_owner": rec.get("is_owner", False),
            "tz_label": label,
            "tz_offset": offset,
            "profile": {"real_name": rec["real_name"], "display_name": rec["name"]},
        }

    def _known_user(self, user_id: Any) -> dict:
        if user_id not in self.users:
            raise SlackError("user_not_found")
        return self.users[user_id]

    def _api_auth_test(self, p: dict, team: str) -> dict:
        domain = self.team_name.lower().replace(" ", "-")
        return {
            "url": f"https://{domain}.slack.com/",
            "team": self.team_name,
            "user": "followup-bot",
            "team_id": team,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _api_files_info(self, p: dict, team: str) -> dict:
        rec = self.files.get(p.get("file"))  # type: ignore[arg-type]
        if rec is None or rec["team"] != team:
            raise SlackError("file_not_found")
        return {"file": self._file_json(rec)}

    def _api_users_info(self, p: dict, team: str) -> dict:
        return {"user": self._user_json(self._known_user(p.get("user")))}

    def _api_conversations_open(self, p: dict, team: str) -> dict:
        users = [u for u in str(p.get("users") or "").split(",") if u]
        if not users:
            raise SlackError("users_list_not_supplied")
        for user in users:
            self._known_user(user)
        cid = "D" + users[0] if len(users) == 1 else "G" + "".join(sorted(users))[:10]
        return {"channel": {"id": cid}}

    def _resolve_channel(self, channel: Any) -> str:
        channel = str(channel or "")
        if not channel:
            raise SlackError("channel_not_found")
        if channel[0] not in "UWD":
            return channel
        user = channel[1:] if channel[0] == "D" else channel
        rec = self.users.get(user)
        if rec is None:
            raise SlackError("channel_not_found")
        if rec["deleted"]:
            raise SlackError("account_inactive")
        return "D" + user

    def _check_message(self, p: dict) -> None:
        text, blocks = p.get("text"), p.get("blocks")
        if not text and not blocks and not p.get("attachments"):
            raise SlackError("no_text")
        if isinstance(text, str) and len(text) > 40000:
            raise SlackError("msg_too_long")
        if blocks is not None:
            if not isinstance(blocks, list):
                raise SlackError("invalid_blocks_format")
            errors = validate_blocks(blocks, surface="message")
            if errors:
                raise SlackError("invalid_blocks", errors)

    def _new_ts(self) -> str:
        n = next(self._seq)
        return f"{1_700_000_000 + n}.{n:06d}"

    def _message(self, p: dict, channel: str, ts: str) -> dict:
        body = {k: v for k, v in p.items() if k not in ("token", "channel", "ts")}
        return {
            "type": "message",
            **body,
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "channel": channel,
            "ts": ts,
        }

    def _api_chat_postMessage(self, p: dict, team: str) -> dict:
        channel = self._resolve_channel(p.get("channel"))
        self._check_message(p)
        ts = self._new_ts()
        self.messages[(channel, ts)] = message = self._message(p, channel, ts)
        return {"channel": channel, "ts": ts, "message": message}

    def _api_chat_postEphemeral(self, p: dict, team: str) -> dict:
        channel = self._resolve_channel(p.get("channel"))
        self._known_user(p.get("user"))
        self._check_message(p)
        ts = self._new_ts()
        self.ephemerals.append(
            {**self._message(p, channel, ts), "user": p["user"], "message_ts": ts}
        )
        return {"message_ts": ts}

    def _api_chat_update(self, p: dict, team: str) -> dict:
        channel, ts = self._resolve_channel(p.get("channel")), str(p.get("ts") or "")
        if (channel, ts) not in self.messages:
            raise SlackError("message_not_found")
        self._check_message(p)
        self.messages[(channel, ts)] = message = {
            **self._message(p, channel, ts),
            "edited": {"user": self.bot_user_id},
        }
        return {"channel": channel, "ts": ts, "text": p.get("text", ""), "message": message}

    def _view_arg(self, p: dict, expected_type: str) -> dict:
        view = p.get("view")
        errors = validate_view(view, expected_type=expected_type)
        if errors:
            raise SlackError("invalid_arguments", errors)
        return view  # type: ignore[return-value]

    def _stored_view(
        self, view: dict, team: str, view_id: str | None = None, root: str | None = None
    ) -> dict:
        vid = view_id or f"V{next(self._seq):08d}"
        return {
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            **view,
            "id": vid,
            "team_id": team,
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "root_view_id": root or vid,
            "app_id": "A0001",
            "bot_id": self.bot_id,
        }

    def _api_views_open(self, p: dict, team: str) -> dict:
        view = self._view_arg(p, "modal")
        trigger = self._triggers.get(p.get("trigger_id"))  # type: ignore[arg-type]
        if trigger is None:
            raise SlackError("invalid_trigger_id")
        if trigger[1]:
            raise SlackError("exchanged_trigger_id")
        if self._clock() - trigger[0] > self.trigger_ttl:
            raise SlackError("expired_trigger_id")
        trigger[1] = True
        stored = self._stored_view(view, team)
        self.views[stored["id"]] = stored
        return {"view": stored}

    _api_views_push = _api_views_open

    def _api_views_update(self, p: dict, team: str) -> dict:
        vid, ext = p.get("view_id"), p.get("external_id")
        if not vid and ext:
            vid = next((k for k, v in self.views.items() if v.get("external_id") == ext), None)
        current = self.views.get(vid) if vid else None
        if current is None:
            raise SlackError("not_found")
        if p.get("hash") and p["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        view = self._view_arg(p, "modal")
        stored = self._stored_view(view, team, current["id"], current["root_view_id"])
        self.views[current["id"]] = stored
        return {"view": stored}

    def _api_views_publish(self, p: dict, team: str) -> dict:
        user = p.get("user_id")
        self._known_user(user)
        view = self._view_arg(p, "home")
        current = self.home_views.get(user)  # type: ignore[arg-type]
        if current and p.get("hash") and p["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        stored = self._stored_view(view, team, current["id"] if current else None)
        self.home_views[user] = stored  # type: ignore[index]
        return {"view": stored}
