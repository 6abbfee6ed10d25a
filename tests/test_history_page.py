"""The history page in a real browser: the app `fremdrift serve` runs, four rounds of the KOL
programme (three imported, one out of date order, and one a lead answered and then
changed), and headless Chromium driven over the DevTools protocol (tests/browser.py).

The signed link opens the latest round's matrix under a strict Content-Security-Policy
whose one inline stylesheet really applies (a cell's computed colour) and that the browser
never had to enforce (no violation logged); the page runs no script; a click on a cell
opens its page with its trend and its answer's revisions, who made them, when and what
they changed, a remark's markup shown as text; on a phone the matrix fits the screen. A
tampered, re-pathed, unsigned or expired link gets 403 and a plain page, nothing else.

`FREMDRIFT_WRITE_DOCS=1 pytest tests/test_history_page.py` also writes the screenshot
README shows (docs/history.png); otherwise it goes to the test's own folder.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr

from bot.runtime import Fremdrift
from bot.web.history import PREFIX, content_security_policy, programme_path
from bot.web.signing import PublicLinks, Signer, path_of
from conversations.clock import ManualClock
from conversations.context import AnswerData
from conversations.vocabulary import Delay, Progress
from models.checklists import UNIT, Scope, store_answer
from models.people import Person
from models.programme import Programme
from models.programme_file import load_programme_file
from models.round import Round, RoundStatus
from reporting.deadlines import read_deadline
from service.imports import import_round
from standins.slack import SlackStub
from tests.browser import CHROMIUM, Page, chromium
from tests.matrix_support import SEED000_CSV
from tests.slack_app import KOL, settings_for

pytestmark = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None,
    reason="Debian's chromium is not installed (.ci/run installs it)",
)

SECRET = "0123456789abcdef" * 4
NOW = datetime(2018, 12, 12, 9, tzinfo=UTC)
DOCS = Path(__file__).parent.parent / "docs"
PNG = b"\x89PNG\r\n\x1a\n"
Changes = dict[tuple[str, str], str | None]  # by (milestone, unit): a CSV row's answer, None: out
# (name, date, seed 000's answers with these in their place), as imported:
ROUNDS: tuple[tuple[str, str, Changes], ...] = (
    (  # 13 before 11 and 12, and 14 last, its 4.1 for Syddanmark left to the lead
        "13. møde",
        "2018-09-19",
        {
            ("4.1", "syddanmark"): "expected,0,no,Efterår 2019,",
            ("4.2", "syddanmark"): "expected,0,no,Marts 2019,",
            ("3.1", "midtjylland"): "started,3-6,yes,,",
        },
    ),
    (
        "11. møde",
        "2018-03-01",
        {
            ("4.1", "syddanmark"): "expected,0,no,Januar 2019,",
            ("3.1", "midtjylland"): "started,0,no,,",
        },
    ),
    ("12. møde", "2018-06-20", {}),  # seed 000 itself: 4.1 «Medio 2019»
    (
        "14. møde",
        "2018-12-12",
        {
            ("4.1", "syddanmark"): None,
            ("4.2", "syddanmark"): "expected,0,no,Marts 2019,",
            ("3.1", "midtjylland"): "started,3-6,yes,,",
        },
    ),
)
REMARK = "Sundhedsaftalen er udskudt <script>alert('x')</script> & <b>fed</b>"


@dataclass
class History:
    app_url: str
    links: PublicLinks
    clock: ManualClock
    latest: Round
    june: Round

    def url(self, path: str, *, days: int = 1) -> str:
        expires = int((self.clock.now() + timedelta(days=days)).timestamp())
        return self.links.url(path, expires)


def seed_with(changes: Changes) -> bytes:
    """Seed 000's answers as CSV, some changed (None: left out)."""
    lines = SEED000_CSV.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [lines[0]]
    for line in lines[1:]:
        code, unit, _ = line.split(",", 2)
        change = changes.get((code, unit), line)
        if change is not None:
            kept.append(change if change is line else f"{code},{unit},{change}\n")
    return "".join(kept).encode("utf-8")


