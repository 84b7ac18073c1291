"""The /logcall modal's Block Kit: drawn from the plain data of
:func:`bot.services.log_form.open_log_form`. Reading a submission back is
bot.slack.logcall_requests.

Plain JSON (dicts), not slack_sdk model objects: most of the modal (the outcome and
call-type options, the note questions, the labels) is the same for every rep, so it is
built once, here, at import. Per request only the prospect, the prefill, the zone, the
call type, the date and the metadata are filled in. ``View.to_dict()`` used to validate
and serialise all 15 blocks on every /logcall: two thirds of the bot's CPU per request
(docs/benchmarks.md). tests/test_logcall_view.py proves the JSON is what that builder
produced. The fixed blocks are shared between views: nothing may change a built view.
"""

from __future__ import annotations

from bot.domain.model import CallType, NoteField, Outcome
from bot.services.log_form import LogForm
from bot.services.prospects import ProspectOption
from bot.slack import ids
from bot.slack.codec import encode
from bot.slack.text import clip, escape_clipped

TAKE_OVER = "take_over"  # block id of the "Take over" checkbox
TAKE_OVER_YES = "yes"

# A note field's question and an example answer in the modal (block id: the field's name).
NOTE_QUESTIONS = {
    NoteField.PAIN_POINT: ("Pain point or goal, in their words",
                           "“We lose two days a month reconciling invoices by hand”"),
    NoteField.OBJECTION: ("Objection they raised", "Budget is frozen until Q2"),
    NoteField.NEXT_STEP: ("Next step they agreed to", "Send pricing, talk again Thursday"),
    NoteField.PERSONAL_DETAIL: ("Personal detail", "Back from their product launch"),
    NoteField.RESOURCE_PROMISED: ("Resource you promised", "The logistics case study"),
}


def _plain(text: str) -> dict:
    return {"type": "plain_text", "text": text, "emoji": True}


def _option(text: str, value: str) -> dict:
    return {"text": _plain(text), "value": value}


def prospect_option(option: ProspectOption) -> dict:
    """A prospect as a picker option (Slack allows 75 characters of text)."""
    text = option.name if not option.company else f"{option.name} · {option.company}"
    return _option(clip(text, 75), str(option.id))


def _input(block_id: str, label: str, element: dict, *, optional: bool | None = True,
           hint: str | None = None) -> dict:
    block = {"type": "input", "block_id": block_id, "label": _plain(label), "element": element}
    if optional is not None:
        block["optional"] = optional
    if hint:
        block["hint"] = _plain(hint)
    return block


def _text_input(field_id: str, label: str, *, initial: str = "", placeholder: str = "",
                multiline: bool = False, hint: str | None = None,
                block_id: str | None = None) -> dict:
    limit = ids.MAX_LENGTHS[field_id]
    element = {"type": "plain_text_input", "action_id": ids.VALUE, "max_length": limit,
               "multiline": multiline}
    if initial := clip(initial, limit):
        element["initial_value"] = initial
    if placeholder:
        element["placeholder"] = _plain(placeholder)
    return _input(block_id or field_id, label, element, hint=hint)


# -- Built once: the same for every rep.

_TAKE_OVER_BLOCK = _input(
    TAKE_OVER, "Another rep's prospect?",
    {"type": "checkboxes", "action_id": ids.VALUE,
     "options": [_option("Take over: move their follow-ups to me", TAKE_OVER_YES)]},
    hint="Only asked when another rep has open follow-ups with this prospect.")
_NEW_PROSPECT_HEADER = {"type": "context", "elements": [
    {"type": "mrkdwn", "text": "New prospect? Fill in the fields below instead."}]}
_PHONE_BLOCK = _text_input(ids.NEW_PHONE, "Phone", placeholder="+1 555 0100")
_COUNTRY_BLOCK = _text_input(
    ids.NEW_COUNTRY, "Their country", placeholder="US, DE, GB-SCT or Germany",
    hint="Their weekend and public holidays follow it; empty: the team's country.")
