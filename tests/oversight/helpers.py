"""Oversight test helpers: services on a real SQLite file (scripted backend, one-topic retriever), the log."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from sqlalchemy import select

from kaifong.pipeline import answer
from kaifong.services import Services, build_services
from kaifong.store.tables import audit_events
from kaifong.testing.fakes import InMemoryRetriever, ScriptedBackend, make_passage
from kaifong.types import Answer
from tests.conftest import make_settings

DRIVING = "How do I renew my driving licence?"
IMMIGRATION = "My visa was refused, what now?"
PASSAGES = (
    make_passage(
        "driving-licence:en",
        "To renew a driving licence, send form TD63 to the Transport Department before it expires.",
        title="Renewing a driving licence",
    ),
    make_passage(
        "driving-licence:zh-Hant",
        "續期駕駛執照：在執照到期前把表格 TD63 交回運輸署。",
        language="zh-Hant",
        title="駕駛執照續期",
    ),
)


def build(folder: Path, backend: ScriptedBackend | None = None, **overrides: object) -> Services:
    """Services over ``folder``'s database, without the bundled base (the retriever holds one topic)."""
    settings = make_settings(folder, load_bundled_knowledge=False, **overrides)
    return build_services(
        settings, retriever=InMemoryRetriever(PASSAGES), backend=backend or ScriptedBackend()
    )


def ask(services: Services, question: str, **kwargs: object) -> Answer:
    """One question through the real pipeline."""
    return asyncio.run(answer(question, services, **kwargs))  # type: ignore[arg-type]


def events(services: Services, kind: str | None = None) -> list[tuple[int, str, dict[str, object]]]:
    """The audit log as (seq, kind, payload), in order; only ``kind`` when given."""
    query = select(audit_events.c.seq, audit_events.c.kind, audit_events.c.payload).order_by(
        audit_events.c.seq
    )
    if kind is not None:
        query = query.where(audit_events.c.kind == kind)
    with services.engine.connect() as conn:
        return [(int(r.seq), str(r.kind), json.loads(r.payload)) for r in conn.execute(query)]


def raw_log(services: Services) -> str:
    """Every stored audit payload, joined: for checking that no personal data reached the log."""
    with services.engine.connect() as conn:
        return "\n".join(str(r.payload) for r in conn.execute(select(audit_events.c.payload)))
