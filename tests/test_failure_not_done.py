"""A job that Fremdrift itself refused (a `UserError`: the round is gone, the programme has
none) is not told to the admins as the chat platform refusing a message and a fault in
Fremdrift: each admin reads the refusal's own words, in their own language."""

from __future__ import annotations

from datetime import UTC, datetime

from conversations.errors import UserError
from models.jobs import Job, JobStatus
from models.people import Person, Role, RoleKind
from render.i18n import text
from service.failures import tell_admins
from service.jobs import Failure
from service.round_plan import NOTE, PUBLISH
from tests.factories import person, small_programme

NOW = datetime(2018, 6, 11, 8, tzinfo=UTC)


async def test_each_admin_reads_fremdrifts_own_refusal_in_their_language(db: str) -> None:
    small = await small_programme()
    english = await person("admin-en", "Alice Admin", language="en")
    await Role.create(programme=small.programme, person=english, kind=RoleKind.ADMIN)
    job = await Job.create(
        kind=PUBLISH, payload={}, run_at=NOW, status=JobStatus.FAILED, round=small.round
    )
    refusal = UserError("round.no_round", programme=small.programme.key)

    assert await tell_admins(job, Failure("round.no_round", refusal), NOW) == 2

    notes = {n.payload["person_id"]: n.payload for n in await Job.filter(kind=NOTE)}
    said = {}
    for admin in (small.admin, english):
        note = notes[admin.id]
        key, params = note["key"], note["params"]
        assert key == "failure.publish.not_done" and isinstance(params, dict)
        language = (await Person.get(id=admin.id)).language or small.programme.language
        said[language] = text(language, key, **params)
    assert said["da"].startswith(f"Runden «{small.round.name}» kunne ikke offentliggøres: ")
    assert "Programmet mini har endnu ingen runder" in said["da"]
    assert "The programme mini has no rounds yet" in said["en"]
    for words in said.values():
        assert "chatplatform" not in words and "chat platform" not in words
        assert "round.no_round" not in words and "UserError" not in words
