"""Callback, action and block ids, in one place so listeners and builders agree."""

from bot.domain.model import NoteField

LOGCALL_COMMAND = "/logcall"
FOLLOWUPS_COMMAND = "/followups"
LOGCALL_CALLBACK = "logcall"
HOME_LOG_CALL = "home_log_call"
HOME_DIGEST_TIME = "home_digest_time"
HOME_DIGEST_DAYS = "home_digest_days"
HOME_DIGEST_TOGGLE = "home_digest_toggle"
HOME_WORK_START = "home_work_start"
HOME_WORK_END = "home_work_end"
HOME_HOLIDAY_COUNTRY = "home_holiday_country"  # text input, dispatched on Enter
HOME_HOLIDAY_CLEAR = "home_holiday_clear"
HOME_IMPORT = "home_import"  # "Import prospects" (bot.slack.import_view)

PROSPECT = "prospect"  # block id and action id of the prospect picker
NEW_NAME = "new_name"
NEW_COMPANY = "new_company"
NEW_EMAIL = "new_email"
NEW_PHONE = "new_phone"
NEW_TZ = "new_tz"
NEW_COUNTRY = "new_country"
CALL_TYPE = "call_type"
OUTCOME = "outcome"
NEXT_DATE = "next_date"
VALUE = "value"  # the action id inside single-element input blocks

# max_length of each text input; the submission is checked against the same numbers.
MAX_LENGTHS = {
    NEW_NAME: 120,
    NEW_COMPANY: 120,
    NEW_EMAIL: 254,
    NEW_PHONE: 40,
    NEW_TZ: 64,
    NEW_COUNTRY: 64,  # bot.services.countries.MAX_INPUT
    NoteField.PAIN_POINT: 500,
    NoteField.OBJECTION: 500,
    NoteField.NEXT_STEP: 300,
    NoteField.PERSONAL_DETAIL: 300,
    NoteField.RESOURCE_PROMISED: 300,
}

DRAFT_COPY = "draft_copy"
DRAFT_EDIT = "draft_edit"
DRAFT_SENT = "draft_sent"
DRAFT_BREAKUP = "draft_breakup"
DRAFT_REMIND = "draft_remind"  # "Remind me then" / "Cancel reminder" on a due-list email
DRAFT_EDIT_CALLBACK = "draft_edit"
DRAFT_COPY_CALLBACK = "draft_copy"

DIGEST_CONNECTED = "digest_connected"
DIGEST_VOICEMAIL = "digest_voicemail"
DIGEST_NO_ANSWER = "digest_no_answer"
DIGEST_DETAILS = "digest_details"
DIGEST_DONE = "digest_done"
DIGEST_MORE = "digest_more"  # overflow: snooze choices and skip
PROSPECT_VERIFIED = "prospect_verified"  # "Number verified" after a wrong number
HOME_MANAGER_ADD = "home_manager_add"  # users_select: an admin names a manager
HOME_MANAGER_REMOVE = "home_manager_remove"  # + ":<n>", value: the manager's user id
