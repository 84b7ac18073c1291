"""The outcome "Reached a gatekeeper": an assistant, not the buyer. It uses up a call
attempt, keeps the cadence going, is not a conversation, and the DM suggests asking for
the best time to reach the buyer."""

from datetime import date

from sqlalchemy import select

from bot.db.models import EmailDraft, FollowUp, Prospect
from bot.domain.cadence import Cadence, CallFacts, Step, plan_after_call
from bot.domain.drafts import drafts_after_call
from bot.domain.model import Channel, Outcome, ProspectStatus, is_conversation, uses_attempt
from tests.logcall_helpers import log_call, message_text, open_modal

CALLS = Cadence("calls", "Calls", tuple(Step(day, Channel.CALL, f"Call {n}")
                                        for n, day in enumerate((1, 3, 7), start=1)))


def test_a_gatekeeper_uses_an_attempt_and_is_not_a_conversation():
    assert uses_attempt(Outcome.GATEKEEPER) and not is_conversation(Outcome.GATEKEEPER)
    assert not uses_attempt(Outcome.CONNECTED) and is_conversation(Outcome.CONNECTED)
    assert is_conversation(Outcome.MEETING_BOOKED) and not is_conversation(Outcome.VOICEMAIL)


def test_the_cadence_goes_on_after_a_gatekeeper():
    plan = plan_after_call(CALLS, CallFacts(Outcome.GATEKEEPER, date(2026, 11, 25),
                                            date(2026, 11, 25), 1))
    assert plan.status is ProspectStatus.ACTIVE and plan.next_touch is not None
    assert plan.next_touch.channel is Channel.CALL and plan.next_touch.attempt == 2
    assert drafts_after_call("gatekeeper", None, False) == []  # no email to the assistant


def test_logging_a_gatekeeper_end_to_end(slack, fake_slack, session_factory):
    view = open_modal(slack, fake_slack)
    outcomes = next(b for b in view["blocks"] if b.get("block_id") == "outcome")
    assert "Reached a gatekeeper" in str(outcomes)
    _, dm = log_call(slack, fake_slack, name="Dana", company="Acme", outcome="gatekeeper",
                     call_type="post_voicemail")
    text = message_text(dm)
    assert "ask the assistant when *Dana*" not in text  # the name is escaped, not bolded
    assert "ask the assistant when Dana is easiest to reach" in text
    assert "attempt 2 of 6" in text
    with session_factory() as session:
        prospect = session.scalars(select(Prospect)).one()
        assert (prospect.call_attempts, prospect.status) == (1, "active")
        assert session.scalars(select(FollowUp).where(FollowUp.status == "pending")).one()
        assert session.scalars(select(EmailDraft)).all() == []
