"""Health: ``GET /healthz`` says whether the database answers, the knowledge base's size, the kill switch."""

from __future__ import annotations

from fastapi import APIRouter, Request

from kaifong.oversight.killswitch import read_state
from kaifong.web.deps import services

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness and knowledge-base size")
async def healthz(request: Request) -> dict[str, object]:
    """``{"status": "ok", "knowledge": {"documents", "topics", "passages"}, "kill_switch": {"on", "since"}}``.

    ``status`` stays ``ok`` while the kill switch is on: the server must stay in service to give residents
    the fixed reply and the human route."""
    svc = services(request)
    return {
        "status": "ok",
        "knowledge": svc.knowledge.counts(),
        "kill_switch": read_state(svc.engine).public(),
    }
