"""Load cadences from YAML (built-in, optionally overridden by a team file). Business
calendars (weekends, holidays) are bot.services.scheduling.calendar_for's."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.config import Settings, SettingsError
from bot.domain.cadence import Cadence, Rules, Step, default_draft, step_draft_error
from bot.domain.model import CallType, Channel

BUILTIN = Path(__file__).resolve().parents[1] / "cadences.yml"


@dataclass(frozen=True)
class CadenceBook:
    cadences: dict[str, Cadence]
    by_call_type: dict[CallType, str]
    rules: Rules
    holiday_country: str | None = None
    windows: tuple = field(default=())

    def for_call_type(self, call_type: CallType) -> Cadence:
        return self.cadences[self.by_call_type[call_type]]

    def draft_of(self, cadence: str | None, step: int, channel: Channel) -> str | None:
        """The draft of a stored touch (cadence name, step index, channel): its step's;
        a nurture or re-engagement email (step -1) is a "nurture"; else (a step no longer
        in the book) the channel's default."""
        steps = self.cadences[cadence].steps if cadence in self.cadences else ()
        if 0 <= step < len(steps) and steps[step].channel is channel:
            return steps[step].draft
        if step < 0 and channel is Channel.EMAIL:
            return "nurture"
        return default_draft(channel)



def _step(spec: dict, cadence: str, number: int, source: str) -> Step:
    """One step; a step without ``draft:`` gets its channel's default (see
    :func:`missing_drafts`, which ``templates check`` uses to warn about it)."""
    where = f"{source}: cadence {cadence!r}, step {number}"
    try:
        channel = Channel(spec["channel"])
        day, purpose = int(spec["day"]), str(spec["purpose"])
    except (KeyError, TypeError, ValueError) as exc:
        raise SettingsError(f"{where} is malformed: {exc}") from None
    draft = spec.get("draft")
    draft = default_draft(channel) if draft is None else str(draft)
    error = step_draft_error(channel, draft)
    if error:
        raise SettingsError(f"{where} (day {day}, {channel.value}): {error}")
    return Step(day, channel, purpose, draft)


def _cadence(name: str, spec: object, source: str) -> Cadence:
    if not isinstance(spec, dict) or not isinstance(spec.get("steps"), list):
        raise SettingsError(f"{source}: cadence {name!r} is malformed: it needs a list of steps")
    steps = tuple(_step(step if isinstance(step, dict) else {}, name, number, source)
                  for number, step in enumerate(spec["steps"], start=1))
    after = spec.get("after_connect")
    try:
        return Cadence(name, str(spec.get("label", name)), steps,
                       after_connect=None if after is None else str(after),
                       first_gap=int(spec.get("first_gap", 0)))
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{source}: cadence {name!r} is malformed: {exc}") from None


def _parse(data: dict, source: str) -> tuple[dict, dict, dict]:
    if not isinstance(data, dict):
        raise SettingsError(f"{source}: expected a mapping with 'cadences'")
    cadences = {name: _cadence(name, spec, source)
                for name, spec in (data.get("cadences") or {}).items()}
    try:
        by_type = {CallType(k): str(v) for k, v in (data.get("call_types") or {}).items()}
    except ValueError as exc:
        raise SettingsError(f"{source}: {exc}") from None
    return cadences, by_type, dict(data.get("rules") or {})


def _check_handovers(cadences: dict[str, Cadence], sources: dict[str, str]) -> None:
    """A cold cadence hands a conversation over to a warm one that exists."""
    for name, cadence in cadences.items():
        if cadence.warm:
            continue
        target = cadences.get(cadence.after_connect or "")
        where = f"{sources[name]}: cadence {name!r}: after_connect"
        if target is None:
            raise SettingsError(f"{where} names unknown cadence {cadence.after_connect!r}")
        if not target.warm:
            raise SettingsError(f"{where} must name a warm cadence (one without after_connect),"
                                f" and {target.name!r} has one")


def _read_team(path: Path) -> dict:
    try:
        return yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise SettingsError(f"CADENCE_FILE {path}: {exc}") from None


def _merged(cadence_file: Path | None) -> tuple[dict, dict, dict]:
    """The built-in cadences with the team file's on top, checked as a whole."""
    cadences, by_type, rules = _parse(yaml.safe_load(BUILTIN.read_text()), str(BUILTIN))
    sources = dict.fromkeys(cadences, str(BUILTIN))
    if cadence_file is not None:
        source = f"CADENCE_FILE {cadence_file}"
        more, more_types, more_rules = _parse(_read_team(cadence_file), source)
        cadences.update(more)
        sources.update(dict.fromkeys(more, source))
        by_type.update(more_types)
        rules.update(more_rules)
    for call_type in CallType:
        target = by_type.get(call_type)
        if target not in cadences:
            raise SettingsError(f"call type {call_type.value!r} maps to unknown cadence {target!r}")
    _check_handovers(cadences, sources)
    return cadences, by_type, rules


def missing_drafts(path: Path) -> list[str]:
    """For ``templates check``: "<file>:<line>: warning: ..." for each email or LinkedIn
    step of a cadence file that names no draft (it gets its channel's default), or the one
    error that stops the file from loading."""
    try:
        _merged(path)
        root = yaml.compose(path.read_text())
    except SettingsError as exc:
        return [str(exc)]
    except (OSError, yaml.YAMLError) as exc:
        return [f"{path}: {exc}"]
    lines = []
    for cadence, number, step in _step_nodes(root):
        channel = Channel(step["channel"].value)
        default = default_draft(channel)
        if "draft" in step or default is None:  # a call step has no draft to name
            continue
        lines.append(f"{path}:{step['channel'].start_mark.line + 1}: warning: cadence "
                     f"{cadence!r}, step {number} (day {step['day'].value}, {channel.value}) "
                     f"names no draft, so it uses {default}; add draft: to choose one.")
    return lines


def _mapping(node) -> dict:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {key.value: value for key, value in node.value if isinstance(key, yaml.ScalarNode)}


def _step_nodes(root):
    """(cadence name, 1-based step number, {key: value node}) for every step in the file."""
    for name, spec in _mapping(_mapping(root).get("cadences")).items():
        steps = _mapping(spec).get("steps")
        for number, step in enumerate(getattr(steps, "value", []), start=1):
            yield name, number, _mapping(step)


def load_cadence_book(settings: Settings) -> CadenceBook:
    cadences, by_type, rules = _merged(settings.cadence_file)
    try:
        parsed_rules = Rules(
            max_calls=settings.max_call_attempts or int(rules.get("max_calls", 6)),
            nurture_days=int(rules.get("nurture_days", 90)),
            not_now_days=int(rules.get("not_now_days", 60)),
        )
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"cadence rules are malformed: {exc}") from None
    return CadenceBook(cadences, by_type, parsed_rules, settings.holiday_country,
                       settings.call_windows)
