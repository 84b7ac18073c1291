"""The free text after /logcall becomes name, company and email."""

import pytest

from bot.domain.prefill import Prefill, is_valid_email, parse_logcall_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dana Whitfield, Acme Logistics", Prefill("Dana Whitfield", "Acme Logistics")),
        ("Dana Whitfield at Acme", Prefill("Dana Whitfield", "Acme")),
        ("Dana Whitfield (Acme)", Prefill("Dana Whitfield", "Acme")),
        ("Dana (Acme)", Prefill("Dana", "Acme")),
        ("Dana Whitfield - Acme", Prefill("Dana Whitfield", "Acme")),
        ("Dana Whitfield, Acme, Inc.", Prefill("Dana Whitfield", "Acme, Inc.")),
        ("  Dana   Whitfield ,  Acme  ", Prefill("Dana Whitfield", "Acme")),
        ("Dana Whitfield", Prefill("Dana Whitfield", "")),
        ("Kat Batista, Acme", Prefill("Kat Batista", "Acme")),  # "at" inside a word
    ],
)
def test_name_and_company(text, expected):
    assert parse_logcall_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Dana Whitfield, Acme Logistics dana@acme.com",
            Prefill("Dana Whitfield", "Acme Logistics", "dana@acme.com"),
        ),
        (
            "dana@acme.com Dana Whitfield (Acme)",
            Prefill("Dana Whitfield", "Acme", "dana@acme.com"),
        ),
        ("Dana (dana.w@acme.co.uk)", Prefill("Dana", "", "dana.w@acme.co.uk")),
        ("dana@acme.com", Prefill("", "", "dana@acme.com")),
        ("Dana Whitfield, Acme @home", Prefill("Dana Whitfield", "Acme @home", "")),
    ],
)
def test_email_is_extracted(text, expected):
    assert parse_logcall_text(text) == expected


@pytest.mark.parametrize("text", ["", "   ", None, " , ; - "])
def test_empty_text_gives_an_empty_prefill(text):
    assert parse_logcall_text(text) == Prefill()


def test_email_followed_by_a_comma():
    assert parse_logcall_text("Dana Whitfield dana@acme.com, Acme Logistics") == Prefill(
        "Dana Whitfield", "Acme Logistics", "dana@acme.com"
    )


def test_email_in_angle_brackets():
    assert parse_logcall_text("Dana Whitfield <dana@acme.com>") == Prefill(
        "Dana Whitfield", "", "dana@acme.com"
    )


def test_at_with_a_comma_in_the_company():
    assert parse_logcall_text("Dana Whitfield at Acme, Inc.") == Prefill(
        "Dana Whitfield", "Acme, Inc."
    )


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("dana@acme.com", True),
        ("dana.whitfield+crm@acme.co.uk", True),
        ("  dana@acme.com  ", True),
        ("", False),
        ("dana", False),
        ("dana@acme", False),
        ("dana@acme.c", False),
        ("@acme.com", False),
        ("dana@@acme.com", False),
        ("dana whitfield@acme.com", False),
        ("<dana@acme.com>", False),
    ],
)
def test_is_valid_email(value, valid):
    assert is_valid_email(value) is valid
