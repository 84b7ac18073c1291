"""Vocabulary shared by the whole bot: outcomes, call types, channels, statuses."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    CONNECTED = "connected"
    MEETING_BOOKED = "meeting_booked"
    VOICEMAIL = "voicemail"
    NO_ANSWER = "no_answer"
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
    Outcome.NOT_NOW: "Not right now",
    Outcome.NOT_INTERESTED: "Not interested / went elsewhere",
    Outcome.WRONG_NUMBER: "Wrong number",
    Outcome.DO_NOT_CALL: "Do not call",
}


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
