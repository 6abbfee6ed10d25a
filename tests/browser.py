"""Headless Chromium, driven over the Chrome DevTools Protocol with aiohttp: for tests of the
pages we serve, in a real browser.

`chromium()` starts Debian's chromium headless on a new, empty profile, with remote
debugging on a port of its own choosing, and reads the browser's websocket address from
what it prints; `Page` is one tab attached over that socket (flattened sessions). It
navigates, clicks with real mouse events, reads the DOM, the main document's response
(status and headers) and everything the browser logged — a Content-Security-Policy
violation is logged there — and takes screenshots at a given window size.

Nothing here sleeps: every wait is for an event the browser sends, within `TIMEOUT`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
)
TIMEOUT = 30.0
LISTENING = re.compile(rb"DevTools listening on (ws://\S+)")


@dataclass
class Response:
    """The main document's response, as the browser received it."""

    url: str
    status: int
    headers: dict[str, str]


@dataclass
class Page:
    socket: aiohttp.ClientWebSocketResponse
    session: str
    _next: int = 0
    _waiting: dict[int, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    _events: dict[str, list[asyncio.Future[dict[str, Any]]]] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    documents: list[Response] = field(default_factory=list)

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        self._next += 1
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[self._next] = future
        message = {"id": self._next, "method": method, "params": params, "sessionId": self.session}
        await self.socket.send_str(json.dumps(message))
        async with asyncio.timeout(TIMEOUT):
            return await future

    def expect(self, event: str) -> asyncio.Future[dict[str, Any]]:
        """A future for the next `event`; ask for it before doing what causes it."""
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._events.setdefault(event, []).append(future)
        return future

    def receive(self, message: dict[str, Any]) -> None:
        if "id" in message:
            future = self._waiting.pop(message["id"], None)
            if future is not None and not future.done():
                if "error" in message:
                    future.set_exception(RuntimeError(f"CDP: {message['error']}"))
                else:
                    future.set_result(message.get("result", {}))
            return
        method, params = message.get("method", ""), message.get("params", {})
        if method == "Log.entryAdded":
            entry = params["entry"]
            self.log.append(f"{entry.get('source')}/{entry.get('level')}: {entry.get('text')}")
        elif method == "Runtime.consoleAPICalled":
            self.log.append(f"console/{params.get('type')}: {params.get('args')}")
        elif method == "Runtime.exceptionThrown":
            self.log.append(f"exception: {params.get('exceptionDetails')}")
        elif method == "Network.responseReceived" and params.get("type") == "Document":
            response = params["response"]
            headers = {name.lower(): value for name, value in response["headers"].items()}
            self.documents.append(Response(response["url"], response["status"], headers))
        for future in self._events.pop(method, []):
            if not future.done():
                future.set_result(params)

    async def navigate(self, url: str) -> Response:
        loaded = self.expect("Page.loadEventFired")
        before = len(self.documents)
        await self.send("Page.navigate", url=url)
        async with asyncio.timeout(TIMEOUT):
            await loaded
        assert len(self.documents) > before, f"no document came for {url}"
        return self.documents[-1]

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (DevTools is not bound by the
        page's CSP; the page itself runs no script)."""
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluating {expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def click(self, selector: str) -> Response:
        """Click the element's middle with the mouse, as a person would, and wait for the
        page it leads to."""
        box = await self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return [r.left + r.width / 2, r.top + r.height / 2]; })()"
        )
        x, y = box
        loaded = self.expect("Page.loadEventFired")
        before = len(self.documents)
        await self.send("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
        for kind in ("mousePressed", "mouseReleased"):
            await self.send(
                "Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1
            )
        async with asyncio.timeout(TIMEOUT):
            await loaded
        assert len(self.documents) > before, f"clicking {selector} led nowhere"
        return self.documents[-1]

    async def resize(self, width: int, height: int, *, mobile: bool = False) -> None:
        await self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=mobile,
        )

    async def screenshot(self, path: Path, *, full_page: bool = False) -> bytes:
        result = await self.send(
            "Page.captureScreenshot", format="png", captureBeyondViewport=full_page
        )
        data = base64.b64decode(result["data"])
        await asyncio.to_thread(path.write_bytes, data)
        return data


@asynccontextmanager
async def chromium(profile: Path) -> AsyncIterator[Page]:
    """A headless Chromium on a new, empty profile in `profile`, and one page of it."""
    process = await asyncio.create_subprocess_exec(
        CHROMIUM,
        *FLAGS,
        f"--user-data-dir={profile}",
        "about:blank",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    try:
        async with asyncio.timeout(TIMEOUT):
            address = await _listening(process.stderr)
        drain = asyncio.create_task(_drain(process.stderr))
        async with aiohttp.ClientSession() as http, http.ws_connect(address, max_msg_size=0) as ws:
            target = await _call(ws, "Target.createTarget", url="about:blank")
            attached = await _call(
                ws, "Target.attachToTarget", targetId=target["targetId"], flatten=True
            )
            page = Page(ws, attached["sessionId"])
            reader = asyncio.create_task(_read(ws, page))
            try:
                for domain in ("Page", "Runtime", "Log", "Network"):
                    await page.send(f"{domain}.enable")
                yield page
            finally:
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reader
        drain.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await drain
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()


async def _listening(stderr: asyncio.StreamReader) -> str:
    while line := await stderr.readline():
        found = LISTENING.search(line)
        if found:
            return found.group(1).decode("ascii")
    raise RuntimeError("chromium ended before it listened for DevTools")


async def _drain(stderr: asyncio.StreamReader) -> None:
    """Keep reading what chromium says, so a full pipe never blocks it."""
    while await stderr.read(65536):
        pass


async def _call(ws: aiohttp.ClientWebSocketResponse, method: str, **params: Any) -> Any:
    """A browser-level command, before the page's reader runs."""
    await ws.send_str(json.dumps({"id": 0, "method": method, "params": params}))
    async with asyncio.timeout(TIMEOUT):
        while True:
            message = json.loads(await ws.receive_str())
            if message.get("id") == 0:
                if "error" in message:
                    raise RuntimeError(f"CDP: {message['error']}")
                return message["result"]


async def _read(ws: aiohttp.ClientWebSocketResponse, page: Page) -> None:
    async for message in ws:
        if message.type is aiohttp.WSMsgType.TEXT:
            page.receive(json.loads(message.data))
