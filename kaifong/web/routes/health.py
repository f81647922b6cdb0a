"""Health: ``GET /healthz`` says whether the database answers and how big the knowledge base is."""

from __future__ import annotations

from fastapi import APIRouter, Request

from kaifong.web.deps import services

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness and knowledge-base size")
async def healthz(request: Request) -> dict[str, object]:
    """``{"status": "ok", "knowledge": {"documents", "topics", "passages"}}``."""
    return {"status": "ok", "knowledge": services(request).knowledge.counts()}
