"""Signed history links: the HMAC over path and expiry (bot/web/signing.py), and
`fremdrift round link`, whose URL — under a public URL with a prefix a proxy strips — the
served app answers with the rounds under a Content-Security-Policy, and refuses tampered
or unsigned. The browser's view of the pages is tests/test_history_page.py."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from aiohttp import web

from bot.server import web_app
from bot.settings import Settings, SettingsError, get_settings
from bot.web import HistoryAccess, history_access, history_links, public_url
from bot.web.history import content_security_policy, programme_path
from bot.web.signing import EXPIRES, SIGNATURE, PublicLinks, Signer, path_of
from conversations.clock import SystemClock
from models.db import close_db, open_db
from tests.matrix_support import SEED000_CSV
from tests.test_rounds_cli import cli_env, fremdrift  # noqa: F401  (cli_env is a fixture)

SECRET = "f" * 64
NOW = datetime(2018, 6, 20, 12, tzinfo=UTC)
SIGNER = Signer(SECRET.encode())


def test_a_signature_holds_for_its_path_and_expiry_only() -> None:
    path = path_of("history", "kol-2018", "7", "syddanmark", "6.1 B")
    assert path == "/history/kol-2018/7/syddanmark/6.1%20B"
    expires = int((NOW + timedelta(hours=1)).timestamp())
    signature = SIGNER.signature(path, expires)
    assert re.fullmatch(r"[0-9a-f]{64}", signature)
    assert SIGNER.valid(path, str(expires), signature, NOW)
    assert not SIGNER.valid(path.replace("syddanmark", "sjaelland"), str(expires), signature, NOW)
    assert not SIGNER.valid(path, str(expires + 1), signature, NOW)
    assert not SIGNER.valid(path, str(expires), signature.upper(), NOW)
    assert not SIGNER.valid(path, str(expires), "", NOW)
    assert not Signer(b"another secret").valid(path, str(expires), signature, NOW)


@pytest.mark.parametrize(
    ("expires", "signature", "why"),
    [
        ("", None, "no expiry"),
        ("-5", None, "a negative expiry"),
        ("１２３", None, "digits that are not ASCII"),
        ("9" * 13, None, "an expiry no clock reaches"),
        (None, "ø" * 64, "a signature that is not ASCII"),
    ],
)
def test_what_cannot_be_ours_is_refused_without_an_error(
    expires: str | None, signature: str | None, why: str
) -> None:
    path = path_of("history", "kol-2018")
    good = int((NOW + timedelta(hours=1)).timestamp())
    assert not SIGNER.valid(
        path,
        expires if expires is not None else str(good),
        signature if signature is not None else SIGNER.signature(path, good),
        NOW,
    ), why


def test_a_link_expires_at_its_second() -> None:
    path = path_of("history", "kol-2018")
    expires = int(NOW.timestamp())
    signature = SIGNER.signature(path, expires)
    assert SIGNER.valid(path, str(expires), signature, NOW - timedelta(seconds=1))
    assert not SIGNER.valid(path, str(expires), signature, NOW)


def test_a_segment_with_a_slash_signs_as_one_segment() -> None:
    assert path_of("history", "p", "1", "u", "6.1/B") == "/history/p/1/u/6.1%2FB"
    assert path_of("history", "sjælland") == "/history/sj%C3%A6lland"


def test_links_under_a_public_url_with_a_prefix() -> None:
    links = PublicLinks(SIGNER, "https://fremdrift.example.org/kol/")
    path = programme_path("kol-2018")
    url = urlsplit(links.url(path, 1_900_000_000))
    assert (url.scheme, url.netloc, url.path) == (
        "https",
        "fremdrift.example.org",
        "/kol/history/kol-2018",
    )
    query = parse_qs(url.query)
    assert query[EXPIRES] == ["1900000000"]
    assert query[SIGNATURE] == [SIGNER.signature(path, 1_900_000_000)], "signed without prefix"
    assert links.href(path, 1_900_000_000).startswith("/kol/history/kol-2018?expires=")
    assert PublicLinks(SIGNER, "http://localhost:3000").href(path, 1).startswith("/history/")


def test_the_settings_say_where_and_whether() -> None:
    bare = Settings(_env_file=None)
    assert public_url(bare) == "http://localhost:3000"
    teams = bare.model_copy(update={"teams_public_url": "https://bot.example.org/"})
    assert public_url(teams) == "https://bot.example.org"
    own = teams.model_copy(update={"public_url": "https://fremdrift.example.org"})
    assert public_url(own) == "https://fremdrift.example.org"
    assert history_access(bare, SystemClock()) is None, "no secret: no pages"
    with pytest.raises(SettingsError) as missing:
        history_links(bare)
    assert missing.value.key == "history.secret_missing"
    short = Settings(_env_file=None, history_secret="too short")
    with pytest.raises(SettingsError) as too_short:
        history_access(short, SystemClock())
    assert (too_short.value.key, too_short.value.params) == ("history.secret_short", {"length": 32})


async def _served(url: str, database_url: str) -> list[tuple[int, str, str]]:
    """Serve the history as `fremdrift serve` does (behind a proxy that strips /kol), and
    fetch the link `round link` printed, then the same tampered and unsigned."""
    await open_db(database_url, run_migrations=False)
    settings = Settings(_env_file=None, history_secret=SECRET)
    access = history_access(settings, SystemClock())
    assert isinstance(access, HistoryAccess)
    runner = web.AppRunner(web_app(None, history=access))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    local = url.replace("https://fremdrift.example.org/kol", f"http://{host}:{port}")
    found = []
    try:
        async with aiohttp.ClientSession() as http:
            for asked in (local, local[:-3] + "abc", local.split("?")[0]):
                async with http.get(asked) as response:
                    csp = response.headers.get("Content-Security-Policy", "")
                    found.append((response.status, csp, await response.text()))
    finally:
        await runner.cleanup()
        await close_db()
    return found


def test_round_link_prints_a_url_that_serve_answers(
    cli_env: dict[str, str],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    for name, day in (("13. møde", "2018-09-19"), ("11. møde", "2018-03-01")):
        code, _, err = fremdrift(
            "round", "import", str(SEED000_CSV), "--programme", "kol-2018",
            "--name", name, "--date", day,
        )  # fmt: skip
        assert (code, err) == (0, "")
    monkeypatch.setenv("FREMDRIFT_HISTORY_SECRET", SECRET)
    monkeypatch.setenv("FREMDRIFT_PUBLIC_URL", "https://fremdrift.example.org/kol")
    get_settings.cache_clear()
    code, out, err = fremdrift("round", "link", "--programme", "kol-2018", "--days", "7")
    assert (code, err) == (0, "")
    sentence, url = out.strip().splitlines()
    assert sentence.startswith("Historikken for kol-2018, gyldig til ")
    assert url.startswith("https://fremdrift.example.org/kol/history/kol-2018?expires=")
    expires = int(parse_qs(urlsplit(url).query)[EXPIRES][0])
    in_a_week = datetime.now(UTC) + timedelta(days=7)
    assert abs(expires - in_a_week.timestamp()) < 60

    shown, tampered, unsigned = asyncio.run(_served(url, cli_env["DATABASE_URL"]))
    assert shown[0] == 200
    assert shown[1] == content_security_policy()
    assert "<h1>13. møde</h1>" in shown[2] and "11. møde" in shown[2]
    assert "Milepæl igangsat, men 0-3 måneder forsinket" in shown[2]
    for status, csp, body in (tampered, unsigned):
        assert (status, csp) == (403, content_security_policy())
        assert "Linket er ugyldigt eller udløbet." in body
        assert "13. møde" not in body


@pytest.mark.parametrize(
    ("secret", "args", "code", "expected"),
    [
        (None, (), 2, "Fejl: FREMDRIFT_HISTORY_SECRET er ikke sat"),
        ("kort", (), 2, "Fejl: FREMDRIFT_HISTORY_SECRET skal være mindst 32 tegn"),
        (SECRET, ("--days", "0"), 1, "Fejl: --days skal være mellem 1 og 366, ikke 0."),
        (SECRET, ("--days", "400"), 1, "Fejl: --days skal være mellem 1 og 366, ikke 400."),
    ],
)
def test_round_link_refusals(
    cli_env: dict[str, str],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    secret: str | None,
    args: tuple[str, ...],
    code: int,
    expected: str,
) -> None:
    if secret is not None:
        monkeypatch.setenv("FREMDRIFT_HISTORY_SECRET", secret)
    get_settings.cache_clear()
    found, out, err = fremdrift("round", "link", "--programme", "kol-2018", *args)
    assert (found, out) == (code, "")
    assert err.startswith(expected), err


def test_round_link_for_an_unknown_programme(
    cli_env: dict[str, str],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FREMDRIFT_HISTORY_SECRET", SECRET)
    get_settings.cache_clear()
    code, out, err = fremdrift("round", "link", "--programme", "nope")
    assert (code, out) == (1, "")
    assert err.strip() == "Fejl: Der er intet program med nøglen «nope»."
