"""The draft page in a real headless Chromium: one-click copy puts exactly the draft text
on the clipboard; a forged or expired link reveals nothing."""

import os
import shutil
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from bot.db.models import EmailDraft
from bot.services.draft_links import DraftRef, make_token
from tests.logcall_helpers import log_call
from tests.slack_requests import SlackSender

CHROMIUM = shutil.which("chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Skips on a laptop without Debian's chromium; CI sets REQUIRE_BROWSER so it fails instead.
pytestmark = pytest.mark.skipif(CHROMIUM is None and not os.environ.get("REQUIRE_BROWSER"),
                                reason="Debian's chromium is not installed")


@pytest.fixture
def drafted(start_bot, fake_slack, session_factory):
    """A bot with PUBLIC_URL, a connected call logged, and the draft's page link."""
    url, _app = start_bot(public=True)
    sender = SlackSender(f"{url}/slack/events", "test-signing-secret", fake=fake_slack)
    log_call(sender, fake_slack, name="Dana Whitfield", company="Acme & Sons",
             email="dana@acme.example", outcome="connected", call_type="post_voicemail",
             pain_point="invoices <by hand> & late")
    fake_slack.wait_for("chat.postMessage", 2)
    draft_msg = fake_slack.messages_to("U0001")[-1]
    link = next(e["url"] for b in draft_msg["blocks"] for e in b.get("elements", []) or []
                if e.get("action_id") == "draft_copy")
    with session_factory() as session:
        row = session.scalars(select(EmailDraft)).one()
    return url, link, row


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context()
        yield context
        browser.close()


def test_copy_buttons_put_exactly_the_draft_on_the_clipboard(drafted, browser_page):
    url, link, row = drafted
    browser_page.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page = browser_page.new_page()
    page.goto(link)
    assert page.text_content("#to") == "dana@acme.example"
    assert page.text_content("#subject") == row.subject
    assert page.text_content("#body") == row.body  # HTML-escaped on the wire, exact on screen
    for button, expected in (("Copy body", row.body), ("Copy subject", row.subject),
                             ("Copy all", f"Subject: {row.subject}\n\n{row.body}")):
        page.get_by_role("button", name=button).click()
        page.wait_for_function("document.getElementById('status').textContent === 'Copied.'")
        assert page.evaluate("navigator.clipboard.readText()") == expected
        page.evaluate("document.getElementById('status').textContent = ''")
    mailto = page.get_attribute("#mailto", "href")
    assert mailto.startswith("mailto:dana@acme.example?subject=")
    page.get_by_role("button", name="Mark as sent").click()
    page.wait_for_selector("#sent")
    assert page.url == link


def test_forged_and_expired_links_reveal_nothing(drafted, browser_page, clock):
    url, link, row = drafted
    page = browser_page.new_page()
    forged = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    response = page.goto(forged)
    assert response.status == 404
    assert row.subject not in page.content() and "Dana" not in page.content()
    expired = make_token("test-signing-secret", DraftRef(row.id, row.team_id),
                         clock() - timedelta(days=8), timedelta(days=7))
    response = page.goto(f"{url}/drafts/{expired}")
    assert response.status == 410
    assert row.subject not in page.content()
    other_team = make_token("test-signing-secret", DraftRef(row.id, "T9999"), clock(),
                            timedelta(days=7))
    assert requests.get(f"{url}/drafts/{other_team}", timeout=5).status_code == 404
    assert requests.post(f"{url}/drafts/{forged}/sent", timeout=5).status_code == 404
