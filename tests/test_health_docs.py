"""The image's HEALTHCHECK and every document ask for health where `serve` answers it.

The Dockerfile's own command is run, as Docker would run it, against the real app serving
on a port of its own (FREMDRIFT_PORT), and against a port nothing listens on; the paths the
documents name are the ones bot/server.py routes.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.server import HEALTH_PATHS
from conversations.clock import ManualClock
from standins.slack import SlackStub
from tests.factories import OPENED, small_programme
from tests.test_health import reached, serving

ROOT = Path(__file__).parent.parent
DOCUMENTS = [ROOT / name for name in ("Dockerfile", "README.md", "compose.yaml")]
DOCUMENTS += sorted(ROOT.glob("docs/*.md"))
HEALTH = re.compile(r"/(?:livez|readyz|healthz|health[a-z/]*)\b")


def healthcheck() -> list[str]:
    """The HEALTHCHECK's CMD (exec form) as Docker runs it, with this test's Python."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    found = re.search(r"^HEALTHCHECK .*?\bCMD (\[.*\])\s*$", text, re.MULTILINE)
    assert found, "the Dockerfile has a HEALTHCHECK in exec form"
    command = list(json.loads(found.group(1)))
    assert command[0] == "python"
    return [sys.executable, *command[1:]]


async def run(command: list[str], port: int) -> int:
    env = {**os.environ, "FREMDRIFT_PORT": str(port)}
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    return await process.wait()


def test_every_health_path_a_document_names_is_one_serve_answers() -> None:
    named = {
        (path.name, match)
        for path in DOCUMENTS
        for match in HEALTH.findall(path.read_text(encoding="utf-8"))
    }
    assert ("Dockerfile", "/readyz") in named
    assert {(doc, match) for doc, match in named if match not in HEALTH_PATHS} == set()


@pytest.fixture
async def small(db: str) -> None:
    await small_programme()


async def test_the_images_healthcheck_passes_when_serve_is_ready_and_fails_when_it_is_not(
    small: None, slack: SlackStub
) -> None:
    command = healthcheck()
    async with serving(slack, ManualClock(OPENED + timedelta(days=1)), workers=True) as (app, url):
        await reached(app)
        port = urlsplit(url).port
        assert port is not None
        assert await run(command, port) == 0
    with socket.socket() as nobody:  # a port that was free a moment ago: nothing answers
        nobody.bind(("127.0.0.1", 0))
        free = nobody.getsockname()[1]
    assert await run(command, free) != 0
