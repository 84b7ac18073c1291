"""Signed, expiring links to a draft page: no valid token, no data."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta


class LinkInvalid(Exception):
    """Forged, malformed, or for another secret: answer 404."""


class LinkExpired(Exception):
    """Genuine but too old: answer 410."""


@dataclass(frozen=True)
class DraftRef:
    draft_id: int
    team_id: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), b"draft-link:" + payload.encode(),
                         hashlib.sha256).digest())


def make_token(secret: str, ref: DraftRef, now: datetime, ttl: timedelta) -> str:
    expires = int((now + ttl).timestamp())
    payload = _b64(json.dumps([ref.draft_id, ref.team_id, expires],
                              separators=(",", ":")).encode())
    return f"{payload}.{_mac(secret, payload)}"


def read_token(secret: str, token: str, now: datetime) -> DraftRef:
    payload, _, signature = token.partition(".")
    if (not payload or not signature or not token.isascii()
            or not hmac.compare_digest(signature, _mac(secret, payload))):
        raise LinkInvalid(token)
    try:
        draft_id, team_id, expires = json.loads(_unb64(payload))
        late = now.timestamp() > expires
    except (ValueError, TypeError):
        raise LinkInvalid(token) from None
    if type(draft_id) is not int or not isinstance(team_id, str):  # not what make_token wrote
        raise LinkInvalid(token)
    if late:
        raise LinkExpired(token)
    return DraftRef(draft_id, team_id)
