"""Slack glue: listeners, Block Kit builders, ids and the state codec."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.slack import ids

if TYPE_CHECKING:  # the due-list fan-out imports bot.slack modules without Bolt
    from slack_bolt import App

# Commands and events as data: the manifest must declare exactly these (a test checks it,
# and checks that each one is really answered).
COMMANDS = (ids.LOGCALL_COMMAND, ids.FOLLOWUPS_COMMAND)
EVENTS = ("app_home_opened", "user_change")


def register_all(app: App, deps) -> None:
    from bot.slack import app_home, drafts, due_list, errors, import_prospects, logcall, users

    errors.register(app, deps)
    logcall.register(app, deps)
    drafts.register(app, deps)
    due_list.register(app, deps)
    app_home.register(app, deps)
    import_prospects.register(app, deps)
    users.register(app, deps)
