"""The database engine from ``Settings.database_url``: SQLite (WAL, foreign keys) by default."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url

from kaifong.errors import StoreError
from kaifong.store.tables import ADDED_COLUMNS, FTS_TABLES, fts_ddl, metadata, vocab_ddl


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(database_url: str) -> Engine:
    """Create the engine, making the SQLite file's folder when needed; only SQLite is supported so far."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise StoreError(
            f"database URL {url.render_as_string(hide_password=True)!r} is not SQLite; "
            "this version supports sqlite:///path/to/file.db only"
        )
    if url.database and url.database != ":memory:":
        try:
            Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder for {url.database}: {exc.strerror}") from exc
    engine = create_engine(url, connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def init_schema(engine: Engine) -> None:
    """Create every table and index that does not exist yet (idempotent)."""
    try:
        metadata.create_all(engine)
        with engine.begin() as conn:
            for name in FTS_TABLES.values():
                conn.execute(text(fts_ddl(name)))
                conn.execute(text(vocab_ddl(name)))
            for table, column, sql_type in ADDED_COLUMNS:  # files made by an older version
                present = {row[1] for row in conn.exec_driver_sql(f"PRAGMA table_info({table})")}
                if column not in present:
                    conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}")
    except sqlite3.DatabaseError as exc:  # pragma: no cover - raised through SQLAlchemy below
        raise StoreError(f"the database cannot be initialised: {exc}") from exc
    except Exception as exc:
        raise StoreError(f"the database cannot be initialised: {exc}") from exc


def has_schema(engine: Engine) -> bool:
    """True when the database already holds Kaifong's tables."""
    return "documents" in inspect(engine).get_table_names()
