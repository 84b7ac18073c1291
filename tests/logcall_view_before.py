"""The /logcall modal's builder as it was before issue 15: slack_sdk model objects turned
into JSON by ``View.to_dict()`` on every request. Kept, unchanged, as the reference that
tests/test_logcall_view.py compares the prebuilt JSON of bot.slack.logcall_view with."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    CheckboxesElement,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    StaticSelectElement,
)
from slack_sdk.models.blocks.block_elements import ExternalDataSelectElement
from slack_sdk.models.views import View

from bot.domain.model import CallType, NoteField, Outcome
from bot.services.log_form import LogForm
from bot.services.prospects import ProspectOption
from bot.slack import ids
from bot.slack.codec import encode
from bot.slack.logcall_view import NOTE_QUESTIONS, TAKE_OVER, TAKE_OVER_YES, tz_block_id
from bot.slack.text import clip, escape_clipped


def prospect_option(option: ProspectOption) -> Option:
    text = option.name if not option.company else f"{option.name} · {option.company}"
    return Option(text=clip(text, 75), value=str(option.id))


def _text_input(field_id: str, label: str, *, initial: str = "", placeholder: str = "",
                multiline: bool = False, optional: bool = True, hint: str | None = None,
                block_id: str | None = None):
    limit = ids.MAX_LENGTHS[field_id]
    element = PlainTextInputElement(
        action_id=ids.VALUE, max_length=limit, multiline=multiline,
        initial_value=clip(initial, limit) or None,
        placeholder=placeholder or None,
    )
    return InputBlock(block_id=block_id or field_id, label=label, element=element,
                      optional=optional, hint=hint)


def _prospect_blocks(form: LogForm) -> list:
    """The picker (the preselected prospect, if any) and the take-over question."""
    picker = ExternalDataSelectElement(
        action_id=ids.PROSPECT, placeholder="Type a name or company", min_query_length=1,
        initial_option=prospect_option(form.prospect) if form.prospect else None,
    )
    held_by = [ContextBlock(block_id="held_by", elements=[MarkdownTextObject(
        text=f":busts_in_silhouette: {escape_clipped(form.held_by, 1000)}")])] \
        if form.held_by else []
    return [
        InputBlock(block_id=ids.PROSPECT, label="Prospect", element=picker, optional=True),
        *held_by,
        InputBlock(block_id=TAKE_OVER, label="Another rep's prospect?", optional=True,
                   hint="Only asked when another rep has open follow-ups with this prospect.",
                   element=CheckboxesElement(action_id=ids.VALUE, options=[Option(
                       value=TAKE_OVER_YES, text="Take over: move their follow-ups to me")])),
    ]


def _new_prospect_blocks(form: LogForm) -> list:
    """A new prospect's fields, prefilled from the command's text unless one is picked."""
    prefill, typed = form.prefill, form.prospect is None
    return [
        ContextBlock(elements=[MarkdownTextObject(text="New prospect? Fill in the fields below "
                                                       "instead.")]),
        _text_input(ids.NEW_NAME, "New prospect's name", initial=prefill.name if typed else ""),
        _text_input(ids.NEW_COMPANY, "Company", initial=prefill.company if typed else ""),
        _text_input(ids.NEW_EMAIL, "Email", initial=prefill.email,
                    placeholder="dana@acme.example"),
        _text_input(ids.NEW_PHONE, "Phone", placeholder="+1 555 0100"),
        # The block id carries the zone: when the rep's own zone arrives after the modal
        # opened, views.update swaps in a new block so Slack shows the new initial value.
        _text_input(ids.NEW_TZ, "Their time zone", initial=form.rep_tz,
                    block_id=tz_block_id(form.rep_tz),
                    hint="An IANA name such as America/Chicago or Europe/Berlin."),
        _text_input(ids.NEW_COUNTRY, "Their country", placeholder="US, DE, GB-SCT or Germany",
                    hint="Their weekend and public holidays follow it; empty: the team's country."),
    ]


def _call_blocks(form: LogForm) -> list:
    """Call type (offered: the one that continues the cadence), outcome, notes, date."""
    type_options = [Option(text=t.label, value=t.value) for t in CallType]
    suggested = form.suggested.isoformat() if form.suggested else None
    return [
        InputBlock(block_id=ids.CALL_TYPE, label="Call type", element=StaticSelectElement(
            action_id=ids.VALUE, options=type_options,
            initial_option=type_options[list(CallType).index(form.call_type)])),
        InputBlock(block_id=ids.OUTCOME, label="Outcome", element=RadioButtonsElement(
            action_id=ids.VALUE, options=[Option(text=o.label, value=o.value) for o in Outcome])),
        *[_text_input(field.value, NOTE_QUESTIONS[field][0], placeholder=NOTE_QUESTIONS[field][1],
                      multiline=True) for field in NoteField],
        InputBlock(
            block_id=ids.NEXT_DATE, label="Next follow-up", optional=True,
            hint="Suggested by the cadence for the outcome you pick. Change it to override.",
            element=DatePickerElement(action_id=ids.VALUE, initial_date=suggested)),
    ]


def build_logcall_view(form: LogForm, *, channel_id: str | None = None) -> View:
    """The log form as the service read it (bot.services.log_form.open_log_form)."""
    # "t": the call type offered. Left as offered, a prospect's running cadence continues;
    # a type the rep picks on purpose starts that type's cadence.
    metadata = {"s": form.suggested.isoformat() if form.suggested else None, "c": channel_id,
                "t": form.call_type.value}
    blocks = [*_prospect_blocks(form), *_new_prospect_blocks(form), *_call_blocks(form)]
    return View(type="modal", callback_id=ids.LOGCALL_CALLBACK, title="Log a call",
                submit="Save", close="Cancel", blocks=blocks,
                private_metadata=encode(metadata))
