"""Shared fixtures: real SQLite files in temporary folders, services built the way the app builds them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kaifong.services import Services, build_services
from kaifong.settings import Settings


def make_settings(folder: Path, **overrides: object) -> Settings:
    """Settings pointing at a fresh SQLite file under ``folder``."""
    return Settings(database_url=f"sqlite:///{folder / 'kaifong.db'}", **overrides)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for one test, on its own database file."""
    return make_settings(tmp_path)


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    """Services with the bundled knowledge base loaded into this test's own database."""
    built = build_services(settings)
    yield built
    built.close()


@pytest.fixture(scope="module")
def shared_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """One loaded database shared by a module's read-mostly tests (faster than one per test)."""
    built = build_services(make_settings(tmp_path_factory.mktemp("kb")))
    yield built
    built.close()
