"""Persistence: models, engine and unit of work, migrations runner."""
