"""App Home "Import prospects": the modal, the dry run shown in it, then the import.

Each step acknowledges at once with a "working" view (a submission must be answered in
3 s; a big file takes longer), then fetches the file again from Slack, runs the import
service and updates the modal with what happened. The rep is whoever submits: the
prospects become theirs.
"""

from __future__ import annotations

from slack_bolt import App

from bot.domain.model import CallType
from bot.services.importer import (
    ImportFileError,
    ImportReport,
    ImportRequest,
    bytes_source,
    import_prospects,
)
from bot.services.reps import rep_timezone
from bot.slack.codec import decode
from bot.slack.context import deps_of, team_of, user_of
from bot.slack.errors import after_ack
from bot.slack.home_publish import publish_home
from bot.slack.import_view import (
    CALL_TYPE_BLOCK,
    CONFIRM_CALLBACK,
    FILE_BLOCK,
    HOME_IMPORT,
    UPLOAD_CALLBACK,
    VALUE,
    busy_view,
    done_view,
    dry_run_view,
    message_view,
    upload_view,
)
from bot.slack.slack_files import FileProblem, read_uploaded_file
from bot.slack.text import escape, escape_clipped
from bot.slack.users import learn_profile


def picked(view: dict) -> tuple[str | None, CallType]:
    """(the uploaded file's id, the call type) from the upload modal's state."""
    values = view.get("state", {}).get("values", {})
    files = (values.get(FILE_BLOCK, {}).get(VALUE) or {}).get("files") or []
    file_id = files[0].get("id") if files and isinstance(files[0], dict) else None
    chosen = ((values.get(CALL_TYPE_BLOCK, {}).get(VALUE) or {}).get("selected_option")
              or {}).get("value")
    call_type = CallType(chosen) if chosen in set(CallType) else CallType.COLD_CALL
    return (file_id if isinstance(file_id, str) else None), call_type


def _run(client, deps, *, team_id: str, user_id: str, file_id: str, call_type: CallType,
         dry_run: bool) -> tuple[str, ImportReport]:
    if rep_timezone(deps.session_factory, team_id, user_id) is None:
        learn_profile(client, deps, team_id, user_id)
    uploaded = read_uploaded_file(client, file_id, user_id)
    request = ImportRequest(team_id=team_id, rep_user_id=user_id, call_type=call_type,
                            default_tz=deps.settings.default_timezone)
    report = import_prospects(deps.session_factory, deps.cadences,
                              bytes_source(uploaded.data), request, deps.clock(),
                              dry_run=dry_run)
    return uploaded.name, report


def _step(client, deps, context, body: dict, *, file_id: str, call_type: CallType,
          dry_run: bool) -> None:
    team_id, user_id = team_of(context, body), user_of(context, body)
    view_id = body["view"]["id"]
    try:
        name, report = _run(client, deps, team_id=team_id, user_id=user_id, file_id=file_id,
                            call_type=call_type, dry_run=dry_run)
    except (FileProblem, ImportFileError) as exc:
        client.views_update(view_id=view_id, view=message_view(
            f":warning: {escape_clipped(str(exc), 2000)}\nNothing was imported."))
        return
    if dry_run:
        view = dry_run_view(name, report, file_id=file_id, call_type=call_type)
    else:
        view = done_view(name, report)
    client.views_update(view_id=view_id, view=view)
    if report.written:
        publish_home(client, deps, team_id=team_id, user_id=user_id)


def open_import(ack, body, context, client):
    """"Import prospects" on the App Home: the upload modal."""
    ack()
    after_ack(deps_of(context), body, client, lambda: client.views_open(
        trigger_id=body["trigger_id"], view=upload_view()))


def check_file(ack, body, client, context, view):
    """The file is chosen: a dry run first, shown for the rep to confirm."""
    file_id, call_type = picked(view)
    if file_id is None:
        ack(response_action="errors", errors={FILE_BLOCK: "Choose a CSV file."})
        return
    ack(response_action="update", view=busy_view("Checking the file…"))
    deps = deps_of(context)
    after_ack(deps, body, client, lambda: _step(
        client, deps, context, body, file_id=file_id, call_type=call_type, dry_run=True))


def run_import(ack, body, client, context, view):
    """The rep confirmed the dry run: import for real."""
    state = decode(view.get("private_metadata"))
    file_id, chosen = state.get("file"), state.get("call_type")
    if not isinstance(file_id, str) or chosen not in set(CallType):
        ack(response_action="update", view=message_view(
            f":warning: {escape('That import is no longer open: start it again.')}"))
        return
    ack(response_action="update", view=busy_view("Importing…"))
    deps = deps_of(context)
    after_ack(deps, body, client, lambda: _step(
        client, deps, context, body, file_id=file_id, call_type=CallType(chosen),
        dry_run=False))


def register(app: App, deps) -> None:
    """Wire the import's ids to their listeners (``deps`` unused: they read the context)."""
    app.action(HOME_IMPORT)(open_import)
    app.view(UPLOAD_CALLBACK)(check_file)
    app.view(CONFIRM_CALLBACK)(run_import)
