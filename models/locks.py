"""Locks a transaction takes first, so that a writer waits its turn instead of failing.

SQLite. Tortoise begins a transaction deferred (`BEGIN`): it reads, and becomes a writer at
its first write. Should another connection — `fremdrift programme load` or `round close`
in a process of its own, beside `serve` — have written in between, SQLite cannot make it a
writer and fails at once with "database is locked", whatever `busy_timeout` says: the wait
covers only a transaction that has read nothing yet. So a transaction that will write
takes the write lock with its first statement (`writer_first`, a write that changes
nothing), waiting for it up to `busy_timeout` (models/db.py, SQLITE_PRAGMAS), and everything
it then reads stays true until it commits. One process shares one connection, whose
transactions Tortoise already runs one at a time.

PostgreSQL locks the rows a transaction writes, and waits for them: nothing to take first.
"""

from __future__ import annotations

from tortoise import connections

from models.db import dialect


async def writer_first() -> None:
    """SQLite: make the caller's transaction a writer now (call it first in the transaction).

    Nothing on PostgreSQL, whose writers lock the rows they touch.
    """
    if dialect() == "sqlite":
        await connections.get("default").execute_query('DELETE FROM "round" WHERE 0')
