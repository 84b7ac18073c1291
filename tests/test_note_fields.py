"""NoteField is the one list of note fields: the typed Notes, the modal, the post-log DM
and the calls table follow it, and every table keyed by it covers every field."""

from __future__ import annotations

from dataclasses import fields

from bot.db.models import Call
from bot.domain.model import NOTE_FIELD_LABELS, CallType, NoteField, Notes
from bot.domain.prefill import Prefill
from bot.services.log_form import LogForm
from bot.slack import ids
from bot.slack.logcall_view import NOTE_QUESTIONS, build_logcall_view
from bot.slack.messages import NOTE_TITLES

FIELDS = [field.value for field in NoteField]


def test_notes_has_one_attribute_per_field_in_order():
    assert FIELDS == ["pain_point", "objection", "next_step", "personal_detail",
                      "resource_promised"]
    assert [attribute.name for attribute in fields(Notes)] == FIELDS


def test_notes_read_blank_as_none_and_list_in_field_order():
    notes = Notes.from_texts({"objection": "Budget", "pain_point": "", "other": "x"})
    assert notes == Notes(objection="Budget")
    assert list(notes.as_dict().items()) == [(field, "Budget" if field == "objection"
                                              else None) for field in FIELDS]
    assert notes.get(NoteField.OBJECTION) == "Budget"


def test_every_table_keyed_by_the_fields_covers_them_all():
    for table in (NOTE_FIELD_LABELS, NOTE_QUESTIONS, NOTE_TITLES):
        assert list(table) == list(NoteField)
    assert all(ids.MAX_LENGTHS[field] > 0 for field in NoteField)
    assert set(FIELDS) <= {column.name for column in Call.__table__.columns}
    assert [field.label for field in NoteField] == [
        "Pain point", "Objection", "Next step", "Personal detail", "Resource promised"]


def test_the_modal_asks_the_notes_in_field_order_with_their_limits():
    form = LogForm(Prefill(), "America/New_York", True, None, CallType.COLD_CALL, None, None)
    blocks = build_logcall_view(form)["blocks"]
    notes = [block for block in blocks if block.get("block_id") in FIELDS]
    assert [block["block_id"] for block in notes] == FIELDS
    assert [block["label"]["text"] for block in notes][0] == \
        "Pain point or goal, in their words"
    assert all(block["element"]["max_length"] == ids.MAX_LENGTHS[block["block_id"]]
               for block in notes)

