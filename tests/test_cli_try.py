"""`fremdrift try` driven through a pseudo-terminal, as a person would type it.

Each test starts the installed `fremdrift` executable on the shipped KOL programme, types
keys, and reads the screen up to the next prompt; afterwards it opens the database the
trial wrote (`--database`) and checks that what is stored is exactly what was typed.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pexpect
import pytest

from models.answer import Answer, AnswerRevision
from models.db import close_db, open_db
from models.round import Round, RoundStatus, Submission
from render.i18n import catalogue

# every command here runs on a SQLite file of its own, whatever DATABASE_URL says
pytestmark = pytest.mark.own_database

ROOT = Path(__file__).parent.parent
PROGRAMME = ROOT / "programmes" / "kol-2018.yaml"
FREMDRIFT = Path(sys.executable).parent / "fremdrift"
TIMEOUT = 30  # seconds for any one screen; a step takes a fraction of one
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[=>]")
LAST_SGR = re.compile(r"\x1b\[([0-9;]*)m$")
TEXT_PROMPT = re.compile(r"(?<!Tast )(?<!Key )›")
TOTAL = 29  # Syddanmark's checklist: 27 national milestones it answers, 2 local items
VALUES = ("progress", "delay", "critical", "forecast_text", "forecast_earliest", "remark")
REMARK = "Afventer [leverandør] og [/red] – æøå ÆØÅ"


@dataclass(frozen=True)
class Screen:
    """What the terminal showed between two prompts."""

    raw: str

    @property
    def lines(self) -> list[str]:
        return ANSI.sub("", self.raw).replace("\r", "").split("\n")

    @property
    def text(self) -> str:
        """The words with colours and line breaks gone, for matching sentences."""
        return " ".join(ANSI.sub("", self.raw).split())

    def __contains__(self, words: str) -> bool:
        return words in self.text

    def styles_before(self, words: str) -> set[str]:
        """The SGR parameters set right before `words` (33 is yellow, 32 green)."""
        at = self.raw.index(words)
        found = LAST_SGR.search(self.raw[:at])
        return set(found.group(1).split(";")) if found else set()


class Terminal:
    """`fremdrift try …` in a pseudo-terminal: type a line, read up to the next prompt."""

    def __init__(self, cwd: Path, *args: str, ui: str = "da", env_language: str = "da"):
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES", "DATABASE_URL")
        }
        env.update(
            FREMDRIFT_LANGUAGE=env_language,
            TERM="xterm-256color",
            LANG="C.UTF-8",
            PYTHONIOENCODING="utf-8",
        )
        self.child = pexpect.spawn(
            str(FREMDRIFT),
            ["try", "--programme", str(PROGRAMME), *args],
            cwd=str(cwd),
            env=env,
            encoding="utf-8",
            timeout=TIMEOUT,
            dimensions=(60, 250),
        )
        self.child.delaybeforesend = None  # pexpect waits 50 ms before each line otherwise
        self.prompt = re.compile(re.escape(catalogue(ui).text("terminal.prompt")))

    def wait(self) -> Screen:
        self.child.expect(self.prompt)
        return Screen(str(self.child.before))

    def key(self, line: str) -> Screen:
        self.child.sendline(line)
        return self.wait()

    def ask(self, line: str) -> Screen:
        """Type a key that asks for a line of text; read up to the text prompt."""
        self.child.sendline(line)
        self.child.expect(TEXT_PROMPT)
        return Screen(str(self.child.before))

    def end(self) -> tuple[int | None, Screen]:
        """Wait for the process to end; its exit status and its last words."""
        self.child.expect(pexpect.EOF)
        rest = Screen(str(self.child.before))
        self.child.close()
        return self.child.exitstatus, rest

    def quit(self) -> tuple[int | None, Screen]:
        self.child.sendline("q")
        return self.end()


class StartTerminal(Protocol):
    def __call__(self, *args: str, ui: str = "da", env_language: str = "da") -> Terminal: ...


@pytest.fixture
def start(tmp_path: Path) -> Iterator[StartTerminal]:
    """Start terminals; every one is gone when the test ends, whatever happened."""
    started: list[Terminal] = []

    def starter(*args: str, ui: str = "da", env_language: str = "da") -> Terminal:
        terminal = Terminal(tmp_path, *args, ui=ui, env_language=env_language)
        started.append(terminal)
        return terminal

    yield starter
    for terminal in started:
        if terminal.child.isalive():
            terminal.child.terminate(force=True)


@dataclass(frozen=True)
class Stored:
    answers: dict[str, tuple[object, ...]]
    revisions: dict[str, list[tuple[object, ...]]]
    sources: set[str]
    authors: set[str]
    submitted: bool


def stored(url: str) -> Stored:
    """The open round's answers and revisions as the trial left them."""

    async def read() -> Stored:
        await open_db(url, run_migrations=False)
        try:
            round_ = await Round.get(status=RoundStatus.OPEN)
            answers = await Answer.filter(round=round_).prefetch_related("milestone")
            revisions = (
                await AnswerRevision.filter(answer__round=round_)
                .order_by("answer_id", "number")
                .prefetch_related("answer__milestone", "changed_by")
            )
            history: dict[str, list[tuple[object, ...]]] = {}
            for revision in revisions:
                values = tuple(getattr(revision, name) for name in VALUES)
                history.setdefault(revision.answer.milestone.code, []).append(values)
            return Stored(
                answers={
                    a.milestone.code: tuple(getattr(a, name) for name in VALUES) for a in answers
                },
                revisions=history,
                sources={revision.source for revision in revisions},
                authors={revision.changed_by.key for revision in revisions if revision.changed_by},
                submitted=await Submission.exists(round=round_, scope="unit:syddanmark"),
            )
        finally:
            await close_db()

    return asyncio.run(read())


