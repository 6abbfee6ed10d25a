"""One ØA20 round (seed 004), written once and played on any platform through a driver.

The coordinator at Danske Regioner opens the round by command (every topic owner is
invited), the owner AKJ answers their three topics as seed 004 does — a status typed for
each, news about the economy for one — reviews and submits; the coordinator closes the
round and it is published in the steering channel in table layout. What was stored and
posted comes back as plain data, so the same expectation holds for Slack and for Teams
(tests/test_oea_platforms.py). The driver protocol is tests/scenario_checklist.py's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from models.answer import Answer, AnswerRevision
from models.round import Round, RoundStatus, Submission
from tests.scenario_checklist import Driver

MONDAY_10 = datetime(2019, 10, 7, 8, 0, tzinfo=UTC)  # 10:00 in Copenhagen
ADMIN = "dr-koordinator"
OWNER = "AKJ"
ROUND_NAME = "Status oktober 2019"
OPEN = f"round open {ROUND_NAME} deadline 18. oktober 2019 kl. 12"
OWNERS = frozenset(
    {"AKJ", "SVO", "EBP", "MLN", "JFP", "SPO", "MBS", "CBE", "KIK", "NPE", "ADJ", "LGL", "LBL"}
    | {"LMR", "MMG", "dr-koordinator"}
)
"""Everyone asked: the topics' owners, and the coordinator for the topic without one."""
STATUS = {
    "ØA20.1": (
        "Den decentrale omkostningsanalyse er igangsat og vurderes tilendebragt inden ØA21. "
        "MitID bliver lanceret i sommeren 2021."
    ),
    "ØA20.7": (
        "DIGST har igangsat en analyse, der skal klarlægge, hvilke regionale data, der "
        "meningsfyldt bør vises på Mit Overblik."
    ),
    "ØA20.9": (
        "Løsningen forventes at blive pilottestet i andet kvartal 2021. Den endelige løsning "
        "forventes være sat i drift ultimo 2021."
    ),
}
"""AKJ's statuses, from seed 004's «Status og/eller bemærkninger»."""
ECONOMY = {
    "ØA20.9": "Det forventes, at udgifterne til drift og forvaltning vil indgå i ØA21.",
}


@dataclass(frozen=True)
class Outcome:
    invited: frozenset[str]
    answers: dict[str, tuple[str, str, str]]  # code → (scope, status, economy)
    revisions: int
    submitted: tuple[str, ...]
    status: str
    posts: tuple[str, ...]


async def play_oea_round(driver: Driver) -> Outcome:
    opened = await driver.command(ADMIN, OPEN)
    assert ROUND_NAME in opened, opened
    before = {person: len(driver.received(person)) for person in OWNERS}
    await driver.run_jobs()
    invited = frozenset(p for p in OWNERS if len(driver.received(p)) > before[p])
    await answer_my_topics(driver, OWNER)
    closed = await driver.command(ADMIN, "round close")
    assert ROUND_NAME in closed, closed
    await driver.run_jobs()
    round_ = await Round.get(name=ROUND_NAME)
    answers = await Answer.filter(round=round_).prefetch_related("milestone")
    return Outcome(
        invited=invited,
        answers={a.milestone.code: (a.scope, a.status, a.economy) for a in answers},
        revisions=await AnswerRevision.filter(answer__round=round_).count(),
        submitted=tuple(
            sorted(
                cast(
                    list[str],
                    await Submission.filter(round=round_).values_list("scope", flat=True),
                )
            )
        ),
        status=str(round_.status),
        posts=tuple(driver.published()),
    )


async def answer_my_topics(driver: Driver, person: str) -> None:
    """Start, type each topic's status (and the economy's news where there is any), move
    on, review and submit — as a topic owner would."""
    await driver.press(person, "start")
    seen: list[str] = []
    while True:
        kind, code = driver.checklist(person)
        if kind != "milestone":
            break
        assert code is not None and code not in seen, (code, seen)
        seen.append(code)
        await driver.write(person, "status", STATUS[code])
        if code in ECONOMY:
            await driver.write(person, "economy", ECONOMY[code])
        await driver.press(person, "next")
    assert driver.checklist(person)[0] == "review", driver.checklist(person)
    await driver.press(person, "submit")
    assert driver.checklist(person)[0] == "submitted", driver.checklist(person)
    assert seen == list(STATUS), "the owner's topics, in the programme's order"


def check(outcome: Outcome) -> None:
    """What the round must have done on any platform."""
    assert outcome.invited == OWNERS, sorted(OWNERS - outcome.invited)
    assert outcome.answers == {
        code: ("*", status, ECONOMY.get(code, "")) for code, status in STATUS.items()
    }
    assert outcome.revisions == len(STATUS) + len(ECONOMY)
    assert outcome.submitted == ("reporter:AKJ",)
    assert outcome.status == str(RoundStatus.PUBLISHED)
    posted = "\n".join(outcome.posts)
    assert "3 af 29 emner har et svar." in posted, posted
    for colour in ("🟢", "🟡", "🔴", "grøn", "gul", "rød", "Milepæl"):
        assert colour not in posted, colour
