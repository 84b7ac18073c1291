"""Vocabulary shared by the whole bot: outcomes, call types, channels, statuses."""

from __future__ import annotations

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