def missing_codes(screen: Screen) -> list[str]:
    for line in screen.lines:
        found = re.match(r"(?:Mangler svar|No answer yet) \(\d+\): (.*)$", line.strip())
        if found:
            return found.group(1).split(", ")
    return []


def test_a_lead_answers_goes_back_skips_reviews_and_submits_in_danish(
    tmp_path: Path, start: StartTerminal
) -> None:
    url = f"sqlite://{tmp_path / 'try.sqlite3'}"
    term = start("--unit", "syddanmark", "--database", url)

    intro = term.wait()
    assert "Statusrunde: Prøverunde" in intro
    assert f"Du bedes rapportere status for Syddanmark, {TOTAL} milepæle." in intro
    assert "Sidste runde (Forrige prøverunde):" in intro
    assert "🟢 2 🟡 1 🔴 2" in intro  # the previous round's five answers
    assert "Enter Start" in intro

    first = term.key("")
    assert f"Milepæl 1.1 (1 af {TOTAL})" in first
    assert "Etablering af styregruppe, herunder udpegning af projektleder samt evt." in first
    assert "Sidste runde: 🟢 Milepæl nået" in first
    assert "Dit svar: vælg en status herunder" in first
    assert "1 Nået 2 Igangsat 3 Forventer at nå 4 Intet angivet" in first
    assert "5 Til tiden" not in first  # no delay before a status, as in Slack

    started = term.key("2")
    assert "✅ Gemt (1.1)." in started
    assert "Dit svar: 🟢 Milepæl igangsat" in started
    assert "5 Til tiden 6 0-3 mdr. forsinket 7 3-6 mdr. forsinket 8 Over 6 mdr." in started

    late = term.key("6")
    assert "Dit svar: 🟡 Milepæl igangsat, men 0-3 måneder forsinket" in late
    assert "33" in late.styles_before("Milepæl igangsat, men 0-3 måneder forsinket")

    critical = term.key("c")
    assert (
        "Dit svar: 🟡 Milepæl igangsat, men 0-3 måneder forsinket "
        "(milepælen er kritisk for hele projektet)"
    ) in critical
    assert "c Kritisk: ja" in critical

    asked = term.ask("f")
    assert "Hvornår forventes 1.1 nået?" in asked
    assert "Højst 200 tegn." in asked
    forecast = term.key("Medio 2019")
    assert "Prognose: Medio 2019" in forecast
    assert "✅ Gemt (1.1)." in forecast

    asked = term.ask("r")
    assert "Bemærkning til 1.1" in asked
    assert "Højst 3000 tegn." in asked
    remark = term.key(REMARK)
    assert f"Bemærkning: {REMARK}" in remark  # brackets printed, not read as styles

    second = term.key("n")
    assert f"Milepæl 2.1 (2 af {TOTAL})" in second
    assert "Sidste runde: 🟡 Milepæl igangsat, men 0-3 måneder forsinket" in second
    assert "s Som sidste runde" in second

    assert f"Milepæl 3.1 (3 af {TOTAL})" in term.key("s")
    assert f"Milepæl 4.1 (4 af {TOTAL})" in term.key("k")
    back = term.key("b")
    assert f"Milepæl 3.1 (3 af {TOTAL})" in back
    assert "Dit svar: vælg en status herunder" in back

    refused = term.key("n")
    assert "! Vælg først status for milepælen." in refused
    assert f"Milepæl 3.1 (3 af {TOTAL})" in refused

    paused = term.key("l")
    assert f"Pause ved milepæl 3 af {TOTAL} (2 besvaret)." in paused
    assert "Enter Fortsæt" in paused
    assert f"Milepæl 3.1 (3 af {TOTAL})" in term.key("")

    review = term.key("v")
    assert "Gennemse: Syddanmark" in review
    assert (
        "1.1 Etablering af styregruppe, herunder udpegning af projektleder samt evt. "
        "sekretariat — 🟡 Milepæl igangsat, men 0-3 måneder forsinket "
        "(milepælen er kritisk for hele projektet)"
    ) in review
    (same,) = [line for line in review.lines if line.strip().startswith("2.1 ")]
    assert same.endswith("— 🟡 Milepæl igangsat, men 0-3 måneder forsinket")
    assert "(besvares af FUT)" in review
    missing = missing_codes(review)
    assert missing[:3] == ["3.1", "4.1", "4.2"]
    assert len(missing) == TOTAL - 2
    assert "u Indsend" not in review

    refused = term.key("u")
    assert f"! Der mangler svar på {TOTAL - 2} milepæle: 3.1, 4.1, 4.2" in refused
    assert "«x» er ikke en tast her." in term.key("x")

    for code in missing:
        assert f"Milepæl {code} (" in term.key(f"e {code}")
        assert f"✅ Gemt ({code})." in term.key("4")
        assert "Gennemse: Syddanmark" in term.key("n")  # edited from the review: back to it
    ready = term.key("v")
    assert "Alle milepæle har et svar. Tryk Indsend, når du er klar." in ready
    assert "u Indsend" in ready

    submitted = term.key("u")
    assert "Tak – Syddanmark er indsendt" in submitted
    assert "Du kan rette svarene, indtil runden lukker." in submitted

    status, last = term.quit()
    assert status == 0
    assert "Farvel." in last

    found = stored(url)
    started_late = ("started", "0-3", False, "", None, "")
    assert [(*values[:4], values[5]) for values in found.revisions["1.1"]] == [
        ("started", "0", False, "", ""),
        ("started", "0-3", False, "", ""),
        ("started", "0-3", True, "", ""),
        ("started", "0-3", True, "Medio 2019", ""),
        ("started", "0-3", True, "Medio 2019", REMARK),
    ]
    assert found.answers["1.1"][:4] == ("started", "0-3", True, "Medio 2019")
    assert found.answers["1.1"][4] is not None  # "Medio 2019" was read as a date
    assert found.answers["1.1"][5] == REMARK
    assert found.answers["2.1"] == started_late  # the same as last round
    assert set(found.answers) == {"1.1", "2.1", *missing}
    assert all(found.answers[code][0] == "none" for code in missing)
    assert all(len(found.revisions[code]) == 1 for code in ("2.1", *missing))
    assert found.sources == {"try"}
    assert found.authors == {"pl-syddanmark"}
    assert found.submitted


