"""The Slack Web API client, as every part of the bot makes it (the Bolt app, the CLI and
the due-list fan-out process, which does not import Bolt)."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings


def leveled_logger(name: str, settings: Settings) -> logging.Logger:
    """The logger ``name`` at LOG_LEVEL. slack_sdk and Bolt build some debug lines (the
    whole body of every Web API call; one line per middleware) whenever their logger's
    *own* level is unset, whether or not anything would print them: ~0.1 ms of CPU per
    views.open of the log form. With the level set they are built only when logged."""
    logger = logging.getLogger(name)
    logger.setLevel(settings.log_level)
    return logger


def make_client(settings: Settings, *, retry_rate_limits: bool = True) -> WebClient:
    """Timeouts and 5xx are retried with backoff; 429s wait for Retry-After unless the
    caller paces itself (the digest fan-out pauses the whole workspace instead)."""
    handlers = [ConnectionErrorRetryHandler(max_retry_count=3),
                ServerErrorRetryHandler(max_retry_count=3)]
    if retry_rate_limits:
        handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    return WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url,
                     timeout=10, retry_handlers=handlers,
                     logger=leveled_logger("slack_sdk.web.base_client", settings))
