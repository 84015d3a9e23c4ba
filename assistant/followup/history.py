"""The record of what the client was told: one SQLite file per project (`.delaynote/history.sqlite`
beside the facts file, or `--history FILE` / `$DELAYNOTE_HISTORY`).

Each message marked as sent is one row: when, which channel, the delivery date and the next update
it gave, the phase dates and promises it made, and a SHA-256 of its text. The schema is versioned
(`PRAGMA user_version`) and migrated in order; every write is one transaction (`BEGIN IMMEDIATE`,
so two writers wait for each other instead of interleaving). A file that is not ours - not SQLite,
another program's database, a newer schema, another project's history - is refused with one
sentence and left exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from assistant.errors import InputError

SCHEMA_VERSION = 1
APP_ID = "delaynote-history"
_SQLITE_HEADER = b"SQLite format 3\x00"


def _v1(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute("""CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        recorded_at TEXT NOT NULL,
        sent_on TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('notice', 'update')),
        status TEXT,
        language TEXT NOT NULL,
        channel TEXT NOT NULL,
        original_date TEXT,
        delivery_date TEXT NOT NULL,
        next_update TEXT,
        phases TEXT NOT NULL DEFAULT '[]',
        promises TEXT NOT NULL DEFAULT '[]',
        text_dates TEXT NOT NULL DEFAULT '[]',
        text_sha256 TEXT NOT NULL,
        source TEXT)""")
    conn.execute("CREATE INDEX messages_sent_on ON messages (sent_on, id)")
    conn.execute("CREATE INDEX messages_text ON messages (text_sha256)")


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _v1}
"""Version -> the step that brings a version-(n-1) file to version n. A new column is a new entry
here (`ALTER TABLE ... ADD COLUMN`), never an edit of an old one, so every old file can be brought up."""


@dataclass(frozen=True)
class Sent:
    """One message the client received, as recorded."""

    sent_on: date
    kind: str
    language: str
    channel: str
    delivery_date: date
    text_sha256: str
    status: str | None = None
    original_date: date | None = None
    next_update: date | None = None
    phases: list[dict[str, str]] = field(default_factory=list)
    promises: list[str] = field(default_factory=list)
    text_dates: list[str] = field(default_factory=list)
    source: str | None = None
    id: int | None = None
    recorded_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        def iso(d):
            return (d.isoformat() if d else None)
        return {"id": self.id, "sent_on": self.sent_on.isoformat(), "kind": self.kind, "status": self.status,
                "language": self.language, "channel": self.channel, "original_date": iso(self.original_date),
                "delivery_date": self.delivery_date.isoformat(), "next_update": iso(self.next_update),
                "phases": self.phases, "promises": self.promises, "text_dates": self.text_dates,
                "text_sha256": self.text_sha256, "source": self.source, "recorded_at": self.recorded_at}


def text_hash(text: str) -> str:
    """SHA-256 of the text with line ends and trailing blanks normalised (a re-saved file is the same message)."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def default_path(facts_path: str | Path | None, configured: str | None = None) -> Path:
    """`$DELAYNOTE_HISTORY`, else `[followup] history` from the configuration (`configured`), else
    `.delaynote/history.sqlite` beside the facts file (or here, for stdin)."""
    env = os.environ.get("DELAYNOTE_HISTORY")
    if env:
        return Path(env)
    if configured:
        return Path(configured).expanduser()
    folder = Path(facts_path).parent if facts_path and str(facts_path) != "-" else Path(".")
    return folder / ".delaynote" / "history.sqlite"


