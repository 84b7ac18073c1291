"""Email opt-out in the cadence engine: an opted-out prospect's email steps are skipped,
and the nurture after a cadence comes as a call instead of an email."""

from __future__ import annotations

from datetime import date

from bot.domain.cadence import Cadence, CallFacts, Rules, Step, next_step, plan_after_call
from bot.domain.model import Channel, Outcome

MIXED = Cadence("mixed", "Mixed", (
    Step(1, Channel.EMAIL, "Intro", "intro"),
    Step(2, Channel.LINKEDIN, "Note", "linkedin_note"),
    Step(3, Channel.CALL, "Call 1"),
    Step(5, Channel.EMAIL, "Value", "value_add"),
))
MONDAY = date(2026, 11, 30)


def _facts(**kw) -> CallFacts:
    return CallFacts(kw.pop("outcome", Outcome.NO_ANSWER), kw.pop("today", MONDAY), MONDAY,
                     kw.pop("attempts", 0), **kw)


def test_email_steps_are_skipped_for_an_opted_out_prospect():
    assert next_step(MIXED, _facts(), Rules()).channel is Channel.EMAIL
    touch = next_step(MIXED, _facts(email_opt_out=True), Rules())
    assert (touch.channel, touch.step) == (Channel.LINKEDIN, 1)
    after_call = next_step(MIXED, _facts(today=date(2026, 12, 3), email_opt_out=True), Rules())
    assert after_call is None  # only an email step is left


def test_the_nurture_after_the_cadence_is_a_call_when_they_opted_out():
    done = date(2026, 12, 7)
    plan = plan_after_call(MIXED, _facts(today=done), Rules())
    assert (plan.next_touch.channel, plan.next_touch.draft) == (Channel.EMAIL, "nurture")
    plan = plan_after_call(MIXED, _facts(today=done, email_opt_out=True), Rules())
    assert (plan.next_touch.channel, plan.next_touch.kind) == (Channel.CALL, "nurture")
    assert plan.next_touch.draft is None
