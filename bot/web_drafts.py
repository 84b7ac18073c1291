"""The draft page at PUBLIC_URL/drafts/<token>: To, Subject, Body, one-click copy."""

from __future__ import annotations

from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bot.domain.drafts import KIND_TITLES
from bot.resources import templates_dir
from bot.services.access import Refused, Who
from bot.services.draft_links import LinkExpired, LinkInvalid, read_token
from bot.services.drafts import DraftBlocked, get_draft, mark_sent

WEB_TEMPLATES = templates_dir() / "web"
_env = Environment(loader=FileSystemLoader(WEB_TEMPLATES), undefined=StrictUndefined,
                   autoescape=select_autoescape(["html"]))

NOT_FOUND = ("404 Not Found", "This link is not valid.")
GONE = ("410 Gone", "This link has expired. Open the draft again from Slack for a new one.")


def _plain(start_response, status_and_text: tuple[str, str]) -> list[bytes]:
    status, text = status_and_text
    body = f"<!doctype html><title>{text}</title><p>{text}</p>".encode()
    start_response(status, [("Content-Type", "text/html; charset=utf-8"),
                            ("Content-Length", str(len(body))),
                            ("Cache-Control", "no-store")])
    return [body]


def handle(deps, environ: dict, start_response) -> list[bytes]:
    """GET /drafts/<token> shows the draft; POST /drafts/<token>/sent marks it sent.
    Whoever holds the link may do both, for that one draft only: the token (signed: team +
    draft) is the identity the one guard checks, like a rep's is for a button."""
    path = environ.get("PATH_INFO", "")
    method = environ.get("REQUEST_METHOD", "GET")
    rest = path[len("/drafts/"):]
    marking = rest.endswith("/sent")
    token = rest[: -len("/sent")] if marking else rest
    if "/" in token or (marking and method != "POST") or (not marking and method != "GET"):
        return _plain(start_response, NOT_FOUND)
    try:
        ref = read_token(deps.draft_secret, token, deps.clock())
        holder = Who.link(ref.team_id, ref.draft_id)
        if marking:
            mark_sent(deps.session_factory, deps.cadences, who=holder, draft_id=ref.draft_id,
                      now=deps.clock())
            start_response("303 See Other", [("Location", f"/drafts/{token}"),
                                             ("Content-Length", "0")])
            return [b""]
        draft = get_draft(deps.session_factory, holder, ref.draft_id)
    except LinkExpired:
        return _plain(start_response, GONE)
    except DraftBlocked:
        return _plain(start_response, ("409 Conflict", "This prospect is on do-not-call."))
    except (LinkInvalid, Refused):
        return _plain(start_response, NOT_FOUND)
    mailto = (f"mailto:{quote(draft.to_email or '', safe='@')}"
              f"?subject={quote(draft.subject)}&body={quote(draft.body)}")
    page = _env.get_template("draft.html").render(
        draft=draft, title=KIND_TITLES.get(draft.kind, "Email draft"), mailto=mailto,
        sent_action=f"/drafts/{token}/sent")
    body = page.encode()
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                              ("Content-Length", str(len(body))),
                              ("Cache-Control", "no-store"),
                              ("Referrer-Policy", "no-referrer"),
                              ("X-Frame-Options", "DENY")])
    return [body]