_TYPE_OPTIONS = [_option(t.label, t.value) for t in CallType]
_OUTCOME_BLOCK = _input(ids.OUTCOME, "Outcome", {
    "type": "radio_buttons", "action_id": ids.VALUE,
    "options": [_option(o.label, o.value) for o in Outcome]}, optional=None)
_NOTE_BLOCKS = [_text_input(field.value, NOTE_QUESTIONS[field][0],
                            placeholder=NOTE_QUESTIONS[field][1], multiline=True)
                for field in NoteField]
_NO_DATE = _input(ids.NEXT_DATE, "Next follow-up", {"type": "datepicker", "action_id": ids.VALUE},
                  hint="Suggested by the cadence for the outcome you pick. Change it to "
                       "override.")
_HEAD = {"type": "modal", "callback_id": ids.LOGCALL_CALLBACK, "title": _plain("Log a call"),
         "submit": _plain("Save"), "close": _plain("Cancel")}


# -- Filled per request.

def _prospect_blocks(form: LogForm) -> list:
    """The picker (the preselected prospect, if any) and the take-over question."""
    picker = {"type": "external_select", "action_id": ids.PROSPECT,
              "placeholder": _plain("Type a name or company"), "min_query_length": 1}
    if form.prospect:
        picker["initial_option"] = prospect_option(form.prospect)
    held_by = [{"type": "context", "block_id": "held_by", "elements": [{
        "type": "mrkdwn",
        "text": f":busts_in_silhouette: {escape_clipped(form.held_by, 1000)}"}]}] \
        if form.held_by else []
    return [_input(ids.PROSPECT, "Prospect", picker), *held_by, _TAKE_OVER_BLOCK]


def _new_prospect_blocks(form: LogForm) -> list:
    """A new prospect's fields, prefilled from the command's text unless one is picked."""
    prefill, typed = form.prefill, form.prospect is None
    return [
        _NEW_PROSPECT_HEADER,
        _text_input(ids.NEW_NAME, "New prospect's name", initial=prefill.name if typed else ""),
        _text_input(ids.NEW_COMPANY, "Company", initial=prefill.company if typed else ""),
        _text_input(ids.NEW_EMAIL, "Email", initial=prefill.email,
                    placeholder="dana@acme.example"),
        _PHONE_BLOCK,
        # The block id carries the zone: when the rep's own zone arrives after the modal
        # opened, views.update swaps in a new block so Slack shows the new initial value.
        _text_input(ids.NEW_TZ, "Their time zone", initial=form.rep_tz,
                    block_id=tz_block_id(form.rep_tz),
                    hint="An IANA name such as America/Chicago or Europe/Berlin."),
        _COUNTRY_BLOCK,
    ]


def _call_blocks(form: LogForm) -> list:
    """Call type (offered: the one that continues the cadence), outcome, notes, date."""
    call_type = _input(ids.CALL_TYPE, "Call type", {
        "type": "static_select", "action_id": ids.VALUE, "options": _TYPE_OPTIONS,
        "initial_option": _TYPE_OPTIONS[list(CallType).index(form.call_type)]},
        optional=None)
    date = _NO_DATE
    if form.suggested:
        date = {**_NO_DATE, "element": {**_NO_DATE["element"],
                                        "initial_date": form.suggested.isoformat()}}
    return [call_type, _OUTCOME_BLOCK, *_NOTE_BLOCKS, date]


def build_logcall_view(form: LogForm, *, channel_id: str | None = None) -> dict:
    """The log form as the service read it (bot.services.log_form.open_log_form)."""
    # "t": the call type offered. Left as offered, a prospect's running cadence continues;
    # a type the rep picks on purpose starts that type's cadence.
    metadata = {"s": form.suggested.isoformat() if form.suggested else None, "c": channel_id,
                "t": form.call_type.value}
    blocks = [*_prospect_blocks(form), *_new_prospect_blocks(form), *_call_blocks(form)]
    return {**_HEAD, "blocks": blocks, "private_metadata": encode(metadata)}


def tz_block_id(tz: str) -> str:
    return f"{ids.NEW_TZ}:{tz}"
