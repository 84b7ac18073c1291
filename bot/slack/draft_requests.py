"""What a click on a draft's button, or the Edit modal's Save, asks for, as typed values.

Ids are read with the one codec and are not trusted yet: the service each listener calls
checks the owner (bot.services.access.owned). The Edit modal carries the message to
rewrite sealed under the draft secret, bound to draft and rep (:func:`edit_state`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.services.access import Who
from bot.slack import ids
from bot.slack.codec import action_value, as_id, decode, encode, seal, unseal
from bot.slack.context import team_of, user_of
from bot.slack.drafts_view import BODY_MAX, SUBJECT_MAX
from bot.slack.due_list_view import LIST_KEY


@dataclass(frozen=True)
class DraftClick:
    """Copy, Edit or Mark as sent on one draft."""

    who: Who
    draft_id: int | None  # as the button names it
    from_list: bool  # on a due list: the list is the message to keep
    channel: str | None  # the message clicked, as Slack reports it
    ts: str | None


@dataclass(frozen=True)
class ReminderClick:
    """"Remind me then" (``at``) or "Cancel reminder" (``at`` None) on a due-list email."""

    who: Who
    draft_id: int | None
    at: datetime | None


@dataclass(frozen=True)
class BreakupClick:
    who: Who
    prospect_id: int | None


@dataclass(frozen=True)
class EditSubmission:
    """The Edit modal's Save: the rep's words, or field errors to show instead."""

    who: Who
    draft_id: int | None
    subject: str
    text: str
    meta: dict  # the decoded private_metadata: where to show the saved draft
    errors: dict[str, str]


@dataclass(frozen=True)
class EditTarget:
    """Where a saved edit shows: nowhere (opened from a due list, which shows no draft
    text), the message it was opened from, or (None: none we can vouch for) a new DM."""

    in_list: bool
    message: tuple[str, str] | None


def _who(context, body: dict) -> Who:
    return Who.rep(team_of(context, body), user_of(context, body))


def _where(body: dict) -> tuple[str | None, str | None]:
    """The message the click came from, as Slack reports it."""
    container = body.get("container")
    container = container if isinstance(container, dict) else {}
    channel, ts = container.get("channel_id"), container.get("message_ts")
    return (channel, ts) if isinstance(channel, str) and isinstance(ts, str) else (None, None)


def read_click(context, body: dict) -> DraftClick:
    value = action_value(body)
    return DraftClick(_who(context, body), as_id(value.get("d")), value.get(LIST_KEY) == 1,
                      *_where(body))


def _instant(value: object) -> datetime:
    """A button's time (whole seconds since the epoch); the epoch itself when unreadable,
    which the service refuses as a time gone by."""
    seconds = value if isinstance(value, int) and not isinstance(value, bool) else 0
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return datetime.fromtimestamp(0, UTC)


def read_reminder(context, body: dict) -> ReminderClick:
    value = action_value(body)
    at = None if value.get("c") == 1 else _instant(value.get("t"))
    return ReminderClick(_who(context, body), as_id(value.get("d")), at)


def read_breakup(context, body: dict) -> BreakupClick:
    return BreakupClick(_who(context, body), as_id(action_value(body).get("p")))


def _typed(view: dict, block_id: str) -> str:
    """What the rep typed in a modal's text input ("" when the state is not Slack's)."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    block = values.get(block_id) if isinstance(values, dict) else None
    action = block.get(ids.VALUE) if isinstance(block, dict) else None
    value = action.get("value") if isinstance(action, dict) else None
    return value.strip() if isinstance(value, str) else ""


def edit_errors(subject: str, text: str) -> dict[str, str]:
    """Field errors, as Slack shows them under the inputs; {} when the edit can be saved."""
    errors = {}
    if not subject or len(subject) > SUBJECT_MAX or "\n" in subject:
        errors["subject"] = f"A subject is one line of 1-{SUBJECT_MAX} characters."
    if not text or len(text) > BODY_MAX:
        errors["body"] = f"The email needs 1-{BODY_MAX} characters."
    return errors


def read_edit(context, body: dict, view: dict) -> EditSubmission:
    subject, text = _typed(view, "subject"), _typed(view, "body")
    meta = decode(view.get("private_metadata"))
    return EditSubmission(_who(context, body), as_id(meta.get("d")), subject, text, meta,
                          edit_errors(subject, text))


def edit_state(secret: str, click: DraftClick, draft_id: int) -> str:
    """The Edit modal's private_metadata: the draft, and the message to rewrite on Save.
    The message is the container of this rep's click on this draft's Edit button, sealed
    (HMAC under the draft secret, bound to draft and rep): a value crafted in between
    cannot point the rewrite at any other message. A due list is left as it is."""
    return encode(seal({"d": draft_id, "u": click.who.user_id, "c": click.channel,
                        "ts": click.ts, LIST_KEY: int(click.from_list)}, secret))


def edit_target(secret: str, meta: dict, draft_id: int, user_id: str) -> EditTarget:
    """Where the saved draft shows, from :func:`edit_state`'s sealed fields when they hold
    for this draft and rep; anything else gets a new DM, never another message."""
    where = unseal(meta, secret)
    if not where or where.get("d") != draft_id or where.get("u") != user_id:
        return EditTarget(in_list=False, message=None)
    if where.get(LIST_KEY) == 1:
        return EditTarget(in_list=True, message=None)
    channel, ts = where.get("c"), where.get("ts")
    ok = isinstance(channel, str) and isinstance(ts, str)
    return EditTarget(in_list=False, message=(channel, ts) if ok else None)
