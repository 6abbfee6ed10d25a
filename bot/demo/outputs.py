"""What the demo writes: what Slack received, read back from the stand-in.

- the documents exactly as uploaded to the steering channel (matrix PDF, sheets, XLSX,
  CSV, JSON), under the names the app gave them;
- `slack-post.json`: the summary and its thread's messages as Block Kit, as posted;
- `slack-post.html`: a self-contained preview of that post (render/templates/demo/);
- `manifest.json`: every file written, its kind and size — what CI checks.
The database (fremdrift.sqlite3) and the log (fremdrift.log) are already in the folder.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from render.i18n import catalogue
from render.templating import document_environment
from standins.slack import SlackStub
from standins.slack.models import Message

POST_JSON = "slack-post.json"
POST_HTML = "slack-post.html"
MANIFEST = "manifest.json"
DATABASE = "fremdrift.sqlite3"
LOG = "fremdrift.log"
KINDS = {".pdf": "pdf", ".xlsx": "xlsx", ".csv": "csv", ".json": "json", ".zip": "zip"}


@dataclass(frozen=True)
class Written:
    path: Path
    kind: str  # pdf, xlsx, csv, json, zip (documents); post, preview, database, log, manifest
    size: int

    @property
    def document(self) -> bool:
        return self.kind in KINDS.values()


def write_outputs(
    slack: SlackStub, folder: Path, channel: str, language: str, *, started: float
) -> tuple[Written, ...]:
    """Write the folder's files; the manifest also says how long the demo took (from
    `started`, a time.perf_counter() reading) up to writing it."""
    written = [*_documents(slack, folder, channel)]
    messages = _post(slack, channel)
    files = [w.path.name for w in written]
    post = {"channel": channel, "messages": [_message_record(m) for m in messages], "files": files}
    written.append(_write(folder / POST_JSON, "post", _json(post)))
    html = render_preview(messages, files, language)
    written.append(_write(folder / POST_HTML, "preview", html.encode("utf-8")))
    for name, kind in ((DATABASE, "database"), (LOG, "log")):
        path = folder / name
        if path.is_file():
            written.append(Written(path, kind, path.stat().st_size))
    manifest = {
        "files": [{"file": w.path.name, "kind": w.kind, "bytes": w.size} for w in written],
        "elapsed_seconds": round(time.perf_counter() - started, 2),
    }
    written.append(_write(folder / MANIFEST, "manifest", _json(manifest)))
    return tuple(written)


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8")


def _write(path: Path, kind: str, content: bytes) -> Written:
    path.write_bytes(content)
    return Written(path, kind, len(content))


def _documents(slack: SlackStub, folder: Path, channel: str) -> list[Written]:
    """The files shared to the channel, as the stand-in received their bytes."""
    written = []
    for upload in slack.files:
        if not upload.completed or upload.data is None:
            continue
        if not any(shared == channel for shared, _ in upload.shares):
            continue
        name = Path(upload.filename).name
        kind = KINDS.get(Path(name).suffix.lower(), "file")
        written.append(_write(folder / name, kind, upload.data))
    return written


def _post(slack: SlackStub, channel: str) -> list[Message]:
    """The summary and the messages in its thread that carry blocks (the matrix)."""
    top = [m for m in slack.messages(channel) if m.blocks]
    if not top:
        return []
    summary = top[0]
    return [summary, *(m for m in slack.thread(channel, summary.ts) if m.blocks)]


def _message_record(message: Message) -> dict[str, Any]:
    return {
        "ts": message.ts,
        "thread_ts": message.thread_ts,
        "text": message.text,
        "blocks": message.blocks,
    }


# -- the HTML preview -------------------------------------------------------------------------
def _inline(marker: str, tag: str) -> tuple[re.Pattern[str], str]:
    """Slack's pairing rule, roughly: the marker hugs the text and stands apart from words.
    Markers that the app's escaping wrapped in zero-width spaces never pair."""
    m = re.escape(marker)
    edge = r"\w\u200b"
    pattern = rf"(?<![{edge}]){m}(?![\s\u200b])(.+?)(?<![\s\u200b]){m}(?![{edge}])"
    return re.compile(pattern), rf"<{tag}>\1</{tag}>"


INLINE = [_inline("`", "code"), _inline("*", "strong"), _inline("_", "em"), _inline("~", "s")]


def mrkdwn_html(text: str) -> Markup:
    """Slack mrkdwn as HTML: Slack's escapes undone, the text escaped once, then *bold*,
    _italic_, ~strike~, `code` and line breaks."""
    raw = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    html = str(escape(raw))
    for pattern, replacement in INLINE:
        html = pattern.sub(replacement, html)
    return Markup(html.replace("\n", "<br>\n"))


def _text(obj: dict[str, Any] | None) -> Markup:
    if not obj:
        return Markup("")
    value = str(obj.get("text", ""))
    return mrkdwn_html(value) if obj.get("type") == "mrkdwn" else Markup(escape(value))


def _block(block: dict[str, Any]) -> dict[str, Any]:
    """A Block Kit block as the preview template draws it."""
    kind = str(block.get("type"))
    if kind in ("header", "section"):
        fields = [_text(f) for f in block.get("fields") or []]
        return {"kind": kind, "text": _text(block.get("text")), "fields": fields}
    if kind == "context":
        return {"kind": kind, "parts": [_text(e) for e in block.get("elements") or []]}
    return {"kind": kind}


def render_preview(messages: list[Message], files: list[str], language: str) -> str:
    words = catalogue(language)
    template = document_environment().get_template("demo/post.html.j2")
    return template.render(
        t=words.text,
        language=language,
        messages=[[_block(b) for b in m.blocks or []] for m in messages],
        files=files,
    )
