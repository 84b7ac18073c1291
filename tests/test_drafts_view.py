"""The draft DM shows how many blanks are left to fill, escaped, and none once sent."""

from __future__ import annotations

from dataclasses import replace

from bot.services.drafts import DraftRecord
from bot.slack.drafts_view import draft_blocks

DRAFT = DraftRecord(1, "T0001", 1, 1, None, "objection", "Acme: your point",
                    "Hi,\n\nHere: [link]\n\n[Your answer <in two sentences>.]\n\n"
                    "Here again: [link]\n\nDoes that answer it?", "draft", "a@x.example",
                    "Dana", "Acme")


def _hints(draft: DraftRecord) -> str:
    _, blocks = draft_blocks(draft, copy_url=None)
    return " ".join(element.text for block in blocks if block.block_id == "draft_hints"
                    for element in block.elements)


def test_the_draft_says_how_many_blanks_are_left_to_fill():
    text = _hints(DRAFT)
    assert ":pencil2: 3 blanks to fill: [link], [Your answer &lt;in two sentences&gt;.]" in text


def test_no_blank_count_without_blanks_or_once_sent():
    assert "to fill" not in _hints(replace(DRAFT, body="Hi,\n\nDoes Tuesday work?"))
    assert "to fill" not in _hints(replace(DRAFT, status="sent"))
