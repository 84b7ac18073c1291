"""Load cadences from YAML (built-in, optionally overridden by a team file) and holidays."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from bot.config import Settings, SettingsError
from bot.domain.cadence import Cadence, Rules, Step
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

    def holidays(self, years: tuple[int, ...], country: str | None = None) -> frozenset[date]:
        """Public holidays of the team's country (else HOLIDAY_COUNTRY); none if unset."""
        return _holidays(country or self.holiday_country, years)


@functools.lru_cache(maxsize=64)
def _holidays(country: str | None, years: tuple[int, ...]) -> frozenset[date]:
    if not country:
        return frozenset()
    import holidays

    code, _, subdiv = country.partition("-")
    return frozenset(holidays.country_holidays(code, subdiv=subdiv or None, years=years))


def _parse(data: dict, source: str) -> tuple[dict, dict, dict]:
    if not isinstance(data, dict):
        raise SettingsError(f"{source}: expected a mapping with 'cadences'")
    cadences = {}
    for name, spec in (data.get("cadences") or {}).items():
        try:
            steps = tuple(
                Step(int(s["day"]), Channel(s["channel"]), str(s["purpose"]))
                for s in spec["steps"]
            )
            cadences[name] = Cadence(name, str(spec.get("label", name)), steps)
        except (KeyError, TypeError, ValueError) as exc:
            raise SettingsError(f"{source}: cadence {name!r} is malformed: {exc}") from None
    try:
        by_type = {CallType(k): str(v) for k, v in (data.get("call_types") or {}).items()}
    except ValueError as exc:
        raise SettingsError(f"{source}: {exc}") from None
    return cadences, by_type, dict(data.get("rules") or {})


def load_cadence_book(settings: Settings) -> CadenceBook:
    cadences, by_type, rules = _parse(yaml.safe_load(BUILTIN.read_text()), str(BUILTIN))
    if settings.cadence_file is not None:
        try:
            team = yaml.safe_load(settings.cadence_file.read_text()) or {}
        except yaml.YAMLError as exc:
            raise SettingsError(f"CADENCE_FILE {settings.cadence_file}: {exc}") from None
        more, more_types, more_rules = _parse(team, f"CADENCE_FILE {settings.cadence_file}")
        cadences.update(more)
        by_type.update(more_types)
        rules.update(more_rules)
    for call_type in CallType:
        target = by_type.get(call_type)
        if target not in cadences:
            raise SettingsError(f"call type {call_type.value!r} maps to unknown cadence {target!r}")
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
