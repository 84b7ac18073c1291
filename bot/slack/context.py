"""Small readers of Bolt's context and payloads shared by listeners, and the wiring that
hands every listener the app's dependencies through Bolt's context."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slack_bolt import App

    from bot.app import Deps

DEPS_KEY = "deps"


def provide_deps(app: App, deps: Deps) -> None:
    """Put ``deps`` in every request's context (a global middleware, so listeners can be
    module-level functions: ``deps_of(context)``)."""

    def with_deps(context, next) -> None:  # noqa: A002 - Bolt passes it by this name
        context[DEPS_KEY] = deps
        next()

    app.use(with_deps)


def deps_of(context) -> Deps:
    """The app's dependencies (bot.app.Deps), as the composition root built them."""
    deps = context.get(DEPS_KEY)
    if deps is None:
        raise LookupError("no dependencies in this request's context: build the app with "
                          "bot.app.build_app")
    return deps


def team_of(context, body: dict | None = None) -> str:
    team = context.get("team_id") or context.get("enterprise_id")
    if not team and body:
        team = (body.get("team") or {}).get("id") or body.get("team_id")
    if not team:
        raise ValueError("request carries no team id")
    return team


def user_of(context, body: dict | None = None) -> str:
    user = context.get("user_id")
    if not user and body:
        user = (body.get("user") or {}).get("id") or body.get("user_id")
    if not user:
        raise ValueError("request carries no user id")
    return user
