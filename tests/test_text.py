"""People's text: visible names, cutting before escaping on grapheme boundaries, and
search that meets NFC/NFD and non-ASCII case twins."""

import itertools
import unicodedata

import pytest
import regex

from bot.domain.text import has_visible_text, search_key
from bot.slack.text import clip, clip_mrkdwn, escape, escape_clipped
from tests.logcall_helpers import log_call

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # one grapheme, 7 points
FLAG = "\U0001f1e9\U0001f1ea"  # DE: two regional indicators, one grapheme


@pytest.mark.parametrize("text", ["\u200b", "\u200b\u200c\u200d\u2060", " \u3164 ", "\u0301",
                                  "\ufeff", "\u2800", ""])
def test_text_without_a_visible_character_is_not_a_name(text):
    assert not has_visible_text(text)


@pytest.mark.parametrize("text", ["Dana", "\u200bDana", "李", "\U0001f600", "Zoe\u0308"])
def test_text_with_a_visible_character_is(text):
    assert has_visible_text(text)


def test_search_key_meets_nfc_nfd_and_case_twins():
    assert search_key("Zo\u00eb") == search_key("Zoe\u0308")
    assert search_key("ÖMER") == search_key("ömer") == search_key("O\u0308mer")
    assert search_key("Straße") == search_key("STRASSE")


def test_escaping_after_cutting_never_leaves_half_an_entity():
    text = "R&D " * 100
    cut = escape_clipped(text, 50)
    assert len(cut) <= 50 and cut.endswith("…")
    body = cut[:-1]
    assert body.count("&") == body.count("&amp;")  # every & is a whole entity


def test_cutting_keeps_emoji_sequences_and_accents_whole():
    assert clip(FAMILY * 3, 10) == FAMILY + "…"
    assert clip("ab" + FLAG + "cd", 4) == "ab…"
    decomposed = unicodedata.normalize("NFD", "éééé")
    assert clip(decomposed, 4) == decomposed[:2] + "…"
    assert clip("short", 10) == "short"


def test_a_last_guard_on_escaped_mrkdwn_backs_off_an_entity():
    assert clip_mrkdwn("Tom &amp; Jerry", 8) == "Tom…"
    assert clip_mrkdwn("fits", 10) == "fits"


def _entities_whole(text: str) -> bool:
    return all(text.startswith(("&amp;", "&lt;", "&gt;"), i)
               for i, char in enumerate(text) if char == "&")


def test_notes_in_the_post_log_dm_are_cut_then_escaped(slack, fake_slack):
    log_call(slack, fake_slack, name="Dana", outcome="connected", pain_point="&" * 500,
             objection="<&>" * 166, next_step="&" * 300, personal_detail="&" * 300,
             resource_promised="&" * 300)
    dm = fake_slack.wait_for("chat.postMessage")[0]
    notes = next(b for b in dm.params["blocks"] if b["block_id"] == "log_notes")
    text = notes["text"]["text"]
    assert "…" in text and len(text) <= 3000
    assert _entities_whole(text)
    assert "<&>" not in text


def test_a_long_draft_is_cut_on_a_grapheme_and_escaped_whole():
    from bot.services.drafts import DraftRecord
    from bot.slack.drafts_view import draft_blocks, full_text

    for body in ((FAMILY + " & ") * 400, "&" * 3000, "x" + FLAG * 2000):
        draft = DraftRecord(1, "T0001", 1, 1, None, "recap", "Acme: next steps", body, "draft",
                            None, "Dana", "Acme")
        _, blocks = draft_blocks(draft, copy_url=None)
        text = next(b for b in blocks if b.block_id == "draft_text").text.text
        assert len(text) <= 3000 and text.endswith("…```")
        inner = text[3:-4]
        assert _entities_whole(inner)
        prefix = inner
        full = escape(full_text(draft).replace("```", "'''"))
        assert full.startswith(prefix)
        ends = set(itertools.accumulate(len(g) for g in regex.findall(r"\X", full)))
        assert len(prefix) in ends  # the cut is between two graphemes


def _option_names(answer: dict) -> list[str]:
    return [option["text"]["text"] for option in answer["options"]]


def test_search_finds_a_decomposed_name_typed_precomposed(slack, fake_slack):
    log_call(slack, fake_slack, name="Zoe\u0308 Adams", company="Öztürk GmbH",
             outcome="no_answer")
    found = _option_names(slack.options("prospect", "zo\u00eb").json())
    assert len(found) == 1 and found[0].startswith("Zoe\u0308 Adams")
    assert len(_option_names(slack.options("prospect", "ÖZTÜRK").json())) == 1
    assert len(_option_names(slack.options("prospect", "öztürk").json())) == 1
    assert _option_names(slack.options("prospect", "zoey").json()) == []


def test_search_folds_case_beyond_ascii(slack, fake_slack):
    log_call(slack, fake_slack, name="Ömer Yıldız", outcome="no_answer")
    assert len(_option_names(slack.options("prospect", "ömer").json())) == 1
    assert len(_option_names(slack.options("prospect", "ÖMER").json())) == 1


def test_the_modal_prefill_finds_a_prospect_typed_in_another_form(slack, fake_slack,
                                                                   session_factory):
    from sqlalchemy import select

    from bot.db.models import Prospect
    from bot.services.prospects import find_prospect

    log_call(slack, fake_slack, name="Zoe\u0308 Adams", company="Ärzte AG",
             outcome="no_answer")
    with session_factory() as session:
        prospect_id = session.scalar(select(Prospect.id))
    match = find_prospect(session_factory, "T0001", "ZO\u00cb ADAMS", "ärzte ag")
    assert match is not None and match.id == prospect_id