class History:
    """An open, checked history file for one project."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn

    def project_name(self) -> str:
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'project'").fetchone()
        return row[0] if row else ""

    def close(self) -> None:
        self._conn.close()

    def messages(self) -> list[Sent]:
        """Every recorded message, oldest first."""
        return [_row(r) for r in self._conn.execute(f"{_SELECT} ORDER BY sent_on, id").fetchall()]

    def last(self) -> Sent | None:
        found = self.messages()
        return found[-1] if found else None

    def add(self, sent: Sent) -> Sent:
        """Record one message, in its own transaction; the same text twice is refused."""
        data = sent.to_json()
        try:
            with _transaction(self._conn):
                dup = self._conn.execute("SELECT sent_on FROM messages WHERE text_sha256 = ?",
                                         (sent.text_sha256,)).fetchone()
                if dup:
                    raise InputError(f"this text was already recorded as sent on {dup[0]} in {self.path}; "
                                     "nothing was added")
                cur = self._conn.execute(
                    "INSERT INTO messages (recorded_at, sent_on, kind, status, language, channel, original_date, "
                    "delivery_date, next_update, phases, promises, text_dates, text_sha256, source) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (datetime.now(UTC).isoformat(timespec="seconds"), data["sent_on"], sent.kind,
                     sent.status, sent.language, sent.channel, data["original_date"], data["delivery_date"],
                     data["next_update"], json.dumps(sent.phases, ensure_ascii=False),
                     json.dumps(sent.promises, ensure_ascii=False), json.dumps(sent.text_dates),
                     sent.text_sha256, sent.source))
                new_id = cur.lastrowid
        except sqlite3.Error as exc:
            raise InputError(f"{self.path} could not be written ({exc}); nothing was recorded") from None
        return _row(self._conn.execute(f"{_SELECT} WHERE id = ?", (new_id,)).fetchone())


_SELECT = ("SELECT id, recorded_at, sent_on, kind, status, language, channel, original_date, delivery_date, "
           "next_update, phases, promises, text_dates, text_sha256, source FROM messages")


def _row(r: tuple) -> Sent:
    def day(v):
        return (date.fromisoformat(v) if v else None)
    return Sent(id=r[0], recorded_at=r[1], sent_on=date.fromisoformat(r[2]), kind=r[3], status=r[4], language=r[5],
                channel=r[6], original_date=day(r[7]), delivery_date=date.fromisoformat(r[8]), next_update=day(r[9]),
                phases=json.loads(r[10]), promises=json.loads(r[11]), text_dates=json.loads(r[12]),
                text_sha256=r[13], source=r[14])


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, taken at once (BEGIN IMMEDIATE), committed or rolled back whole."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _refuse(path: Path, why: str) -> InputError:
    return InputError(f"{path} {why}; it was left unchanged (pass --history FILE to use another file)")


def _check_file(path: Path) -> None:
    """Refuse, before SQLite touches it, a file that is not an SQLite database (or is empty)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise InputError(f"{path} cannot be read: {exc.strerror}") from None
    if head != _SQLITE_HEADER:
        raise _refuse(path, "is not a delaynote history (not an SQLite database, or damaged)")


def _project_key(project: str) -> str:
    return " ".join(project.split()).casefold()


def open_history(path: Path, project: str | None, *, create: bool) -> History:
    """Open the history at `path` for `project` (None: any project's, for reading), creating it when
    `create` and absent.

    Raises `InputError` (exit 2, one sentence) for a missing file when not `create`, a file that is
    not SQLite or is damaged, another program's database, a newer schema, or another project's history."""
    exists = path.exists()
    if not exists and not create:
        raise InputError(f"no history at {path}: nothing has been recorded as sent yet "
                         "(`delaynote sent FILE --facts F` records a message)")
    if exists:
        if path.is_dir():
            raise InputError(f"{path} is a folder, not a history file")
        _check_file(path)
    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"{path.parent} cannot be created: {exc.strerror}") from None
    try:
        conn = sqlite3.connect(path, timeout=10, isolation_level=None)
    except sqlite3.Error as exc:
        raise InputError(f"{path} cannot be opened: {exc}") from None
    try:
        _prepare(conn, path, project)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _refuse(path, f"is damaged or not a delaynote history ({exc})") from None
    except InputError:
        conn.close()
        raise
    return History(path, conn)


def _prepare(conn: sqlite3.Connection, path: Path, project: str | None) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if version == 0 and tables:
        raise _refuse(path, "is an SQLite database of another program, not a delaynote history")
    if version > SCHEMA_VERSION:
        raise _refuse(path, f"was written by a newer delaynote (history version {version}; this one reads up to "
                            f"{SCHEMA_VERSION}): upgrade delaynote")
    if version:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("app") != APP_ID:
            raise _refuse(path, "is an SQLite database of another program, not a delaynote history")
        if project is not None and _project_key(meta.get("project", "")) != _project_key(project):
            raise _refuse(path, f"is the history of the project {meta.get('project')!r}, not of {project!r}: "
                                "each project keeps its own history")
    if version < SCHEMA_VERSION:
        if project is None:
            raise _refuse(path, "holds no delaynote history yet")
        with _transaction(conn):
            version = conn.execute("PRAGMA user_version").fetchone()[0]  # another writer may have been first
            for step in range(version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[step](conn)
            if version == 0 and not conn.execute("SELECT 1 FROM meta").fetchone():
                conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)",
                                 [("app", APP_ID), ("project", project)])
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.execute("SELECT count(*) FROM messages").fetchone()  # a damaged page shows up here, not mid-write


def open_any(path: Path) -> History:
    """Open an existing history of any project, to read it (`delaynote log --history FILE`)."""
    return open_history(path, None, create=False)
