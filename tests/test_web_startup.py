"""Before serving, what start-up made leaves the garbage collector's sight (bot.web
.freeze_startup): full collections no longer walk it while requests wait on the GIL."""

from __future__ import annotations

import gc
import weakref

from bot.web import freeze_startup


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_start_up_objects_are_frozen_and_garbage_is_freed_first():
    garbage = _Cycle()
    gone = weakref.ref(garbage)
    del garbage
    gc.unfreeze()
    try:
        freeze_startup()
        assert gc.get_freeze_count() > 0
        assert gone() is None  # collected before the freeze, not kept for good
    finally:
        gc.unfreeze()