async def four_rounds() -> tuple[Round, Round]:
    """Four rounds from seed 000, imported out of date order; in the last, Syddanmark's
    lead answers 4.1 and then changes the answer."""
    await load_programme_file(KOL)
    for name, day, changes in ROUNDS:
        await import_round("kol-2018", name, seed_with(changes), NOW, date_text=day)
    programme = await Programme.get(key="kol-2018")
    latest = await Round.get(programme=programme, name="14. møde")
    lead = await Person.get(key="pl-syddanmark")
    first = AnswerData(
        Progress.EXPECTED,
        forecast_text="Efterår 2019",
        forecast_earliest=read_deadline("Efterår 2019").earliest,
        forecast_latest=read_deadline("Efterår 2019").latest,
    )
    changed = AnswerData(
        Progress.STARTED,
        Delay.UP_TO_3,
        forecast_text="Ultimo 2019",
        forecast_earliest=read_deadline("Ultimo 2019").earliest,
        forecast_latest=read_deadline("Ultimo 2019").latest,
        remark=REMARK,
    )
    scope = Scope(UNIT, "syddanmark")
    for data, moment in ((first, NOW - timedelta(days=3)), (changed, NOW - timedelta(days=1))):
        await store_answer(latest, scope, "4.1", data, lead, now=moment, late=False, source="slack")
    await Round.filter(id=latest.id).update(status=RoundStatus.PUBLISHED, published_at=NOW)
    june = await Round.get(programme=programme, name="12. møde")
    return await Round.get(id=latest.id), june


@pytest.fixture
async def history(db: str, slack: SlackStub) -> AsyncIterator[History]:
    latest, june = await four_rounds()
    clock = ManualClock(NOW)
    settings = settings_for(slack, "http").model_copy(update={"history_secret": SecretStr(SECRET)})
    app = Fremdrift(settings, clock=clock, manage_db=False)
    await app.start()
    try:
        url = await app.serve_http("127.0.0.1", 0)
        links = PublicLinks(Signer(SECRET.encode()), url)
        yield History(url, links, clock, latest, june)
    finally:
        await app.stop()


@pytest.fixture
async def page(tmp_path: Path) -> AsyncIterator[Page]:
    async with chromium(tmp_path / "profile") as opened:
        yield opened


def shot(name: str, tmp_path: Path) -> Path:
    """Where a screenshot goes: docs/ when FREMDRIFT_WRITE_DOCS is set, else the test's."""
    return (DOCS if os.environ.get("FREMDRIFT_WRITE_DOCS") else tmp_path) / name


def cell_path(round_: Round, unit: str, code: str) -> str:
    return path_of(PREFIX, "kol-2018", str(round_.id), unit, code)


async def texts(page: Page, selector: str) -> list[str]:
    return list(
        await page.evaluate(
            f"[...document.querySelectorAll({selector!r})].map(e => e.innerText.trim())"
        )
    )


def no_csp_violation(page: Page) -> None:
    refused = [line for line in page.log if "Content Security Policy" in line]
    assert refused == [], refused


async def test_the_signed_link_opens_the_matrix_and_a_click_shows_a_cells_revisions(
    history: History, page: Page, tmp_path: Path
) -> None:
    opened = await page.navigate(history.url(programme_path("kol-2018")))
    assert opened.status == 200
    assert opened.headers["content-security-policy"] == content_security_policy()
    assert "default-src 'none'" in opened.headers["content-security-policy"]
    assert opened.headers["x-content-type-options"] == "nosniff"
    assert opened.headers["referrer-policy"] == "no-referrer"
    assert await page.evaluate("document.querySelector('h1').innerText") == "14. møde"
    assert await texts(page, "nav.rounds li") == [
        "14. møde\n12. december 2018",
        "13. møde\n19. september 2018",
        "12. møde\n20. juni 2018",
        "11. møde\n1. marts 2018",
    ]
    assert await page.evaluate("document.scripts.length") == 0
    # The inline stylesheet applied: allowed by its hash, not blocked by the policy.
    green = await page.evaluate(
        "getComputedStyle(document.querySelector('td.green')).backgroundColor"
    )
    assert green == "rgb(189, 229, 189)"
    selector = 'td a[href*="/syddanmark/4.1?"]'
    assert await texts(page, selector) == [
        "◐ Milepæl igangsat, men 0-3 måneder forsinket Værre Skrider (3)"
    ]
    past = 'td a[href*="/syddanmark/4.2?"]'
    assert await texts(page, past) == ["✓ Forventer at nå milepæl Efter deadline"]
    critical = 'td a[href*="/midtjylland/3.1?"]'
    assert await texts(page, critical) == [
        "✕ Milepæl igangsat, men 3-6 måneder forsinket"
        " (milepælen er kritisk for hele projektet) Kritisk (2)"
    ]
    await page.resize(1280, 1400)
    assert (await page.screenshot(shot("history.png", tmp_path)))[:8] == PNG

    cell = await page.click(selector)
    assert cell.status == 200
    assert cell.url.startswith(history.app_url + cell_path(history.latest, "syddanmark", "4.1"))
    assert cell.headers["content-security-policy"] == content_security_policy()
    assert await page.evaluate("document.querySelector('h1').innerText") == (
        "Milepæl 4.1 – Behandlingstilbud indskrevet i Sundhedsaftalen"
    )
    revisions = await texts(page, "#revisions li")
    assert len(revisions) == 2
    first, second = ([line for line in text.splitlines() if line] for text in revisions)
    lead = "Projektleder, Syddanmark (pladsholder)"
    assert first[0] == f"Version 1 · 9. december 2018 kl. 10:00 · {lead}"
    assert first[1:] == ["Status", "Forventer at nå milepæl", "Forventet", "Efterår 2019"]
    assert second[0] == f"Version 2 · 11. december 2018 kl. 10:00 · {lead}"
    assert second[1:] == [
        "Status",
        "Forventer at nå milepæl → Milepæl igangsat, men 0-3 måneder forsinket",
        "Forventet",
        "Efterår 2019 → Ultimo 2019",
        "Bemærkning",
        f"(tom) → {REMARK}",
    ]
    assert await texts(page, "#revisions del") == [
        "Forventer at nå milepæl",
        "Efterår 2019",
        "(tom)",
    ]
    assert await page.evaluate("document.scripts.length") == 0, "the remark stayed text"
    assert await texts(page, "#trend tbody td:last-child") == [
        "Januar 2019",
        "Medio 2019",
        "Efterår 2019",
        "Ultimo 2019",
    ]
    assert await texts(page, "#flags li") == [
        "Værre end ved 13. møde",
        "Den forventede dato er rykket senere 3 runder i træk",
    ]
    no_csp_violation(page)

    june = await page.click("#trend tbody tr:nth-child(2) a")  # «12. møde», imported
    assert june.url.startswith(history.app_url + cell_path(history.june, "syddanmark", "4.1"))
    assert await texts(page, "#revisions li .head") == [
        "Version 1 · 12. december 2018 kl. 10:00 · importeret"
    ]
    assert await texts(page, "#trend tbody td:last-child") == [
        "Januar 2019",
        "Medio 2019",
    ], "the trend runs up to the round shown"
    back = await page.click("header a")
    assert back.url.startswith(history.app_url + path_of(PREFIX, "kol-2018", str(history.june.id)))
    assert await page.evaluate("document.querySelector('h1').innerText") == "12. møde"


