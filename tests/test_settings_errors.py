"""A setting that cannot be used is one clear line and exit code 2 (issue 17, item 8).

Real `fremdrift serve` (and `fremdrift programme list`) processes with one bad setting each:
a database URL we cannot open, a port that is not a number, a port in use, a data folder
that cannot be made. Each says what is wrong and what to set, in the CLI's language, on
one line of stderr — no traceback, no "Unclosed client session" from a session opened
before the mistake was found.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import pytest

from tests.faults_support import ROOT

# every command here runs on a SQLite file of its own, whatever DATABASE_URL says
pytestmark = pytest.mark.own_database

WITHIN = 60.0


async def run(command: list[str], **settings: str) -> tuple[int, list[str], str]:
    """Exit code, stderr's lines and stdout of one `fremdrift` command."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "FREMDRIFT_", "DATABASE_URL"))
    }
    env.update(
        PYTHONPATH=str(ROOT),
        SLACK_BOT_TOKEN="xoxb-1-settings-test",
        SLACK_SIGNING_SECRET="settings-test-secret",
        FREMDRIFT_SLACK_API_URL="http://127.0.0.1:9/api/",
        FREMDRIFT_HOST="127.0.0.1",
        FREMDRIFT_LANGUAGE="en",
    )
    env.update(settings)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from bot.cli import main; main()",
        *command,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), WITHIN)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, stderr.decode().strip().splitlines(), stdout.decode()


def one_line(code: int, lines: list[str], *words: str) -> None:
    assert code == 2, lines
    assert len(lines) == 1, lines
    assert lines[0].startswith(("Error: ", "Fejl: ")), lines  # Danish if the language is bad
    for word in words:
        assert word in lines[0], lines
    assert "Traceback" not in lines[0] and "Unclosed" not in lines[0]


BAD = {
    "unsupported-database": ({"DATABASE_URL": "mysql://fremdrift:secret@db/fremdrift"}, "mysql"),
    "database-url-no-scheme": ({"DATABASE_URL": "fremdrift.sqlite3"}, "DATABASE_URL"),
    "port-not-a-number": ({"FREMDRIFT_PORT": "http"}, "FREMDRIFT_PORT"),
    "port-out-of-range": ({"FREMDRIFT_PORT": "70000"}, "65535"),
    "poll-not-a-number": ({"FREMDRIFT_JOB_POLL_SECONDS": "often"}, "FREMDRIFT_JOB_POLL_SECONDS"),
    "no-such-language": ({"FREMDRIFT_LANGUAGE": "xx"}, "FREMDRIFT_LANGUAGE"),
    "mapping-not-json": (
        {"FREMDRIFT_TEAMS_STEERING_CHANNELS": "{kol-2018: 19:x}"},
        "FREMDRIFT_TEAMS_STEERING_CHANNELS",
    ),
}
COMMANDS = {"serve": ["serve"], "cli": ["programme", "list"], "teams-package": ["teams", "package"]}


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
@pytest.mark.parametrize(("settings", "word"), BAD.values(), ids=BAD.keys())
async def test_a_setting_that_cannot_be_read_is_one_line_and_exit_code_2(
    tmp_path: Path, command: list[str], settings: dict[str, str], word: str
) -> None:
    output = tmp_path / "fremdrift-teams.zip"
    if command[0] == "teams":  # the app package is written nowhere
        command = [*command, "--output", str(output)]
        settings = {"TEAMS_APP_ID": "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f", **settings}
    code, lines, _ = await run(command, FREMDRIFT_DATA_DIR=str(tmp_path), **settings)
    one_line(code, lines, word)
    assert "secret" not in lines[0], "a URL's password is never repeated"
    assert not output.exists()


async def test_a_port_in_use_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, lines, _ = await run(
            ["serve"],
            FREMDRIFT_PORT=str(port),
            DATABASE_URL=f"sqlite://{tmp_path / 'fremdrift.sqlite3'}",
        )
    one_line(code, lines, f"127.0.0.1:{port}", "FREMDRIFT_PORT")


async def test_a_data_folder_that_cannot_be_made_is_one_line_and_exit_code_2(
    tmp_path: Path,
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    code, lines, _ = await run(
        ["serve"], FREMDRIFT_DATA_DIR=str(a_file / "data"), FREMDRIFT_PORT="0"
    )
    one_line(code, lines, str(a_file / "data"), "FREMDRIFT_DATA_DIR")
