"""`fremdrift try --as PERSON` (issue 18, item 6): any person's checklist, from any folder.

A topic owner of ØA20 (seed 004) plays their checklist in a pseudo-terminal, started in an
empty folder with the shipped programme named by its key; afterwards the trial's database
holds exactly what was typed, under their name and their checklist.
"""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import pexpect
import pytest

from models.answer import Answer
from models.db import close_db, open_db
from models.round import Round, RoundStatus, Submission
from render.i18n import catalogue
from tests.test_cli_try import FREMDRIFT, TEXT_PROMPT, TIMEOUT, Terminal

# every command here runs on a SQLite file of its own, whatever DATABASE_URL says
pytestmark = pytest.mark.own_database

STATUS = "Den decentrale omkostningsanalyse er igangsat og vurderes tilendebragt inden ØA21."


class AnyProgramme(Terminal):
    """`fremdrift try` with the arguments given (the programme too), in a folder of choice."""

    def __init__(self, cwd: Path, *args: str) -> None:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES", "DATABASE_URL")
        }
        env.update(FREMDRIFT_LANGUAGE="da", TERM="xterm-256color", LANG="C.UTF-8")
        self.child = pexpect.spawn(
            str(FREMDRIFT),
            ["try", *args],
            cwd=str(cwd),
            env=env,
            encoding="utf-8",
            timeout=TIMEOUT,
            dimensions=(60, 250),
        )
        self.child.delaybeforesend = None
        self.prompt = re.compile(re.escape(catalogue("da").text("terminal.prompt")))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty folder, far from the source checkout: the programme is found by its key."""
    empty = tmp_path / "anywhere"
    empty.mkdir()
    return empty


def answers(url: str) -> tuple[dict[str, tuple[str, str, str]], set[str]]:
    async def read() -> tuple[dict[str, tuple[str, str, str]], set[str]]:
        await open_db(url, run_migrations=False)
        try:
            round_ = await Round.get(status=RoundStatus.OPEN)
            rows = await Answer.filter(round=round_).prefetch_related("milestone", "answered_by")
            found = {
                a.milestone.code: (a.scope, a.status, a.answered_by.key if a.answered_by else "")
                for a in rows
            }
            scopes = set(await Submission.filter(round=round_).values_list("scope", flat=True))
            return found, {str(scope) for scope in scopes}
        finally:
            await close_db()

    return asyncio.run(read())


def test_a_topic_owner_plays_their_oea_checklist_from_any_folder(
    folder: Path, tmp_path: Path
) -> None:
    url = f"sqlite://{tmp_path / 'try.sqlite3'}"
    term = AnyProgramme(folder, "--programme", "oea-2020", "--as", "AKJ", "--database", url)
    intro = term.wait()
    assert "Prøv tjeklisten, som AKJ besvarer i Økonomiaftale for 2020" in intro
    assert "Du bedes rapportere status på 3 emner" in intro
    topic = term.key("")
    assert "Emne ØA20.1 (1 af 3)" in topic and "Milepæl" not in topic
    assert "mere end 100 mio. kr." in topic, "the topic's economy, as seed 004 has it"
    assert "t Status og/eller bemærkninger" in topic and "1 Nået" not in topic
    assert "Det spørger programmet ikke om" in term.key("1"), "no progress is asked"
    term.child.sendline("t")
    term.child.expect(TEXT_PROMPT)
    saved = term.key(STATUS)
    label = "Status og/eller bemærkninger (herunder vedr. deadlines, hvis disse ikke fremgår"
    assert f"{label} af ØA-teksten): {STATUS}" in saved
    assert "Gemt (ØA20.1)." in saved
    assert "ØA20.7 (2 af 3)" in term.key("n")
    term.key("k")  # skip ØA20.9
    review = term.key("v")
    assert "Mangler svar (2): ØA20.7, ØA20.9" in review
    assert "Skriv fx «Intet nyt»" in term.key("u")
    term.key("e ØA20.7")
    term.child.sendline("t")
    term.child.expect(TEXT_PROMPT)
    term.key("Intet nyt.")
    term.key("e ØA20.9")
    term.child.sendline("t")
    term.child.expect(TEXT_PROMPT)
    term.key("Pilottest i andet kvartal 2021.")
    submitted = term.key("u")
    assert "Tak – AKJ er indsendt" in submitted and "3 af 3 emner har et svar." in submitted
    code, _ = term.quit()
    assert code == 0
    found, submissions = answers(url)
    assert found == {
        "ØA20.1": ("*", STATUS, "AKJ"),
        "ØA20.7": ("*", "Intet nyt.", "AKJ"),
        "ØA20.9": ("*", "Pilottest i andet kvartal 2021.", "AKJ"),
    }
    assert submissions == {"reporter:AKJ"}


def test_someone_who_answers_nothing_is_named_with_those_who_do(folder: Path) -> None:
    term = AnyProgramme(folder, "--programme", "oea-2020", "--as", "nobody")
    code, rest = term.end()
    assert code == 1
    assert "Programmet oea-2020 har ingen «nobody», der besvarer en tjekliste" in rest
    assert "AKJ" in rest and "dr-koordinator" in rest


def test_the_coordinator_plays_the_unit_checklist_of_the_topic_without_an_owner(
    folder: Path, tmp_path: Path
) -> None:
    url = f"sqlite://{tmp_path / 'try.sqlite3'}"
    term = AnyProgramme(
        folder, "--programme", "oea-2020", "--as", "dr-koordinator", "--database", url
    )
    intro = term.wait()
    assert "Danske Regioner" in intro and "1 emne." in intro
    assert "Emne ØA15.3 (1 af 1)" in term.key("")
    term.quit()
