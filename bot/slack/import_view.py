"""The "Import prospects" modal: pick a CSV, see the dry run, then import. Builders only.

Every piece of the file's text shown here (bad rows, warnings, column names) is the
file's, so it is cut and then escaped (bot.slack.text.escape_clipped).
"""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ContextBlock,
    InputBlock,
    InputInteractiveElement,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.model import CallType
from bot.services.importer import ImportReport
from bot.slack import ids
from bot.slack.codec import encode
from bot.slack.text import escape_clipped

HOME_IMPORT = ids.HOME_IMPORT  # the App Home button
UPLOAD_CALLBACK = "import_upload"  # step 1: the file (submit = dry run)
CONFIRM_CALLBACK = "import_confirm"  # step 2: the dry run's result (submit = import)
FILE_BLOCK = "import_file"
CALL_TYPE_BLOCK = "import_call_type"
VALUE = "value"
SHOWN_PROBLEMS = 10  # bad rows (and warnings) listed in the modal; the rest are counted
TITLE = "Import prospects"


class FileInputElement(InputInteractiveElement):
    """Block Kit's file input (slack_sdk 3.48 has no model for it)."""

    type = "file_input"

    @property
    def attributes(self) -> set[str]:  # type: ignore[override]
        return super().attributes.union({"filetypes", "max_files"})

    def __init__(self, *, action_id: str, filetypes: list[str] | None = None,
                 max_files: int | None = None):
        super().__init__(action_id=action_id, type=self.type)
        self.filetypes, self.max_files = filetypes, max_files


def _text(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def upload_view() -> View:
    return View(type="modal", callback_id=UPLOAD_CALLBACK, title=TITLE,
                submit="Check the file", close="Cancel", blocks=[
        ContextBlock(elements=[MarkdownTextObject(text=(
            "A contacts export from HubSpot or Salesforce (CSV, UTF-8, comma or semicolon). "
            "They become *your* prospects. Nothing is saved until you have seen the check "
            "and pressed Import; a file with any bad row imports nothing."))]),
        InputBlock(block_id=FILE_BLOCK, label="CSV file", element=FileInputElement(
            action_id=VALUE, filetypes=["csv"], max_files=1)),
        InputBlock(block_id=CALL_TYPE_BLOCK, label="Start them on the cadence for",
                   element=StaticSelectElement(
                       action_id=VALUE, initial_option=_call_type(CallType.COLD_CALL),
                       options=[_call_type(call_type) for call_type in CallType])),
    ])


def _call_type(call_type: CallType) -> Option:
    return Option(text=call_type.label[:75], value=call_type.value)


def busy_view(text: str) -> View:
    return View(type="modal", callback_id=CONFIRM_CALLBACK, title=TITLE, close="Close",
                blocks=[_text(f":hourglass_flowing_sand: {text}")])


def message_view(text: str) -> View:
    """An outcome with nothing more to do here; ``text`` is already safe mrkdwn."""
    return View(type="modal", callback_id=CONFIRM_CALLBACK, title=TITLE, close="Close",
                blocks=[_text(text)])


def _problems(title: str, problems: list, total: int) -> SectionBlock:
    lines = [f"• {escape_clipped(str(problem), 250)}" for problem in problems[:SHOWN_PROBLEMS]]
    more = f"\n…and {total - SHOWN_PROBLEMS} more" if total > SHOWN_PROBLEMS else ""
    return _text(f"*{title}*\n" + "\n".join(lines) + more)


def _report_blocks(name: str, report: ImportReport) -> list:
    blocks = [_text(f"*{escape_clipped(name, 100)}*: {report.rows} row(s)\n"
                    f"*{report.summary()}*")]
    if report.unknown_columns:
        columns = escape_clipped(", ".join(report.unknown_columns), 500)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(
            text=f"Columns not used: {columns}")]))
    if report.bad:
        blocks.append(_problems("Bad rows (line 1 is the header)", report.bad, len(report.bad)))
    if report.warnings:
        blocks.append(_problems("Warnings", report.warnings, len(report.warnings)))
    if report.marked_do_not_call or report.marked_opt_out:
        blocks.append(_text(f"Already present and marked by the file: "
                            f"{report.marked_do_not_call} do not call, "
                            f"{report.marked_opt_out} email opt-out."))
    return blocks


def dry_run_view(name: str, report: ImportReport, *, file_id: str,
                 call_type: CallType) -> View:
    """The check's result: Import when no row is bad, else what to fix."""
    blocks = _report_blocks(name, report)
    if report.bad:
        blocks.append(_text("Nothing can be imported until every bad row is fixed: fix them "
                            "in the file and upload it again."))
        return View(type="modal", callback_id=CONFIRM_CALLBACK, title=TITLE, close="Close",
                    blocks=blocks)
    blocks.append(_text(f"Import adds {report.new} prospect(s) for you, each starting the "
                        f"cadence for {call_type.label.lower()}."))
    return View(type="modal", callback_id=CONFIRM_CALLBACK, title=TITLE, close="Cancel",
                submit="Import", blocks=blocks,
                private_metadata=encode({"file": file_id, "call_type": call_type.value,
                                         "name": name[:100]}))


def done_view(name: str, report: ImportReport) -> View:
    blocks = _report_blocks(name, report)
    if report.first_touches:
        blocks.append(_text(f":white_check_mark: Imported. {report.first_touches} first "
                            f"touch(es), {report.first_day:%a %d %b} to "
                            f"{report.last_day:%a %d %b %Y}: they are on your list on "
                            "their day."))
    else:
        blocks.append(_text(":white_check_mark: Done: nothing new to schedule."))
    return View(type="modal", callback_id=CONFIRM_CALLBACK, title=TITLE, close="Close",
                blocks=blocks)
