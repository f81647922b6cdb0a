"""The transparency page (GOV-05, DPP5): what runs, where, with which guards — from the running config."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kaifong import __version__
from kaifong.backends.registry import where_it_runs
from kaifong.governance.pii import KINDS
from kaifong.oversight.killswitch import read_state
from kaifong.services import Services
from kaifong.web.deps import services
from kaifong.web.routes.chat import page

router = APIRouter(tags=["transparency"])


def describe(svc: Services) -> dict[str, object]:
    """The facts the page shows, read from the running services (nothing hard-coded about the deployment)."""
    backend = svc.backend
    return {
        "kaifong_version": __version__,
        "backend": {
            "name": backend.name,
            "version": backend.version,
            "model": getattr(backend, "model", None),
            "local": backend.name == "extractive",
            "runs": where_it_runs(backend),
        },
        "fallback_backend": svc.fallback.name if svc.fallback else None,
        "retriever": svc.retriever.name,
        "guards": [{"name": g.name, "version": g.version} for g in svc.guards],
        "personal_data_redacted": list(KINDS),
        "audit": {"log": "hash-chained, one event per step", "signing_key_id": svc.signer.key_id},
        "knowledge": svc.knowledge.counts(),
        "human_review": {
            "route_on_every_answer": True,
            "sampled_staff_review": False,
            "escalation_queue": True,
            "staff_reads_audited": True,
        },
        "kill_switch": read_state(svc.engine).public(),
        "retention": {
            "conversation_days": svc.settings.retention.conversation_days,
            "escalation_days": svc.settings.retention.escalation_days,
            "automatic_purge": svc.settings.retention.purge_interval_minutes > 0,
            "encrypted_at_rest": "AES-256-GCM, one key per conversation",
            "self_service": ["/api/v1/subject/export", "/api/v1/subject/erase", "/my-conversation"],
            "audit_events": "kept (ids, verdicts and hashes only)",
        },
    }


@router.get("/api/v1/transparency", summary="What this deployment runs: backend, guards, audit, retention")
async def transparency_json(request: Request) -> dict[str, object]:
    """The transparency facts as JSON."""
    return describe(services(request))


@router.get("/transparency", response_class=HTMLResponse, include_in_schema=False)
async def transparency_page(request: Request) -> HTMLResponse:
    """The transparency page in the visitor's interface language."""
    return page(request, "transparency.html", facts=describe(services(request)))
