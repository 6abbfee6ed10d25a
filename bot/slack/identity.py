"""Who is clicking: a Slack user id (and team) to the person the programme files name; and
whether a request comes from our workspace at all (`ours`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from models.accounts import account_of
from models.people import Account, Person, Platform
from models.step_io import person_of_account


async def person_for(user_id: str, team_id: str | None = None) -> Person | None:
    """The person behind a Slack user, or None for someone no programme knows."""
    workspaces = ["", team_id] if team_id else [""]
    return await person_of_account(Platform.SLACK, user_id, workspaces)


async def slack_user_of(person_id: int) -> Account | None:
    return await account_of(Platform.SLACK, person_id)


def workspaces_named(body: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """Every team id and enterprise id a payload names: the request's own, its
    authorizations', its user's, its event's and its view's. Slack fills them all with the
    one workspace the app is installed in; a payload that names another is not for us."""
    teams: set[str] = set()
    enterprises: set[str] = set()

    def add(into: set[str], value: object) -> None:
        if isinstance(value, dict):
            value = value.get("id")
        if isinstance(value, str) and value:
            into.add(value)

    add(teams, body.get("team_id"))
    add(teams, body.get("team"))
    add(enterprises, body.get("enterprise_id"))
    add(enterprises, body.get("enterprise"))
    for entry in body.get("authorizations") or []:
        if isinstance(entry, dict):
            add(teams, entry.get("team_id"))
            add(enterprises, entry.get("enterprise_id"))
    for inner in (body.get("user"), body.get("view"), body.get("event")):
        if isinstance(inner, dict):
            add(teams, inner.get("team_id"))
            add(teams, inner.get("team"))
            add(teams, inner.get("user_team"))
            add(teams, inner.get("app_installed_team_id"))
            add(enterprises, inner.get("enterprise_id"))
    return teams, enterprises


def ours(body: Mapping[str, Any], team_id: str | None, enterprise_id: str | None) -> bool:
    """Is everything in this payload from our workspace (and our enterprise, if any)?

    Unknown (`team_id` None: auth.test has not answered) is not ours. An org-wide
    Enterprise Grid install, whose payloads name many workspaces, is not supported.
    """
    if not team_id:
        return False
    teams, enterprises = workspaces_named(body)
    return teams == {team_id} and enterprises <= ({enterprise_id} if enterprise_id else set())
