"""What one click costs the database: counted, not timed (issue 19, item 1).

Every statement the runner sends through Tortoise's database client is recorded (BEGIN and
COMMIT, which the client sends on its own, are not). A warm runner — the programme's
structure kept — answers a milestone in at most five statements: on PostgreSQL the read of
the round with its revision and conversation, the answers, one write (conversation,
answer and revision together) and the round's lock; on SQLite, which has no writing CTEs
but no round trips either, the locking read, the answers and a write per row. A click that
stores no answer writes the conversation alone; a cold runner reads the structure once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from tortoise.backends.sqlite.client import SqliteClient

from conversations.clock import ManualClock
from conversations.events import SetDelay, SetProgress, Skip, Start
from conversations.vocabulary import Delay, Progress
from models.answer import Answer, AnswerRevision
from models.db import dialect
from service.runner import ChecklistRunner
from tests.factories import OPENED, small_programme

SYD = "unit:syd"
METHODS = ("execute_query", "execute_query_dict", "execute_insert", "execute_many")


def _clients() -> Iterator[type]:
    from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
    from tortoise.backends.sqlite.client import SqliteTransactionWrapper

    yield from (SqliteClient, SqliteTransactionWrapper, AsyncpgDBClient, TransactionWrapper)


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement sent through Tortoise's clients from now on, in order."""
    sent: list[str] = []

    def counted(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def send(client: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            sent.append(" ".join(query.split()))
            return await method(client, query, *args, **kwargs)

        return send

    for cls in _clients():
        for name in METHODS:
            if name in cls.__dict__:
                monkeypatch.setattr(cls, name, counted(cls.__dict__[name]))
    return sent


def kinds(sent: list[str]) -> list[str]:
    return [statement.split(" ", 1)[0].upper() for statement in sent]


async def test_an_answering_click_takes_at_most_five_statements(
    db: str, statements: list[str]
) -> None:
    small = await small_programme()
    runner = ChecklistRunner(ManualClock(OPENED + timedelta(days=1)), source="test")
    reply = await runner.handle(small.lead, small.round.id, SYD, Start())  # reads the structure
    assert runner.structures.loads == 1
    statements.clear()

    reply = await runner.handle(
        small.lead,
        small.round.id,
        SYD,
        SetProgress(progress=Progress.STARTED, code="1.1", version=reply.version),
    )
    assert reply.stored == 1
    first = list(statements)
    statements.clear()
    reply = await runner.handle(
        small.lead,
        small.round.id,
        SYD,
        SetDelay(delay=Delay.UP_TO_3, code="1.1", version=reply.version),
    )
    assert reply.stored == 1
    second = list(statements)

    answer = await Answer.get(scope="syd")
    assert (answer.progress, answer.delay, answer.revision) == (
        Progress.STARTED,
        Delay.UP_TO_3,
        2,
    )
    assert await AnswerRevision.filter(answer=answer).count() == 2
    assert runner.structures.loads == 1, "the structure was kept"
    for sent in (first, second):  # a new answer, then a changed one
        assert len(sent) <= 5, sent
        if dialect() == "postgres":
            assert kinds(sent) == ["SELECT", "SELECT", "WITH", "SELECT"], sent
        else:
            assert kinds(sent) == ["UPDATE", "SELECT", "UPDATE", "INSERT", "INSERT"], sent


async def test_a_click_that_stores_no_answer_writes_the_conversation_alone(
    db: str, statements: list[str]
) -> None:
    small = await small_programme()
    runner = ChecklistRunner(ManualClock(OPENED + timedelta(days=1)), source="test")
    reply = await runner.handle(small.lead, small.round.id, SYD, Start())
    statements.clear()
    reply = await runner.handle(
        small.lead, small.round.id, SYD, Skip(code="1.1", version=reply.version)
    )
    assert reply.stored == 0 and reply.view is not None
    if dialect() == "postgres":
        assert kinds(statements) == ["SELECT", "SELECT", "WITH", "SELECT"], statements
        assert "answer" not in statements[2], "no answer is written"
    else:
        assert kinds(statements) == ["UPDATE", "SELECT", "UPDATE"], statements
    assert await Answer.all().count() == 0


async def test_an_unchanged_answer_adds_no_revision(db: str) -> None:
    small = await small_programme()
    runner = ChecklistRunner(ManualClock(OPENED + timedelta(days=1)), source="test")
    reply = await runner.handle(small.lead, small.round.id, SYD, Start())
    for _ in range(2):
        reply = await runner.handle(
            small.lead,
            small.round.id,
            SYD,
            SetProgress(progress=Progress.REACHED, code="1.1", version=reply.version),
        )
    answer = await Answer.get(scope="syd")
    assert answer.revision == 1
    assert await AnswerRevision.filter(answer=answer).count() == 1
    assert reply.stored == 0
