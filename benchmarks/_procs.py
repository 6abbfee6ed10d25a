"""Starting and stopping the apps under test (benchmarks/_app_process.py) as child processes.

Each app runs in its own process, as it would in production, so the stand-in and the
simulated leads (this process) do not share an event loop — or, on two cores, a core —
with it. A child that does not say it is ready within ``start_timeout`` seconds, or does
not stop within ``stop_timeout`` after SIGTERM, is killed; nothing is left running.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from standins.slack import SlackStub

ROOT = Path(__file__).resolve().parent.parent
Kind = Literal["real", "bare", "commit"]


def app_environment(slack: SlackStub, database_url: str, transport: str) -> dict[str, str]:
    """The variables `fremdrift serve` reads, pointed at the stand-in and the database."""
    identity = slack.identity
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FREMDRIFT_"))}
    env.update(
        SLACK_BOT_TOKEN=identity.bot_token,
        SLACK_SIGNING_SECRET=identity.signing_secret,
        FREMDRIFT_SLACK_API_URL=slack.api_url,
        DATABASE_URL=database_url,
        FREMDRIFT_LOG_LEVEL="WARNING",
        FREMDRIFT_LOG_JSON="false",
        PYTHONPATH=str(ROOT),
    )
    if transport == "socket":
        env["SLACK_APP_TOKEN"] = identity.app_token
    return env


@dataclass
class AppProcess:
    kind: Kind
    transport: str
    env: dict[str, str]
    folder: Path
    name: str
    count_queries: bool = False
    profile: bool = False
    publishes: bool = False  # compiles a round's publication when signalled (`publish`)
    start_timeout: float = 60.0
    stop_timeout: float = 30.0
    url: str = ""
    stats: dict[str, Any] = field(default_factory=dict)
    _process: asyncio.subprocess.Process | None = None

    @property
    def log_path(self) -> Path:
        return self.folder / f"{self.name}.log"

    @property
    def stats_path(self) -> Path:
        return self.folder / f"{self.name}.stats.json"

    @property
    def profile_path(self) -> Path:
        return self.folder / f"{self.name}.prof"

    @property
    def publish_path(self) -> Path:
        return self.folder / f"{self.name}.publish"

    def publish(self, round_id: int) -> None:
        """Have the app compile the round's publication (SIGHUP), as its worker would."""
        assert self._process is not None and self.publishes
        self.publish_path.write_text(str(round_id), encoding="utf-8")
        self.publish_path.with_suffix(".done").unlink(missing_ok=True)
        self._process.send_signal(signal.SIGHUP)

    async def published(self, *, within: float) -> dict[str, Any] | None:
        """What the publication took, once it is done (seconds, the app's CPU and event-loop
        lag: benchmarks/_app_process.py); None if not within `within`."""
        done = self.publish_path.with_suffix(".done")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        # Another process writes the file: nothing to await but its appearance.
        while not done.exists() and loop.time() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.2)
        if not done.exists():
            return None
        figures: dict[str, Any] = json.loads(done.read_text(encoding="utf-8"))
        return figures

    async def start(self) -> str:
        args = [
            sys.executable,
            "-m",
            "benchmarks._app_process",
            "--kind",
            self.kind,
            "--transport",
            self.transport,
            "--stats",
            str(self.stats_path),
        ]
        if self.count_queries:
            args.append("--count-queries")
        if self.profile:
            args += ["--profile", str(self.profile_path)]
        if self.publishes:
            args += ["--publish-file", str(self.publish_path)]
        log = self.log_path.open("wb")
        try:
            self._process = await asyncio.create_subprocess_exec(
                *args, cwd=ROOT, env=self.env, stdout=asyncio.subprocess.PIPE, stderr=log
            )
        finally:
            log.close()
        assert self._process.stdout is not None
        try:
            line = await asyncio.wait_for(self._process.stdout.readline(), self.start_timeout)
            self.url = str(json.loads(line)["url"])
        except (TimeoutError, ValueError, KeyError) as error:
            await self.stop()
            raise RuntimeError(f"{self.name} did not start: {self.log_tail()}") from error
        return self.url

    async def stop(self) -> dict[str, Any]:
        process = self._process
        if process is None:
            return self.stats
        self._process = None
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), self.stop_timeout)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        if self.stats_path.exists():
            self.stats = json.loads(self.stats_path.read_text(encoding="utf-8"))
        return self.stats

    async def toggle_profile(self, on: bool, *, within: float = 30.0) -> None:
        """Start (SIGUSR1) or stop and dump (SIGUSR2) the child's profiler."""
        if self._process is None or not self.profile:
            return
        if on:
            self.profile_path.unlink(missing_ok=True)
            self._process.send_signal(signal.SIGUSR1)
            return
        self._process.send_signal(signal.SIGUSR2)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        # Another process writes the file: nothing to await but its appearance.
        while not self.profile_path.exists() and loop.time() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)

    def cpu_seconds(self) -> float:
        """User + system CPU the child has used so far (Linux /proc; 0.0 elsewhere)."""
        return cpu_seconds(self._process.pid) if self._process is not None else 0.0

    def log_tail(self, lines: int = 20) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def warnings(self) -> list[str]:
        """The app's log lines at WARNING and above (it logs nothing below)."""
        if not self.log_path.exists():
            return []
        return [line for line in self.log_path.read_text(errors="replace").splitlines() if line]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process, from /proc (0.0 where there is none)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks
