"""Retention (DPP2): crypto-shred conversations past their period, on demand or on a schedule in serve.

Periods come from ``Settings.retention`` (docs/privacy.md):

- a conversation is due ``conversation_days`` after its last question, unless it has an escalation
  that is still open or claimed, or was closed less than ``escalation_days`` ago (staff still need it);
  a due conversation is erased as a resident's erasure is (its data key destroyed, its rows — and so
  its escalation records — deleted) and its token's hash remembers that it ``expired``;
- a closed escalation is deleted ``escalation_days`` after it was closed;
- the hash of an ended conversation's subject token is forgotten ``conversation_days`` after the end;
- audit events are kept: the log is append-only and holds no content.

Each purge that removes anything appends one ``retention_purge`` event (ids and counts only).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass

from sqlalchemy import Connection, func, select

from kaifong.governance.audit import Event
from kaifong.services import Services
from kaifong.store.tables import escalations

log = logging.getLogger("kaifong.retention")
DAY = 86_400.0


@dataclass(frozen=True)
class PurgeReport:
    """What one purge removed (or, with ``dry_run``, would remove)."""

    dry_run: bool
    conversations: int
    turns: int
    escalations: int
    tokens_forgotten: int
    conversation_ids: tuple[str, ...]

    @property
    def removed_anything(self) -> bool:
        """True when the purge deleted (or would delete) any row."""
        return bool(self.conversations or self.escalations or self.tokens_forgotten)

    def as_dict(self) -> dict[str, object]:
        """The report as JSON-ready data."""
        return asdict(self) | {"conversation_ids": list(self.conversation_ids)}


def _held_by_escalations(conn: Connection, closed_before: float) -> set[str]:
    """Conversations whose escalation staff may still need: not closed, or closed recently."""
    still_needed = (escalations.c.status != "closed") | (escalations.c.updated_at >= closed_before)
    rows = conn.execute(select(escalations.c.conversation_id).where(still_needed).distinct())
    return {str(r.conversation_id) for r in rows}


def _old_closed_escalations(conn: Connection, closed_before: float, dry_run: bool) -> int:
    expired = (escalations.c.status == "closed") & (escalations.c.updated_at < closed_before)
    if dry_run:
        return int(conn.execute(select(func.count()).select_from(escalations).where(expired)).scalar_one())
    return int(conn.execute(escalations.delete().where(expired)).rowcount)


def purge(services: Services, *, now: float | None = None, dry_run: bool = False) -> PurgeReport:
    """Apply the retention periods as of ``now`` (default: the clock); ``dry_run`` only counts.

    Everything one purge removes, and its ``retention_purge`` event, commit in one transaction.
    """
    now = time.time() if now is None else now
    periods = services.settings.retention
    idle_before = now - periods.conversation_days * DAY
    closed_before = now - periods.escalation_days * DAY
    store = services.conversations
    with services.engine.begin() as conn:
        held = _held_by_escalations(conn, closed_before)
        due = [cid for cid in store.idle_since(conn, idle_before) if cid not in held]
        escalations = _old_closed_escalations(conn, closed_before, dry_run)
        if dry_run:
            turns = sum(store.turn_count(cid, conn) for cid in due)
        else:
            turns = sum(store.erase(conn, cid, "expired", now).turns for cid in due)
        tokens = store.forget_ended_tokens(conn, idle_before, dry_run=dry_run)
        report = PurgeReport(dry_run, len(due), turns, escalations, tokens, tuple(due))
        if report.removed_anything and not dry_run:
            payload = report.as_dict() | {"idle_before": idle_before, "closed_before": closed_before}
            payload.pop("dry_run")
            services.audit.append([Event(uuid.uuid4().hex, "retention_purge", payload)], conn)
    if report.removed_anything and not dry_run:
        store.release_deleted()
    return report


async def purge_periodically(
    services: Services,
    interval_seconds: float,
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Purge now and then every ``interval_seconds`` until cancelled; a failed run is logged, not fatal.

    ``clock`` and ``sleep`` are the seams a test replaces (a fake clock; a sleep that stops the loop).
    """
    while True:
        try:
            report = await asyncio.to_thread(purge, services, now=clock())
            if report.removed_anything:
                log.info(
                    "retention purge: %d conversations, %d escalations, %d token hashes",
                    report.conversations,
                    report.escalations,
                    report.tokens_forgotten,
                )
        except Exception as exc:  # the server keeps serving; the next run tries again
            log.error("retention purge failed: %s", exc.__class__.__name__)
        await sleep(interval_seconds)


def start_scheduled_purge(services: Services) -> asyncio.Task[None] | None:
    """The background purge task for a running server, or None when ``purge_interval_minutes`` is 0."""
    minutes = services.settings.retention.purge_interval_minutes
    if minutes <= 0:
        return None
    return asyncio.get_running_loop().create_task(
        purge_periodically(services, minutes * 60), name="kaifong-retention-purge"
    )
