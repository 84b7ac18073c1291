"""The /logcall modal is prebuilt JSON (bot.slack.logcall_view): for every kind of form it
must be exactly what slack_sdk's model objects produced before (tests/logcall_view_before)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.domain.model import CallType
from bot.domain.prefill import Prefill
from bot.services.log_form import LogForm
from bot.services.prospects import ProspectOption
from bot.slack.logcall_view import build_logcall_view, prospect_option
from tests import logcall_view_before as before

DANA = ProspectOption(7, "Dana Whitfield", "Acme Logistics", "post_call")
LONG = "Ünïcödé & <angle> " * 40  # past every limit: clipped on grapheme boundaries

FORMS = {
    "empty, rep not known yet": LogForm(Prefill(), "UTC", False, None, CallType.COLD_CALL,
                                        None, None),
    "typed prospect, new": LogForm(Prefill("Dana <W>", "Acme & Co", "dana@acme.example"),
                                   "America/Chicago", True, None, CallType.COLD_CALL, None,
                                   date(2026, 11, 27)),
    "preselected, held by another": LogForm(
        Prefill("Dana Whitfield", "Acme Logistics"), "Europe/Berlin", True, DANA,
        CallType.POST_VOICEMAIL, "Dana is <Riley>'s prospect & 2 open follow-ups", None),
    "no company, last call type": LogForm(
        Prefill(), "Asia/Kolkata", True, ProspectOption(8, "Lee", None), list(CallType)[-1],
        None, date(2027, 1, 4)),
    "everything too long": LogForm(
        Prefill(LONG, LONG, LONG), "America/Argentina/ComodRivadavia", True,
        ProspectOption(9, LONG, LONG), CallType.SIGNAL_TRIGGERED, LONG, date(2026, 2, 28)),
}


@pytest.mark.parametrize("name", list(FORMS))
@pytest.mark.parametrize("channel_id", [None, "D0123"])
def test_the_prebuilt_modal_is_what_the_model_objects_produced(name, channel_id):
    form = FORMS[name]
    new = build_logcall_view(form, channel_id=channel_id)
    old = before.build_logcall_view(form, channel_id=channel_id).to_dict()
    assert new == old
    assert json.dumps(new, sort_keys=True) == json.dumps(old, sort_keys=True)


@pytest.mark.parametrize("call_type", list(CallType))
def test_every_call_type_is_offered_as_before(call_type):
    form = LogForm(Prefill(), "UTC", True, DANA, call_type, None, date(2026, 3, 2))
    assert build_logcall_view(form) == before.build_logcall_view(form).to_dict()


@pytest.mark.parametrize("option", [DANA, ProspectOption(8, "Lee", None),
                                    ProspectOption(9, LONG, LONG)])
def test_a_picker_option_is_what_the_model_object_produced(option):
    assert prospect_option(option) == before.prospect_option(option).to_dict()


def test_views_share_no_state_a_later_view_could_change():
    first = build_logcall_view(FORMS["preselected, held by another"], channel_id="D1")
    frozen = json.dumps(first, sort_keys=True)
    for form in FORMS.values():
        build_logcall_view(form, channel_id="D2")
    assert json.dumps(first, sort_keys=True) == frozen
    assert build_logcall_view(FORMS["empty, rep not known yet"]) == \
        before.build_logcall_view(FORMS["empty, rep not known yet"]).to_dict()
