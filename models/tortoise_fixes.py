"""A workaround for Tortoise 1.1's pooled transactions when BEGIN fails.

`in_transaction()` on PostgreSQL (`TransactionContextPooled.__aenter__`) takes a connection
from the pool, points the task's connection context at the new transaction, and only then
sends BEGIN. When BEGIN fails — the server was just restarted, the connection was cut —
`__aexit__` is never called (Python does not call it when `__aenter__` raises), so:

- the connection is never given back: each such failure costs the pool one of its five
  connections, and once they are gone every query in the process waits forever;
- the task's context still names the dead transaction: every later query in that task
  fails ("connection has been released back to the pool"), for as long as the task lives.

Measured with a job worker polling every millisecond through a `pg_ctl restart`: a handful
of restarts left the worker failing for good and the rest of the app hanging. `apply()`
wraps the method so that a failed entry gives the connection back and resets the context,
then raises as before.

SQLite has the same flaw with a lock instead of a pool. Its one connection is guarded by an
asyncio lock that `SqliteTransactionContext.__aenter__` (a transaction) and
`ConnectionWrapper.__aenter__` (any other query) take first; when what follows fails —
opening the file ("unable to open database file": its folder gone; "file is not a
database"), or BEGIN — the lock is never released, and every later query in the process
waits for it forever. Fremdrift meets it on a first connection to an unusable file
(`models.db.probe` looks first, and `serve` opens a new client at each retry), but any such
failure while a process runs would hang it for good. `apply()` makes a failed entry release
the lock, reset the context and close a connection it half made, so the next query opens
the file again.

And SQLite's transaction end: when COMMIT fails (a deferred constraint, a lock held past
`busy_timeout`, a full disk), Tortoise leaves the transaction open on the one connection,
and the next transaction's BEGIN first COMMITs whatever is pending. So the failed work —
whose caller was told it failed — is committed later under someone else's transaction,
or, when it can never commit, every later transaction in the process fails. `apply()`
rolls back a transaction whose COMMIT failed before the lock is released.

All of this touches only the Tortoise line this project pins (pyproject:
tortoise-orm >=1.1.9,<1.2); another version is left as it is, and `applied()` says so.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import tortoise
from tortoise.backends.base.client import ConnectionWrapper, TransactionContextPooled
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionContext
from tortoise.connection import get_connections

log = logging.getLogger(__name__)

PINNED = "1.1."
_MARK = "_fremdrift_gives_back_on_failed_begin"

Enter = Callable[[Any], Awaitable[Any]]
RELEASE_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.exceptions.PostgresError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    OSError,
)


def apply() -> None:
    """Wrap the entries once (for the pinned Tortoise only)."""
    if applied() or not tortoise.__version__.startswith(PINNED):
        return
    _apply_sqlite()
    original: Enter = TransactionContextPooled.__aenter__

    async def __aenter__(context: Any) -> Any:
        try:
            return await original(context)
        except BaseException:
            await _give_back(context)
            raise

    setattr(__aenter__, _MARK, True)
    TransactionContextPooled.__aenter__ = __aenter__  # type: ignore[method-assign,assignment]


def applied() -> bool:
    return all(
        getattr(entry, _MARK, False)
        for entry in (
            TransactionContextPooled.__aenter__,
            SqliteTransactionContext.__aenter__,
            SqliteTransactionContext.__aexit__,
            ConnectionWrapper.__aenter__,
        )
    )


def _apply_sqlite() -> None:
    """Tortoise 1.1's two SQLite entries, each releasing its lock when what follows fails."""

    async def transaction(context: Any) -> Any:
        await context._trxlock.acquire()
        parent = context.connection._parent
        had = parent._connection is not None
        try:
            await context.ensure_connection()
            context.token = get_connections().set(context.connection_name, context.connection)
            await context.connection.begin()
        except BaseException:
            token = getattr(context, "token", None)
            if token is not None:
                get_connections().reset(token)
                context.token = None
            await _drop_half_made(parent, had)
            context._trxlock.release()
            raise
        return context.connection

    async def query(wrapper: Any) -> Any:
        await wrapper._lock.acquire()
        had = getattr(wrapper.client, "_connection", None) is not None
        try:
            await wrapper.ensure_connection()
        except BaseException:
            await _drop_half_made(wrapper.client, had)
            wrapper._lock.release()
            raise
        return wrapper.connection

    async def leave(context: Any, kind: Any, error: Any, trace: Any) -> None:
        try:
            if not context.connection._finalized:
                if kind is not None:
                    await context.connection.rollback()
                else:
                    await _commit_or_roll_back(context.connection)
        finally:
            get_connections().reset(context.token)
            context._trxlock.release()

    for entry in (transaction, query, leave):
        setattr(entry, _MARK, True)
    SqliteTransactionContext.__aenter__ = transaction  # type: ignore[method-assign,assignment]
    SqliteTransactionContext.__aexit__ = leave  # type: ignore[method-assign,assignment]
    ConnectionWrapper.__aenter__ = query  # type: ignore[method-assign,assignment]


async def _commit_or_roll_back(wrapper: Any) -> None:
    """COMMIT; if it fails, ROLLBACK, so nothing of the transaction outlives it."""
    try:
        await wrapper.commit()
    except BaseException:
        connection = wrapper._connection
        if connection is not None and connection.in_transaction:
            try:
                await connection.rollback()
            except sqlite3.Error as failed:  # the connection itself is gone: nothing pending
                log.warning("a failed COMMIT could not be rolled back: %r", failed)
        raise


async def _drop_half_made(client: Any, had: bool) -> None:
    """A connection this entry opened before it failed (the pragmas after the open
    refused the file) is closed, so the next entry opens the file again."""
    if had or not isinstance(client, SqliteClient) or client._connection is None:
        return
    try:
        await client.close()
    except (sqlite3.Error, ValueError) as error:  # closing what never fully opened
        log.info("a half-opened SQLite connection was not closed cleanly: %r", error)
        client._connection = None


async def _give_back(context: Any) -> None:
    """What `__aexit__` would have done after a failed entry, as far as the entry got."""
    token = getattr(context, "token", None)  # set just before BEGIN
    if token is not None:
        get_connections().reset(token)
        context.token = None
    client = context.client
    connection = getattr(client, "_connection", None)
    pool = getattr(client._parent, "_pool", None)
    if connection is None or pool is None:
        return  # the failure came before a connection was taken
    client._connection = None
    try:
        await pool.release(connection)
    except RELEASE_ERRORS as error:  # a dead connection is dropped from the pool all the same
        log.info("a connection from a failed BEGIN was not given back cleanly: %r", error)
