"""The schema as migrations make it: constraints that keep the product's promises."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tortoise.exceptions import IntegrityError

from models.programme import Programme
from models.round import Round, RoundStatus


async def test_the_database_refuses_a_second_open_round_of_a_programme(db: str) -> None:
    programme = await Programme.create(key="kol-2018", title="KOL")
    now = datetime(2018, 6, 1, tzinfo=UTC)
    await Round.create(programme=programme, name="11. møde", open_slot=programme.id, opened_at=now)
    with pytest.raises(IntegrityError):
        await Round.create(
            programme=programme, name="12. møde", open_slot=programme.id, opened_at=now
        )
    closed = await Round.create(
        programme=programme, name="10. møde", status=RoundStatus.CLOSED, opened_at=now
    )
    assert closed.open_slot is None
    assert await Round.filter(programme=programme).count() == 2


async def test_migrations_match_the_models(db: str) -> None:
    """A model changed without a migration would make the schema drift from the code."""
    from tortoise import Tortoise
    from tortoise.migrations.autodetector import MigrationAutodetector

    from models.db import tortoise_config

    apps_config = tortoise_config(db)["apps"]
    detector = MigrationAutodetector(Tortoise.apps, apps_config)
    writers = await detector.changes()
    assert writers == [], "run `tortoise makemigrations` and commit the migration"
