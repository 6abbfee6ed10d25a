"""Who is clicking: a Slack user id (and team) to the person the programme files name."""

from __future__ import annotations

from models.people import Account, Person, Platform


async def person_for(user_id: str, team_id: str | None = None) -> Person | None:
    """The person behind a Slack user, or None for someone no programme knows."""
    workspaces = ["", team_id] if team_id else [""]
    account = (
        await Account.filter(platform=Platform.SLACK, user_id=user_id, workspace__in=workspaces)
        .prefetch_related("person")
        .first()
    )
    return account.person if account else None


async def slack_user_of(person_id: int) -> Account | None:
    return await Account.filter(platform=Platform.SLACK, person_id=person_id).first()