def test_english_follows_lang_over_the_environment(tmp_path: Path, start: StartTerminal) -> None:
    url = f"sqlite://{tmp_path / 'try.sqlite3'}"
    term = start("--unit", "syddanmark", "--lang", "en", "--database", url, ui="en")

    intro = term.wait()
    assert "Status round: Trial round" in intro
    assert f"Please report the status of Syddanmark, {TOTAL} milestones." in intro

    first = term.key("")
    assert f"Milestone 1.1 (1 of {TOTAL})" in first
    assert "Last round: 🟢 Milestone reached" in first
    term.key("2")
    late = term.key("6")
    assert "Your answer: 🟡 Milestone started, but 0–3 months late" in late
    assert "33" in late.styles_before("Milestone started, but 0–3 months late")
    assert "(the milestone is critical for the whole project)" in term.key("c")
    assert "When do you expect 1.1 to be reached?" in term.ask("f")
    assert "Forecast: Q2 2019" in term.key("Q2 2019")
    assert "Remark on 1.1" in term.ask("r")
    assert "Remark: Waiting for the supplier" in term.key("Waiting for the supplier")
    assert f"Milestone 2.1 (2 of {TOTAL})" in term.key("n")

    review = term.key("v")
    assert "Review: Syddanmark" in review
    assert len(missing_codes(review)) == TOTAL - 1
    refused = term.key("u")
    assert f"! {TOTAL - 1} milestones have no answer yet: 2.1, 3.1" in refused

    status, last = term.quit()
    assert status == 0
    assert "Goodbye." in last
    found = stored(url)
    assert set(found.answers) == {"1.1"}
    assert found.answers["1.1"][:4] == ("started", "0-3", True, "Q2 2019")
    assert found.answers["1.1"][5] == "Waiting for the supplier"
    assert len(found.revisions["1.1"]) == 5


