"""Vocabulary shared by the whole bot: outcomes, call types, note fields, channels,
statuses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    CONNECTED = "connected"
    MEETING_BOOKED = "meeting_booked"
    VOICEMAIL = "voicemail"
    NO_ANSWER = "no_answer"
    GATEKEEPER = "gatekeeper"  # an assistant or switchboard, not the buyer
    NOT_NOW = "not_now"
    NOT_INTERESTED = "not_interested"
    WRONG_NUMBER = "wrong_number"
    DO_NOT_CALL = "do_not_call"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    Outcome.CONNECTED: "Connected",
    Outcome.MEETING_BOOKED: "Meeting booked",
    Outcome.VOICEMAIL: "Left a voicemail",
    Outcome.NO_ANSWER: "No answer",
    Outcome.GATEKEEPER: "Reached a gatekeeper",
    Outcome.NOT_NOW: "Not right now",
    Outcome.NOT_INTERESTED: "Not interested / went elsewhere",
    Outcome.WRONG_NUMBER: "Wrong number",
    Outcome.DO_NOT_CALL: "Do not call",
}


# A call that reached nobody who could say yes uses up one of the cadence's attempts; a
# conversation (the buyer on the line) does not. Managers' connect rates count
# conversations only.
UNANSWERED = frozenset({Outcome.VOICEMAIL, Outcome.NO_ANSWER, Outcome.GATEKEEPER})
NOT_A_CONVERSATION = UNANSWERED | {Outcome.WRONG_NUMBER}


def uses_attempt(outcome: Outcome) -> bool:
    """Whether this call counts against the cadence's call cap."""
    return outcome in UNANSWERED


def is_conversation(outcome: Outcome) -> bool:
    """Whether the buyer was on the line (every outcome but voicemail, no answer, wrong
    number and a gatekeeper)."""
    return outcome not in NOT_A_CONVERSATION


class CallType(StrEnum):
    COLD_CALL = "cold_call"
    POST_DEMO = "post_demo"
    POST_VOICEMAIL = "post_voicemail"
    POST_EMAIL = "post_email"
    SIGNAL_TRIGGERED = "signal_triggered"
    RE_ENGAGEMENT = "re_engagement"
    POST_PROPOSAL = "post_proposal"

    @property
    def label(self) -> str:
        return CALL_TYPE_LABELS[self]


CALL_TYPE_LABELS = {
    CallType.COLD_CALL: "Cold call",
    CallType.POST_DEMO: "After a demo",
    CallType.POST_VOICEMAIL: "After a voicemail",
    CallType.POST_EMAIL: "After an email",
    CallType.SIGNAL_TRIGGERED: "Signal (pricing page, job change, funding)",
    CallType.RE_ENGAGEMENT: "Re-engagement",
    CallType.POST_PROPOSAL: "After a proposal",
}


class NoteField(StrEnum):
    """What a rep notes about a call: the one list of note fields, in the order every
    surface shows them (the modal, the post-log DM, the drafts, the export). The value is
    the column of ``calls`` and the key templates read (``notes.pain_point``)."""

    PAIN_POINT = "pain_point"
    OBJECTION = "objection"
    NEXT_STEP = "next_step"
    PERSONAL_DETAIL = "personal_detail"
    RESOURCE_PROMISED = "resource_promised"

    @property
    def label(self) -> str:
        """Its name in a sentence's opening ("Pain point"); ``label.lower()`` inside one."""
        return NOTE_FIELD_LABELS[self]


NOTE_FIELD_LABELS = {
    NoteField.PAIN_POINT: "Pain point",
    NoteField.OBJECTION: "Objection",
    NoteField.NEXT_STEP: "Next step",
    NoteField.PERSONAL_DETAIL: "Personal detail",
    NoteField.RESOURCE_PROMISED: "Resource promised",
}


@dataclass(frozen=True)
class Notes:
    """What the rep wrote about one call: one optional text per :class:`NoteField`, as
    typed attributes (a test checks they are exactly the fields, in order)."""

    pain_point: str | None = None
    objection: str | None = None
    next_step: str | None = None
    personal_detail: str | None = None
    resource_promised: str | None = None

    @classmethod
    def from_texts(cls, texts: Mapping[str, str | None]) -> Notes:
        """Each field's text from ``texts`` (keyed by field name); blank or absent: None."""
        return cls(**{field.value: texts.get(field) or None for field in NoteField})

    def get(self, field: NoteField) -> str | None:
        return getattr(self, field.value)

    def as_dict(self) -> dict[str, str | None]:
        """Keyed by field name in NoteField order: what templates and draft checks read."""
        return {field.value: self.get(field) for field in NoteField}


class Channel(StrEnum):
    CALL = "call"
    EMAIL = "email"
    LINKEDIN = "linkedin"
    OTHER = "other"


class ProspectStatus(StrEnum):
    ACTIVE = "active"
    NURTURE = "nurture"
    MEETING_BOOKED = "meeting_booked"
    CLOSED = "closed"
    DO_NOT_CALL = "do_not_call"


class FollowUpStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


class DoNotCallError(Exception):
    """A touch was about to be scheduled for a do-not-call prospect. Never allowed."""
