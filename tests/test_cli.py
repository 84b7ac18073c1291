"""The followup-bot command, run as a real process, as an admin would."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml

from bot.resources import manifest_file
from tests.conftest import BOT_TOKEN, SIGNING_SECRET


def run_cli(*args, env=None, cwd=None, timeout=60):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    clean.update(env or {})
    return subprocess.run([sys.executable, "-m", "bot", *args], env=clean, cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


def _wait_healthy(process: subprocess.Popen, port: int, hang_guard: float = 120) -> None:
    """Wait until the started bot answers /healthz with 200. It answers 503 while its
    health probe is slower than 1.5 s (a busy box) and refuses connections until it has
    bound: both mean "not yet". The deadline is a hang guard, not a time budget."""
    deadline = time.monotonic() + hang_guard
    while True:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200:
                return
        except requests.RequestException:
            pass
        assert process.poll() is None, process.communicate()[1]
        assert time.monotonic() < deadline, "server did not become healthy"
        time.sleep(0.1)


def test_run_without_tokens_explains_what_is_missing(tmp_path):
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 2
    assert "SLACK_APP_TOKEN is not set (and SLACK_BOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1  # one line, no log noise before it
    http = run_cli("run", "--http", cwd=tmp_path)
    assert http.returncode == 2
    assert "SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET are not set" in http.stderr


def test_malformed_setting_is_one_line_not_a_traceback(tmp_path):
    result = run_cli("migrate", env={"DEFAULT_TIMEZONE": "Nowhere/Land"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "DEFAULT_TIMEZONE" in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_creates_the_default_sqlite_file(tmp_path):
    result = run_cli("migrate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "followup-bot.db").exists()
    assert "revision" in result.stdout


def test_manifest_prints_the_file():
    result = run_cli("manifest")
    assert result.returncode == 0
    assert yaml.safe_load(result.stdout) == yaml.safe_load(manifest_file().read_text())


def test_check_reports_a_working_setup(fake_slack, tmp_path):
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": fake_slack.url}
    result = run_cli("check", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "token works" in result.stdout
    assert "WARN" in result.stdout  # no schema yet: says how to fix it


def test_check_explains_a_bad_token_and_a_missing_database(fake_slack, tmp_path):
    env = {"SLACK_BOT_TOKEN": "xoxb-revoked", "SLACK_SIGNING_SECRET": "s",
           "SLACK_API_URL": fake_slack.url,
           "DATABASE_URL": f"sqlite:///{tmp_path}/no/such/dir/x.db"}
    result = run_cli("check", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "invalid_auth" in result.stdout and "reinstall" in result.stdout
    assert "Database: cannot connect" in result.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_run_http_serves_events_and_healthz(fake_slack, tmp_path: Path):
    port = _free_port()
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": fake_slack.url, "LOG_LEVEL": "WARNING"}
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--http", "--host", "127.0.0.1", "--port",
         str(port)], env={**clean, **env}, cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_healthy(process, port)
        from tests.slack_requests import SlackSender

        sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET,
                             fake=fake_slack)
        assert sender.slash("/logcall", "Dana Whitfield, Acme").status_code == 200
        opened = fake_slack.wait_for("views.open")[0]
        assert opened.response["ok"] is True
        bad = sender.send(b"command=%2Flogcall", "application/x-www-form-urlencoded",
                          signature="v0=bad")
        assert bad.status_code == 401
    finally:
        process.terminate()
        process.communicate(timeout=10)  # also closes the pipes


def test_templates_check_passes_on_built_ins_and_reports_team_problems(tmp_path):
    ok = run_cli("templates", "check", cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "pass the checks" in ok.stdout
    team = tmp_path / "team"
    team.mkdir()
    (team / "recap.body.txt").write_text("Hi,\n\nJust checking in on this.\n\nBest\n")
    (team / "breakup.subject.txt").write_text("{% if %}broken\n")
    bad = run_cli("templates", "check", env={"TEMPLATES_DIR": str(team)}, cwd=tmp_path)
    assert bad.returncode == 1
    assert "recap.body.txt:3:" in bad.stdout and "just checking in" in bad.stdout.lower()
    assert "breakup.subject.txt:1:" in bad.stdout


def test_public_url_without_a_lasting_secret_is_refused(tmp_path):
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": "xapp-1-test",
           "PUBLIC_URL": "https://bot.example.com"}
    result = run_cli("run", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "DRAFT_SECRET" in result.stderr and "Traceback" not in result.stderr


# -- Start-up order: port, token, database; each refusal is one line and exit 2

def _table_names(url: str) -> list[str]:
    from sqlalchemy import inspect

    from bot.db.engine import make_engine

    engine = make_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def _untouched(url: str) -> bool:
    """No database file was created, or (PostgreSQL) the schema is still empty."""
    if url.startswith("sqlite"):
        return not Path(url.removeprefix("sqlite:///")).exists()
    return _table_names(url) == []


def _run_env(fake_slack, db_url: str, token: str = BOT_TOKEN) -> dict:
    return {"SLACK_BOT_TOKEN": token, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_slack.url, "DATABASE_URL": db_url}


def test_run_on_a_busy_port_stops_before_doing_anything(fake_slack, empty_db_url, tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("run", "--http", "--host", "127.0.0.1", "--port", str(port),
                         env=_run_env(fake_slack, empty_db_url), cwd=tmp_path, timeout=30)
    assert result.returncode == 2, result.stderr
    assert f"port {port} is already in use" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr
    assert fake_slack.calls == []  # not even the token check
    assert _untouched(empty_db_url)  # no migration ran


@pytest.mark.parametrize(("token", "error"), [("xoxb-revoked", "invalid_auth"),
                                              (BOT_TOKEN, "token_revoked"),
                                              (BOT_TOKEN, "account_inactive")])
def test_run_with_a_refused_token_exits_2_at_once(fake_slack, empty_db_url, tmp_path, token,
                                                 error):
    if token == BOT_TOKEN:
        fake_slack.fail("auth.test", error=error)
    result = run_cli("run", "--http", "--host", "127.0.0.1", "--port", "0",
                     env=_run_env(fake_slack, empty_db_url, token), cwd=tmp_path, timeout=30)
    assert result.returncode == 2, result.stderr
    assert "SLACK_BOT_TOKEN" in result.stderr and error in result.stderr
    assert "Traceback" not in result.stderr
    assert len(fake_slack.calls_to("auth.test")) == 1  # a refused token is not retried
    assert _untouched(empty_db_url)


def test_run_waits_out_a_slack_outage_at_start(fake_slack, tmp_path):
    fake_slack.fail("auth.test", status=503)
    port = _free_port()
    env = {**_run_env(fake_slack, f"sqlite:///{tmp_path / 'bot.db'}"), "LOG_LEVEL": "WARNING"}
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--http", "--host", "127.0.0.1", "--port",
         str(port)], env={**clean, **env}, cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        fake_slack.wait_for("auth.test", 2, timeout=30)  # retried after the 503
        _wait_healthy(process, port)
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)
    assert "trying again" in stderr


# -- check looks and never touches

def _previous_revision() -> str:
    from alembic.script import ScriptDirectory

    from bot.db.migrate import alembic_config, head_revision

    script = ScriptDirectory.from_config(alembic_config())
    return script.get_revision(head_revision()).down_revision


def test_check_does_not_create_the_default_sqlite_file(fake_slack, tmp_path):
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": fake_slack.url}
    result = run_cli("check", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "does not exist yet" in result.stdout and "followup-bot migrate" in result.stdout
    assert list(tmp_path.iterdir()) == []
    assert "INFO" not in result.stdout + result.stderr


def test_check_on_an_empty_database_says_to_migrate_and_creates_nothing(fake_slack,
                                                                       empty_db_url, tmp_path):
    result = run_cli("check", env=_run_env(fake_slack, empty_db_url), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "followup-bot migrate" in result.stdout  # no schema yet, or no file yet
    assert "INFO" not in result.stdout + result.stderr
    assert _untouched(empty_db_url)


def test_check_on_a_schema_behind_head_says_to_migrate_and_leaves_it(fake_slack, empty_db_url,
                                                                    tmp_path):
    from bot.db.engine import make_engine
    from bot.db.migrate import current_revision, upgrade

    previous = _previous_revision()
    engine = make_engine(empty_db_url)
    upgrade(engine, previous)
    result = run_cli("check", env=_run_env(fake_slack, empty_db_url), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"is at {previous}" in result.stdout
    assert "run 'followup-bot migrate'" in result.stdout
    assert "INFO" not in result.stdout + result.stderr
    assert current_revision(engine) == previous
    engine.dispose()


def test_check_accepts_a_schema_newer_than_this_version(fake_slack, empty_db_url, tmp_path):
    """During a rolling upgrade a newer release has migrated already: not a problem."""
    from sqlalchemy import text

    from bot.db.engine import make_engine
    from bot.db.migrate import upgrade

    engine = make_engine(empty_db_url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dfeed9999'"))
    result = run_cli("check", env=_run_env(fake_slack, empty_db_url), cwd=tmp_path)
    engine.dispose()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "newer than this version" in result.stdout
    assert "run 'followup-bot migrate'" not in result.stdout


def test_check_names_scopes_the_token_lacks(fake_slack, tmp_path):
    """A release that adds a scope (files:read for the import) needs a reinstall: check
    compares the granted scopes (auth.test's x-oauth-scopes header) with the manifest."""
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": fake_slack.url, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    fine = run_cli("check", env=env, cwd=tmp_path)
    assert "every scope the manifest asks for" in fine.stdout, fine.stdout
    fake_slack.granted_scopes = "commands,chat:write,users:read"
    lacking = run_cli("check", env=env, cwd=tmp_path)
    assert lacking.returncode == 1
    assert "lacks files:read" in lacking.stdout and "Reinstall" in lacking.stdout
