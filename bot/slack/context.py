"""Small readers of Bolt's context and payloads shared by listeners."""

from __future__ import annotations


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
