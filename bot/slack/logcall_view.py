"""The /logcall modal: building it, and reading + validating a submission."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

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

from bot.config import is_iana_zone
from bot.domain.model import CallType, Outcome
from bot.domain.prefill import Prefill, is_valid_email
from bot.domain.text import has_visible_text
from bot.services.calls import LogCall, NewProspect, Notes
from bot.services.countries import UnknownCountry, parse_country
from bot.services.prospects import ProspectOption
from bot.slack import ids
from bot.slack.codec import as_id, decode, encode
from bot.slack.text import clip, escape_clipped

TAKE_OVER = "take_over"  # block id of the "Take over" checkbox
TAKE_OVER_YES = "yes"

NOTE_LABELS = {
    "pain_point": ("Pain point or goal, in their words", "“We lose two days a month reconciling"
                   " invoices by hand”"),
    "objection": ("Objection they raised", "Budget is frozen until Q2"),
    "next_step": ("Next step they agreed to", "Send pricing, talk again Thursday"),
    "personal_detail": ("Personal detail", "Back from their product launch"),
    "resource_promised": ("Resource you promised", "The logistics case study"),
}


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


def build_logcall_view(*, prefill: Prefill, rep_tz: str, suggested: date | None,
                       preselected: ProspectOption | None = None,
                       channel_id: str | None = None,
                       call_type: CallType = CallType.COLD_CALL,
                       held_by: str | None = None) -> View:
    """``held_by``: who holds the preselected prospect's open follow-ups, if another rep."""
    outcome_options = [Option(text=o.label, value=o.value) for o in Outcome]
    type_options = [Option(text=t.label, value=t.value) for t in CallType]
    picker = ExternalDataSelectElement(
        action_id=ids.PROSPECT, placeholder="Type a name or company", min_query_length=1,
        initial_option=prospect_option(preselected) if preselected else None,
    )
    blocks = [
        InputBlock(block_id=ids.PROSPECT, label="Prospect", element=picker, optional=True),
        *([ContextBlock(block_id="held_by", elements=[MarkdownTextObject(
            text=f":busts_in_silhouette: {escape_clipped(held_by, 1000)}")])] if held_by else []),
        InputBlock(block_id=TAKE_OVER, label="Another rep's prospect?", optional=True,
                   hint="Only asked when another rep has open follow-ups with this prospect.",
                   element=CheckboxesElement(action_id=ids.VALUE, options=[Option(
                       value=TAKE_OVER_YES, text="Take over: move their follow-ups to me")])),
        ContextBlock(elements=[MarkdownTextObject(text="New prospect? Fill in the fields below "
                                                       "instead.")]),
        _text_input(ids.NEW_NAME, "New prospect's name",
                    initial="" if preselected else prefill.name),
        _text_input(ids.NEW_COMPANY, "Company",
                    initial="" if preselected else prefill.company),
        _text_input(ids.NEW_EMAIL, "Email", initial=prefill.email,
                    placeholder="dana@acme.example"),
        _text_input(ids.NEW_PHONE, "Phone", placeholder="+1 555 0100"),
        # The block id carries the zone: when the rep's own zone arrives after the modal
        # opened, views.update swaps in a new block so Slack shows the new initial value.
        _text_input(ids.NEW_TZ, "Their time zone", initial=rep_tz, block_id=tz_block_id(rep_tz),
                    hint="An IANA name such as America/Chicago or Europe/Berlin."),
        _text_input(ids.NEW_COUNTRY, "Their country", placeholder="US, DE, GB-SCT or Germany",
                    hint="Their weekend and public holidays follow it; empty: the team's country."),
        InputBlock(block_id=ids.CALL_TYPE, label="Call type", element=StaticSelectElement(
            action_id=ids.VALUE, options=type_options,
            initial_option=type_options[list(CallType).index(call_type)])),
        InputBlock(block_id=ids.OUTCOME, label="Outcome", element=RadioButtonsElement(
            action_id=ids.VALUE, options=outcome_options)),
    ]
    for field_id in ids.NOTE_FIELDS:
        label, example = NOTE_LABELS[field_id]
        blocks.append(_text_input(field_id, label, placeholder=example, multiline=True))
    blocks.append(InputBlock(
        block_id=ids.NEXT_DATE, label="Next follow-up", optional=True,
        hint="Suggested by the cadence for the outcome you pick. Change it to override.",
        element=DatePickerElement(action_id=ids.VALUE,
                                  initial_date=suggested.isoformat() if suggested else None),
    ))
    # "t": the call type offered. Left as offered, a prospect's running cadence continues;
    # a type the rep picks on purpose starts that type's cadence.
    metadata = {"s": suggested.isoformat() if suggested else None, "c": channel_id,
                "t": call_type.value}
    return View(type="modal", callback_id=ids.LOGCALL_CALLBACK, title="Log a call",
                submit="Save", close="Cancel", blocks=blocks,
                private_metadata=encode(metadata))


def tz_block_id(tz: str) -> str:
    return f"{ids.NEW_TZ}:{tz}"


@dataclass(frozen=True)
class Submission:
    command: LogCall | None
    errors: dict[str, str]


def _block_key(values: dict, field_id: str) -> str:
    """The block id that holds ``field_id`` (exactly it, or it with a ':suffix')."""
    for key in values:
        if key == field_id or key.startswith(field_id + ":"):
            return key
    return field_id


