"""Conversations at rest: sealed per conversation, no plain text in the file, follow-ups still work."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from kaifong.errors import StoreError, UnknownConversation
from kaifong.governance.conversation_keys import SealBroken
from kaifong.pipeline import answer
from kaifong.services import Services, build_services
from kaifong.settings import Settings
from kaifong.store.conversations import Turn, token_hash
from kaifong.store.tables import conversation_keys, subject_tokens, turns
from tests.conftest import make_settings

QUESTION = "Where do I send form XQ-4417 for Zebulon Quartzfield? 龍鬚糖伯爵問"
ANSWER = "Send it to Flibbertigibbet Lane 9, says 蝦餃燒賣辦事處."
DISTINCTIVE = ["XQ-4417", "Zebulon", "Quartzfield", "龍鬚糖伯爵", "Flibbertigibbet", "蝦餃燒賣辦事處"]


def file_bytes(settings: Settings) -> bytes:
    """The database file and its write-ahead log, as stored on disk."""
    database = Path(settings.database_url.removeprefix("sqlite:///"))
    wal = database.with_name(database.name + "-wal")
    return database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def plain_hits(data: bytes, needles: list[str]) -> list[str]:
    return [n for n in needles if n.encode() in data]


@pytest.fixture
def bare(tmp_path: Path) -> Iterator[Services]:
    """Services on a fresh file without the knowledge base (store-level tests need none)."""
    built = build_services(make_settings(tmp_path, load_bundled_knowledge=False))
    yield built
    built.close()


def store_turn(services: Services, question: str = QUESTION, answer_text: str = ANSWER) -> tuple[str, str]:
    with services.engine.begin() as conn:
        new = services.conversations.start(conn, "en")
        turn = Turn(question, "answered", "passport-renewal", answer_text, ("passport-renewal", "1823"))
        services.conversations.add_turn(conn, new.id, turn)
    return new.id, new.subject_token


def test_turns_round_trip_through_the_seal(bare: Services) -> None:
    conversation_id, _ = store_turn(bare)
    (turn,) = bare.conversations.history(conversation_id)
    assert turn == Turn(QUESTION, "answered", "passport-renewal", ANSWER, ("passport-renewal", "1823"))
    transcript = bare.conversations.transcript(conversation_id)
    assert [s.turn for s in transcript.turns] == [turn] and transcript.form == "en"


def test_the_file_holds_no_plain_text_of_question_answer_or_token(bare: Services) -> None:
    _, token = store_turn(bare)
    data = file_bytes(bare.settings)
    assert plain_hits(data, DISTINCTIVE) == []
    assert token.encode() not in data and token_hash(token).encode() in data
    with bare.engine.connect() as conn:
        row = conn.execute(select(turns)).one()
    assert (row.question, row.answer, row.status, row.topic) == ("", "", "answered", "passport-renewal")


def test_a_sealed_turn_moved_to_another_row_does_not_open(bare: Services) -> None:
    conversation_id, _ = store_turn(bare, "first question")
    with bare.engine.begin() as conn:
        bare.conversations.add_turn(conn, conversation_id, Turn("second question", "answered", "", "b"))
        conn.execute(text("UPDATE turns SET sealed = (SELECT sealed FROM turns WHERE id = 1) WHERE id = 2"))
    with pytest.raises(SealBroken):
        bare.conversations.history(conversation_id)


def test_erasure_destroys_the_key_deletes_the_rows_and_remembers_why(bare: Services) -> None:
    conversation_id, token = store_turn(bare)
    with bare.engine.begin() as conn:
        erased = bare.conversations.erase(conn, conversation_id, "erased")
    assert (erased.turns, erased.key_destroyed) == (1, True)
    bare.conversations.release_deleted()
    with bare.engine.connect() as conn:
        assert conn.execute(select(turns)).all() == []
        assert conn.execute(select(conversation_keys)).all() == []
        (record,) = conn.execute(select(subject_tokens)).all()
    assert record.conversation_id is None and record.ended == "erased"
    assert bare.conversations.token_record(token) is not None
    with pytest.raises(UnknownConversation):
        bare.conversations.history(conversation_id)


def test_another_master_key_is_a_clear_error_not_garbage(tmp_path: Path) -> None:
    first = build_services(make_settings(tmp_path, load_bundled_knowledge=False))
    conversation_id, _ = store_turn(first)
    first.close()
    other = make_settings(tmp_path, load_bundled_knowledge=False, master_key_path=tmp_path / "other-key")
    second = build_services(other)
    try:
        with pytest.raises(StoreError, match="restore the master key"):
            second.conversations.history(conversation_id)
    finally:
        second.close()


OLD_SCHEMA = """
CREATE TABLE conversations (id VARCHAR NOT NULL, created_at FLOAT NOT NULL, updated_at FLOAT NOT NULL,
    form VARCHAR NOT NULL, PRIMARY KEY (id));
