"""Every cause service/failures.py can name has its note in both languages, and each of the
messengers' errors lands on the cause an admin can act on."""

from __future__ import annotations

import pytest

from conversations.errors import UserError
from render.i18n import text
from service.failures import DM_WHYS, PUBLISH_WHYS, RENDER_FAILED, note_key, why
from service.jobs import Failure
from service.messenger import PermanentFailure, TransientFailure, Unreachable

PARAMS: dict[str, object] = {
    "round": "13. møde",
    "programme": "kol-2018",
    "channel": "C0STYR",
    "person": "Niels Nord",
    "kind": "invite",
    "attempts": 6,
    "detail": "msg_too_long",
    "platform": "slack",
    "reason": "Programmet kol-2018 har endnu ingen runder.",
}


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize(
    "key",
    [note_key("publish", w) for w in PUBLISH_WHYS] + [note_key("invite", w) for w in DM_WHYS],
)
def test_every_cause_has_its_note_naming_the_round(language: str, key: str) -> None:
    said = text(language, key, **PARAMS)
    assert "13. møde" in said
    if key.startswith("failure.dm."):
        assert "Niels Nord" in said
    else:
        assert "round publish" in said


CASES = [
    ("publish", Unreachable("not_in_channel", platform="slack"), "not_in_channel"),
    ("publish", Unreachable("channel_not_found", platform="slack"), "channel_not_found"),
    ("publish", Unreachable("is_archived", platform="slack"), "channel_archived"),
    ("publish", Unreachable("403 Forbidden", platform="teams"), "not_in_channel"),
    ("publish", Unreachable("404 Not Found", platform="teams"), "channel_not_found"),
    ("publish", PermanentFailure(key="delivery.no_steering_channel"), "no_steering_channel"),
    ("publish", PermanentFailure("ValueError", key=RENDER_FAILED), "render_failed"),
    ("publish", PermanentFailure("msg_too_long", platform="slack"), "refused"),
    ("publish", TransientFailure("503"), "gave_up"),
    ("publish", None, "abandoned"),
    ("invite", Unreachable(key="delivery.no_account", platform="slack"), "no_account"),
    ("invite", Unreachable("channel_not_found", platform="slack"), "account_gone"),
    ("remind", Unreachable("user_disabled", platform="slack"), "account_gone"),
    ("invite", Unreachable("403 Forbidden", platform="teams"), "account_gone"),
    ("handover", Unreachable("cannot_dm_bot", platform="slack"), "cannot_dm"),
    ("invite", PermanentFailure("invalid_blocks", platform="slack"), "refused"),
    ("invite", TransientFailure("ServerDisconnectedError"), "gave_up"),
    ("invite", OSError("database unreachable"), "gave_up"),
    ("invite", UserError("round.no_round", programme="kol-2018"), "not_done"),
    ("publish", UserError("round.no_round", programme="kol-2018"), "not_done"),
    ("remind", None, "abandoned"),
]


@pytest.mark.parametrize(("kind", "error", "expected"), CASES)
def test_each_error_names_the_cause_an_admin_can_act_on(
    kind: str, error: BaseException | None, expected: str
) -> None:
    assert why(kind, Failure("reason", error)) == expected
    assert expected in (PUBLISH_WHYS if kind == "publish" else DM_WHYS)
