"""views.*: modals (opened with a fresh trigger_id) and the App Home tab.

Verified: a trigger_id is good for 3 s and once (``expired_trigger_id``,
``exchanged_trigger_id``, ``invalid_trigger_id`` when it is not ``123.456.abc``-shaped);
``view_too_large`` past 250 kB; ``hash_conflict``; ``not_found``; ``push_limit_reached``
(a stack holds at most 3 views); ``duplicate_external_id``.
Chosen: an unknown but well-shaped trigger_id is ``invalid_trigger_id``; the trigger is
spent only when the view is accepted; views.open while a modal is open replaces the stack;
views.push without an open modal is ``not_found``; updating a closed modal is ``not_found``.
"""

from __future__ import annotations

import copy

from .blockkit import validate_view, view_too_large
from .ids import is_trigger_id_shaped
from .models import JSON, View
from .state import TRIGGER_TTL, SlackState
from .webapi import ApiError, Call, MethodSpec, invalid_arguments, scopes, stamp_ids
from .workspace import Trigger

STACK_LIMIT = 3


def _view_arg(call: Call, *, allowed: tuple[str, ...]) -> JSON:
    view = call.json("view", error="invalid_arguments")
    if view is None:
        raise invalid_arguments("[ERROR] missing required field: view")
    problems = validate_view(view, allowed_types=allowed)
    if problems:
        raise ApiError("invalid_arguments", response_metadata={"messages": problems})
    if view_too_large(view):
        raise ApiError("view_too_large")
    assert isinstance(view, dict)
    view = {**view, "blocks": stamp_ids(view.get("blocks") or [])}
    external_id = view.get("external_id")
    if external_id:
        for existing in call.ws.views.values():
            same = call.method == "views.update" and existing.id == call.params.get("view_id")
            if existing.definition.get("external_id") == external_id and existing.open and not same:
                raise ApiError("duplicate_external_id")
    return view


def _trigger(call: Call) -> Trigger:
    trigger_id = call.text("trigger_id") or call.text("interactivity_pointer")
    if trigger_id is None:
        raise invalid_arguments("[ERROR] missing required field: trigger_id")
    trigger = call.ws.triggers.get(trigger_id)
    if not is_trigger_id_shaped(trigger_id) or trigger is None:
        raise ApiError("invalid_trigger_id")
    if trigger.used:
        raise ApiError("exchanged_trigger_id")
    if call.state.clock() - trigger.issued_at > TRIGGER_TTL:
        raise ApiError("expired_trigger_id")
    return trigger


def new_view(
    state: SlackState, user: str, definition: JSON, *, root: str | None, previous: str | None
) -> View:
    """Store a view Slack accepted and give it an id and hash."""
    ident = state.identity
    ws = state.workspace
    view_id = ws.ids.next("V")
    view = View(
        id=view_id,
        user=user,
        type=str(definition["type"]),
        definition=copy.deepcopy(definition),
        hash=ws.ids.view_hash(state.wall_clock()),
        team_id=ident.team_id,
        app_id=ident.app_id,
        bot_id=ident.bot_id,
        root_view_id=root or view_id,
        previous_view_id=previous,
    )
    view.versions.append(copy.deepcopy(definition))
    ws.views[view_id] = view
    return view


def views_open(call: Call) -> JSON:
    trigger = _trigger(call)
    definition = _view_arg(call, allowed=("modal",))
    trigger.used = True
    for old in call.ws.modal_stacks.get(trigger.user, []):
        call.ws.views[old].open = False
    view = new_view(call.state, trigger.user, definition, root=None, previous=None)
    call.ws.modal_stacks[trigger.user] = [view.id]
    call.state.changed()
    return {"ok": True, "view": view.to_api()}


def views_push(call: Call) -> JSON:
    trigger = _trigger(call)
    definition = _view_arg(call, allowed=("modal",))
    stack = call.ws.modal_stacks.get(trigger.user) or []
    if not stack:
        raise ApiError("not_found")
    if len(stack) >= STACK_LIMIT:
        raise ApiError("push_limit_reached")
    trigger.used = True
    view = new_view(call.state, trigger.user, definition, root=stack[0], previous=stack[-1])
    stack.append(view.id)
    call.state.changed()
    return {"ok": True, "view": view.to_api()}


def _find(call: Call) -> View:
    view_id, external_id = call.text("view_id"), call.text("external_id")
    if view_id is None and external_id is None:
        raise invalid_arguments("[ERROR] missing required field: view_id or external_id")
    for view in call.ws.views.values():
        named = external_id and view.definition.get("external_id") == external_id
        if (view.id == view_id or named) and view.open:
            return view
    raise ApiError("not_found")


def _check_hash(call: Call, view: View) -> None:
    given = call.text("hash")
    if given is not None and given != view.hash:
        raise ApiError("hash_conflict")


def replace_view(state: SlackState, view: View, definition: JSON) -> None:
    """Swap a view's definition, keeping input the person typed where the ids still match."""
    kept: dict[str, dict[str, JSON]] = {}
    for block in definition.get("blocks", []):
        element = block.get("element") if isinstance(block, dict) else None
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if isinstance(element, dict) and block_id in view.state:
            action_id = element.get("action_id")
            if action_id in view.state[block_id]:
                kept.setdefault(block_id, {})[action_id] = view.state[block_id][action_id]
    view.definition = copy.deepcopy(definition)
    view.state = kept
    view.hash = state.workspace.ids.view_hash(state.wall_clock())
    view.errors = None
    view.versions.append(copy.deepcopy(definition))


def views_update(call: Call) -> JSON:
    view = _find(call)
    _check_hash(call, view)
    definition = _view_arg(call, allowed=(view.type,))
    replace_view(call.state, view, definition)
    call.state.changed()
    return {"ok": True, "view": view.to_api()}


def views_publish(call: Call) -> JSON:
    user = call.text("user_id")
    if user is None or user not in call.ws.users:
        raise ApiError("user_not_found")
    current = call.ws.home_of(user)
    if current is not None:
        _check_hash(call, current)
    definition = _view_arg(call, allowed=("home",))
    if current is None:
        current = new_view(call.state, user, definition, root=None, previous=None)
        call.ws.homes[user] = current.id
    else:
        replace_view(call.state, current, definition)
    call.state.changed()
    return {"ok": True, "view": current.to_api()}


METHODS: dict[str, MethodSpec] = {
    "views.open": MethodSpec(views_open, 4, scopes()),
    "views.push": MethodSpec(views_push, 4, scopes()),
    "views.update": MethodSpec(views_update, 4, scopes()),
    "views.publish": MethodSpec(views_publish, 4, scopes()),
}
