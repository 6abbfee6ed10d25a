"""pytest fixtures for the Teams stand-in: ``teams`` is a started :class:`TeamsStub`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from standins.teams.stub import TeamsStub


@pytest.fixture
async def teams() -> AsyncIterator[TeamsStub]:
    async with TeamsStub() as stub:
        yield stub
