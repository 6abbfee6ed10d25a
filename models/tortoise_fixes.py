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
then raises as before. It touches only the Tortoise line this project pins (pyproject:
tortoise-orm >=1.1.9,<1.2); another version is left as it is, and `applied()` says so.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import tortoise
from tortoise.backends.base.client import TransactionContextPooled
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
    """Wrap `TransactionContextPooled.__aenter__` once (for the pinned Tortoise only)."""
    if applied() or not tortoise.__version__.startswith(PINNED):
        return
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
    return bool(getattr(TransactionContextPooled.__aenter__, _MARK, False))


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
