"""The one codec for state carried in private_metadata and button values."""

from __future__ import annotations

import json

PRIVATE_METADATA_LIMIT = 3000
VALUE_LIMIT = 2000


def encode(data: dict, *, limit: int = PRIVATE_METADATA_LIMIT) -> str:
    text = json.dumps(data, separators=(",", ":"), sort_keys=True)
    if len(text) > limit:
        raise ValueError(f"encoded state is {len(text)} chars, over Slack's {limit}")
    return text


def decode(text: str | None) -> dict:
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
