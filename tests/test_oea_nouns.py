"""Nothing of KOL's words where a programme names its own (issue 18, item 1, what was left).

ØA20 speaks of «Emne» and «Ansvarlig: AKJ»; KOL of «Milepæl», «indtastet af», regions and
landsdelsprogrammer. The table layout was ØA20's from the start; these are the rest: the
history page, `fremdrift programme show` and `programme load`, the chat's `programme show`.
A matrix drawn in ØA20's nouns (two units, KOL's questions, a round before it) has every
page of its PDF (the overview and the changes as well, read with pdftotext), its workbook,
its Slack post and its Teams cards in them too, in Danish and in English.
"""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

import pytest
import yaml
from openpyxl import load_workbook

from bot.cli.common import cli_language
from conversations.clock import SystemClock
from conversations.commands import parse
from conversations.state import State
from conversations.views import IntroView, build
from conversations.vocabulary import Delay, Progress, RoundStatus
from models.checklists import REPORTER, Scope, load_context
from models.people import Person
from models.programme import Programme
from models.programme_file import load_programme_file
from models.round import Round
from render.documents.pdf import matrix_pdf_source
from render.documents.typst_pdf import write_typst
from render.documents.xlsx import render_xlsx
from render.history import cell_page, round_page
from render.publication import messages
from render.slack.views import render_command_reply
from render.slack.views import render_view as render_slack_view
from render.teams.views import publication_messages
from render.teams.views import render_view as render_teams_view
from render.terminal.views import render_view as render_terminal_view
from render.words import worded_matrix
from reporting.comparison import compare
from reporting.snapshot import (
    AnswerInfo,
    GroupInfo,
    MilestoneInfo,
    ProgrammeInfo,
    RoundInfo,
    Snapshot,
    UnitInfo,
    make_snapshot,
)
from service.commands import execute
from service.history import cell_history, round_history
from tests.test_cli_programme import cli_env, run
from tests.test_documents import pdf_text
from tests.test_oea_documents import STATUS, answered_round

__all__ = ["cli_env"]  # the fixture, used by name

ROOT = Path(__file__).parent.parent
OEA = yaml.safe_load((ROOT / "programmes" / "oea-2020.yaml").read_text("utf-8"))
KOL = re.compile(r"milepæl|milestone|indtastet af|entered by|landsdelsprogram|region", re.I)
NOW = datetime(2019, 10, 20, 10, tzinfo=UTC)
BEFORE = datetime(2019, 6, 20, 10, tzinfo=UTC)


def kol_words(text: str) -> list[str]:
    """KOL's words in `text`; «Danske Regioner» is ØA20's unit and source, a name."""
    text = " ".join(text.split()).replace("Danske Regioner", "").replace("danske-regioner", "")
    return KOL.findall(text)


class Links:
    def round(self, round_id: int) -> str:
        return f"/r/{round_id}"

    def cell(self, round_id: int, unit: str, milestone: str) -> str:
        return f"/c/{round_id}/{unit}/{milestone}"


def _answer(code: str, unit: str, progress: Progress, delay: Delay, critical: bool) -> AnswerInfo:
    forecast = "Efterår 2020" if progress is Progress.EXPECTED else ""
    return AnswerInfo(
        code, unit, progress, delay, critical, forecast, None, None, "", "AKJ", NOW, False
    )


def matrix_in_oea_words(language: str, name: str, answers: tuple[AnswerInfo, ...]) -> Snapshot:
    """Two units, three topics, KOL's questions (so a traffic light), ØA20's nouns."""
    nouns = {lang: MappingProxyType(words) for lang, words in OEA["nouns"].items()}
    programme = ProgrammeInfo(
        "oea-matrix", "Opfølgning i to dele", "", language, "Europe/Copenhagen", "", "",
        nouns=MappingProxyType(nouns),
    )  # fmt: skip
    topics = (
        MilestoneInfo("ØA20.1", "Fremtidssikring af infrastrukturen", reporter="AKJ"),
        MilestoneInfo("ØA20.2", "Sundhedsdata"),
        MilestoneInfo("ØA20.3", "Mit overblik"),
    )
    return make_snapshot(
        programme,
        RoundInfo(1, name, RoundStatus.CLOSED, NOW, None, "", NOW, None, False),
        (UnitInfo("nord", "Nord"), UnitInfo("syd", "Syd")),
        (GroupInfo("ØA20", "Økonomiaftale for 2020", topics),),
        answers,
    )


