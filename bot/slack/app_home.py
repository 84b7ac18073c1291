"""The App Home tab."""

from __future__ import annotations

from slack_bolt import App

from bot.services.prospects import home_for
from bot.slack.context import team_of, user_of
from bot.slack.home import build_home


def publish_home(client, deps, *, team_id: str, user_id: str) -> None:
    data = home_for(deps.session_factory, team_id, user_id, deps.clock())
    client.views_publish(user_id=user_id, view=build_home(data))


def register(app: App, deps) -> None:
    @app.event("app_home_opened")
    def home_opened(event, body, context, client):
        if event.get("tab", "home") != "home":
            return
        publish_home(client, deps, team_id=team_of(context, body),
                     user_id=event.get("user") or user_of(context, body))
