"""Oversight fixtures: services on a real SQLite file, with a scripted backend and a one-topic retriever."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kaifong.oversight import StaffDesk
from kaifong.services import Services
from kaifong.testing.fakes import ScriptedBackend
from tests.oversight.helpers import build


@pytest.fixture
def backend() -> ScriptedBackend:
    """The backend of ``oversight``: queue a reply before a question that should be answered."""
    return ScriptedBackend()


@pytest.fixture
def oversight(tmp_path: Path, backend: ScriptedBackend) -> Iterator[Services]:
    """Services on this test's own SQLite file."""
    built = build(tmp_path, backend)
    yield built
    built.close()


@pytest.fixture
def desk(oversight: Services) -> StaffDesk:
    """The staff desk over ``oversight``."""
    return StaffDesk(oversight.engine, oversight.audit, oversight.conversations)
