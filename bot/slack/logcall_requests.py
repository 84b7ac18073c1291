"""Reading the /logcall modal's submission: a LogCall, or field errors keyed by block id.

Every value is read defensively: the state has Slack's shape, but whoever sends the
request types it. Ids are only decoded here; bot.services.calls.log_call checks the owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.config import is_iana_zone
from bot.domain.model import CallType, Notes, Outcome
from bot.domain.prefill import is_valid_email
from bot.domain.text import has_visible_text
from bot.services.calls import LogCall, NewProspect
from bot.services.countries import UnknownCountry, parse_country
from bot.slack import ids
from bot.slack.codec import as_id, decode
from bot.slack.logcall_view import TAKE_OVER, TAKE_OVER_YES
from bot.slack.text import clip


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


def _texts(values: dict, errors: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(typed text by field id, block id by field id), with an error for each too long."""
    keys = {field_id: _block_key(values, field_id) for field_id in ids.MAX_LENGTHS}
    texts = {field_id: _value(values, key) for field_id, key in keys.items()}
    for field_id, text in texts.items():
        if len(text) > ids.MAX_LENGTHS[field_id]:
            errors[keys[field_id]] = f"Keep this under {ids.MAX_LENGTHS[field_id]} characters."
    return texts, keys


def _picked(values: dict, errors: dict[str, str]) -> tuple[int | None, bool]:
    """(the picked prospect's id, whether the picker held anything at all)."""
    raw = _selected(values, ids.PROSPECT, ids.PROSPECT)
    prospect_id = as_id(raw, text=True)
    if raw and prospect_id is None:  # not an option the bot offered
        errors[ids.PROSPECT] = "That isn't a prospect I offered. Pick one from the list again."
    return prospect_id, bool(raw)


def _new_prospect(texts: dict[str, str], keys: dict[str, str], rep_tz: str,
                  errors: dict[str, str]) -> NewProspect:
    """The new prospect typed below the picker; its zone defaults to the rep's."""
    name = texts[ids.NEW_NAME]
    if not name:
        errors[ids.NEW_NAME] = "Pick a prospect above, or type the new prospect's name."
    elif not has_visible_text(name):
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
    return NewProspect(name, company or None, texts[ids.NEW_EMAIL] or None,
                       texts[ids.NEW_PHONE] or None, tz, country=country)


def _choices(values: dict, errors: dict[str, str]) -> tuple[str | None, str]:
    """(outcome, call type) as picked, with an error for a value the modal did not offer."""
    outcome = _selected(values, ids.OUTCOME)
    if outcome not in {o.value for o in Outcome}:
        errors[ids.OUTCOME] = "Pick how the call went."
    call_type = _selected(values, ids.CALL_TYPE) or CallType.COLD_CALL.value
    if call_type not in {t.value for t in CallType}:
        errors[ids.CALL_TYPE] = "Pick a call type."
    return outcome, call_type


def _next_date(values: dict, today: date, errors: dict[str, str]) -> date | None:
    """The picked follow-up date: from the rep's ``today`` to a year ahead."""
    next_date = None
    raw = _action(values, ids.NEXT_DATE).get("selected_date")
    if raw:
        next_date = _iso_date(raw)
        if next_date is None:
            errors[ids.NEXT_DATE] = "Pick a date from the calendar."
    if next_date is not None and next_date < today:
        errors[ids.NEXT_DATE] = "The next follow-up can't be in the past: pick today or later."
    elif next_date is not None and next_date > today + timedelta(days=365):
        errors[ids.NEXT_DATE] = "Pick a date within the next year."
    return next_date


def read_submission(view: dict, *, team_id: str, user_id: str, rep_tz: str,
                    today: date) -> Submission:
    """Turn a view_submission into a LogCall, or field errors keyed by block id.
    ``rep_tz``/``today``: the rep's zone and date (a new prospect's default zone, the
    range of the follow-up date)."""
    values = (view.get("state") or {}).get("values")
    values = values if isinstance(values, dict) else {}
    errors: dict[str, str] = {}
    texts, keys = _texts(values, errors)
    prospect_id, picked = _picked(values, errors)
    new = None if picked else _new_prospect(texts, keys, rep_tz, errors)
    outcome, call_type = _choices(values, errors)
    next_date = _next_date(values, today, errors)
    if errors:
        return Submission(None, errors)
    meta = decode(view.get("private_metadata"))
    return Submission(LogCall(
        team_id=team_id, user_id=user_id, rep_tz=rep_tz, call_type=CallType(call_type),
        outcome=Outcome(outcome), submission_key=f"view:{view.get('id')}",
        prospect_id=prospect_id, new_prospect=new, notes=Notes.from_texts(texts),
        next_date=next_date, suggested_date=_iso_date(meta.get("s")),
        call_type_explicit=call_type != meta.get("t", CallType.COLD_CALL.value),
        take_over=_ticked(values, TAKE_OVER),
    ), {})
