"""Where the project's top-level folders are: next to the package in a checkout (an
editable install), or inside it once installed from a wheel.

``migrations/``, ``templates/`` and ``app_manifest.yml`` stay at the top of the
repository; pyproject.toml ships them in the wheel as ``bot/_migrations``,
``bot/_templates`` and ``bot/_meta/app_manifest.yml``. Nothing else should build these
paths by hand.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent
_SHIPPED = {"migrations": "_migrations", "templates": "_templates",
            "app_manifest.yml": "_meta/app_manifest.yml"}


def resource(name: str) -> Path:
    """The folder or file ``name`` (one of migrations, templates, app_manifest.yml)."""
    if name not in _SHIPPED:
        raise KeyError(name)
    shipped = _PACKAGE / _SHIPPED[name]
    if shipped.exists():  # installed from a wheel
        return shipped
    return _CHECKOUT / name  # a checkout (editable install, tests)


def migrations_dir() -> Path:
    return resource("migrations")


def templates_dir() -> Path:
    return resource("templates")


def manifest_file() -> Path:
    return resource("app_manifest.yml")