def test_an_unreadable_forecast_is_kept_as_written_only_when_confirmed(
    tmp_path: Path, start: StartTerminal
) -> None:
    url = f"sqlite://{tmp_path / 'try.sqlite3'}"
    term = start("--unit", "syddanmark", "--database", url)
    term.wait()
    term.key("")
    term.key("3")
    term.ask("f")
    confirm = term.key("når leverandøren er klar")
    assert (
        "Jeg kan ikke læse «når leverandøren er klar» som en dato. "
        "Skal jeg gemme teksten, som den står?"
    ) in confirm
    assert "y Gem som skrevet f Skriv igen" in confirm
    assert stored_forecast(url) == ("", None)  # nothing kept until confirmed

    kept = term.key("y")
    assert "Prognose: når leverandøren er klar" in kept
    assert "✅ Gemt (1.1)." in kept
    status, _ = term.quit()
    assert status == 0
    assert stored_forecast(url) == ("når leverandøren er klar", None)


def stored_forecast(url: str) -> tuple[object, object]:
    values = stored(url).answers["1.1"]
    return values[3], values[4]


def test_a_too_long_remark_is_refused_with_the_limit_named(
    tmp_path: Path, start: StartTerminal
) -> None:
    url = f"sqlite://{tmp_path / 'try.sqlite3'}"
    term = start("--unit", "syddanmark", "--database", url)
    term.wait()
    term.key("")
    term.key("2")
    term.ask("r")
    refused = term.key("x" * 3001)
    assert "! Bemærkningen er 3001 tegn; der er plads til 3000." in refused
    assert "Bemærkning: x" not in refused
    status, _ = term.quit()
    assert status == 0
    found = stored(url)
    assert found.answers["1.1"][5] == ""
    assert len(found.revisions["1.1"]) == 1


def test_ctrl_d_quits_and_the_temporary_database_is_removed(
    tmp_path: Path, start: StartTerminal, monkeypatch: pytest.MonkeyPatch
) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))
    term = start("--unit", "syddanmark")
    intro = term.wait()
    assert "midlertidig database" in intro
    assert "try.sqlite3" in [path.name for path in temporary.glob("fremdrift-try-*/*")]

    term.child.sendeof()
    status, last = term.end()
    assert status == 0
    assert "Den midlertidige database er slettet." in last
    assert list(temporary.iterdir()) == []


def test_a_database_that_holds_the_programme_is_refused(
    tmp_path: Path, start: StartTerminal
) -> None:
    url = f"sqlite://{tmp_path / 'try.sqlite3'}"
    first = start("--database", url)
    first.wait()
    assert first.quit()[0] == 0

    status, said = start("--database", url).end()
    assert status == 1
    assert "Fejl: Databasen har allerede programmet kol-2018." in said
    assert "Traceback" not in said.text


def test_an_unknown_unit_is_named_with_the_units_there_are(start: StartTerminal) -> None:
    status, said = start("--unit", "atlantis").end()
    assert status == 1
    assert "Fejl: Programmet kol-2018 har ingen enhed «atlantis»." in said
    assert "hovedstaden, midtjylland, nordjylland, sjaelland, syddanmark" in said
    assert "Traceback" not in said.text