async def test_on_a_phone_the_pages_fit_the_screen(
    history: History, page: Page, tmp_path: Path
) -> None:
    await page.resize(390, 844, mobile=True)
    await page.navigate(history.url(programme_path("kol-2018")))
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    label = await page.evaluate(
        "getComputedStyle(document.querySelector('td.green a'), '::before').content"
    )
    assert label == '"Hovedstaden: "', "each cell names its unit where the header is hidden"
    await page.click('td a[href*="/syddanmark/4.1?"]')
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await page.resize(390, 1800, mobile=True)
    assert (await page.screenshot(shot("history-cell.png", tmp_path)))[:8] == PNG
    no_csp_violation(page)


async def test_a_link_not_signed_for_it_gets_403_and_a_plain_page(
    history: History, page: Page
) -> None:
    good = history.url(programme_path("kol-2018"))
    other_round = path_of(PREFIX, "kol-2018", str(history.june.id))
    bad = {
        "tampered": good[:-1] + ("0" if good[-1] != "0" else "1"),
        "unsigned": history.app_url + programme_path("kol-2018"),
        "another path": good.replace(programme_path("kol-2018"), other_round, 1),
        "a later expiry": good.replace("expires=", "expires=9", 1),
    }
    for why, url in bad.items():
        refused = await page.navigate(url)
        assert refused.status == 403, why
        assert refused.headers["content-security-policy"] == content_security_policy()
        body = await page.evaluate("document.body.innerText")
        assert [line for line in body.splitlines() if line] == [
            "Ingen adgang",
            "Linket er ugyldigt eller udløbet. Bed sekretariatet om et nyt.",
        ], why
    assert (await page.navigate(good)).status == 200
    history.clock.advance(timedelta(days=1, seconds=1))
    expired = await page.navigate(good)
    assert expired.status == 403, "the same link, a day later"
    assert "Fremdrift" not in await page.evaluate("document.documentElement.outerHTML")


async def test_only_closed_and_published_rounds_are_history(history: History) -> None:
    """An open round is not shown, even by a link signed for it; nor another programme."""
    programme = await Programme.get(key="kol-2018")
    open_round = await Round.create(
        programme=programme, name="15. møde", opened_at=NOW, open_slot=programme.id
    )
    async with aiohttp.ClientSession() as http:
        for path in (
            path_of(PREFIX, "kol-2018", str(open_round.id)),
            cell_path(open_round, "syddanmark", "4.1"),
            path_of(PREFIX, "oea-2020"),
            cell_path(history.latest, "syddanmark", "99.9"),
        ):
            async with http.get(history.url(path)) as response:
                assert response.status == 404, path
                assert response.headers["Content-Security-Policy"] == content_security_policy()
                assert "Det findes ikke i historikken." in await response.text()
        async with http.get(history.url(programme_path("kol-2018"))) as response:
            page = await response.text()
        assert "15. møde" not in page
        assert "14. møde" in page
