"""A publication Teams refuses for good tells the admin, in Teams, what to do in Teams' terms:
the real Teams messenger over the Teams stand-in, whose Connector answers the steering
channel's post with 403 (the app not installed in the channel's team)."""

from __future__ import annotations

from models.jobs import Job, JobStatus
from service import rounds
from standins.teams import Fault, TeamsStub, walk
from tests.test_teams_faults import Running, open_round, run_jobs, running  # noqa: F401

pytest_plugins = ["tests.teams_fixtures"]


def said(teams: TeamsStub, key: str) -> list[str]:
    """The text of each card the bot sent to this person."""
    return [
        " ".join(str(block.get("text", "")) for block in walk(posted.card, "TextBlock"))
        for posted in teams.cards(key)
    ]


async def test_a_channel_post_refused_with_403_tells_the_admin_to_add_the_app_to_the_team(
    running: Running,  # noqa: F811
    teams: TeamsStub,
) -> None:
    await open_round(running)
    await run_jobs(running)
    await rounds.close(running.small.programme, running.small.admin, running.clock.now())
    steering = teams.channels["styregruppe"].id
    teams.faults.add(Fault(403, method="POST", path=steering, code="Forbidden"))
    await run_jobs(running)
    job = await Job.get(kind="publish")
    assert job.status is JobStatus.FAILED and job.last_error.startswith("Unreachable: 403")
    notes = [text for text in said(teams, "sekretariat") if "kunne ikke offentliggøres" in text]
    assert len(notes) == 1, said(teams, "sekretariat")
    note = notes[0].replace("\u200b", "")
    assert "Fremdrift er ikke installeret i styregruppekanalens team" in note
    assert "Føj appen til teamet" in note and "«round publish»" in note
    assert "/invite" not in note and "403" not in note