@pytest.mark.parametrize("language", ["da", "en"])
def test_a_matrix_in_oea_words_has_none_of_kols_on_any_page_post_or_card(
    language: str, tmp_path: Path
) -> None:
    on_time = Progress.STARTED, Delay.ON_TIME, False
    before = matrix_in_oea_words(
        language,
        "Status juni 2019",
        tuple(
            _answer(code, unit, *on_time)
            for code in ("ØA20.1", "ØA20.2", "ØA20.3")
            for unit in ("nord", "syd")
        ),
    )
    now = matrix_in_oea_words(
        language,
        "Status oktober 2019",
        (
            _answer("ØA20.1", "*", Progress.STARTED, Delay.OVER_6, True),  # red, critical
            _answer("ØA20.2", "nord", Progress.EXPECTED, Delay.UP_TO_3, False),  # yellow
            _answer("ØA20.2", "syd", Progress.REACHED, Delay.ON_TIME, True),  # critical, on time
            _answer("ØA20.3", "nord", Progress.NONE, Delay.ON_TIME, False),
        ),  # ØA20.3 for Syd: not reported
    )
    matrix = worded_matrix(now)
    comparison = compare(matrix, worded_matrix(before), now)
    assert comparison.worse and comparison.new_critical and comparison.not_reported
    pdf = pdf_text(write_typst(matrix_pdf_source(matrix, comparison)), tmp_path)
    emne, emner = ("Emne", "emner") if language == "da" else ("Topic", "topics")
    late = "Kritiske og forsinkede emner" if language == "da" else "Critical and late topics"
    assert late in " ".join(pdf.split()) and f"{emne} ØA20.1" in pdf, "the overview in its nouns"
    assert kol_words(pdf) == [], "no KOL word on the overview, the matrix or the changes"
    slack = json.dumps(
        [[m.text, m.blocks] for m in messages(matrix, comparison, published=NOW)],
        ensure_ascii=False,
    )
    teams = json.dumps(
        [m.card for m in publication_messages(matrix, comparison, published=NOW, links=[])],
        ensure_ascii=False,
    )
    for posted in (slack, teams):
        assert emner in posted.lower() and kol_words(posted) == [], kol_words(posted)
    book = load_workbook(io.BytesIO(render_xlsx(now, matrix)))
    cells = " ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value)
    assert f"{emne} ØA20.1 – Fremtidssikring" in cells and kol_words(cells) == [], "the workbook"


async def test_the_history_of_an_oea_round_speaks_of_topics(db: str) -> None:
    round_id = await answered_round()
    page = round_page(await round_history("oea-2020", round_id), Links())
    assert "Emne ØA20.1 – Fremtidssikring" in page and "Ansvarlig: AKJ" in page
    assert STATUS in page, "no traffic light: the page shows what the owner wrote"
    assert "Følger tidsplanen" not in page, "no key of colours"
    cell = cell_page(await cell_history("oea-2020", round_id, "ØA20.1", "danske-regioner"), Links())
    assert "Angivet deadline for indfrielse af emne" in cell and STATUS in cell
    assert "for alle enheder" not in cell, "one unit: not «for all units»"
    silent = await cell_history("oea-2020", round_id, "ØA20.2", "danske-regioner")
    assert "Ingen har svaret på emnet i denne runde." in cell_page(silent, Links())
    for text in (page, cell, cell_page(silent, Links())):
        assert kol_words(re.sub(r"<style>.*?</style>", "", text, flags=re.S)) == []


async def test_the_chats_programme_show_counts_topics(db: str) -> None:
    await answered_round()
    actor = await Person.get(key="dr-koordinator")
    command = parse("programme show", ["oea-2020"])
    reply = await execute(command, actor, SystemClock(), fallback_language="da")
    said = json.dumps(render_command_reply(reply).blocks, ensure_ascii=False)
    assert "29 emner i 6 grupper" in said and kol_words(said) == []


def test_programme_load_and_show_in_oea_words(cli_env: dict[str, str]) -> None:
    assert cli_language() == "da"
    code, out, _ = run("load", "oea-2020")
    assert code == 0 and re.search(r"Emner\s+│\s+29\s+│\s+29\s", out)
    code, out, err = run("show", "oea-2020")
    assert (code, err) == (0, "")
    assert re.search(r"Kode\s+┃ Emne\s+┃ Svares af", out)
    assert re.search(r"ØA20\.1\s+│ Fremtidssikring .*│ AKJ\s+│ 30\. november 2021", out)
    assert kol_words(out) == []


async def intro_texts(programme_key: str, reporter: str) -> list[str]:
    """A reporter's checklist intro in Slack, Teams and the terminal, as each draws it."""
    programme = await Programme.get(key=programme_key)
    round_ = await Round.create(
        programme=programme, name="Runde", status=RoundStatus.OPEN, opened_at=NOW
    )
    actor = await Person.get(key=reporter)
    context = await load_context(round_, Scope(REPORTER, reporter), actor, NOW)
    view = build(State(), context)
    assert isinstance(view, IntroView)
    return [
        json.dumps(render_slack_view(view).blocks, ensure_ascii=False),
        json.dumps(render_teams_view(view).card, ensure_ascii=False),
        render_terminal_view(view).plain,
    ]


async def test_a_one_unit_reporters_intro_does_not_speak_of_every_unit(db: str) -> None:
    await load_programme_file(ROOT / "programmes" / "oea-2020.yaml")
    for said in await intro_texts("oea-2020", "AKJ"):
        assert "Du bedes rapportere status på 3 emner." in said, said
        assert "alle enheder" not in said
    await load_programme_file(ROOT / "programmes" / "kol-2018.yaml")
    for said in await intro_texts("kol-2018", "fut"):
        assert "5 milepæle, som du besvarer for alle enheder." in said, "five regions: all"
