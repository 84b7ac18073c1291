"""The one codec for state carried in private_metadata and button values."""

from __future__ import annotations

import hashlib
import hmac
import json

from bot.services.access import MAX_ID

PRIVATE_METADATA_LIMIT = 3000
VALUE_LIMIT = 2000


def encode(data: dict, *, limit: int = PRIVATE_METADATA_LIMIT) -> str:
    text = json.dumps(data, separators=(",", ":"), sort_keys=True)
    if len(text) > limit:
        raise ValueError(f"encoded state is {len(text)} chars, over Slack's {limit}")
    return text


def decode(text: object) -> dict:
    """The dict the bot encoded; {} for anything else (not a string, not JSON, not a dict)."""
    if not isinstance(text, str) or not text or len(text) > PRIVATE_METADATA_LIMIT:
        return {}
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def as_id(raw: object, *, text: bool = False) -> int | None:
    """An untrusted value as a row id, or None. The bot writes ids into values and
    private_metadata as JSON ints, so only an int in 1..MAX_ID passes: not "7", -3, 7.0,
    true, [7], 2**31, null or a missing key. ``text=True`` reads an option value, which
    Slack carries as a string: ASCII digits only ("7", not "+7", " 7" or "٧")."""
    if text:
        ok = isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 10
        raw = int(raw) if ok else None
    return raw if type(raw) is int and 0 < raw <= MAX_ID else None


def action_value(body: dict) -> dict:
    """The decoded value of the first action: a button's value or the chosen option's."""
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else {}
    if not isinstance(action, dict):
        return {}
    option = action.get("selected_option")
    if isinstance(option, dict):
        return decode(option.get("value"))
    return decode(action.get("value"))


def _mac(data: dict, key: str) -> str:
    text = json.dumps(data, separators=(",", ":"), sort_keys=True)
    return hmac.new(key.encode(), b"state:" + text.encode(), hashlib.sha256).hexdigest()[:32]


def seal(data: dict, key: str) -> dict:
    """``data`` plus a MAC under ``key``: what :func:`unseal` accepts back unchanged only."""
    return {**data, "mac": _mac(data, key)}


def unseal(data: dict, key: str) -> dict | None:
    """The sealed fields of ``data`` if its MAC holds, else None."""
    mac = data.get("mac")
    rest = {k: v for k, v in data.items() if k != "mac"}
    if not isinstance(mac, str) or not hmac.compare_digest(mac, _mac(rest, key)):
        return None
    return rest
