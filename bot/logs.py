"""Logging: one JSON object per line, with the event's round, unit and user when known.

Tokens never reach a log: the settings hold them as secrets, and the SDKs' own debug
logging (which prints request headers) stays at WARNING unless asked for.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

CONTEXT_FIELDS = ("round", "unit", "user", "scope", "job", "kind", "attempt", "event_id", "error")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(level: str = "INFO", as_json: bool = True) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter()
        if as_json
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    quiet = "WARNING" if level.upper() != "DEBUG" else "DEBUG"
    for noisy in (
        "slack_sdk",
        "slack_bolt",
        "aiohttp.access",
        "tortoise",
        "asyncio",
    ):
        logging.getLogger(noisy).setLevel(quiet)
