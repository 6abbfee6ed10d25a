"""Stored conversations name their milestone by code, not by its position in the checklist.

A data migration: the schema does not change, the JSON in conversation.state does. An
old state holds "index", the position of the milestone asked in the checklist as the
dialogue ordered it; the new one holds "code" (that milestone) and "following" (the one
after it), so a programme reloaded mid-round leaves each person where they were
(conversations/state.py).

The checklist's order is worked out here as `models.checklists.load_context` ordered it
when this was written, from the rows alone, and kept frozen in this file, as a migration
must be: a unit's national milestones that no reporter answers, then its local items; a
reporter's own milestones; each by group position, then position. A position outside its
checklist becomes no code (the person goes on at the first unanswered milestone). Going
back turns each code into its position again (0 when the checklist lacks it).
"""

from __future__ import annotations

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

APP = "fremdrift"
NO_GROUP = 10**6  # local items come after every group


async def _order(apps: Any, programme_id: int, scope: str) -> list[str]:
    """The milestone codes of the checklist `scope` in programme `programme_id`, in order."""
    milestone, group, role, unit, person = (
        apps.get_model(APP, name)
        for name in ("Milestone", "MilestoneGroup", "Role", "Unit", "Person")
    )
    groups = dict(await group.filter(programme_id=programme_id).values_list("id", "position"))
    rows = await milestone.filter(programme_id=programme_id).values(
        "id", "code", "position", "group_id", "unit_id"
    )
    rows.sort(key=lambda m: (groups.get(m["group_id"], NO_GROUP), m["position"], m["id"]))
    reporters = dict(
        await role.filter(programme_id=programme_id, kind="reporter").values_list(
            "scope", "person_id"
        )
    )
    kind, _, rest = scope.partition(":")
    key = rest.partition("@")[0]  # set apart for a unit, a reporter is asked the same
    if kind == "unit":
        found = await unit.filter(programme_id=programme_id, key=key).values_list("id", flat=True)
        national = [m for m in rows if m["unit_id"] is None and m["code"] not in reporters]
        local = [m for m in rows if found and m["unit_id"] == found[0]]
        return [m["code"] for m in national + local]
    if kind == "reporter":
        found = await person.filter(key=key).values_list("id", flat=True)
        return [m["code"] for m in rows if found and reporters.get(m["code"]) == found[0]]
    return []


async def _convert(apps: Any, change: Any) -> None:
    """Rewrite every stored state with `change(state, order)` where it returns a new one."""
    conversation = apps.get_model(APP, "Conversation")
    round_ = apps.get_model(APP, "Round")
    programmes = dict(await round_.all().values_list("id", "programme_id"))
    orders: dict[tuple[int, str], list[str]] = {}
    for row in await conversation.all().values("id", "round_id", "scope", "state"):
        key = (programmes[row["round_id"]], row["scope"])
        if key not in orders:
            orders[key] = await _order(apps, *key)
        state = row["state"]
        new = change(state, orders[key]) if isinstance(state, dict) else None
        if new is not None:
            await conversation.filter(id=row["id"]).update(state=new)


def _by_code(state: dict[str, Any], order: list[str]) -> dict[str, Any] | None:
    if "code" in state or "index" not in state:
        return None  # already by code, or nothing asked yet (an empty state)
    index = state.get("index")
    fits = isinstance(index, int) and 0 <= index < len(order)
    new = {name: value for name, value in state.items() if name != "index"}
    new["code"] = order[index] if fits else None
    new["following"] = order[index + 1] if fits and index + 1 < len(order) else None
    return new


def _by_index(state: dict[str, Any], order: list[str]) -> dict[str, Any] | None:
    if "code" not in state:
        return None
    new = {name: value for name, value in state.items() if name not in ("code", "following")}
    new["index"] = order.index(state["code"]) if state["code"] in order else 0
    return new


async def forwards(apps: Any, schema_editor: Any) -> None:
    await _convert(apps, _by_code)


async def backwards(apps: Any, schema_editor: Any) -> None:
    await _convert(apps, _by_index)


class Migration(migrations.Migration):
    dependencies = [(APP, "0002_round_date")]

    operations = [
        ops.RunPython(forwards, reverse_code=backwards),
    ]
