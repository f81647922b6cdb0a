"""Configuration audit (AUD-02): the effective configuration is hashed at start-up and every change logged.

``snapshot`` is what decides how residents are answered — the settings (secrets left out), the guards and
their versions, the backend and retriever, and a digest of every guard data file (the high-risk policy
table, the harm taxonomy …) and of every message file (the canned replies). ``record_configuration``
appends a ``config_loaded`` event holding the snapshot, its hash and the names of the parts that changed,
whenever the hash differs from the last one recorded, so the audit log shows every change.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import select

from kaifong import __version__
from kaifong.governance.audit import Event, canonical
from kaifong.governance.guards.datafile import DATA as GUARD_DATA
from kaifong.language.messages import message_files
from kaifong.store.tables import audit_events, configuration_loads

if TYPE_CHECKING:
    from kaifong.services import Services
    from kaifong.settings import Settings

#: Settings that are start-up actions, not configuration: the CLI's admin commands turn off loading the
#: bundled knowledge base, which changes nothing about how questions are answered.
NOT_CONFIGURATION = frozenset({"load_bundled_knowledge"})
#: A setting whose name holds one of these is a secret and is left out of the snapshot (and the log).
SECRET_WORDS = ("password", "secret", "token", "api_key", "apikey", "credential")


@dataclass(frozen=True)
class Recorded:
    """The outcome of ``record_configuration``: the hash, and the event's seq when one was appended."""

    hash: str
    seq: int | None
    changed: tuple[str, ...]


def digest(data: bytes) -> str:
    """SHA-256 of ``data`` in hex."""
    return hashlib.sha256(data).hexdigest()


def _files(paths: list[Path]) -> dict[str, str]:
    return {path.name: digest(path.read_bytes()) for path in sorted(paths)}


def _hide_password(value: str) -> str:
    """A URL with its password replaced by ``***`` (``scheme://user:***@host``); other text as it is."""
    parts = urlsplit(value)
    if not parts.scheme or not parts.password:
        return value
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def _without_secrets(value: object) -> object:
    if isinstance(value, str):
        return _hide_password(value)
    if isinstance(value, dict):
        return {
            key: _without_secrets(item)
            for key, item in value.items()
            if not any(word in str(key).lower() for word in SECRET_WORDS)
        }
    if isinstance(value, list):
        return [_without_secrets(item) for item in value]
    return value


def public_settings(settings: Settings) -> dict[str, object]:
    """The settings as JSON values, without secrets, passwords in URLs or start-up-only flags."""
    data = settings.model_dump(mode="json", exclude=set(NOT_CONFIGURATION))
    cleaned = _without_secrets(data)
    assert isinstance(cleaned, dict)
    return cleaned


def snapshot(services: Services) -> dict[str, object]:
    """The effective configuration of ``services``, part by part (every value is safe to log)."""
    backend = services.backend
    guard_files = sorted(GUARD_DATA.glob("*.yaml"))
    return {
        "kaifong": __version__,
        "settings": public_settings(services.settings),
        "guards": [{"name": g.name, "version": g.version} for g in services.guards],
        "backend": {
            "name": backend.name,
            "version": backend.version,
            "model": getattr(backend, "model", None),
        },
        "retriever": services.retriever.name,
        "policy": _files([p for p in guard_files if p.name == "policy.yaml"]),
        "harm_taxonomy": _files([p for p in guard_files if p.name == "harm_taxonomy.yaml"]),
        "guard_data": _files([p for p in guard_files if p.name not in {"policy.yaml", "harm_taxonomy.yaml"}]),
        "messages": _files(message_files()),
    }


def part_hashes(parts: dict[str, object]) -> dict[str, str]:
    """One hash per part, so an event can say which parts changed."""
    return {name: digest(canonical({"v": value}).encode()) for name, value in parts.items()}


def record_configuration(services: Services) -> Recorded:
    """Append a ``config_loaded`` event when the configuration differs from the last one recorded.

    The event and the pointer to it (``configuration_loads``) are written in one transaction.
    """
    parts = snapshot(services)
    hashes = part_hashes(parts)
    config_hash = digest(canonical(hashes).encode())
    with services.engine.begin() as conn:
        last = conn.execute(
            select(configuration_loads.c.seq, configuration_loads.c.hash)
            .order_by(configuration_loads.c.seq.desc())
            .limit(1)
        ).first()
        if last is not None and last.hash == config_hash:
            return Recorded(config_hash, None, ())
        previous: dict[str, str] = {}
        if last is not None:
            payload = conn.execute(
                select(audit_events.c.payload).where(audit_events.c.seq == last.seq)
            ).first()
            if payload is not None:
                previous = dict(json.loads(payload.payload).get("parts", {}))
        changed = tuple(name for name, value in hashes.items() if previous.get(name) != value)
        event = Event(
            uuid.uuid4().hex,
            "config_loaded",
            {
                "hash": config_hash,
                "parts": hashes,
                "changed": list(changed),
                "previous_seq": int(last.seq) if last is not None else None,
                "configuration": parts,
            },
        )
        seq = services.audit.append([event], conn)
        conn.execute(configuration_loads.insert().values(seq=seq, hash=config_hash, loaded_at=time.time()))
    return Recorded(config_hash, seq, changed)
