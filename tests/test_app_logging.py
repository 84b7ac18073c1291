"""LOG_LEVEL decides whether slack_sdk and Bolt build their debug lines at all: left to
an unset level, slack_sdk formats the whole body of every Web API call (a 15-block view
for each /logcall) even when nothing prints it."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from bot.slack.client import make_client


@pytest.mark.parametrize(("level", "built"), [("INFO", False), ("WARNING", False),
                                              ("DEBUG", True)])
def test_web_api_debug_lines_follow_log_level(settings, caplog, level, built):
    caplog.set_level(logging.DEBUG)  # whatever the root logger lets through
    client = make_client(replace(settings, log_level=level))
    client.auth_test()
    sending = [r for r in caplog.records if r.getMessage().startswith("Sending a request")]
    assert bool(sending) is built
