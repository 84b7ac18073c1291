"""The manifest declares exactly the commands and events the app answers."""

import yaml

from bot.resources import manifest_file
from bot.slack import COMMANDS, EVENTS


def _manifest():
    return yaml.safe_load(manifest_file().read_text())


def test_manifest_declares_exactly_the_apps_commands_and_events():
    manifest = _manifest()
    assert {c["command"] for c in manifest["features"]["slash_commands"]} == set(COMMANDS)
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == set(EVENTS)


def test_each_declared_command_and_event_is_answered(slack, fake_slack):
    for command in COMMANDS:
        assert slack.slash(command).status_code == 200, command
    for event in EVENTS:
        response = slack.event({"type": event, "user": "U0001", "tab": "home"})
        assert response.status_code == 200, event
    # Bolt answers 404 for requests no listener matches: the check above can fail.
    assert slack.slash("/not-a-command").status_code == 404
    assert slack.event({"type": "reaction_added", "user": "U0001"}).status_code == 404


def test_manifest_is_least_privilege_and_has_home_and_interactivity():
    manifest = _manifest()
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {"commands", "chat:write",
                                                             "users:read", "files:read",
                                                             "files:write"}
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True
