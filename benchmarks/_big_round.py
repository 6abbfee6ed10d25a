"""Large rounds for the benchmarks: a programme of units × milestones in groups of ten,
and an answer in every cell.

`structure` and `answer_every_cell` build them (bench_documents' rounds too);
`published_round` is a published round beside the benchmark's own programme, under keys of
its own, to publish while leads click (bench_click_latency's click-during-publication row).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from models.programme import Programme

GROUP_SIZE = 10
KEY = "bench-publication"


async def structure(
    programme: Programme, units: int, milestones: int, unit_prefix: str
) -> tuple[dict[str, int], list[int]]:
    """The programme's units (keys `unit_prefix`0, 1, …) and milestones in groups of ten;
    returns the units' ids by key and the milestones' ids in order."""
    from models.programme import Milestone, MilestoneGroup, Unit

    await Unit.bulk_create(
        [
            Unit(programme=programme, key=f"{unit_prefix}{i}", name=f"Enhed {i}", position=i)
            for i in range(units)
        ]
    )
    unit_ids = dict(await Unit.filter(programme=programme).values_list("key", "id"))
    groups = (milestones + GROUP_SIZE - 1) // GROUP_SIZE
    await MilestoneGroup.bulk_create(
        [
            MilestoneGroup(
                programme=programme, number=str(g + 1), title=f"Gruppe {g + 1}", position=g
            )
            for g in range(groups)
        ]
    )
    group_ids = dict(await MilestoneGroup.filter(programme=programme).values_list("number", "id"))
    await Milestone.bulk_create(
        [
            Milestone(
                programme=programme,
                group_id=group_ids[str(m // GROUP_SIZE + 1)],
                code=f"{m // GROUP_SIZE + 1}.{m % GROUP_SIZE + 1}",
                title=f"Milepæl nummer {m + 1} med en titel af almindelig længde",
                definition="Milepælen er gennemført, når det aftalte er leveret og godkendt.",
                position=m,
            )
            for m in range(milestones)
        ]
    )
    found = await Milestone.filter(programme=programme).values_list("id", flat=True)
    return unit_ids, cast(list[int], found)


async def answer_every_cell(
    round_id: int,
    unit_ids: dict[str, int],
    milestone_ids: list[int],
    rng: random.Random,
    answered_at: datetime,
) -> None:
    """An answer in every cell: a random progress and delay, now and then critical."""
    from conversations.vocabulary import Delay, Progress, delay_allowed
    from models.answer import Answer

    answers = []
    for milestone_id in milestone_ids:
        for key, unit_id in unit_ids.items():
            progress = rng.choice(list(Progress))
            delay = rng.choice(list(Delay)) if delay_allowed(progress) else Delay.ON_TIME
            answers.append(
                Answer(
                    round_id=round_id,
                    milestone_id=milestone_id,
                    unit_id=unit_id,
                    scope=key,
                    progress=progress,
                    delay=delay,
                    critical=rng.random() < 0.05,
                    remark="En bemærkning." if rng.random() < 0.2 else "",
                    answered_at=answered_at,
                )
            )
    await Answer.bulk_create(answers, batch_size=2000)


async def published_round(units: int, milestones: int) -> int:
    """Build it in the open database; the published round's id."""
    from models.programme import Programme
    from models.round import Round, RoundStatus

    rng = random.Random(7)
    programme = await Programme.create(key=KEY, title="Publikation", source="Benchmark")
    unit_ids, milestone_ids = await structure(programme, units, milestones, "p")
    now = datetime.now(UTC)
    round_id = 0
    for number, opened in enumerate((now - timedelta(days=90), now - timedelta(days=1))):
        last = number == 1
        round_ = await Round.create(
            programme=programme,
            name=f"Runde {number + 1}",
            status=RoundStatus.PUBLISHED if last else RoundStatus.CLOSED,
            opened_at=opened,
            closed_at=opened,
            published_at=now if last else None,
        )
        round_id = round_.id
        await answer_every_cell(round_id, unit_ids, milestone_ids, rng, opened)
    return round_id
