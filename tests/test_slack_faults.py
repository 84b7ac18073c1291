"""When Slack misbehaves: retries, Retry-After, and a clear word to the rep on failure."""

from sqlalchemy import func, select

from bot.db.models import Call
from bot.slack.errors import SORRY
from tests.logcall_helpers import log_call, message_text, open_modal, submit


def test_rate_limited_dm_is_retried_after_retry_after_and_sent_once(slack, fake_slack):
    fake_slack.fail("chat.postMessage", retry_after=1)
    _, dm = log_call(slack, fake_slack, name="Pat", outcome="no_answer",
                     call_type="post_voicemail")  # no drafts: one DM only
    statuses = [c.status for c in fake_slack.calls_to("chat.postMessage")]
    assert statuses == [429, 200]
    assert "Pat" in message_text(dm)
    assert len(fake_slack.messages_to("U0001")) == 1


def test_server_error_on_views_open_is_retried(slack, fake_slack):
    fake_slack.fail("views.open", status=500)
    assert slack.slash("/logcall").status_code == 200
    calls = fake_slack.wait_for("views.open", 2)
    assert [c.status for c in calls] == [500, 200]
    assert calls[1].response["view"]["callback_id"] == "logcall"


def test_expired_trigger_tells_the_rep_instead_of_failing_silently(slack, fake_slack):
    fake_slack.fail("views.open", error="expired_trigger_id")
    assert slack.slash("/logcall").status_code == 200
    fake_slack.wait_for("chat.postMessage")
    assert fake_slack.messages_to("U0001")[-1]["text"] == SORRY


def test_failed_dm_after_a_log_keeps_the_call(slack, fake_slack, session_factory):
    view = open_modal(slack, fake_slack)
    fake_slack.fail("chat.postMessage", error="channel_not_found")
    assert submit(slack, view, name="Pat", outcome="connected").status_code == 200
    fake_slack.wait_for("chat.postMessage", 2)  # the DM, then the error handler's apology
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Call)) == 1
