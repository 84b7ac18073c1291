"""The composition root wires everything: listeners reach the app's dependencies through
Bolt's context, and no secret or state is made when a module is imported."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import bot
from bot.config import Settings, draft_secret
from bot.slack.context import deps_of


def test_the_draft_secret_comes_from_the_settings_or_is_made_per_app():
    assert draft_secret(Settings(draft_secret="d", slack_signing_secret="s")) == "d"
    assert draft_secret(Settings(slack_signing_secret="s")) == "s"
    made = {draft_secret(Settings()) for _ in range(3)}
    assert len(made) == 3 and all(len(secret) >= 32 for secret in made)


def test_a_context_without_deps_says_how_to_build_the_app():
    with pytest.raises(LookupError, match="build_app"):
        deps_of({})
    assert deps_of({"deps": "the deps"}) == "the deps"


def test_no_module_of_the_bot_makes_a_secret_when_imported():
    """The draft secret used to be made at import; now bot.config.draft_secret makes one
    only when called."""
    for info in pkgutil.walk_packages(bot.__path__, "bot."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            made = isinstance(value, (str, bytes)) and len(value) >= 16 and "SECRET" in \
                name.upper()
            assert not made, f"{info.name}.{name} is a secret made at import"
