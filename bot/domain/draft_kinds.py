"""The kinds of drafts there are, and what a rep sees each called (pure data)."""

# The drafts a cadence step may name (``draft:`` in a cadence file): emails, then notes.
EMAIL_STEP_DRAFTS = ("intro", "value_add", "objection", "social_proof", "breakup", "nurture")
NOTE_DRAFTS = ("linkedin_note",)  # body only: no subject, no ask
STEP_DRAFTS = EMAIL_STEP_DRAFTS + NOTE_DRAFTS
# Email kinds (a subject and a body each): the outcome's own emails and the step emails.
KINDS = ("recap", "voicemail", "value_add", "objection", "meeting_confirmation", "breakup",
         "nurture", "intro", "social_proof")
ALL_KINDS = KINDS + NOTE_DRAFTS  # every template there is
# What a rep sees a draft called, by kind.
KIND_TITLES = {
    "recap": "Recap email",
    "voicemail": "Voicemail follow-up email",
    "value_add": "Value-add email",
    "objection": "Email answering the objection",
    "meeting_confirmation": "Meeting confirmation email",
    "breakup": "Breakup email",
    "nurture": "Re-engagement email",
    "intro": "Intro email",
    "social_proof": "Social-proof email",
    "linkedin_note": "LinkedIn note",
}
