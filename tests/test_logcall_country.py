"""A new prospect's country in the /logcall modal, end to end: typed as a code or an
English name, stored as the code; anything else is a field error and nothing is saved."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.db.models import Call, Prospect
from tests.logcall_helpers import form_values, log_call, open_modal


def _country_block(view: dict) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == "new_country")


def _submit(slack, view: dict, country: object, **fields):
    """Submit the modal with the country field as Slack sends it (``...``: left out)."""
    fields.setdefault("name", "Pat Prospect")
    values = form_values(view, **fields)
    if country is not ...:
        values["new_country"] = {"value": {"type": "plain_text_input", "value": country}}
    return slack.view_submission("logcall", values, view_id=view["id"])


def _stored(session_factory) -> list[tuple[str, str | None]]:
    with session_factory() as session:
        return [(p.name, p.country) for p in session.scalars(select(Prospect))]


def _count(session_factory, model) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_the_modal_asks_for_their_country_after_their_zone(slack, fake_slack):
    view = open_modal(slack, fake_slack)
    ids = [b.get("block_id", "") for b in view["blocks"]]
    assert ids.index("new_country") == ids.index("new_phone") + 2  # right after the zone
    block = _country_block(view)
    assert block["optional"] is True and block["element"]["max_length"] == 64
    assert "initial_value" not in block["element"]
    assert "weekend and public holidays" in block["hint"]["text"]


@pytest.mark.parametrize(("typed", "stored"), [
    ("de", "DE"), ("Germany", "DE"), ("gb-sct", "GB-SCT"), ("AE", "AE"),
    ("", None), ("   ", None), (None, None), (..., None),
])
def test_a_new_prospect_keeps_the_country_typed(slack, fake_slack, session_factory, typed,
                                                stored):
    view = open_modal(slack, fake_slack)
    response = _submit(slack, view, typed)
    assert response.status_code == 200 and "errors" not in (response.text or "")
    fake_slack.wait_for("chat.postMessage")
    assert _stored(session_factory) == [("Pat Prospect", stored)]


@pytest.mark.parametrize(("typed", "words"), [
    ("Narnia", "Unknown country 'Narnia'"),
    ("GB-XYZ", "Unknown country 'GB-XYZ'"),
    ("XX", "Use a code such as US, DE, GB-SCT or AE"),
    ("x" * 65, "under 64"),
])
def test_an_unknown_country_is_a_field_error_and_nothing_is_saved(slack, fake_slack,
                                                                  session_factory, typed,
                                                                  words):
    view = open_modal(slack, fake_slack)
    answer = _submit(slack, view, typed).json()
    assert answer["response_action"] == "errors"
    assert words in answer["errors"]["new_country"]
    assert _count(session_factory, Prospect) == 0 and _count(session_factory, Call) == 0
    assert fake_slack.calls_to("chat.postMessage") == []


@pytest.mark.parametrize("tampered", [5, {"v": "DE"}, ["DE"]])
def test_a_value_slack_never_sends_is_no_country(slack, fake_slack, session_factory, tampered):
    view = open_modal(slack, fake_slack)
    assert _submit(slack, view, tampered).status_code == 200
    fake_slack.wait_for("chat.postMessage")
    assert _stored(session_factory) == [("Pat Prospect", None)]


def test_the_country_field_is_only_for_a_new_prospect(slack, fake_slack, session_factory):
    log_call(slack, fake_slack, name="Pat Prospect")
    with session_factory() as session:
        prospect_id = session.scalar(select(Prospect.id))
    view = open_modal(slack, fake_slack)
    response = _submit(slack, view, "Narnia", name="", prospect_id=prospect_id)
    assert response.status_code == 200 and "errors" not in (response.text or "")
    fake_slack.wait_for("chat.postMessage", 2)
    assert _stored(session_factory) == [("Pat Prospect", None)]
    assert _count(session_factory, Call) == 2
