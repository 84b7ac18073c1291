from datetime import UTC, datetime, timedelta

import pytest

from bot.services.draft_links import DraftRef, LinkExpired, LinkInvalid, make_token, read_token

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
WEEK = timedelta(days=7)


def test_round_trip():
    token = make_token("s3cret", DraftRef(42, "T1"), NOW, WEEK)
    assert read_token("s3cret", token, NOW + timedelta(days=6)) == DraftRef(42, "T1")


def test_expired_token_is_gone_not_invalid():
    token = make_token("s3cret", DraftRef(42, "T1"), NOW, WEEK)
    with pytest.raises(LinkExpired):
        read_token("s3cret", token, NOW + WEEK + timedelta(seconds=1))


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
    lambda t: "x" + t,  # payload changed
    lambda t: t.split(".")[0],  # no signature
    lambda t: "",
    lambda t: "not-a-token",
])
def test_forged_tokens_are_invalid(tamper):
    token = make_token("s3cret", DraftRef(42, "T1"), NOW, WEEK)
    with pytest.raises(LinkInvalid):
        read_token("s3cret", tamper(token), NOW)


def test_another_secret_does_not_verify():
    token = make_token("s3cret", DraftRef(42, "T1"), NOW, WEEK)
    with pytest.raises(LinkInvalid):
        read_token("other", token, NOW)


def test_a_forged_payload_for_another_draft_does_not_verify():
    mine = make_token("s3cret", DraftRef(42, "T1"), NOW, WEEK)
    theirs = make_token("s3cret", DraftRef(43, "T2"), NOW, WEEK)
    spliced = theirs.split(".")[0] + "." + mine.split(".")[1]
    with pytest.raises(LinkInvalid):
        read_token("s3cret", spliced, NOW)