def _action(values: dict, block_id: str, action_id: str = ids.VALUE) -> dict:
    actions = values.get(block_id)
    action = actions.get(action_id) if isinstance(actions, dict) else None
    return action if isinstance(action, dict) else {}


def _value(values: dict, block_id: str) -> str:
    value = _action(values, block_id).get("value")
    return value.strip() if isinstance(value, str) else ""


def _selected(values: dict, block_id: str, action_id: str = ids.VALUE) -> str | None:
    option = _action(values, block_id, action_id).get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    return value if isinstance(value, str) else None


def _ticked(values: dict, block_id: str) -> bool:
    options = _action(values, block_id).get("selected_options")
    return isinstance(options, list) and any(
        isinstance(option, dict) and option.get("value") == TAKE_OVER_YES for option in options)


def _iso_date(raw: object) -> date | None:
    try:
        return date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def _country(text: str, errors: dict[str, str]) -> str | None:
    """The stored code for what the rep typed; a field error when it names no country."""
    try:
        return parse_country(text)
    except UnknownCountry:
        errors.setdefault(ids.NEW_COUNTRY, (
            f"Unknown country '{clip(text, 40)}'. Use a code such as US, DE, GB-SCT or AE, "
            "or a country's English name such as Germany."))
        return None


def read_submission(view: dict, *, team_id: str, user_id: str, rep_tz: str,
                    today: date) -> Submission:
    """Turn a view_submission into a LogCall, or field errors keyed by block id."""
    values = (view.get("state") or {}).get("values")
    values = values if isinstance(values, dict) else {}
    meta = decode(view.get("private_metadata"))
    errors: dict[str, str] = {}
    keys = {field_id: _block_key(values, field_id) for field_id in ids.MAX_LENGTHS}
    texts = {field_id: _value(values, key) for field_id, key in keys.items()}
    for field_id, text in texts.items():
        if len(text) > ids.MAX_LENGTHS[field_id]:
            errors[keys[field_id]] = f"Keep this under {ids.MAX_LENGTHS[field_id]} characters."
    prospect_raw = _selected(values, ids.PROSPECT, ids.PROSPECT)
    prospect_id = as_id(prospect_raw, text=True)
    if prospect_raw and prospect_id is None:  # not an option the bot offered
        errors[ids.PROSPECT] = "That isn't a prospect I offered. Pick one from the list again."
    new = None
    if prospect_id is None and not prospect_raw:
        if not texts[ids.NEW_NAME]:
            errors[ids.NEW_NAME] = "Pick a prospect above, or type the new prospect's name."
        elif not has_visible_text(texts[ids.NEW_NAME]):
            errors[ids.NEW_NAME] = ("That name has no visible letters (only blank or invisible "
                                    "characters). Type the prospect's name.")
        if texts[ids.NEW_EMAIL] and not is_valid_email(texts[ids.NEW_EMAIL]):
            errors[ids.NEW_EMAIL] = "That doesn't look like an email address (name@company.com)."
        tz = texts[ids.NEW_TZ] or rep_tz
        if not is_iana_zone(tz):
            errors[keys[ids.NEW_TZ]] = (f"Unknown time zone '{clip(tz, 40)}'. Use a name like "
                                  "America/New_York or Europe/London.")
        country = _country(texts[ids.NEW_COUNTRY], errors)
        company = texts[ids.NEW_COMPANY] if has_visible_text(texts[ids.NEW_COMPANY]) else ""
        new = NewProspect(texts[ids.NEW_NAME], company or None,
                          texts[ids.NEW_EMAIL] or None, texts[ids.NEW_PHONE] or None, tz,
                          country=country)
    outcome_raw = _selected(values, ids.OUTCOME)
    if outcome_raw not in {o.value for o in Outcome}:
        errors[ids.OUTCOME] = "Pick how the call went."
    call_type_raw = _selected(values, ids.CALL_TYPE) or CallType.COLD_CALL.value
    if call_type_raw not in {t.value for t in CallType}:
        errors[ids.CALL_TYPE] = "Pick a call type."
    next_date = None
    raw_date = _action(values, ids.NEXT_DATE).get("selected_date")
    if raw_date:
        next_date = _iso_date(raw_date)
        if next_date is None:
            errors[ids.NEXT_DATE] = "Pick a date from the calendar."
    if next_date is not None and next_date < today:
        errors[ids.NEXT_DATE] = "The next follow-up can't be in the past: pick today or later."
    elif next_date is not None and next_date > today + timedelta(days=365):
        errors[ids.NEXT_DATE] = "Pick a date within the next year."
    if errors:
        return Submission(None, errors)
    notes = Notes(**{f: texts[f] or None for f in ids.NOTE_FIELDS})
    command = LogCall(
        team_id=team_id, user_id=user_id, rep_tz=rep_tz, call_type=CallType(call_type_raw),
        outcome=Outcome(outcome_raw), submission_key=f"view:{view.get('id')}",
        prospect_id=prospect_id, new_prospect=new, notes=notes, next_date=next_date,
        suggested_date=_iso_date(meta.get("s")),
        call_type_explicit=call_type_raw != meta.get("t", CallType.COLD_CALL.value),
        take_over=_ticked(values, TAKE_OVER),
    )
    return Submission(command, {})
