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
from bot.services.reps import rep_timezone, save_rep_profile
from bot.slack.app_home import publish_home
from bot.slack.codec import decode
from bot.slack.context import team_of, user_of
from bot.slack.errors import after_ack
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
from bot.slack.users import slack_profile


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
        tz, name = slack_profile(client, user_id, deps.settings.default_timezone)
        save_rep_profile(deps.session_factory, team_id, user_id, tz, name)
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


def register(app: App, deps) -> None:
    @app.action(HOME_IMPORT)
    def open_import(ack, body, client):
        ack()
        after_ack(deps, body, client, lambda: client.views_open(
            trigger_id=body["trigger_id"], view=upload_view()))

    @app.view(UPLOAD_CALLBACK)
    def check_file(ack, body, client, context, view):
        file_id, call_type = picked(view)
        if file_id is None:
            ack(response_action="errors", errors={FILE_BLOCK: "Choose a CSV file."})
            return
        ack(response_action="update", view=busy_view("Checking the file…"))
        after_ack(deps, body, client, lambda: _step(
            client, deps, context, body, file_id=file_id, call_type=call_type,
            dry_run=True))

    @app.view(CONFIRM_CALLBACK)
    def run_import(ack, body, client, context, view):
        state = decode(view.get("private_metadata"))
        file_id, chosen = state.get("file"), state.get("call_type")
        if not isinstance(file_id, str) or chosen not in set(CallType):
            ack(response_action="update", view=message_view(
                f":warning: {escape('That import is no longer open: start it again.')}"))
            return
        ack(response_action="update", view=busy_view("Importing…"))
        after_ack(deps, body, client, lambda: _step(
            client, deps, context, body, file_id=file_id, call_type=CallType(chosen),
            dry_run=False))