CREATE TABLE turns (id INTEGER NOT NULL, conversation_id VARCHAR NOT NULL, created_at FLOAT NOT NULL,
    question TEXT NOT NULL, status VARCHAR NOT NULL, topic VARCHAR NOT NULL, answer TEXT NOT NULL,
    PRIMARY KEY (id), FOREIGN KEY(conversation_id) REFERENCES conversations (id) ON DELETE CASCADE);
CREATE INDEX ix_turns_conversation ON turns (conversation_id, id);
INSERT INTO conversations VALUES ('old-conversation', 1.0, 2.0, 'en');
INSERT INTO conversations VALUES ('old-empty', 1.0, 2.0, 'zh-Hant');
"""


def test_a_database_from_before_encryption_opens_and_its_turns_are_sealed(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, load_bundled_knowledge=False)
    database = tmp_path / "kaifong.db"
    with sqlite3.connect(database) as old:
        old.executescript(OLD_SCHEMA)
        old.execute(
            "INSERT INTO turns VALUES (1, 'old-conversation', 1.5, ?, 'answered', 'oala', ?)",
            (QUESTION, ANSWER),
        )
    old.close()
    services = build_services(settings)
    try:
        (turn,) = services.conversations.history("old-conversation")
        assert (turn.question, turn.answer, turn.topic) == (QUESTION, ANSWER, "oala")
        assert plain_hits(file_bytes(settings), DISTINCTIVE) == []
        with services.engine.begin() as conn:  # a conversation that had no turns can go on
            services.conversations.add_turn(conn, "old-empty", Turn("新問題", "answered", "", "答"))
        assert services.conversations.seal_legacy_turns() == 0  # idempotent
    finally:
        services.close()


def test_follow_ups_read_the_sealed_history(shared_services: Services) -> None:
    first = asyncio.run(answer("How do I renew my driving licence?", shared_services))
    assert first.subject_token.startswith("kfs_")
    follow = asyncio.run(
        answer("How much does it cost?", shared_services, conversation_id=first.conversation_id)
    )
    assert follow.status == "answered" and follow.subject_token == ""
    assert follow.citations[0].topic == "driving-licence-renewal"
    history = shared_services.conversations.history(first.conversation_id)
    assert [t.question for t in history] == ["How do I renew my driving licence?", "How much does it cost?"]
    assert history[1].sources == ("driving-licence-renewal",)


def test_a_question_through_the_pipeline_is_not_in_the_file(services: Services) -> None:
    result = asyncio.run(
        answer("How do I renew my passport? Ask for Zebulon Quartzfield at 龍鬚糖伯爵", services)
    )
    assert result.conversation_id
    assert plain_hits(file_bytes(services.settings), ["Zebulon", "Quartzfield", "龍鬚糖伯爵"]) == []
    assert services.conversations.history(result.conversation_id)[0].question == result.question
