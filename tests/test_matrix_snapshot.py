"""The snapshot reads a round in a fixed number of queries, whatever its size (no N + 1)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from tortoise import connections

from conversations.vocabulary import Delay, Progress
from models.answer import Answer
from models.programme import Milestone, MilestoneGroup, Unit
from models.snapshot import load_snapshot
from tests.matrix_support import answer, create_kol, open_round, submit

NOW = datetime(2018, 6, 20, 12, tzinfo=UTC)


@pytest.fixture
def queries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SQL statement the default connection runs while the test counts."""
    seen: list[str] = []
    client_type = type(connections.get("default"))
    for name in ("execute_query", "execute_query_dict"):
        original = getattr(client_type, name)

        def counting(
            self: Any, query: str, *args: Any, _original: Any = original, **kw: Any
        ) -> Any:
            seen.append(query)
            return _original(self, query, *args, **kw)

        monkeypatch.setattr(client_type, name, counting)
    return seen


async def test_queries_do_not_grow_with_units_milestones_or_answers(
    db: str, queries: list[str]
) -> None:
    programme = await create_kol()
    round_ = await open_round(programme, "12. møde", NOW)
    await answer(round_, "1.1", "hovedstaden", Progress.REACHED)
    await submit(round_, "unit:hovedstaden")
    queries.clear()
    small = await load_snapshot(round_.id)
    small_count = len(queries)
    # Grow everything: ten more units, a group of 30 milestones, an answer in every new cell.
    group = await MilestoneGroup.create(programme=programme, number="12", title="Mere", position=12)
    for i in range(10):
        await Unit.create(programme=programme, key=f"extra{i}", name=f"Ekstra {i}", position=10 + i)
    for m in range(30):
        await Milestone.create(
            programme=programme, group=group, code=f"12.{m + 1}", title="M", position=100 + m
        )
    for m in range(30):
        for i in range(10):
            await answer(round_, f"12.{m + 1}", f"extra{i}", Progress.STARTED, Delay.UP_TO_3)
    for i in range(10):
        await submit(round_, f"unit:extra{i}")
    queries.clear()
    large = await load_snapshot(round_.id)
    assert len(large.answers) == 301 and len(large.units) == 15
    assert sum(len(g.milestones) for g in large.groups) == 62
    assert len(large.submissions) == 11
    assert 5 <= len(queries) == small_count <= 10  # one query per table read
    assert len(small.answers) == 1
    assert await Answer.filter(round_id=round_.id).count() == 301
