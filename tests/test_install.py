"""The package works once installed from a wheel, from any directory: the migrations,
the templates and the manifest travel inside it (bot/resources.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BOT_TOKEN, SIGNING_SECRET

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The wheel built from this checkout, unpacked into its own folder (its dependencies
    come from the test environment)."""
    dist = tmp_path_factory.mktemp("dist")
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    [wheel] = dist.glob("*.whl")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(wheel)], check=True, capture_output=True,
                   timeout=600)
    return target


def _run(installed: Path, cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("SLACK_", "DATABASE_", "TEMPLATES_", "CADENCE_"))}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, text=True,
                          capture_output=True, timeout=120,
                          env={**clean, "PYTHONPATH": str(installed), **env})


def test_the_wheel_carries_migrations_templates_and_manifest(installed):
    shipped = installed / "bot"
    assert (shipped / "_migrations" / "env.py").is_file()
    assert (shipped / "_migrations" / "script.py.mako").is_file()
    assert sorted(p.name for p in (shipped / "_migrations" / "versions").glob("0*.py")) == sorted(
        p.name for p in (ROOT / "migrations" / "versions").glob("0*.py"))
    assert (shipped / "_templates" / "messages" / "email" / "recap.body.txt").is_file()
    assert (shipped / "_templates" / "web" / "draft.html").is_file()
    assert (shipped / "_meta" / "app_manifest.yml").read_text() == (
        ROOT / "app_manifest.yml").read_text()
    assert (shipped / "cadences.yml").is_file()


def test_every_command_works_from_another_directory(installed, tmp_path, fake_slack):
    probe = subprocess.run([sys.executable, "-c", "import bot; print(bot.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True,
                           env={**os.environ, "PYTHONPATH": str(installed)})
    assert probe.stdout.startswith(str(installed))  # the wheel's code, not the checkout's
    db = f"sqlite:///{tmp_path / 'bot.db'}"
    env = {"DATABASE_URL": db, "SLACK_BOT_TOKEN": BOT_TOKEN,
           "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake_slack.url}
    migrated = _run(installed, tmp_path, "migrate", **env)
    assert migrated.returncode == 0, migrated.stderr
    templates = _run(installed, tmp_path, "templates", "check", **env)
    assert templates.returncode == 0 and "pass the checks" in templates.stdout, templates.stdout
    manifest = _run(installed, tmp_path, "manifest")
    assert manifest.returncode == 0 and "slash_commands" in manifest.stdout
    check = _run(installed, tmp_path, "check", **env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "at the latest schema" in check.stdout
